"""Streams with the real `replicate` 1.0.7 client (issue 4): a stream relayed on a miss is
recorded and replayed on the hit; a hit whose first run nobody streamed gets a stream made
from the stored output. Upstream creates are counted on the fake itself.
"""

from __future__ import annotations

import json
import time
import urllib.request

import e2e_support as support

LLAMA = "meta/meta-llama-3-8b-instruct"


def _fake_creates(stack) -> int:
    with urllib.request.urlopen(stack.fake.base_url + "/_fake/counters", timeout=10) as answer:
        return int(json.load(answer)["creates"]["total"])


def _stream_text(client, prompt: str) -> str:
    events = list(client.stream(LLAMA, input={"prompt": prompt}))
    assert events and events[-1].event.value == "done", events
    return "".join(str(e) for e in events if e.event.value == "output")


def _until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_stream_on_a_miss_then_on_a_hit_gives_the_same_text_from_one_create(stack, py1):
    c = py1()
    prompt = support.unique_text("stream-twice")
    before = _fake_creates(stack)
    first = _stream_text(c.client, prompt)
    assert first, "the miss streamed no output"
    assert _fake_creates(stack) - before == 1

    # The end of the relayed stream makes Reprise fetch the final prediction and store it;
    # wait until an identical create is answered from the cache, then stream again.
    def hit_stream_url():
        p = c.client.models.predictions.create(LLAMA, input={"prompt": prompt}, stream=True)
        return p.urls.get("stream") if p.status == "succeeded" else None

    _until(hit_stream_url)
    before_hit = _fake_creates(stack)
    second = _stream_text(c.client, prompt)
    assert second == first
    assert _fake_creates(stack) == before_hit, "the repeat must not reach upstream"
    support.assert_via_reprise(stack, c.requests, minimum=4)


def test_a_hit_never_streamed_before_gets_a_stream_made_from_its_output(stack, py1):
    c = py1()
    prompt = support.unique_text("stream-synth")
    # A blocking run: nobody opens the stream, so no recording exists for this entry.
    output = c.client.run(LLAMA, input={"prompt": prompt})
    expected = "".join(str(x) for x in output)

    def stored():
        p = c.client.models.predictions.create(LLAMA, input={"prompt": prompt}, stream=True)
        return p if p.status == "succeeded" and "stream" in p.urls else None

    hit = _until(stored)
    support.assert_urls_point_at_reprise(stack, hit.urls)
    tokens = [str(e) for e in hit.stream() if e.event.value == "output"]
    assert "".join(tokens) == expected
