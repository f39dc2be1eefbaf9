"""The prediction cache (contract.md, "Cache semantics") seen by the real `replicate` 1.0.7
client, with nothing changed but its base URL.

Upstream work is counted on the fake itself (`GET /_fake/counters`, asked directly), cache
outcomes are read from the `X-Cache-Status` / `X-Cache-Key` headers the client received (an
httpx response hook), money saved from Reprise's `/metrics`. Every test uses inputs of its own,
so entries made by other tests never answer it. Between the miss and the repeat, a test waits
until the entry is in Redis: Reprise writes it without holding the answer back.
"""

from __future__ import annotations

import pytest
from replicate.exceptions import ReplicateError

import e2e_support as support
from e2e_support import HELLO_WORLD, servers

HELLO_WORLD_MODEL = "replicate/hello-world"


def _cache_headers(answer: support.Answer) -> tuple:
    return answer.headers.get("x-cache-status"), answer.headers.get("x-cache-key")


def _miss_key(client: support.RecordingClient) -> str:
    """The cache key of the client's last create, which must have been a miss."""
    status, key = _cache_headers(client.creates()[-1])
    assert status == "MISS", f"expected the first create to miss, got {status}"
    assert key and len(key) == 64, f"X-Cache-Key missing or malformed: {key!r}"
    return key


def _assert_hit(client: support.RecordingClient, key: str) -> None:
    answer = client.creates()[-1]
    assert answer.status == 201, answer
    assert _cache_headers(answer) == ("HIT", key), answer.headers
    assert answer.headers.get("age", "").isdigit(), f"a hit carries Age: {answer.headers}"


def test_run_twice_gives_equal_output_from_one_upstream_create(stack, py1):
    c = py1()
    text = support.unique_text("cache-run")
    before = support.upstream_creates(stack)

    first = c.client.run(HELLO_WORLD, input={"text": text})
    key = _miss_key(c)
    support.wait_for_cache_entry(stack, key)
    second = c.client.run(HELLO_WORLD, input={"text": text})

    assert first == second == f"hello {text}"
    _assert_hit(c, key)
    assert support.upstream_creates(stack) - before == 1
    support.assert_via_reprise(stack, c.requests, minimum=2)


def test_repeated_create_is_succeeded_at_once_and_its_id_can_be_read(stack, py1):
    c = py1()
    text = support.unique_text("cache-create")
    before = support.upstream_creates(stack)

    original = c.client.predictions.create(version=servers.HELLO_WORLD_VERSION, input={"text": text})
    key = _miss_key(c)
    support.wait_until_terminal(original)  # reload() through Reprise, which sees it succeed
    assert original.status == "succeeded", original.error
    support.wait_for_cache_entry(stack, key)

    repeat = c.client.predictions.create(version=servers.HELLO_WORLD_VERSION, input={"text": text})
    assert repeat.status == "succeeded"
    assert repeat.output == original.output == f"hello {text}"
    assert repeat.id != original.id, "a hit answers under a fresh prediction id"
    _assert_hit(c, key)
    support.assert_urls_point_at_reprise(stack, repeat.urls)

    # The id exists only in Reprise (the fake never saw it): a 200 here is Reprise's answer.
    read = c.client.predictions.get(repeat.id)
    assert (read.id, read.status, read.output) == (repeat.id, "succeeded", f"hello {text}")
    assert support.upstream_creates(stack) - before == 1


def test_run_without_wait_is_answered_by_the_hit_without_polling(stack, py1):
    text = support.unique_text("cache-nowait")
    before = support.upstream_creates(stack)
    first_client = py1()
    first = first_client.client.run(HELLO_WORLD, input={"text": text}, wait=False)
    key = _miss_key(first_client)
    support.wait_for_cache_entry(stack, key)

    c = py1()
    second = c.client.run(HELLO_WORLD, input={"text": text}, wait=False)
    assert first == second == f"hello {text}"
    _assert_hit(c, key)
    polls = [url for method, url in c.requests if method == "GET" and "/v1/predictions/" in url]
    assert not polls, f"a succeeded hit needs no polling, the client sent {polls}"
    assert support.upstream_creates(stack) - before == 1


