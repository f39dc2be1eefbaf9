"""What the harness measures: a list of scenarios, each run against a list of targets.

A target is one of the servers the harness starts (bench_stack.TARGETS): `fake` (the fake
Replicate API itself: the reference ceiling), `nginx` (Debian's nginx as a pass-through proxy
to the fake), `nginx-cache` (the same nginx on another port, with `proxy_cache` set up to cache
POSTs keyed on the request body: the simplest cache a user would put in front of Replicate
instead of Reprise), `reprise` (release build, proxying to the same fake; its upstream requests
take the native HTTP/1.1 engine, since the fake is an http:// IP origin) and `reprise-curl`
(the same with `upstream.client: curl`: the libcurl path an https:// upstream such as
api.replicate.com takes, measured beside it in the pass-through and miss scenarios).

A scenario's `kind` picks the runner in bench.py: `wrk` (throughput and latency, one Lua
script per scenario), `sse` (time to the first event and to the end of a stream, bench/runners.py)
and `idle` (memory with many idle keep-alive connections, bench/runners.py). `baseline` is the
target Reprise is compared with; `targets` (the goals in BENCHMARKS.md) are judged against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Tuple

HELLO_WORLD_CREATE = "/v1/models/replicate/hello-world/predictions"


def _create_body(text: str) -> str:
    return json.dumps({"input": {"text": text}}, separators=(",", ":"))


# About 8 KB: a long prompt, as LLM clients send.
_EIGHT_KB_TEXT = ("Summarise the following notes for a weekly report. " * 160)[:8100]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    targets: Tuple[str, ...]
    kind: str = "wrk"
    method: str = "GET"
    path: str = "/v1/models/replicate/hello-world"
    # wrk script in bench/wrk/ (request.lua: fixed request; unique-create.lua: new input each time).
    lua: str = "request.lua"
    # JSON body sent with every request (POST scenarios), or None.
    body: Optional[str] = None
    # Send this create once (with `Prefer: wait`) before measuring and check it is served from
    # the cache: every measured request is then a hit.
    prime: bool = False
    # The target Reprise's figures are divided by.
    baseline: str = "nginx"
    # Count the fake's prediction creates during each measured run (create scenarios).
    count_creates: bool = False


SCENARIOS = [
    Scenario(
        name="passthrough-get",
        description="GET a model (small JSON answer) through the proxy; nothing cached",
        targets=("fake", "nginx", "reprise", "reprise-curl"),
    ),
    Scenario(
        name="hit-small",
        description="POST the same small create (about 40 B) again and again: every request a cache hit",
        targets=("nginx-cache", "reprise"),
        method="POST", path=HELLO_WORLD_CREATE, body=_create_body("bench hit"), prime=True,
        baseline="nginx-cache", count_creates=True,
    ),
    Scenario(
        name="hit-8k",
        description="POST the same 8 KB create again and again: every request a cache hit",
        targets=("nginx-cache", "reprise"),
        method="POST", path=HELLO_WORLD_CREATE, body=_create_body(_EIGHT_KB_TEXT), prime=True,
        baseline="nginx-cache", count_creates=True,
    ),
    Scenario(
        name="miss",
        description="POST a create with a new input each time (`Prefer: wait`; the fake answers at once): "
                    "lookup, forward, store",
        targets=("fake", "nginx", "nginx-cache", "reprise", "reprise-curl"),
        method="POST", path=HELLO_WORLD_CREATE, lua="unique-create.lua", count_creates=True,
    ),
    Scenario(
        name="sse-200",
        description="create a streaming prediction, open urls.stream: time to the first `event:` line and to "
                    "`event: done` of a 200-event stream",
        targets=("fake", "nginx", "reprise"),
        kind="sse", baseline="fake",
    ),
    Scenario(
        name="idle-10k",
        description="10,000 idle keep-alive connections (one request each, then held): RSS of the proxy",
        targets=("nginx", "reprise"),
        kind="idle",
    ),
]


def select(names) -> list:
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    missing = [n for n in names if n not in known]
    if missing:
        raise SystemExit(f"unknown scenario(s) {missing}; known: {sorted(known)}")
    return [known[n] for n in names]
