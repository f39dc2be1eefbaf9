"""Mixed traffic for the soak and the leak check: every kind of request Reprise handles, each
with the answer it must get. `MixedClient.step(kind)` sends one request of a kind and counts
it; an unexpected answer is recorded as a failure (the tests assert there are none).

A stream replay answered 503 `Retry-After: 1` (its recording is in Redis, which did not
answer in time) is retried once after a second, as a client would, and counted apart.
Creates get 90 s and the slow ones are counted: an identical create may be waiting for
another one's result (coalescing), which can take up to the `Prefer: wait` limit."""

from __future__ import annotations

import random
import threading
import time
import uuid
from typing import Dict, List, Optional

import reliability_support as support

SLOW_CREATE_S = 5.0

KINDS = ("hit", "miss", "stream", "error_5xx", "error_429", "rejected_token", "poll", "cancel", "no_wait",
         "pass_through", "malformed", "gateway_error")


class MixedClient:
    """Sends one request of a given kind to a stack and checks its answer. Thread-safe counts."""

    def __init__(self, stack: support.Stack, seed: int = 0, stream_prompts: int = 20):
        self.stack = stack
        self.rng = random.Random(seed)
        self.run = uuid.uuid4().hex[:8]
        self.stream_prompts = stream_prompts
        self.counts: Dict[str, int] = {k: 0 for k in KINDS + ("stream_retried",)}
        self.failures: List[str] = []
        self.ids: List[str] = []
        # Creates answered after more than SLOW_CREATE_S seconds, and the longest one.
        self.slow_creates = 0
        self.slowest_create_s = 0.0
        self._lock = threading.Lock()

    def _fail(self, kind: str, what: str) -> None:
        with self._lock:
            if len(self.failures) < 50:
                self.failures.append(f"{kind}: {what}")

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def _create(self, text: str, **kwargs) -> support.Answer:
        answer = self.stack.create(text, timeout=90, **kwargs)
        with self._lock:
            self.slowest_create_s = max(self.slowest_create_s, answer.elapsed)
            if answer.elapsed > SLOW_CREATE_S:
                self.slow_creates += 1
        return answer

    def _expect(self, kind: str, answer: support.Answer, *statuses: int) -> Optional[support.Answer]:
        if answer.status not in statuses:
            self._fail(kind, f"status {answer.status}: {answer.text[:200]}")
            return None
        self._count(kind)
        return answer

    def step(self, kind: str) -> None:
        try:
            getattr(self, "_" + kind)(kind)
        except (OSError, ValueError, KeyError) as error:
            self._fail(kind, f"{type(error).__name__}: {error}")

    def _hit(self, kind: str) -> None:
        a = self._expect(kind, self._create(f"mixed {self.run} fixed {self.rng.randrange(8)}"), 201)
        if a is not None:
            self._remember(a)

    def _miss(self, kind: str) -> None:
        a = self._expect(kind, self._create(f"mixed {self.run} unique {uuid.uuid4().hex}"), 201)
        if a is not None:
            self._remember(a)

    def _stream(self, kind: str) -> None:
        prompt = f"mixed {self.run} stream {self.rng.randrange(self.stream_prompts)} tell me a story"
        a = self._create(prompt, path=support.LLAMA_PATH, extra={"stream": True})
        if a.status != 201:
            return self._fail(kind, f"create status {a.status}: {a.text[:200]}")
        path = support.path_of(a.json()["urls"]["stream"])
        answer = support.http_call(self.stack.port, "GET", path, {"Accept": "text/event-stream"}, None, 30)
        if answer.status == 503 and answer.header("retry-after") == "1":
            # A replay reads its recording from Redis; when Redis does not answer in time the
            # stream is 503 with Retry-After (counted as a Redis error), and the retry is served.
            self._count("stream_retried")
            time.sleep(1)
            answer = support.http_call(self.stack.port, "GET", path, {"Accept": "text/event-stream"}, None, 30)
        if answer.status != 200 or b"event: done" not in answer.body:
            return self._fail(kind, f"stream status {answer.status}, {len(answer.body)} bytes: {answer.body[:120]!r}")
        self._count(kind)

    def _error_5xx(self, kind: str) -> None:
        self._expect(kind, self._create(f"mixed {self.run} 5xx {self.rng.randrange(8)}",
                                             headers={"X-Fake-Fault": "status=503;retry_after=1"}), 503)

    def _error_429(self, kind: str) -> None:
        self._expect(kind, self._create(f"mixed {self.run} 429 {self.rng.randrange(8)}",
                                             headers={"X-Fake-Fault": "status=429;retry_after=1"}), 429)

    def _rejected_token(self, kind: str) -> None:
        # A token Replicate rejects, on an input that is cached: Replicate's 401, never the entry.
        self._expect(kind, self._create(f"mixed {self.run} fixed {self.rng.randrange(8)}",
                                        token=self.stack.invalid_token), 401)

    def _poll(self, kind: str) -> None:
        pid = self._some_id()
        if pid is None:
            return self._miss("miss")
        self._expect(kind, self.stack.request("GET", f"/v1/predictions/{pid}"), 200)

    def _cancel(self, kind: str) -> None:
        pid = self._some_id()
        if pid is None:
            return self._miss("miss")
        self._expect(kind, self.stack.request("POST", f"/v1/predictions/{pid}/cancel"), 200)

    def _no_wait(self, kind: str) -> None:
        # Answered `starting`; Reprise's background poll completes and stores it.
        self._expect(kind, self._create(f"mixed {self.run} async {uuid.uuid4().hex}", wait=False), 201)

    def _pass_through(self, kind: str) -> None:
        self._expect(kind, self.stack.request("GET", support.MODEL_GET), 200)

    def _malformed(self, kind: str) -> None:
        raw, closed = support.raw_exchange(self.stack.port, b"POST /v1/predictions HTTP/1.1\r\nHost: a\r\n"
                                           b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        if support.status_of(raw) != 400 or not closed:
            return self._fail(kind, f"got {raw[:100]!r}, closed={closed}")
        self._count(kind)

    def _gateway_error(self, kind: str) -> None:
        # Upstream drops the connection without answering: Reprise's own 502.
        self._expect(kind, self.stack.request("GET", support.MODEL_GET, {"X-Fake-Fault": "close"}), 502)

    def _remember(self, answer: support.Answer) -> None:
        # Only recent ids: the fake keeps its newest `--max-predictions` and forgets older ones.
        with self._lock:
            self.ids.append(answer.json()["id"])
            if len(self.ids) > 200:
                del self.ids[:100]

    def _some_id(self) -> Optional[str]:
        with self._lock:
            return self.rng.choice(self.ids) if self.ids else None
