"""Issue 7, item 1: Redis goes away or slows down; Reprise fails open.

- Outage under load: wrk sends creates (hits once warm) while redis-server is killed and later
  started again on the same port. No request fails (no 5xx): inputs the event loops hold are
  still answered HIT from the hot tier's grace (`cache.hot_grace`, 30 s), an input nobody
  holds is forwarded (MISS), `reprise_redis_errors_total` grows, `/readyz` is 503 naming Redis
  while it is down and 200 once it is back, and hits come back by themselves.
- Slow Redis: `DEBUG SLEEP` freezes Redis; creates do not wait for it longer than
  `redis.timeout`: they are forwarded (MISS) and the timeouts are counted as Redis errors
  (with `cache.hot_ttl: 0s`, so that every create asks Redis).
"""

from __future__ import annotations

import threading
import time
import uuid

import reliability_support as support

FAST_FAKE = ["--start-delay-ms", "0", "--run-ms", "0"]
# The outage test's probe phases: Redis up, killed, restarted but not yet reconnected, back.
PHASES = ("before", "outage", "restarting", "recovered")


def _hits(stack) -> float:
    return stack.metric("reprise_cache_lookups_total", result="hit")


def test_redis_outage_under_load_fails_open_and_recovers(stack_factory, redis_factory, profile, figures):
    redis = redis_factory()
    stack = stack_factory(redis=redis, fake_args=FAST_FAKE)
    run = uuid.uuid4().hex[:8]
    probe_text = f"probe {run}"
    wrk = support.Wrk(stack.url + "/", stack.token, "create", connections=profile.outage_connections,
                      prefix=f"outage {run}", inputs=16, log_path=stack.workdir / "wrk.log").start()
    probe = support.Probe(stack.port, support.hello_create_request(stack.token, lambda i: probe_text)).start()
    try:
        support.wait_until(lambda: _hits(stack) >= 100, 60, "100 cache hits under load")
        probe.phase = "before"
        time.sleep(profile.outage_phase_seconds)  # a measurement window, not a synchronisation

        errors_before = stack.metric("reprise_redis_errors_total")
        lookups_error_before = stack.metric("reprise_cache_lookups_total", result="error")
        probe.phase = "outage"
        killed_at = time.monotonic()
        redis.kill()
        not_ready = support.wait_until(
            lambda: (lambda a: a if a.status == 503 else None)(stack.readyz()), 30, "/readyz 503 after the kill")
        not_ready_after = time.monotonic() - killed_at
        reasons = not_ready.json()["reasons"]
        assert reasons and all(name.startswith("redis") for name in reasons), not_ready.text
        assert all("unreachable" in why for why in reasons.values()), not_ready.text
        support.wait_until(lambda: stack.metric("reprise_redis_errors_total") > errors_before, 30,
                           "reprise_redis_errors_total to grow")
        time.sleep(profile.outage_phase_seconds)  # load against a Reprise without Redis
        outage_probe_samples = len(probe.in_phase("outage"))
        # An input no loop holds has nothing to stand in for Redis: it fails open.
        unheld = stack.create(f"never held {run}")
        grace_hits = stack.metric("reprise_hot_tier_lookups_total", source="grace")

        probe.phase = "restarting"
        restarted_at = time.monotonic()
        redis.restart()
        support.wait_until(lambda: stack.readyz().status == 200, 60, "/readyz 200 after Redis came back")
        ready_after = time.monotonic() - restarted_at
        probe.phase = "recovered"
        hits_at_recovery = _hits(stack)
        support.wait_until(lambda: _hits(stack) >= hits_at_recovery + 100, 60, "hits to resume on their own")
        hits_resumed_after = time.monotonic() - restarted_at
        time.sleep(profile.outage_phase_seconds)
    finally:
        tally = wrk.stop()
        probe.stop()

    errors_delta = stack.metric("reprise_redis_errors_total") - errors_before
    lookup_errors = stack.metric("reprise_cache_lookups_total", result="error") - lookups_error_before
    # Every request wrk sent was answered, and answered 201: none failed for want of Redis.
    assert tally["socket_errors"] == 0, tally
    assert tally["errors"]["status"] == 0 and set(tally["status"]) == {"201"}, tally
    assert not probe.failures, probe.failures[:5]
    assert {s.status for s in probe.samples} == {201}, support.count_by(s.status for s in probe.samples)
    outage = probe.in_phase("outage")
    assert outage_probe_samples > 0
    # While Redis was away the probe's fixed input, which the loops held, was still a hit
    # (the grace), and an input nobody held was forwarded.
    assert any(s.cache == "HIT" for s in outage), support.count_by(s.cache for s in outage)
    assert grace_hits > 0
    assert (unheld.status, unheld.cache_status) == (201, "MISS"), (unheld.status, unheld.cache_status, unheld.text)
    assert errors_delta > 0 and lookup_errors > 0

    # After recovery the cache works again by itself: a new input misses once, then hits.
    fresh = f"after recovery {run}"
    first, second = stack.create(fresh), stack.create(fresh)
    assert (first.status, first.cache_status) == (201, "MISS"), (first.status, first.cache_status, first.text)
    assert (second.status, second.cache_status) == (201, "HIT"), (second.status, second.cache_status)
    recovered = probe.in_phase("recovered")
    assert recovered and recovered[-1].cache == "HIT", support.count_by(s.cache for s in recovered)

    figures.record("redis_outage", {
        "wrk": {"connections": profile.outage_connections, "requests": tally["requests"], "seconds": tally["seconds"],
                "rps": tally["rps"], "status": tally["status"], "cache": tally["cache"],
                "socket_errors": tally["socket_errors"], "latency_us": tally["latency_us"]},
        "probe": {phase: probe.summary(phase) for phase in PHASES},
        "probe_cache": {phase: support.count_by(s.cache for s in probe.in_phase(phase)) for phase in PHASES},
        "redis_errors_delta": errors_delta,
        "grace_hits_during_outage": grace_hits,
        "lookup_errors_delta": lookup_errors,
        "readyz_503_after_s": round(not_ready_after, 3),
        "readyz_body": not_ready.text,
        "readyz_200_after_restart_s": round(ready_after, 3),
        "hits_resumed_after_restart_s": round(hits_resumed_after, 3),
    })


