"""Issue 7, item 7: soak. Mixed hits, misses, streams, errors, polls and bad requests for
`soak_seconds` (10 minutes with `make reliability`, 20 s in `make test`) with reprise's RSS
and open file descriptors sampled: the test asserts that every request got the answer it
should and that Reprise is alive and exits 0; the doc reports RSS start/end/max and slope.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import mixed_load
import reliability_support as support

# The fake keeps its newest 50,000 predictions: well over what is created while a poll or a
# cancel of a recent id is on its way.
FAST_FAKE = ["--start-delay-ms", "0", "--run-ms", "0", "--stream-interval-ms", "2", "--max-predictions", "50000"]
# How often each worker sends each kind (hits and misses also come from wrk).
WEIGHTS = {"hit": 4, "miss": 2, "stream": 3, "error_5xx": 1, "error_429": 1, "rejected_token": 1, "poll": 2,
           "cancel": 1, "no_wait": 1, "pass_through": 2, "malformed": 1, "gateway_error": 1}


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_soak_mixed_traffic_keeps_memory_flat(stack_factory, profile, figures):
    # The soak measures memory and correctness, not Redis latency: with the 50 ms default a
    # loaded test machine times lookups out, and a poll of a hit id whose record lookup timed
    # out is (rightly, failing open) forwarded to the fake, which never heard of that id.
    stack = stack_factory(config={"redis": {"timeout": "2s"}}, fake_args=FAST_FAKE)
    pid = stack.reprise.pid
    client = mixed_load.MixedClient(stack)
    schedule = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
    stop = threading.Event()

    def worker(seed: int) -> None:
        i = seed
        while not stop.is_set():
            client.step(schedule[i % len(schedule)])
            i += 1

    rss_start = support.rss_kib(pid)
    fds_start = _open_fds(pid)
    sampler = support.RSSSampler(pid, profile.soak_sample_seconds).start()
    wrk = support.Wrk(stack.url + "/", stack.token, "create", connections=8, inputs=64, miss_every=10,
                      prefix=f"soak {uuid.uuid4().hex[:8]}", log_path=stack.workdir / "wrk.log").start()
    workers = [threading.Thread(target=worker, args=(i * 7,), daemon=True) for i in range(profile.soak_workers)]
    for w in workers:
        w.start()
    fds_samples = []
    try:
        deadline = time.monotonic() + profile.soak_seconds
        while time.monotonic() < deadline:
            stack.reprise.ensure_running()
            fds_samples.append(_open_fds(pid))
            time.sleep(min(profile.soak_sample_seconds, max(0.0, deadline - time.monotonic())))
    finally:
        stop.set()
        tally = wrk.stop()
        for w in workers:
            w.join(timeout=120)
        sampler.stop()
    stack.reprise.ensure_running()
    assert stack.request("GET", "/healthz").status == 200
    metrics = stack.metrics()

    samples = sampler.samples
    warm = [p for p in samples if p[0] >= profile.soak_seconds * 0.2] or samples
    rss = [kib for _, kib in samples]
    figures.record("soak", {
        "seconds": profile.soak_seconds,
        "sample_every_s": profile.soak_sample_seconds,
        "rss_kib": {"before_load": rss_start, "first_sample": rss[0], "after_warmup": warm[0][1], "end": rss[-1],
                    "max": max(rss)},
        "rss_slope_kib_per_min_after_warmup": round(support.slope_per_minute(warm), 1),
        "rss_samples": [[round(t, 1), kib] for t, kib in samples],
        "open_fds": {"before_load": fds_start, "max": max(fds_samples), "end": _open_fds(pid)},
        "python_requests": client.counts,
        "wrk": {"requests": tally["requests"], "rps": tally["rps"], "status": tally["status"], "cache": tally["cache"],
                "socket_errors": tally["socket_errors"]},
        "requests_total": int(support.metric_value(metrics, "reprise_http_requests_total")),
        "redis_errors": support.metric_value(metrics, "reprise_redis_errors_total"),
        "failures": client.failures[:10],
        "creates_slower_than_5s": client.slow_creates,
        "slowest_create_s": round(client.slowest_create_s, 2),
    })
    assert not client.failures, client.failures[:10]
    assert all(client.counts[k] > 0 for k in WEIGHTS), client.counts
    assert tally["socket_errors"] == 0 and set(tally["status"]) == {"201"}, tally
