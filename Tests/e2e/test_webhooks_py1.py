"""Webhooks for cache hits, checked with the real `replicate` 1.0.7 client's own validator.

A hit never reaches Replicate, so Reprise POSTs the webhook the create asked for, signed with
the account's secret. Here the receiver is a small HTTP server in the test, on loopback (the
session's reprise config sets `webhooks.allow_private: true`); the secret comes from the real
client's `webhooks.default.secret()` through Reprise (the fake's secret endpoint), and the
signature must satisfy `replicate.webhooks.validate`.
"""

from __future__ import annotations

import http.server
import threading
import time
from typing import Dict, List, Tuple

import replicate
from replicate.webhook import InvalidSignatureError, WebhookSigningSecret

import e2e_support as support
from e2e_support import servers


class Receiver:
    """Records every POST (path, headers with lowercased names, raw body) and answers 204."""

    def __init__(self) -> None:
        self.posts: List[Tuple[str, Dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.arrived:
                    outer.posts.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    outer.arrived.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait_for(self, count: int, timeout: float = 15.0) -> List[Tuple[str, Dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.posts) < count and time.monotonic() < deadline:
                self.arrived.wait(deadline - time.monotonic())
            return list(self.posts)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_hit_delivers_a_webhook_the_real_validator_accepts(stack, py1):
    c = py1()
    receiver = Receiver()
    try:
        text = support.unique_text("webhook")
        version = servers.HELLO_WORLD_VERSION
        seeded = c.client.predictions.create(version=version, input={"text": text}, wait=True)
        assert seeded.status == "succeeded"

        hit = c.client.predictions.create(
            version=version,
            input={"text": text},
            webhook=receiver.url("/replicate-hook"),
            webhook_events_filter=["completed"],
            wait=True,
        )
        assert hit.status == "succeeded" and hit.output == f"hello {text}"
        assert hit.id != seeded.id

        posts = receiver.wait_for(1)
        assert len(posts) == 1, posts
        path, headers, body = posts[0]
        assert path == "/replicate-hook"
        assert headers["content-type"] == "application/json"
        assert headers["webhook-id"].startswith("msg_")

        # The secret as the client would get it, through Reprise.
        secret = c.client.webhooks.default.secret()
        assert secret.key.startswith("whsec_")
        replicate.webhooks.validate(headers=headers, body=body.decode("utf-8"), secret=secret, tolerance=300)

        # The body is the hit prediction, as a GET of its id returns it.
        reloaded = c.client.predictions.get(hit.id)
        assert reloaded.status == "succeeded" and reloaded.output == hit.output
        assert f'"id":"{hit.id}"' in body.decode("utf-8")

        # And the validator is not a rubber stamp: another secret, or a changed body, fails.
        wrong = WebhookSigningSecret(key="whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        for bad_secret, bad_body in ((wrong, body), (secret, body.replace(b"succeeded", b"SUCCEEDED"))):
            try:
                replicate.webhooks.validate(headers=headers, body=bad_body.decode("utf-8"), secret=bad_secret)
            except InvalidSignatureError:
                pass
            else:
                raise AssertionError("validate accepted a bad signature")
    finally:
        receiver.close()