def test_canonical_variants_of_an_input_hit_the_same_entry(stack, py1):
    c = py1()
    text = support.unique_text("cache-canonical")
    before = support.upstream_creates(stack)

    first = c.client.run(HELLO_WORLD_MODEL, input={"text": text, "n": 1})
    key = _miss_key(c)
    support.wait_for_cache_entry(stack, key)
    # Same input, keys in the other order; then the number spelled 1.0 (Python sends `1.0`).
    reordered = c.client.run(HELLO_WORLD_MODEL, input={"n": 1, "text": text})
    _assert_hit(c, key)
    respelled = c.client.run(HELLO_WORLD_MODEL, input={"text": text, "n": 1.0})
    _assert_hit(c, key)

    assert first == reordered == respelled == f"hello {text}"
    assert support.upstream_creates(stack) - before == 1


def test_rejected_token_gets_401_not_the_cached_output(stack, py1):
    good = py1()
    text = support.unique_text("cache-bad-token")
    good.client.run(HELLO_WORLD_MODEL, input={"text": text})
    key = _miss_key(good)
    support.wait_for_cache_entry(stack, key)
    assert good.client.run(HELLO_WORLD_MODEL, input={"text": text}) == f"hello {text}"
    _assert_hit(good, key)
    creates = support.upstream_creates(stack)
    rejected_before = support.fake_counters(stack)["unauthorized"]

    bad = py1(token=stack.invalid_token)
    with pytest.raises(ReplicateError) as raised:
        bad.client.run(HELLO_WORLD_MODEL, input={"text": text})
    assert raised.value.status == 401, raised.value
    answer = bad.creates()[-1]
    assert answer.status == 401
    assert answer.headers.get("x-cache-status") != "HIT", answer.headers
    # Reprise asked Replicate about the token (the fake rejected it) and created nothing.
    assert support.fake_counters(stack)["unauthorized"] > rejected_before
    assert support.upstream_creates(stack) == creates


def test_hit_on_a_priced_model_counts_cost_and_compute_saved(stack, py1):
    labels = {"model": HELLO_WORLD_MODEL}
    usd_before = support.metric_value(stack, "reprise_cost_saved_usd_total", labels)
    seconds_before = support.metric_value(stack, "reprise_compute_seconds_saved_total", labels)
    c = py1()
    text = support.unique_text("cache-priced")

    c.client.run(HELLO_WORLD_MODEL, input={"text": text})
    key = _miss_key(c)
    support.wait_for_cache_entry(stack, key)
    c.client.run(HELLO_WORLD_MODEL, input={"text": text})
    _assert_hit(c, key)

    seconds = support.hello_world_predict_time(text)
    usd = support.metric_value(stack, "reprise_cost_saved_usd_total", labels) - usd_before
    saved_seconds = support.metric_value(stack, "reprise_compute_seconds_saved_total", labels) - seconds_before
    assert saved_seconds == pytest.approx(seconds, rel=1e-9)
    assert usd == pytest.approx(seconds * support.HELLO_WORLD_USD_PER_SECOND, rel=1e-9)


def test_redis_holds_cache_records_but_no_token(stack, py1):
    c = py1()
    text = support.unique_text("cache-redis")
    c.client.run(HELLO_WORLD_MODEL, input={"text": text})
    support.wait_for_cache_entry(stack, _miss_key(c))
    c.client.run(HELLO_WORLD_MODEL, input={"text": text})

    keys, values = support.redis_keys_and_values(stack)
    kinds = {k[len(stack.key_prefix):].split(":")[1] for k in keys}
    # Entries, prediction records and accepted-token hashes: what a hit leaves behind.
    assert {"e", "p", "t"} <= kinds, kinds
    assert f"hello {text}" in values, "the scan did not read the entries' values"
    for token in stack.all_tokens():
        assert token not in values and not any(token in k for k in keys), "a token is stored in Redis"
