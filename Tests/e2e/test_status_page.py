"""GET / — the status page, served by a running reprise (contract: HTML with inline SVG charts,
no JavaScript). Rendering details are unit-tested in Tests/StatusPageTests; this checks the
endpoint: headers, methods, and that a hit through the proxy shows up on the page."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import e2e_support as support
from e2e_support import servers


def fetch(method: str, url: str, headers=None, body=None):
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_status_page_counts_a_hit_and_carries_no_script(stack):
    url = f"{stack.url}/v1/models/replicate/hello-world/predictions"
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json", "Prefer": "wait=30"}
    body = json.dumps({"input": {"text": support.unique_text("status page")}}).encode()
    # The first create misses and is stored once it completes; repeat until one is answered HIT.
    deadline = time.monotonic() + 30
    while True:
        status, answer_headers, answer = fetch("POST", url, headers, body)
        assert status in (200, 201), answer[:300]
        if answer_headers.get("x-cache-status") == "HIT":
            break
        assert time.monotonic() < deadline, f"no HIT within 30 s (last X-Cache-Status: {answer_headers.get('x-cache-status')})"
        time.sleep(0.05)

    status, page_headers, page = fetch("GET", stack.url + "/")
    assert status == 200
    assert page_headers["content-type"] == "text/html; charset=utf-8"
    assert page_headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page_headers["content-security-policy"]
    html = page.decode("utf-8")
    assert html.startswith("<!doctype html>")
    assert "<script" not in html.lower()
    assert "Reprise <span>status</span>" in html
    hits = re.search(r"hit <b>([\d,]+)</b>", html)
    assert hits and int(hits.group(1).replace(",", "")) >= 1, "the lookups legend shows no hit"
    # Models outside the config are labelled `other` (contract.md), and they are listed.
    assert '<td class="model">other<' in html


def test_status_page_answers_head_and_refuses_other_methods(stack):
    status, headers, body = fetch("HEAD", stack.url + "/")
    assert status == 200 and body == b"" and headers["content-type"].startswith("text/html")
    status, headers, body = fetch("POST", stack.url + "/", body=b"{}")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    # /metrics is still the machine-readable twin of the page.
    status, _ = servers.http_request("GET", stack.url + "/metrics")
    assert status == 200
