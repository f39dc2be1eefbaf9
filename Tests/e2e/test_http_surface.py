"""Reprise's HTTP surface seen with a plain HTTP client: path prefixes, URL rewriting, its
own endpoints."""

from __future__ import annotations

import httpx

import e2e_support as support
from e2e_support import servers


def _auth(stack) -> dict:
    return {"Authorization": f"Bearer {stack.token}"}


def test_v1_bare_and_doubled_paths_answer_the_same(stack):
    with httpx.Client(base_url=stack.url, headers=_auth(stack), timeout=10) as http:
        bodies = []
        for path in ("/v1/models/replicate/hello-world", "/models/replicate/hello-world",
                     "/v1/v1/models/replicate/hello-world"):
            response = http.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text)
            bodies.append(response.json())
    for body in bodies:
        assert (body["owner"], body["name"]) == ("replicate", "hello-world")


def test_bare_path_create_is_rewritten_to_reprise(stack):
    text = support.unique_text("bare-create")
    with httpx.Client(base_url=stack.url, headers=_auth(stack), timeout=30) as http:
        response = http.post("/predictions", json={"version": servers.HELLO_WORLD_VERSION, "input": {"text": text}})
        assert response.status_code == 201, response.text
        prediction = response.json()
        support.assert_urls_point_at_reprise(stack, prediction["urls"])
        # Polling the rewritten urls.get directly, as hand-written integrations do.
        polled = http.get(prediction["urls"]["get"])
        assert polled.status_code == 200, polled.text
        assert polled.json()["id"] == prediction["id"]


def test_urls_follow_the_request_host_when_no_public_url(stack):
    # The generated config sets no public_url: URLs are built from the Host header.
    host = f"reprise.example:{stack.reprise.port}"
    headers = {**_auth(stack), "Host": host}
    with httpx.Client(base_url=stack.url, headers=headers, timeout=30) as http:
        response = http.post(
            "/v1/predictions",
            json={"version": servers.HELLO_WORLD_VERSION, "input": {"text": support.unique_text("host")}},
        )
    assert response.status_code == 201, response.text
    urls = response.json()["urls"]
    for name in ("get", "cancel"):
        assert urls[name].startswith(f"http://{host}/v1/predictions/"), urls


def test_health_and_readiness(stack):
    with httpx.Client(base_url=stack.url, timeout=10) as http:
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text


def test_unknown_token_is_forwarded_and_rejected_by_upstream(stack):
    with httpx.Client(base_url=stack.url, timeout=10) as http:
        response = http.get("/v1/models/replicate/hello-world",
                            headers={"Authorization": f"Bearer {stack.invalid_token}"})
    assert response.status_code == 401
    assert response.json()["status"] == 401
