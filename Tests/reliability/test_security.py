"""Issue 7, item 6 (the controls not tested elsewhere; the threat model is docs/threat-model.md):

- Token A can neither read nor cancel token B's predictions (Replicate's 404), in both
  directions, for ids Reprise made up for hits and for upstream's ids.
- Reprise connects to no URL a client names: absolute-form targets are refused, `Host` and
  forwarding headers do not change the upstream, unknown `/v1/streams/{token}` is 404, an
  upstream redirect is relayed, not followed. A second local listener ("evil") records every
  connection and must see none. A client's `Host` does not leak into what other clients get
  from the cache.
- After a run of every kind of request, no token string appears in reprise's log (at debug
  level) or in any Redis key or value.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import uuid
from typing import List

import reliability_support as support

FAST_FAKE = ["--start-delay-ms", "0", "--run-ms", "0"]


class LoopbackServer:
    """A listener on a free loopback port; each accepted connection goes to `handle` on the
    accepting thread (`handle` may start its own thread)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.handle(conn)

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()


class EvilListener(LoopbackServer):
    """Records every connection (and what arrived on it): the host no request may reach."""

    def __init__(self):
        self.connections: List[bytes] = []
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(1)
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        self.connections.append(data)
        conn.close()


class RedirectingUpstream(LoopbackServer):
    """Stands in for an upstream that answers every request with a redirect to `location`."""

    def __init__(self, location: str):
        self.location = location
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        try:
            while True:
                while b"\r\n\r\n" not in data:
                    piece = conn.recv(65536)
                    if not piece:
                        return
                    data += piece
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(rest) < length:
                    rest += conn.recv(65536)
                data = rest[length:]
                body = b'{"detail":"moved"}'
                conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + self.location.encode() +
                             b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            return
        finally:
            conn.close()


def _problem(raw: bytes, status: int) -> bool:
    body = support.problem_body(raw)
    return support.status_of(raw) == status and isinstance(body, dict) and body.get("status") == status


def test_a_token_cannot_read_or_cancel_another_tokens_predictions(stack_factory, figures):
    stack = stack_factory(fake_args=FAST_FAKE)
    a, b = stack.tokens
    text = f"private {uuid.uuid4().hex[:8]}"
    output = f"hello {text}"
    miss = stack.create(text, token=a)
    hit = stack.create(text, token=a)
    assert (miss.cache_status, hit.cache_status) == ("MISS", "HIT")
    b_hit = stack.create(text, token=b)  # b's own hit (after Replicate accepted b's token)
    assert b_hit.cache_status == "HIT"
    checks = {}
    for owner, other, answer, label in ((a, b, hit, "A's hit id"), (a, b, miss, "A's upstream id"),
                                        (b, a, b_hit, "B's hit id")):
        pid = answer.json()["id"]
        for action, method, path in (("read", "GET", f"/v1/predictions/{pid}"),
                                     ("cancel", "POST", f"/v1/predictions/{pid}/cancel")):
            theirs = stack.request(method, path, token=other)
            assert support.is_problem(theirs, 404), (label, action, theirs.status, theirs.text)
            assert output not in theirs.text
            mine = stack.request(method, path, token=owner)
            assert mine.status == 200 and mine.json()["id"] == pid, (label, action, mine.status, mine.text)
            checks[f"{label}: {action} by the other token"] = theirs.status
        anonymous = stack.request("GET", f"/v1/predictions/{pid}", token="")
        assert anonymous.status == 401 and output not in anonymous.text, (label, anonymous.status)
        checks[f"{label}: read without a token"] = anonymous.status
    figures.record("cross_token", {"checks": checks})


