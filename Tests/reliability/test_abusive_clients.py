"""Issue 7, item 3: abusive clients get 4xx and a closed connection; a well-behaved client
keeps being served.

One Reprise; the well-behaved client is wrk with one connection and one thread (GETs of a
model, one after another, in its own process so that the attackers' Python threads do not
slow it down), run once per phase: a baseline, then during each attack. The test asserts what
the abusers got (codes, closes) and that the good client never failed; its latencies go to
the doc.
"""

from __future__ import annotations

import contextlib
import time

import abuse
import reliability_support as support

HEADER_TIMEOUT_S = 2
MAX_BODY = 1024 * 1024


def test_abusive_clients_get_4xx_and_close_while_a_good_client_is_served(stack_factory, profile, figures):
    support.raise_fd_limit(profile.idle_connections + 2000)
    stack = stack_factory(config={"server": {
        "header_timeout": f"{HEADER_TIMEOUT_S}s", "max_body_size": "1MiB", "max_header_size": "64KiB",
        "idle_timeout": "10m", "max_connections": profile.idle_connections + 1000,
    }})
    port = stack.port
    results = {}
    problems = []
    good = {}

    @contextlib.contextmanager
    def good_client(phase: str):
        wrk = support.Wrk(stack.url + support.MODEL_GET, stack.token, "get", connections=1, threads=1,
                          log_path=stack.workdir / "wrk.log").start()
        try:
            yield
        finally:
            good[phase] = wrk.stop()

    with good_client("baseline"):
        time.sleep(profile.attack_seconds)  # measurement window

    with good_client("slowloris"):
        outcomes = abuse.slowloris(port, profile.slowloris_connections, trickle_every=0.1,
                                   give_up_after=HEADER_TIMEOUT_S + 20)
        results["slowloris"] = abuse.summarize(outcomes)
        if not all(o.status == 408 and o.closed for o in outcomes):
            problems.append(f"slowloris: {results['slowloris']}")

    with good_client("oversize"):
        with abuse.Hammer(lambda: abuse.oversize_head(port, 70 * 1024)) as heads, \
                abuse.Hammer(lambda: abuse.oversize_body_declared(port, 2 * MAX_BODY)) as declared, \
                abuse.Hammer(lambda: abuse.oversize_body_chunked(port, 2 * MAX_BODY), threads=1) as chunked:
            time.sleep(profile.attack_seconds)
        for name, hammer, want in (("oversize head", heads, 431), ("oversize body (declared)", declared, 413),
                                   ("oversize body (chunked)", chunked, 413)):
            results[name] = abuse.summarize(hammer.outcomes)
            results[name]["client_errors"] = len(hammer.errors)
            if not hammer.outcomes or not all(o.status == want and o.closed for o in hammer.outcomes):
                problems.append(f"{name}: {results[name]} {hammer.errors[:3]}")

    rss_before = support.rss_kib(stack.reprise.pid)
    idle = abuse.IdleConnections(port, profile.idle_connections)
    open_seconds = idle.open()
    with good_client("idle"):
        try:
            time.sleep(profile.attack_seconds)
            rss_idle = support.rss_kib(stack.reprise.pid)
            served = idle.still_served(every=max(1, profile.idle_connections // 50))
        finally:
            idle.close()
    results["idle"] = {"connections": profile.idle_connections, "open_seconds": round(open_seconds, 2),
                       "rss_before_kib": rss_before, "rss_with_idle_kib": rss_idle,
                       "kib_per_connection": round((rss_idle - rss_before) / profile.idle_connections, 2),
                       "sampled_requests": support.count_by(served)}
    if set(served) != {200}:
        problems.append(f"idle connections were not all kept and served: {results['idle']}")

    with good_client("malformed"):
        with abuse.Hammer(lambda: abuse.raw_outcome(port, _next(MALFORMED_CYCLE))) as malformed:
            time.sleep(profile.attack_seconds)
        results["malformed (mixed)"] = abuse.summarize(malformed.outcomes)
        if not all(o.closed and o.status in (400, 505) for o in malformed.outcomes):
            problems.append(f"malformed: {results['malformed (mixed)']}")

    with good_client("smuggling"):
        with abuse.Hammer(lambda: abuse.raw_outcome(port, _next(SMUGGLING_CYCLE))) as smuggled:
            time.sleep(profile.attack_seconds)
        results["smuggling (mixed)"] = abuse.summarize(smuggled.outcomes)
        if not all(o.closed and o.status == 400 for o in smuggled.outcomes):
            problems.append(f"smuggling: {results['smuggling (mixed)']}")
    with good_client("after"):
        time.sleep(profile.attack_seconds)

    # Each malformed and smuggled request on its own: its code, and the close. None of the
    # smuggled ones may reach upstream (nothing else is running, so the fake's count is quiet).
    requests_before = stack.fake_counters()["requests"]
    each = {}
    for name, (data, want) in abuse.MALFORMED.items():
        o = abuse.raw_outcome(port, data)
        each[name] = o.status
        if (o.status, o.closed) != (want, True):
            problems.append(f"malformed '{name}': {o} (expected {want} and close)")
    for name, data in abuse.SMUGGLING.items():
        o = abuse.raw_outcome(port, data)
        each[name] = o.status
        if (o.status, o.closed) != (400, True):
            problems.append(f"smuggling '{name}': {o} (expected 400 and close)")
    forwarded = stack.fake_counters()["requests"] - requests_before

    figures.record("abusive_clients", {
        "header_timeout_s": HEADER_TIMEOUT_S,
        "good_client": {phase: {"requests": t["requests"], "rps": t["rps"], "status": t["status"],
                                "socket_errors": t["socket_errors"], "latency_us": t["latency_us"]}
                        for phase, t in good.items()},
        "attacks": results,
        "each_request": each,
        "smuggled_requests_forwarded": forwarded,
    })
    for phase, tally in good.items():
        assert tally["socket_errors"] == 0 and set(tally["status"]) == {"200"}, (phase, tally)
    assert forwarded == 0, f"{forwarded} malformed or smuggled request(s) reached upstream"
    assert not problems, "\n".join(problems)


def test_connections_past_max_connections_get_503_and_close(stack_factory, figures):
    stack = stack_factory(config={"server": {"max_connections": 20}})
    held = abuse.IdleConnections(stack.port, 20)
    try:
        held.open()
        # Every held connection was accepted (and counted): each is served.
        assert set(held.still_served(every=1)) == {200}
        refused = [abuse.raw_outcome(stack.port, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n") for _ in range(5)]
    finally:
        held.close()
    assert all(o.status == 503 and o.closed for o in refused), refused
    # Once connections are released, new ones are accepted again.
    support.wait_until(lambda: stack.request("GET", "/healthz").status == 200, 30, "a connection to be accepted")
    figures.record("max_connections", {"limit": 20, "over_limit": abuse.summarize(refused)})


class _Cycle:
    def __init__(self, items):
        self.items = list(items)
        self.i = 0

    def next(self) -> bytes:
        item = self.items[self.i % len(self.items)]
        self.i += 1
        return item


MALFORMED_CYCLE = _Cycle(data for data, _ in abuse.MALFORMED.values())
SMUGGLING_CYCLE = _Cycle(abuse.SMUGGLING.values())


def _next(cycle: _Cycle) -> bytes:
    return cycle.next()
