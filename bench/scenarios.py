"""What the harness measures: a list of scenarios, each run against a list of targets.

A target is one of the servers the harness starts (bench_stack.TARGETS): `fake` (the fake
Replicate API itself: the reference ceiling), `nginx` (Debian's nginx as a pass-through proxy
to the fake) and `reprise` (release build, proxying to the same fake).

A scenario's `kind` picks the runner in bench.py. Only `wrk` exists now; planned scenarios
(each needs Reprise features that are still being built) are listed in PLANNED so that the
table in BENCHMARKS.md says what is not measured yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    method: str
    path: str
    targets: Tuple[str, ...]
    kind: str = "wrk"
    # JSON body sent with every request (POST scenarios), or None.
    body: Optional[str] = None
    # Extra notes printed under the table.
    notes: Tuple[str, ...] = field(default_factory=tuple)


SCENARIOS = [
    Scenario(
        name="passthrough-get",
        description="GET a model (small JSON answer) through the proxy; nothing cached",
        method="GET",
        path="/v1/models/replicate/hello-world",
        targets=("fake", "nginx", "reprise"),
    ),
]

# Not measured yet; kept here so the report and the README name them.
PLANNED = [
    ("cache-hit", "POST /v1/predictions with one fixed input: every request after the first is a HIT"),
    ("cache-miss", "POST /v1/predictions with a new input per request (wrk Lua counter): MISS path"),
    ("sse-first-event", "latency from create to the first SSE `output` event through the proxy"),
    ("idle-10k", "10,000 idle keep-alive connections held open: memory and accept latency"),
]


def select(names) -> list:
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    missing = [n for n in names if n not in known]
    if missing:
        raise SystemExit(f"unknown scenario(s) {missing}; known: {sorted(known)}")
    return [known[n] for n in names]
