"""Clients configured the way users configure them: replicate 1.x by environment variables
only, and the newer official client (replicate 2.x, base URL including /v1)."""

from __future__ import annotations

import sys

import pytest

import e2e_support as support
from e2e_support import HELLO_WORLD, servers


def test_py1_configured_only_by_replicate_base_url_env(stack):
    text = support.unique_text("env")
    env = servers.clean_env({
        "REPLICATE_BASE_URL": stack.url,
        "REPLICATE_API_TOKEN": stack.token,
        "REPLICATE_POLL_INTERVAL": "0.05",
    })
    result = support.run_client_script(sys.executable, "py1_env_client.py",
                                       {"model": HELLO_WORLD, "text": text}, env=env)
    assert result["client_version"] == "1.0.7"
    assert result["output"] == f"hello {text}"
    support.assert_via_reprise(stack, [tuple(r) for r in result["requests"]])


@pytest.fixture(scope="session")
def next_python():
    try:
        return support.next_client_python()
    except servers.MissingPrerequisite as error:
        pytest.fail(str(error), pytrace=False)


def _next(stack, next_python, **args) -> dict:
    result = support.run_client_script(next_python, "next_client.py", {"token": stack.token, **args})
    assert result["client_version"].startswith("2."), result["client_version"]
    support.assert_via_reprise(stack, [tuple(r) for r in result["requests"]])
    return result


def test_next_client_run_with_v1_base_url(stack, next_python):
    text = support.unique_text("next-run")
    result = _next(stack, next_python, action="run", base_url=f"{stack.url}/v1",
                   ref=HELLO_WORLD, input={"text": text})
    assert result["output"] == f"hello {text}"
    assert all(url.startswith(f"{stack.url}/v1/") for _, url in result["requests"])


def test_next_client_without_v1_uses_bare_paths(stack, next_python):
    text = support.unique_text("next-bare")
    result = _next(stack, next_python, action="run", base_url=stack.url, ref=HELLO_WORLD, input={"text": text})
    assert result["output"] == f"hello {text}"
    assert not any(url.startswith(f"{stack.url}/v1/") for _, url in result["requests"]), result["requests"]


def test_next_client_create_then_get(stack, next_python):
    result = _next(stack, next_python, action="create-get", base_url=f"{stack.url}/v1",
                   model="acme/slow", input={"seconds": 0.3})
    assert result["status"] == "succeeded"
    support.assert_urls_point_at_reprise(stack, result["urls"])
    assert ["GET", f"{stack.url}/v1/predictions/{result['id']}"] in result["requests"]


def test_next_client_lists_models_across_pages(stack, next_python):
    result = _next(stack, next_python, action="list-models", base_url=f"{stack.url}/v1")
    assert support.FAKE_MODELS <= set(result["models"]), result["models"]
    assert len(result["requests"]) >= 2, "expected several pages"
