"""Demo traffic for the status page screenshot (scripts/screenshot-status.sh).

Starts fake-replicate and reprise (release builds, or REPRISE_BIN / FAKE_REPLICATE_BIN) on
ports they choose, with a config that prices the fake's models, then sends prediction creates
for DURATION seconds: a small pool of inputs per model, so repeats become cache hits, with a
request rate that rises and falls so the charts have a shape. Prints reprise's base URL on
stdout once traffic is done and leaves both processes running; their pids are written to
WORKDIR/pids for the caller to stop.

    python3 scripts/status_traffic.py WORKDIR REDIS_URL DURATION_SECONDS

Standard library only.
"""

from __future__ import annotations

import json
import math
import random
import secrets
import sys
import threading
import time
from pathlib import Path

import reprise_servers as servers

# Prices as in config/reprise.example.yaml (replicate.com/pricing, mid-2025 snapshot or later).
PRICING = """\
cache:
  default_ttl: 1h
  models:
    replicate/hello-world: { ttl: 1h }
    meta/meta-llama-3-8b-instruct: { ttl: 24h }
    stability-ai/sdxl: { ttl: 50m }
    acme/fails: { enabled: false }
pricing:
  hardware:
    cpu: 0.000100
    gpu-a40-large: 0.000725
  models:
    replicate/hello-world: { hardware: cpu }
    stability-ai/sdxl: { hardware: gpu-a40-large }
    meta/meta-llama-3-8b-instruct: { input_per_million_tokens: 0.05, output_per_million_tokens: 0.25 }
"""

# (path, input pool); the pool size sets how often an input repeats (and so the hit ratio).
WORKLOAD = [
    ("/v1/models/replicate/hello-world/predictions", [{"text": f"visitor {i}"} for i in range(12)]),
    ("/v1/models/stability-ai/sdxl/predictions", [{"prompt": p} for p in ("a lighthouse at dusk", "a red fox", "mountains")]),
    ("/v1/models/meta/meta-llama-3-8b-instruct/predictions", [{"prompt": f"question {i}", "max_tokens": 40} for i in range(6)]),
    ("/v1/models/acme/fails/predictions", [{"message": "deliberate failure"}]),
]
WEIGHTS = [5, 3, 3, 1]


def main() -> int:
    workdir, redis_url, duration = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    workdir.mkdir(parents=True, exist_ok=True)
    token = "r8_demo" + secrets.token_hex(16)
    fake = servers.start_fake(workdir, tokens=[token], extra_args=["--stream-interval-ms", "5"])
    config = servers.write_reprise_config(
        workdir / "reprise.yaml", upstream_url=fake.base_url, redis_url=redis_url,
        key_prefix=f"reprise-demo-{secrets.token_hex(4)}:",
    )
    # write_reprise_config ends with `cache:`; replace that section with the priced one.
    text = config.read_text().split("cache:\n")[0] + PRICING
    config.write_text(text)
    reprise = servers.start_reprise(workdir, config)
    (workdir / "pids").write_text(f"{reprise.pid}\n{fake.pid}\n")
    # /healthz answers before every loop has its Redis connection; /readyz waits for them.
    reprise.wait_http_ok("/readyz")

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Prefer": "wait=30"}
    rng = random.Random(7)
    failures = []

    def one(path: str, body: bytes) -> None:
        status, answer = servers.http_request("POST", reprise.base_url + path, headers=headers, body=body, timeout=60)
        if status not in (200, 201):
            failures.append(f"{status} {answer[:200]!r}")

    started = time.monotonic()
    threads = []
    while (elapsed := time.monotonic() - started) < duration:
        # 2–14 creates a second, in a slow wave, so rates and ratios move across the charts.
        rate = 8 + 6 * math.sin(elapsed / 25)
        path, pool = rng.choices(WORKLOAD, weights=WEIGHTS)[0]
        body = json.dumps({"input": rng.choice(pool)}).encode()
        t = threading.Thread(target=one, args=(path, body), daemon=True)
        t.start()
        threads.append(t)
        threads = [t for t in threads if t.is_alive()]
        servers.http_request("GET", reprise.base_url + "/v1/models/replicate/hello-world", headers=headers)
        time.sleep(1 / rate)
    for t in threads:
        t.join(timeout=60)
    if failures:
        print(f"{len(failures)} creates failed, e.g.: " + "; ".join(failures[:3]), file=sys.stderr)
    print(reprise.base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
