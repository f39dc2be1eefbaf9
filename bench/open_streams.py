"""The `streams` runner (bench/README.md): many server-sent event streams open at once through
one proxy, and the proxy's resident memory while they are all open.

1. Creates `count` streaming LLM predictions through the target (a new prompt each, so none is
   a cache hit), a few threads with keep-alive connections, in order.
2. Opens every prediction's `urls.stream` on a connection of its own, in creation order (the
   oldest prediction, the furthest along, first), a batch at a time, all from one thread with
   epoll; reads every stream to its end.
3. Samples the proxy's RSS every 0.5 s throughout, and once when every stream has its response
   head and none has ended yet ("all open"); the fake's slow stream (one event every
   `--stream-interval-ms`) keeps them open long enough.
4. Checks that every stream answered 200 and delivered all its `output` events and `done`.

Standard library only. Every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import secrets
import selectors
import socket
import threading
import time
from typing import Callable, Dict, List, Optional
from urllib.parse import urlsplit

LLM_CREATE = "/v1/models/meta/meta-llama-3-8b-instruct/predictions"


class StreamsError(Exception):
    """A stream that did not go as it must (wrong status, short, closed early, timed out)."""


def create_streams(base: str, token: str, count: int, words: int, threads: int = 8) -> List[str]:
    """`count` streaming predictions through `base`, each streaming `words` (at least 2) `output`
    events; their `urls.stream`, in creation order."""
    nonce = secrets.token_hex(4)
    # The fake's LLM answers "Echo:" and then one token per word of the prompt.
    text = " ".join(f"w{i}" for i in range(max(0, words - 2)))
    parts = urlsplit(base)
    urls: List[Optional[str]] = [None] * count
    errors: List[str] = []
    next_index = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while not errors:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= count:
                    return
                body = json.dumps({"input": {"prompt": f"{nonce}-{i} {text}", "max_tokens": words + 10},
                                   "stream": True})
                conn.request("POST", LLM_CREATE, body=body,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                if response.status != 201:
                    errors.append(f"create {i} answered {response.status}: {data[:200]!r}")
                    return
                urls[i] = json.loads(data)["urls"]["stream"]
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            errors.append(f"create failed: {error!r}")
        finally:
            conn.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=600)
    if errors:
        raise StreamsError(errors[0])
    if any(u is None for u in urls):
        raise StreamsError("not every create finished within 600 s")
    return [u for u in urls if u is not None]


class _Stream:
    """One stream's connection and what it has received."""

    __slots__ = ("sock", "data", "head_done", "status", "ended", "opened_at")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.data = bytearray()
        self.head_done = False
        self.status = 0
        self.ended = False
        self.opened_at = time.monotonic()


def run_streams(stream_urls: List[str], token: str, outputs: int, rss_kib: Callable[[], int],
                batch: int = 250, time_limit: float = 300.0) -> Dict[str, object]:
    """Opens every stream URL at once (batches of `batch` connects) and reads all to the end.
    `outputs`: the `output` events each stream must carry."""
    selector = selectors.DefaultSelector()
    streams: List[_Stream] = []
    samples: List[int] = []
    rss_before = rss_kib()
    rss_all_open: Optional[int] = None
    all_open_at: Optional[float] = None
    ended_before_all_open = 0
    started = time.monotonic()
    deadline = started + time_limit
    last_sample = 0.0
    pending = list(enumerate(stream_urls))
    pending.reverse()
    heads = 0
    ended = 0
    try:
        while ended < len(stream_urls):
            now = time.monotonic()
            if now > deadline:
                raise StreamsError(f"{ended} of {len(stream_urls)} streams ended within {time_limit:.0f} s "
                                   f"({heads} had their head)")
            # Open the next batch once the previous one has its heads (bounded accept backlog).
            if pending and heads >= len(streams) - batch // 2:
                for _ in range(min(batch, len(pending))):
                    _, url = pending.pop()
                    parts = urlsplit(url)
                    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
                    sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                                  f"Accept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
                    sock.setblocking(False)
                    stream = _Stream(sock)
                    streams.append(stream)
                    selector.register(sock, selectors.EVENT_READ, stream)
            if now - last_sample >= 0.5:
                samples.append(rss_kib())
                last_sample = now
            for key, _ in selector.select(timeout=0.1):
                stream = key.data
                try:
                    chunk = stream.sock.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(stream.sock)
                    stream.sock.close()
                    stream.ended = True
                    ended += 1
                    continue
                stream.data += chunk
                if not stream.head_done and b"\r\n\r\n" in stream.data:
                    stream.head_done = True
                    stream.status = int(bytes(stream.data[:16]).split()[1])
                    heads += 1
                if stream.data.endswith(b"\r\n0\r\n\r\n"):
                    selector.unregister(stream.sock)
                    stream.sock.close()
                    stream.ended = True
                    ended += 1
            if rss_all_open is None and heads == len(stream_urls):
                rss_all_open = rss_kib()
                all_open_at = time.monotonic()
                ended_before_all_open = ended
                samples.append(rss_all_open)
    finally:
        for stream in streams:
            if not stream.ended:
                stream.sock.close()
        selector.close()
    finished = time.monotonic()
    time.sleep(1.0)
    rss_after = rss_kib()
    bad = []
    for i, stream in enumerate(streams):
        text = bytes(stream.data)
        got = text.count(b"event: output")
        if stream.status != 200 or got != outputs or b"event: done" not in text:
            bad.append(f"stream {i}: status {stream.status}, {got} outputs, done {b'event: done' in text}")
    if bad:
        raise StreamsError(f"{len(bad)} of {len(streams)} streams incomplete, e.g. {bad[:3]}")
    held = rss_all_open if rss_all_open is not None else max(samples)
    return {
        "streams": len(streams),
        "completed": len(streams) - len(bad),
        "open_seconds": (all_open_at or finished) - started,
        "ended_before_all_open": ended_before_all_open,
        "total_seconds": finished - started,
        "rss_before_kib": rss_before,
        "rss_all_open_kib": held,
        "rss_max_kib": max(samples + [held]),
        "rss_after_kib": rss_after,
        "per_stream_kib": (held - rss_before) / len(streams) if streams else 0.0,
    }
