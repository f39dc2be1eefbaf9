"""Issue 7, item 4: signals.

- SIGTERM under load: Reprise stops accepting at once, finishes every request it had accepted
  (slow `Prefer: wait` creates in flight all complete), and exits 0 within
  `server.drain_timeout`; a request longer than the drain timeout does not hold the exit.
- SIGHUP: a good file changes behaviour for new requests (a model set `enabled: false` is
  answered BYPASS); a bad file keeps the running config, the log says why, `/readyz` stays 200;
  no connection of a client running through the reloads sees an error.
"""

from __future__ import annotations

import copy
import http.client
import json
import signal
import socket
import threading
import time
import uuid

import reliability_support as support

FAST_FAKE = ["--start-delay-ms", "0", "--run-ms", "0"]


class SlowCreate(threading.Thread):
    """One `Prefer: wait` create of the fake's acme/slow model, which runs `seconds`. It goes
    through `POST /v1/predictions` (by version id) so that the fake's per-route counter
    (`creates.predictions`) counts these creates only: the load uses the model route."""

    def __init__(self, stack, seconds: float):
        super().__init__(daemon=True)
        self.stack = stack
        self.seconds = seconds
        self.status = None
        self.prediction_status = None
        self.error = None
        self.elapsed = None

    def run(self) -> None:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=self.seconds + 60)
        try:
            body = json.dumps({"version": support.SLOW_VERSION, "input": {"seconds": self.seconds}}).encode()
            conn.request("POST", "/v1/predictions", body=body, headers={
                **self.stack.auth(), "Content-Type": "application/json", "Prefer": "wait=60"})
            response = conn.getresponse()
            data = response.read()
            self.status = response.status
            self.prediction_status = json.loads(data).get("status")
        except (OSError, http.client.HTTPException, ValueError) as error:
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.elapsed = time.monotonic() - started
            conn.close()


