"""Issue 7, item 2: when Replicate is unreachable, slow or failing.

- Refused connections and timeouts are Reprise's own 502 and 504, in Replicate's error shape.
- 5xx and 429 answers are relayed as they came (status, headers, body) and never cached: the
  next identical create goes upstream again.
"""

from __future__ import annotations

import json
import socket
import uuid

import reliability_support as support

# Headers that belong to one hop (or to the framing) and may legitimately differ.
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "date"}
# A pass-through read and a prediction read (Reprise's own route), both faulted upstream.
READ_PATHS = (support.MODEL_GET, "/v1/predictions/abcdefghijklmnopqrstuvwxyz")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, never listened, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_upstream_is_a_replicate_shaped_502(stack_factory, figures):
    stack = stack_factory(upstream_url=f"http://127.0.0.1:{_closed_port()}")
    answers = {
        "pass-through GET": stack.request("GET", support.MODEL_GET),
        "create": stack.create(f"refused {uuid.uuid4().hex[:8]}"),
        "prediction read": stack.request("GET", "/v1/predictions/abcdefghijklmnopqrstuvwxyz"),
        "cancel": stack.request("POST", "/v1/predictions/abcdefghijklmnopqrstuvwxyz/cancel"),
    }
    for what, answer in answers.items():
        assert support.is_problem(answer, 502), (what, answer.status, answer.headers, answer.text)
    assert stack.metric("reprise_upstream_errors_total", kind="connect") >= len(answers)
    figures.record("upstream_refused", {
        "status": {k: a.status for k, a in answers.items()},
        "elapsed_ms": {k: round(a.elapsed * 1000, 1) for k, a in answers.items()},
        "body": answers["create"].text,
    })


def test_upstream_slower_than_the_timeout_is_a_504_and_the_next_request_is_fine(stack_factory, figures):
    stack = stack_factory(config={"upstream": {"timeout": "1s"}})
    slow = {"X-Fake-Fault": "delay_ms=5000"}
    text = f"timeout {uuid.uuid4().hex[:8]}"
    answers = {
        "pass-through GET": stack.request("GET", support.MODEL_GET, slow),
        "create": stack.create(text, headers=slow),
    }
    for what, answer in answers.items():
        assert support.is_problem(answer, 504), (what, answer.status, answer.text)
    assert stack.metric("reprise_upstream_errors_total", kind="timeout") >= len(answers)
    # A timed-out transfer leaves nothing behind that breaks the next request, and the create
    # it was is not taken for one still running: the same create is simply sent again.
    assert stack.request("GET", support.MODEL_GET).status == 200
    again = stack.create(text)
    assert (again.status, again.cache_status) == (201, "MISS"), (again.status, again.text)
    assert again.json()["status"] == "succeeded", again.text
    closed = stack.request("GET", support.MODEL_GET, {"X-Fake-Fault": "close"})
    assert support.is_problem(closed, 502), (closed.status, closed.text)
    # A connection upstream closed without answering is not a connect failure.
    assert stack.metric("reprise_upstream_errors_total", kind="closed") >= 1
    figures.record("upstream_timeout", {
        "upstream_timeout_s": 1,
        "fake_delay_s": 5,
        "status": {k: a.status for k, a in answers.items()},
        "elapsed_ms": {k: round(a.elapsed * 1000, 1) for k, a in answers.items()},
        "closed_without_answer": {"status": closed.status, "elapsed_ms": round(closed.elapsed * 1000, 1)},
        "body": answers["create"].text,
    })


def _assert_relayed(direct: support.Answer, via: support.Answer, what: str) -> None:
    assert via.status == direct.status, (what, via.status, direct.status)
    assert via.body == direct.body, (what, via.body, direct.body)
    for name, value in direct.headers.items():
        if name in HOP_HEADERS:
            continue
        assert via.header(name) == value, (what, name, via.header(name), value)


def test_upstream_errors_are_relayed_as_they_are_and_never_cached(stack_factory, figures):
    stack = stack_factory()
    run = uuid.uuid4().hex[:8]
    cases = {"503 with Retry-After": "status=503;retry_after=7", "500": "status=500",
             "429 with Retry-After": "status=429;retry_after=3"}
    results = {}
    for name, directive in cases.items():
        fault = {"X-Fake-Fault": directive}
        text = f"upstream error {run} {directive}"
        body = json.dumps({"input": {"text": text}}).encode()
        create_headers = {"Content-Type": "application/json", "Prefer": "wait", **fault}
        direct = stack.fake_direct("POST", support.HELLO_PATH, create_headers, body)
        assert direct.status == int(directive.split(";")[0].split("=")[1]), direct
        reads = {path: stack.fake_direct("GET", path, fault) for path in READ_PATHS}
        faults_before = stack.fake_counters()["faults"]
        creates_before = stack.fake_creates()

        via = stack.create(text, headers=fault)
        _assert_relayed(direct, via, f"create, {name}")
        assert via.cache_status == "MISS"
        for path, direct_read in reads.items():
            _assert_relayed(direct_read, stack.request("GET", path, fault), f"GET {path}, {name}")
        # Each went upstream exactly once (a relayed error is never retried).
        assert stack.fake_counters()["faults"] == faults_before + 1 + len(reads)

        # Nothing was stored, and nothing is left marked as running: the same create goes
        # upstream again at once (no coalescing with the failed one), waits for its result as
        # asked, and only that success is kept.
        again = stack.create(text)
        assert (again.status, again.cache_status) == (201, "MISS"), (again.status, again.cache_status, again.text)
        assert again.json()["status"] == "succeeded", again.text
        assert stack.fake_creates() == creates_before + 1
        third = stack.create(text)
        assert (third.status, third.cache_status) == (201, "HIT"), (third.status, third.cache_status)
        assert stack.fake_creates() == creates_before + 1
        results[name] = {"status": via.status, "retry_after": via.header("retry-after"), "body": via.text}
    figures.record("upstream_errors", {"cases": results})
