"""Abusive clients for the reliability suite (test_abusive_clients.py): slowloris, oversize
heads and bodies, idle connections, malformed and smuggled requests. Each returns what the
server answered, for the test to check (codes, closes) and the doc to report."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import reliability_support as support

# Requests that are not HTTP/1.1 as RFC 9112 writes it: 400 (505 for another HTTP version),
# then close.
MALFORMED: Dict[str, Tuple[bytes, int]] = {
    "garbage line": (b"GARBAGE\r\n\r\n", 400),
    "no version": (b"GET /healthz\r\n\r\n", 400),
    "control byte in target": (b"GET /he\x01althz HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "bad header name": (b"GET /healthz HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", 400),
    "header without colon": (b"GET /healthz HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
    "bad chunk size": (b"POST /v1/predictions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    "long method": (b"A" * 100 + b" / HTTP/1.1\r\n\r\n", 400),
    "HTTP/2 preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
}

# Framings that two parsers could read differently (request smuggling): 400, then close.
SMUGGLING: Dict[str, bytes] = {
    "Content-Length with Transfer-Encoding": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET /v1/account HTTP/1.1\r\nHost: a\r\n\r\n"),
    "Transfer-Encoding with Content-Length": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
        b"0\r\n\r\nGET /v1/account HTTP/1.1\r\nHost: a\r\n\r\n"),
    "two different Content-Lengths": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n"
        b"helloGET /v1/account HTTP/1.1\r\nHost: a\r\n\r\n"),
    "two equal Content-Lengths": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
    "Content-Length list": b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
    "Transfer-Encoding not ending in chunked": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
    "space before the colon": b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello",
    "obfuscated Transfer-Encoding": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello"),
    "negative Content-Length": b"POST /v1/account HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n",
    "chunked, chunked": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
    "two Transfer-Encoding: chunked lines": (
        b"POST /v1/account HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n"),
}


@dataclass
class Outcome:
    """What one abusive connection got: the status line's code (None: nothing), whether the
    server closed the connection, and when the answer came (seconds after the first byte)."""

    status: Optional[int]
    closed: bool
    seconds: float


def summarize(outcomes: List[Outcome]) -> dict:
    answered = support.latency_summary([o.seconds for o in outcomes])
    return {
        "connections": len(outcomes),
        "status": support.count_by(o.status for o in outcomes),
        "closed": sum(1 for o in outcomes if o.closed),
        "answer_p50_ms": answered["p50_ms"],
        "answer_max_ms": answered["max_ms"],
    }


def slowloris(port: int, connections: int, trickle_every: float, give_up_after: float) -> List[Outcome]:
    """`connections` sockets each send a request line, then one header byte every
    `trickle_every` seconds, until the server answers (and closes) or `give_up_after`."""
    sel = selectors.DefaultSelector()

    @dataclass
    class Conn:
        sock: socket.socket
        started: float
        received: bytes = b""
        answered_at: Optional[float] = None
        closed: bool = False

    conns: List[Conn] = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: slowloris\r\nX-Trickle: ")
        s.setblocking(False)
        c = Conn(s, time.monotonic())
        conns.append(c)
        sel.register(s, selectors.EVENT_READ, c)
    deadline = time.monotonic() + give_up_after
    next_trickle = time.monotonic() + trickle_every
    open_count = len(conns)
    while open_count and time.monotonic() < deadline:
        timeout = max(0.0, min(next_trickle, deadline) - time.monotonic())
        for key, _ in sel.select(timeout):
            c = key.data
            try:
                piece = c.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                piece = b""
            if piece:
                c.received += piece
                if c.answered_at is None:
                    c.answered_at = time.monotonic()
                continue
            c.closed = True
            sel.unregister(c.sock)
            open_count -= 1
        if time.monotonic() >= next_trickle:
            next_trickle += trickle_every
            for c in conns:
                if c.answered_at is None and not c.closed:
                    try:
                        c.sock.send(b"a")
                    except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                        pass
    outcomes = []
    for c in conns:
        seconds = (c.answered_at - c.started) if c.answered_at else time.monotonic() - c.started
        outcomes.append(Outcome(support.status_of(c.received), c.closed, seconds))
        c.sock.close()
    sel.close()
    return outcomes


def oversize_head(port: int, size: int) -> Outcome:
    started = time.monotonic()
    data = b"GET /v1/models HTTP/1.1\r\nHost: big\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
    received, closed = support.raw_exchange(port, data, timeout=10)
    return Outcome(support.status_of(received), closed, time.monotonic() - started)


def oversize_body_declared(port: int, size: int) -> Outcome:
    """Declares a body over the limit and sends none of it: refused on the head alone."""
    started = time.monotonic()
    data = (b"POST /v1/predictions HTTP/1.1\r\nHost: big\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % size)
    received, closed = support.raw_exchange(port, data, timeout=10)
    return Outcome(support.status_of(received), closed, time.monotonic() - started)


def oversize_body_chunked(port: int, size: int, chunk: int = 64 * 1024) -> Outcome:
    """Streams a chunked body until it is over the limit (no length declared up front)."""
    started = time.monotonic()
    head = b"POST /v1/predictions HTTP/1.1\r\nHost: big\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = b"%x\r\n" % chunk + b"a" * chunk + b"\r\n"
    chunks = [piece] * (size // chunk + 1) + [b"0\r\n\r\n"]
    received, closed = support.raw_exchange(port, head, timeout=10, chunks=chunks)
    return Outcome(support.status_of(received), closed, time.monotonic() - started)


def raw_outcome(port: int, data: bytes) -> Outcome:
    started = time.monotonic()
    received, closed = support.raw_exchange(port, data, timeout=10)
    return Outcome(support.status_of(received), closed, time.monotonic() - started)


class Hammer:
    """`threads` threads calling `attack()` in a loop until stopped; collects the outcomes."""

    def __init__(self, attack, threads: int = 2):
        self.attack = attack
        self.outcomes: List[Outcome] = []
        self.errors: List[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.outcomes.append(self.attack())
            except OSError as error:
                self.errors.append(f"{type(error).__name__}: {error}")

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)


@dataclass
class IdleConnections:
    """`count` connected sockets that send nothing."""

    port: int
    count: int
    sockets: List[socket.socket] = field(default_factory=list)

    def open(self) -> float:
        started = time.monotonic()
        for _ in range(self.count):
            self.sockets.append(socket.create_connection(("127.0.0.1", self.port), timeout=30))
        return time.monotonic() - started

    def still_served(self, every: int) -> List[Optional[int]]:
        """Sends GET /healthz on every `every`-th idle connection; the statuses."""
        statuses = []
        for s in self.sockets[::every]:
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
                s.settimeout(10)
                statuses.append(support.status_of(s.recv(4096)))
            except OSError:
                statuses.append(None)
        return statuses

    def close(self) -> None:
        for s in self.sockets:
            s.close()
        self.sockets.clear()