class KeepAliveClient(threading.Thread):
    """Sends creates back to back on one keep-alive connection until Reprise answers one with
    `Connection: close` or the connection ends. How it ended tells the drain apart:
    - `close`: a response with `Connection: close` (the drain's way of ending a busy connection);
    - `eof`: the connection was closed while idle, before the next request arrived (HTTP/1.1's
      keep-alive race: the client retries on a new connection, which is then refused);
    - `reset`: the next request had arrived but was never read (a request lost by Reprise)."""

    def __init__(self, stack, text: str):
        super().__init__(daemon=True)
        body = json.dumps({"input": {"text": text}}).encode()
        self.request = (f"POST {support.HELLO_PATH} HTTP/1.1\r\nHost: reprise\r\nAuthorization: Bearer {stack.token}\r\n"
                        f"Content-Type: application/json\r\nPrefer: wait\r\nContent-Length: {len(body)}\r\n\r\n"
                        ).encode() + body
        self.port = stack.port
        self.answered = 0
        self.ending = None

    def run(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
                reader = s.makefile("rb")
                while True:
                    s.sendall(self.request)
                    status = reader.readline()
                    if not status:
                        self.ending = "eof"
                        return
                    fields = {}
                    while (line := reader.readline()) not in (b"\r\n", b""):
                        name, _, value = line.decode().partition(":")
                        fields[name.strip().lower()] = value.strip().lower()
                    reader.read(int(fields.get("content-length", 0)))
                    self.answered += 1
                    if fields.get("connection") == "close":
                        self.ending = "close"
                        return
        except ConnectionResetError:
            self.ending = "reset"
        except OSError as error:
            self.ending = type(error).__name__


def _refused(port: int) -> bool:
    """Whether a new connection is turned away. A connect that was still in the listener's
    queue when the listener closed is reset rather than refused: turned away all the same."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except (ConnectionRefusedError, ConnectionResetError):
        return True


def _slow_creates(stack) -> int:
    return stack.fake_counters()["creates"]["predictions"]


def test_sigterm_under_load_finishes_every_accepted_request_and_exits_0(stack_factory, profile, figures):
    drain_timeout = 20
    stack = stack_factory(config={"server": {"drain_timeout": f"{drain_timeout}s"}}, fake_args=FAST_FAKE)
    wrk = support.Wrk(stack.url + "/", stack.token, "create", connections=8, prefix=f"sigterm {uuid.uuid4().hex[:8]}",
                      log_path=stack.workdir / "wrk.log").start()
    support.wait_until(lambda: stack.metric("reprise_cache_lookups_total", result="hit") >= 200, 60,
                       "the load to be running (200 hits)")
    keep_alive = [KeepAliveClient(stack, f"keep-alive {i}") for i in range(8)]
    for k in keep_alive:
        k.start()
    # Distinct inputs: each create runs upstream (no coalescing), each takes ~2 s there.
    creates = [SlowCreate(stack, 2 + i / 1000) for i in range(profile.sigterm_slow_creates)]
    for c in creates:
        c.start()
    try:
        # Accepted means forwarded: the fake has every slow create.
        support.wait_until(lambda: _slow_creates(stack) >= len(creates), 30, "the slow creates upstream")
        requests_before = int(stack.metric("reprise_http_requests_total"))
        signalled = time.monotonic()
        stack.reprise.proc.send_signal(signal.SIGTERM)
        support.wait_until(lambda: _refused(stack.port), 10, "new connections to be refused")
        refused_after = time.monotonic() - signalled
        code = stack.reprise.proc.wait(timeout=drain_timeout + 30)
        exited_after = time.monotonic() - signalled
    finally:
        tally = wrk.stop()
        for c in creates + keep_alive:
            c.join(timeout=90)

    outcomes = support.count_by(f"{c.status} {c.prediction_status}" if c.error is None else c.error for c in creates)
    figures.record("sigterm", {
        "drain_timeout_s": drain_timeout,
        "slow_creates_in_flight": len(creates),
        "slow_create_outcomes": outcomes,
        "refusing_new_connections_after_s": round(refused_after, 3),
        "exit_code": code,
        "exited_after_s": round(exited_after, 3),
        "wrk_during": {"requests": tally["requests"], "status": tally["status"], "errors": tally["errors"]},
        "requests_answered_before_sigterm": requests_before,
        "keep_alive_clients": {"answered": sum(k.answered for k in keep_alive),
                               "endings": support.count_by(k.ending for k in keep_alive)},
    })
    assert code == 0
    assert outcomes == {"201 succeeded": len(creates)}, outcomes
    # The load got answers until the listener closed; a request on a kept-alive connection that
    # Reprise then closed as idle shows up as a wrk read/connect error, never as a 5xx.
    assert all(not s.startswith("5") for s in tally["status"]), tally["status"]


def test_drain_timeout_bounds_how_long_sigterm_waits(stack_factory, figures):
    drain_timeout = 2
    stack = stack_factory(config={"server": {"drain_timeout": f"{drain_timeout}s"}})
    slow = SlowCreate(stack, 30)
    slow.start()
    support.wait_until(lambda: _slow_creates(stack) >= 1, 30, "the slow create upstream")
    signalled = time.monotonic()
    stack.reprise.proc.send_signal(signal.SIGTERM)
    code = stack.reprise.proc.wait(timeout=60)
    exited_after = time.monotonic() - signalled
    slow.join(timeout=60)
    figures.record("drain_timeout", {
        "drain_timeout_s": drain_timeout, "request_seconds": 30, "exit_code": code,
        "exited_after_s": round(exited_after, 3),
        "client_saw": slow.error or f"{slow.status} {slow.prediction_status}",
    })
    assert code == 0
    # Reprise left before the 30 s prediction could finish: the client's connection was closed.
    assert slow.status is None and slow.error, (slow.status, slow.error)


def test_sighup_applies_a_good_file_and_keeps_the_running_config_on_a_bad_one(stack_factory, figures):
    stack = stack_factory(fake_args=FAST_FAKE)
    run = uuid.uuid4().hex[:8]
    wrk = support.Wrk(stack.url + support.MODEL_GET, stack.token, "get", connections=4,
                      log_path=stack.workdir / "wrk.log").start()
    timeline = {}
    try:
        known = f"sighup {run}"
        assert stack.create(known).cache_status == "MISS"
        assert stack.create(known).cache_status == "HIT"
        counter = iter(range(1_000_000))

        def fresh_status() -> str:
            return stack.create(f"sighup {run} fresh {next(counter)}").cache_status

        # A good file: hello-world is no longer cached.
        original = copy.deepcopy(stack.config)
        disabled = support.merge_config(stack.config, {"cache": {"models": {"replicate/hello-world": {"enabled": False}}}})
        stack.write_config(disabled)
        sent = time.monotonic()
        stack.reprise.proc.send_signal(signal.SIGHUP)
        support.wait_until(lambda: fresh_status() == "BYPASS", 30, "creates answered BYPASS after the reload")
        timeline["good_file_applied_after_s"] = round(time.monotonic() - sent, 3)
        assert stack.create(known).cache_status == "BYPASS"  # the stored entry is not served any more
        support.wait_until(lambda: "config reloaded" in stack.reprise.log_text(), 10, "the reload log line")

        # A bad file: the running config stays, and the log says why (file and line).
        log_start = stack.reprise.log_size()
        stack.config_path.write_text(stack.config_path.read_text() + "bogus_key: 1\n")
        stack.reprise.proc.send_signal(signal.SIGHUP)
        line = support.wait_until(
            lambda: next((l for l in stack.reprise.log_text(log_start).splitlines() if "reload failed" in l), None),
            30, "the reload failure in the log")
        failure = json.loads(line)
        failure["errors"] = failure["errors"].replace(str(stack.config_path.parent) + "/", "")  # for the doc
        assert failure["level"] == "error", line
        assert failure["errors"].startswith("reprise.yaml:") and "bogus_key" in failure["errors"], line
        assert stack.readyz().status == 200
        assert fresh_status() == "BYPASS"  # still the config of the last good file

        # A good file again: caching is back, and the entry stored before is served again.
        stack.write_config(original)
        sent = time.monotonic()
        stack.reprise.proc.send_signal(signal.SIGHUP)
        support.wait_until(lambda: stack.create(known).cache_status == "HIT", 30, "hits after re-enabling")
        timeline["re_enabled_after_s"] = round(time.monotonic() - sent, 3)
    finally:
        tally = wrk.stop()
    figures.record("sighup", {
        **timeline,
        "bad_file_log_line": failure,
        "wrk_during": {"requests": tally["requests"], "status": tally["status"], "errors": tally["errors"]},
    })
    # The reloads dropped no connection and failed no request of the client running through them.
    assert tally["socket_errors"] == 0 and set(tally["status"]) == {"200"}, tally