def test_slow_redis_costs_at_most_the_timeout_then_forwards(stack_factory, redis_factory, profile, figures):
    redis = redis_factory(debug_command=True)
    # The hot tier off: every create asks Redis, so the test sees what a slow Redis costs. (With
    # it on, hits of entries read in the last second are answered from memory while Redis
    # sleeps, which is the point of it, and would hide the timeout path measured here.)
    stack = stack_factory(redis=redis, config={"redis": {"timeout": "50ms"}, "cache": {"hot_ttl": "0s"}},
                          fake_args=FAST_FAKE)
    run = uuid.uuid4().hex[:8]
    fixed = [f"slow redis {run} {i}" for i in range(4)]
    for text in fixed:  # warm: every fixed input is a hit from now on
        stack.create(text)
        assert stack.create(text).cache_status == "HIT"

    counter = {"n": 0}

    def text_for(i: int) -> str:
        if probe.phase == "miss-before":  # the MISS path with Redis healthy: lookup + upstream
            counter["n"] += 1
            return f"slow redis {run} unique {counter['n']}"
        return fixed[i % len(fixed)]

    probe = support.Probe(stack.port, support.hello_create_request(stack.token, text_for))
    probe.phase = "hit-before"
    probe.start()
    windows = []

    def freeze() -> None:
        """One DEBUG SLEEP; records the window in which Redis surely slept: from the sending of
        a PING that Redis answered late (so it was asleep when the PING arrived) to the sending
        of the DEBUG SLEEP plus its length (Redis cannot wake earlier)."""
        sleep = str(profile.slow_redis_sleep_seconds).encode()
        with redis.client() as sleeper, redis.client() as pinger:
            sent = time.monotonic()
            sleeper.sock.sendall(b"*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$%d\r\n%s\r\n" % (len(sleep), sleep))
            asleep_from = None
            while asleep_from is None and time.monotonic() < sent + profile.slow_redis_sleep_seconds / 2:
                pinged = time.monotonic()
                pinger.call("PING")
                if time.monotonic() - pinged > profile.slow_redis_sleep_seconds / 4:
                    asleep_from = pinged
            assert sleeper.read_reply() == "OK"
            if asleep_from is not None:
                windows.append((asleep_from, sent + profile.slow_redis_sleep_seconds))

    try:
        support.wait_until(lambda: len(probe.in_phase("hit-before")) >= 20, 30, "20 probe hits")
        time.sleep(profile.outage_phase_seconds)
        probe.phase = "miss-before"
        time.sleep(profile.outage_phase_seconds)
        errors_before = stack.metric("reprise_redis_errors_total")
        probe.phase = "slow"
        for _ in range(profile.slow_redis_sleeps):
            sleeper = threading.Thread(target=freeze)
            sleeper.start()
            sleeper.join(timeout=60)
            time.sleep(0.2)  # Redis answers in between: the next freeze starts from a drained queue
        probe.phase = "after"
        support.wait_until(lambda: any(s.cache == "HIT" for s in probe.in_phase("after")), 30,
                           "hits after Redis woke up")
    finally:
        probe.stop()
    errors_delta = stack.metric("reprise_redis_errors_total") - errors_before

    assert not probe.failures, probe.failures[:5]
    assert {s.status for s in probe.samples} == {201}, support.count_by(s.status for s in probe.samples)
    # Requests that began and ended while Redis slept were answered without it: forwarded.
    assert windows, "Redis never seemed asleep"
    inside = [s for s in probe.samples
              if any(start <= s.started and s.started + s.elapsed <= end for start, end in windows)]
    assert inside, "no probe request began and ended while Redis slept"
    assert all(s.cache == "MISS" for s in inside), support.count_by(s.cache for s in inside)
    assert errors_delta >= len(inside), (errors_delta, len(inside))

    hit_before = probe.summary("hit-before")
    miss_before = probe.summary("miss-before")
    slow = support.latency_summary([s.elapsed for s in inside])
    figures.record("slow_redis", {
        "redis_timeout_ms": 50,
        "sleep_s": profile.slow_redis_sleep_seconds,
        "sleeps": profile.slow_redis_sleeps,
        "hit_before": hit_before,
        "miss_before": miss_before,
        "during_sleep": slow,
        "during_sleep_cache": support.count_by(s.cache for s in inside),
        "added_p50_ms_vs_miss": round(slow["p50_ms"] - miss_before["p50_ms"], 2),
        "added_p99_ms_vs_miss": round(slow["p99_ms"] - miss_before["p99_ms"], 2),
        "redis_errors_delta": errors_delta,
        "after": probe.summary("after"),
    })
