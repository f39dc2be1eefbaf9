"""The harness's own measuring clients, for what wrk cannot measure (bench/README.md):

  sse   time from opening a prediction's stream to its first `event:` line and to
        `event: done`, per target (standard library HTTP client, a new connection per stream,
        the same code for every target, so its own cost cancels out in the differences);
  idle  resident memory of a proxy holding many idle keep-alive connections, and the latency
        of a new connection's request while they are held.

Standard library only. Every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import statistics
import time
from typing import Dict, List, Optional
from urllib.parse import urlsplit

LLM_CREATE = "/v1/models/meta/meta-llama-3-8b-instruct/predictions"
# The fake's LLM answers a prompt of N words with "Echo:" + N word tokens (PredictionPlanner):
# 199 words make a 200-event stream.
STREAM_WORDS = 199
MODEL_GET = "/v1/models/replicate/hello-world"


class RunnerError(Exception):
    """A measurement that did not go as it must (wrong status, short stream, closed socket)."""


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(values_ms: List[float]) -> Dict[str, float]:
    return {"p50": statistics.median(values_ms), "p90": _percentile(values_ms, 0.9),
            "p99": _percentile(values_ms, 0.99), "min": min(values_ms)}


# MARK: - SSE


def _create_stream(base: str, token: str, prompt: str) -> str:
    """Creates a streaming LLM prediction through `base`; returns its `urls.stream`."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        body = json.dumps({"input": {"prompt": prompt}, "stream": True})
        conn.request("POST", LLM_CREATE, body=body,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            raise RunnerError(f"create through {base} answered {response.status}: {data[:200]!r}")
        return json.loads(data)["urls"]["stream"]
    finally:
        conn.close()


def _time_stream(url: str, token: str) -> tuple:
    """(ms to the first `event:` line, ms to `event: done`, output events), timed from just
    before connecting."""
    parts = urlsplit(url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    first: Optional[float] = None
    outputs = 0
    try:
        conn.request("GET", parts.path, headers={
            "Accept": "text/event-stream", "Cache-Control": "no-store", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        if response.status != 200:
            raise RunnerError(f"GET {url} answered {response.status}")
        while True:
            line = response.readline()
            if not line:
                raise RunnerError(f"{url} ended before `event: done` ({outputs} outputs)")
            if line.startswith(b"event:"):
                if first is None:
                    first = time.perf_counter()
                event = line[6:].strip()
                if event == b"output":
                    outputs += 1
                elif event == b"done":
                    return (first - started) * 1000, (time.perf_counter() - started) * 1000, outputs
    finally:
        conn.close()


def sse(urls: Dict[str, str], targets, token: str, iterations: int, time_limit: float) -> Dict[str, dict]:
    """`iterations` streams per target, interleaved (fake, nginx, reprise, fake, …) so that
    background noise falls on every target alike. nginx does not rewrite URLs: its stream URL
    is the fake's, moved to nginx's port."""
    nonce = secrets.token_hex(4)
    words = " ".join(f"w{i}" for i in range(STREAM_WORDS - 1))
    firsts: Dict[str, List[float]] = {t: [] for t in targets}
    wholes: Dict[str, List[float]] = {t: [] for t in targets}
    deadline = time.monotonic() + time_limit
    for i in range(iterations):
        if time.monotonic() > deadline:
            break
        for target in targets:
            # A new prompt each time: a cache hit would answer without a stream.
            stream_url = _create_stream(urls[target], token, f"{nonce}-{i}-{target} {words}")
            if target == "nginx":
                stream_url = stream_url.replace(urls["fake"], urls["nginx"], 1)
            first, whole, outputs = _time_stream(stream_url, token)
            if outputs != STREAM_WORDS + 1:
                raise RunnerError(f"{target}: {outputs} output events, expected {STREAM_WORDS + 1}")
            firsts[target].append(first)
            wholes[target].append(whole)
    return {t: {"streams": len(firsts[t]), "first_ms": _summary(firsts[t]), "whole_ms": _summary(wholes[t]),
                "events": STREAM_WORDS + 2} for t in targets}


# MARK: - Idle connections


class _Reader:
    """Buffered reads from a blocking socket."""

    def __init__(self, sock: socket.socket):
        self.sock, self.data = sock, b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RunnerError("connection closed inside an answer")
        self.data += chunk

    def until(self, marker: bytes) -> bytes:
        while marker not in self.data:
            self._more()
        out, _, self.data = self.data.partition(marker)
        return out

    def take(self, n: int) -> bytes:
        while len(self.data) < n:
            self._more()
        out, self.data = self.data[:n], self.data[n:]
        return out


def _exchange(sock: socket.socket, request: bytes) -> int:
    """Sends one request on a keep-alive connection and reads its whole answer
    (Content-Length or chunked framing); returns the status."""
    sock.sendall(request)
    reader = _Reader(sock)
    lines = reader.until(b"\r\n\r\n").split(b"\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip().lower()
    if fields.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int(reader.until(b"\r\n").split(b";")[0], 16)
            reader.take(size + 2)  # the chunk and its CRLF (the last: an empty trailer line)
            if size == 0:
                break
    elif b"content-length" in fields:
        reader.take(int(fields[b"content-length"]))
    else:
        raise RunnerError(f"answer with no framing the harness reads: {lines[0]!r}")
    if reader.data:
        raise RunnerError("bytes after the end of an answer")
    return int(lines[0].split()[1])


def idle(url: str, token: str, count: int, rss_kib, settle: float = 1.0, probes: int = 50) -> dict:
    """Opens `count` connections to `url`, one `GET /v1/models/replicate/hello-world` on each,
    and holds them; measures the proxy's RSS before, while held and after closing, and the
    latency of `probes` requests on new connections while they are held. Then checks that
    every 100th held connection still answers (the proxy kept them)."""
    parts = urlsplit(url)
    request = (f"GET {MODEL_GET} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
    before = rss_kib()
    held: List[socket.socket] = []
    try:
        started = time.monotonic()
        for _ in range(count):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            held.append(sock)
            status = _exchange(sock, request)
            if status != 200:
                raise RunnerError(f"request on held connection {len(held)} answered {status}")
        open_seconds = time.monotonic() - started
        time.sleep(settle)  # let the proxy's allocator settle before reading its memory
        during = rss_kib()
        probe_ms = []
        for _ in range(probes):
            t0 = time.perf_counter()
            with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
                if _exchange(sock, request) != 200:
                    raise RunnerError("probe request failed")
            probe_ms.append((time.perf_counter() - t0) * 1000)
        for i, sock in enumerate(held[::100]):
            if _exchange(sock, request) != 200:
                raise RunnerError(f"held connection {i * 100} no longer answers")
    finally:
        for sock in held:
            sock.close()
    time.sleep(settle)
    after = rss_kib()
    return {"connections": count, "open_seconds": open_seconds, "rss_before_kib": before,
            "rss_held_kib": during, "rss_after_kib": after,
            "per_connection_kib": (during - before) / count if count else 0.0,
            "probe_ms": _summary(probe_ms)}
