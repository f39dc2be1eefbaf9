"""The real `replicate` 1.0.7 client through Reprise, changing nothing but its base URL."""

from __future__ import annotations

import replicate
from replicate.exceptions import ModelError, ReplicateError

import e2e_support as support
from e2e_support import HELLO_WORLD, LLAMA


def test_run_by_version_returns_output(stack, py1):
    c = py1()
    text = support.unique_text("run")
    output = c.client.run(HELLO_WORLD, input={"text": text})
    assert output == f"hello {text}"
    support.assert_via_reprise(stack, c.requests, minimum=1)
    assert ("POST", f"{stack.url}/v1/predictions") in c.requests


def test_create_without_wait_then_reload_until_succeeded(stack, py1):
    c = py1()
    prediction = c.client.models.predictions.create("acme/slow", input={"seconds": 0.5}, wait=False)
    assert prediction.status in ("starting", "processing"), prediction.status
    support.assert_urls_point_at_reprise(stack, prediction.urls)
    assert prediction.urls["get"] == f"{stack.url}/v1/predictions/{prediction.id}"
    support.wait_until_terminal(prediction)
    assert prediction.status == "succeeded", prediction.error
    support.assert_urls_point_at_reprise(stack, prediction.urls)
    support.assert_via_reprise(stack, c.requests, minimum=2)


def test_cancel_goes_through(stack, py1):
    c = py1()
    prediction = c.client.models.predictions.create("acme/slow", input={"seconds": 30}, wait=False)
    prediction.cancel()
    support.wait_until_terminal(prediction)
    assert prediction.status == "canceled"
    assert ("POST", f"{stack.url}/v1/predictions/{prediction.id}/cancel") in c.requests
    support.assert_via_reprise(stack, c.requests)


def test_failing_model_raises_model_error(stack, py1):
    c = py1()
    try:
        c.client.run("acme/fails", input={"text": support.unique_text("fails")})
    except ModelError as error:
        assert error.prediction.status == "failed"
        assert error.prediction.error
    else:
        raise AssertionError("acme/fails did not raise ModelError")
    support.assert_via_reprise(stack, c.requests)


def test_stream_yields_tokens_through_reprise(stack, py1):
    c = py1()
    events = list(c.client.stream(LLAMA, input={"prompt": support.unique_text("stream")}))
    tokens = [str(e) for e in events if e.event.value == "output"]
    assert tokens, f"no output events in {events!r}"
    assert events[-1].event.value == "done"
    # create + the SSE GET, both on Reprise: the stream URL was rewritten.
    support.assert_via_reprise(stack, c.requests, minimum=2)
    assert any(method == "GET" for method, _ in c.requests)


def test_streamed_tokens_match_final_output(stack, py1):
    c = py1()
    prediction = c.client.models.predictions.create(
        LLAMA, input={"prompt": support.unique_text("stream-final")}, stream=True
    )
    assert "stream" in prediction.urls, prediction.urls
    support.assert_urls_point_at_reprise(stack, prediction.urls)
    tokens = [str(e) for e in prediction.stream() if e.event.value == "output"]
    support.wait_until_terminal(prediction)
    assert prediction.status == "succeeded"
    assert "".join(tokens) == "".join(prediction.output)
    support.assert_via_reprise(stack, c.requests, minimum=3)


def test_models_list_pagination_stays_on_reprise(stack, py1):
    c = py1()
    pages = list(replicate.paginate(c.client.models.list))
    assert len(pages) >= 2, "the fake's small page size should give several pages"
    for page in pages:
        for link in (page.next, page.previous):
            assert link is None or link.startswith(stack.url + "/"), f"page link {link!r} not on Reprise"
    names = [f"{m.owner}/{m.name}" for page in pages for m in page.results]
    assert len(names) == len(set(names)), f"duplicates across pages: {names}"
    assert support.FAKE_MODELS <= set(names), names
    support.assert_via_reprise(stack, c.requests, minimum=len(pages))


def test_models_get(stack, py1):
    c = py1()
    model = c.client.models.get("replicate/hello-world")
    assert (model.owner, model.name) == ("replicate", "hello-world")
    support.assert_via_reprise(stack, c.requests)


def test_search_uses_query_method(stack, py1):
    c = py1()
    page = c.client.models.search("hello-world")
    assert any((m.owner, m.name) == ("replicate", "hello-world") for m in page.results), page.results
    assert ("QUERY", f"{stack.url}/v1/models") in c.requests


def test_invalid_token_is_rejected_with_401(stack, py1):
    c = py1(token=stack.invalid_token)
    for call in (
        lambda: c.client.models.get("replicate/hello-world"),
        lambda: c.client.run(HELLO_WORLD, input={"text": support.unique_text("bad-token")}),
    ):
        try:
            call()
        except ReplicateError as error:
            assert error.status == 401, error
        else:
            raise AssertionError("an invalid token was not rejected")
    support.assert_via_reprise(stack, c.requests, minimum=2)


def test_base_url_with_v1_gives_doubled_paths_that_work(stack, py1):
    # A common mistake with the 1.x client: base URL ending in /v1 → /v1/v1/... paths.
    c = py1(base_url=f"{stack.url}/v1")
    text = support.unique_text("doubled")
    assert c.client.run(HELLO_WORLD, input={"text": text}) == f"hello {text}"
    assert all(url.startswith(f"{stack.url}/v1/v1/") for _, url in c.requests), c.requests