def test_reprise_never_connects_to_a_url_a_client_names(stack_factory, figures):
    evil = EvilListener()
    try:
        stack = stack_factory(fake_args=FAST_FAKE)
        e = evil.netloc
        auth = f"Authorization: Bearer {stack.token}\r\n".encode()
        model_gets = stack.fake_counters()["model_gets"]
        results = {}

        def raw(name: str, data: bytes) -> bytes:
            received, _ = support.raw_exchange(stack.port, data, timeout=10)
            results[name] = support.status_of(received)
            return received

        # Absolute-form and authority-form targets: refused before anything is forwarded.
        assert _problem(raw("absolute-form GET",
                            b"GET http://%s/v1/models/replicate/hello-world HTTP/1.1\r\nHost: %s\r\n%s\r\n"
                            % (e.encode(), e.encode(), auth)), 400)
        body = json.dumps({"input": {"text": "absolute"}}).encode()
        assert _problem(raw("absolute-form create",
                            b"POST http://%s/v1/predictions HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\n"
                            b"Content-Length: %d\r\n\r\n%s" % (e.encode(), e.encode(), auth, len(body), body)), 400)
        assert _problem(raw("CONNECT", b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (e.encode(), e.encode())), 501)
        assert _problem(raw("asterisk-form", b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 400)

        # Host and the forwarding headers name the evil host: the request still goes to upstream.
        for name, header in (("Host", f"Host: {e}"), ("X-Forwarded-Host", f"X-Forwarded-Host: {e}"),
                             ("Forwarded", f"Forwarded: host={e};proto=http"),
                             ("X-Original-URL", f"X-Original-URL: http://{e}/v1/models"),
                             ("X-Rewrite-URL", f"X-Rewrite-URL: http://{e}/v1/models")):
            data = (f"GET /v1/models/replicate/hello-world HTTP/1.1\r\n{header}\r\n"
                    f"{'' if name == 'Host' else 'Host: a' + chr(13) + chr(10)}").encode() + auth + b"\r\n"
            assert support.status_of(raw(f"{name} names the evil host", data)) == 200, name
        assert stack.fake_counters()["model_gets"] == model_gets + 5

        # Targets that look like a second authority stay paths on the upstream.
        raw("//host/ target", b"GET //%s/v1/models HTTP/1.1\r\nHost: a\r\n%s\r\n" % (e.encode(), auth))
        raw("@host target", b"GET @%s/v1/models HTTP/1.1\r\nHost: a\r\n%s\r\n" % (e.encode(), auth))

        # Stream capabilities: only tokens Reprise minted open anything.
        for name, token in (("unknown stream token", "a" * 26),
                            ("stream token naming a URL", f"http%3A%2F%2F{e}%2Fx")):
            answer = stack.request("GET", f"/v1/streams/{token}")
            results[name] = answer.status
            assert support.is_problem(answer, 404), (name, answer.status, answer.text)

        # URLs inside a create (webhook, file inputs) are Replicate's business, never fetched here.
        payload = {"input": {"text": f"webhook {uuid.uuid4().hex[:8]}", "image": f"http://{e}/input.png"},
                   "webhook": f"http://{e}/hook", "webhook_events_filter": ["completed"]}
        hooked = stack.request("POST", support.HELLO_PATH, {"Content-Type": "application/json", "Prefer": "wait"},
                               json.dumps(payload).encode())
        results["create with a webhook and an input URL on the evil host"] = hooked.status
        assert hooked.status == 201, hooked.text

        # A client's Host shapes the URLs of its own answer only: the cache keeps no trace of it.
        text = f"poison {uuid.uuid4().hex[:8]}"
        first = stack.create(text, headers={"Host": e}, path=support.LLAMA_PATH, extra={"stream": True})
        assert first.status == 201 and e in first.json()["urls"]["stream"]
        stream_status, _ = support.sse_read_to_done(stack.port, support.path_of(first.json()["urls"]["stream"]))
        results["stream opened from an answer made for Host: evil"] = stream_status
        clean = support.wait_until(
            lambda: (lambda a: a if a.cache_status == "HIT" else None)(
                stack.create(text, path=support.LLAMA_PATH, extra={"stream": True})), 30, "a hit on the entry")
        assert e not in clean.text, clean.text
        replay_status, replay = support.sse_read_to_done(stack.port, support.path_of(clean.json()["urls"]["stream"]))
        assert replay_status == 200 and e.encode() not in replay

        # An upstream that redirects: the redirect is relayed to the client, never followed.
        redirecting = RedirectingUpstream(f"http://{e}/v1/models")
        try:
            other = stack_factory(upstream_url=f"http://127.0.0.1:{redirecting.port}", name="redirecting")
            moved = other.request("GET", "/v1/models")
            results["upstream redirect (pass-through)"] = moved.status
            assert moved.status == 302 and moved.header("location") == f"http://{e}/v1/models"
            moved_create = other.create("redirected")
            results["upstream redirect (create)"] = moved_create.status
            assert moved_create.status == 302
        finally:
            redirecting.close()
        time.sleep(0.2)  # let a connection that is on its way be accepted and recorded
    finally:
        evil.close()
    figures.record("ssrf", {"answers": results, "evil_connections": len(evil.connections)})
    assert evil.connections == [], evil.connections


def test_no_token_in_the_log_or_in_redis_after_a_full_run(stack_factory, redis_factory, figures):
    redis = redis_factory()
    stack = stack_factory(redis=redis, config={"log": {"level": "debug"}}, fake_args=FAST_FAKE)
    a, b = stack.tokens
    bad = stack.invalid_token
    run = uuid.uuid4().hex[:8]
    done = []

    def did(what: str, answer: support.Answer, *expected: int) -> support.Answer:
        assert answer.status in expected, (what, answer.status, answer.text)
        done.append(what)
        return answer

    text = f"secrets {run}"
    miss = did("create (miss)", stack.create(text, token=a), 201)
    did("create (hit)", stack.create(text, token=a), 201)
    did("create (hit, other token: account check)", stack.create(text, token=b), 201)
    did("create (rejected token)", stack.create(text, token=bad), 401)
    did("create with the Token scheme", stack.create(f"{text} scheme", headers={"Authorization": f"Token {a}"}), 201)
    pid = miss.json()["id"]
    did("poll", stack.request("GET", f"/v1/predictions/{pid}", token=a), 200)
    did("cancel", stack.request("POST", f"/v1/predictions/{pid}/cancel", token=a), 200)
    started = stack.create(f"{text} background", wait=False, token=a)
    did("create without wait", started, 201)
    support.wait_until(lambda: stack.request("GET", f"/v1/predictions/{started.json()['id']}", token=a)
                       .json()["status"] == "succeeded", 30, "the prediction to finish")
    for what in ("stream relayed (miss)", "stream replayed (hit)"):
        s = did(what, stack.create(f"{text} stream", path=support.LLAMA_PATH, extra={"stream": True}, token=a), 201)
        status, _ = support.sse_read_to_done(stack.port, support.path_of(s.json()["urls"]["stream"]))
        assert status == 200
        support.wait_until(lambda: redis.scan_values("rel:v1:s:*"), 30, "the stream recording")
    did("upstream 500", stack.create(f"{text} 500", headers={"X-Fake-Fault": "status=500"}, token=a), 500)
    did("upstream 429", stack.create(f"{text} 429", headers={"X-Fake-Fault": "status=429;retry_after=1"}, token=a), 429)
    did("pass-through with the token in the query", stack.request("GET", f"/v1/models?api_token={a}", token=a), 200)
    did("pass-through with a rejected token", stack.request("GET", support.MODEL_GET, token=bad), 401)
    did("list", stack.request("GET", "/v1/predictions", token=a), 200)
    did("account", stack.request("GET", "/v1/account", token=b), 200)
    raw, _ = support.raw_exchange(stack.port, f"GET /v1/x HTTP/1.1\r\nAuthorization: Bearer {a}\r\nBad Header: {a}\r\n\r\n"
                                  .encode())
    assert support.status_of(raw) == 400
    done.append("malformed request carrying the token")

    values = redis.scan_values("*")
    kinds = support.count_by(key.decode().split(":")[2] for key in values)
    stack.reprise.terminate()
    log = stack.reprise.log_text()
    secrets = stack.all_secrets()
    in_keys = [k for k in values if support.tokens_found_in(k, secrets)]
    in_values = [k for k, v in values.items() if support.tokens_found_in(v, secrets)]
    in_log = support.tokens_found_in(log, secrets)
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in (a, b)]
    figures.record("no_token_at_rest", {
        "requests": done, "redis_keys": len(values), "redis_key_kinds": kinds, "log_lines": len(log.splitlines()),
        "tokens_in_redis_keys": len(in_keys), "tokens_in_redis_values": len(in_values), "tokens_in_log": len(in_log),
    })
    # The scan saw every kind of record, and tokens are there only as their SHA-256.
    assert {"e", "p", "t", "c", "s"} <= set(kinds), kinds
    assert all(any(h.encode() in k for k in values) for h in hashes), "accepted tokens are kept as SHA-256 (t:)"
    assert not in_keys and not in_values, (in_keys[:3], in_values[:3])
    assert not in_log
