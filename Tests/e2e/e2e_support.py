"""Helpers for the end-to-end suite: the running stack (fake-replicate + reprise), clients
that record every request they send, and assertions about where requests went."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import reprise_servers as servers  # noqa: E402

E2E_DIR = Path(__file__).resolve().parent
HELLO_WORLD = f"replicate/hello-world:{servers.HELLO_WORLD_VERSION}"
LLAMA = "meta/meta-llama-3-8b-instruct"
# Every model the fake serves (its GET /v1/models lists at least these).
FAKE_MODELS = {"replicate/hello-world", "meta/meta-llama-3-8b-instruct", "stability-ai/sdxl", "acme/slow", "acme/fails"}
TERMINAL = {"succeeded", "failed", "canceled"}
# The fake's page size for GET /v1/models: small, so that listing the models takes pages.
FAKE_PAGE_SIZE = 2
# List price of replicate/hello-world in the session's config (USD per second of predict_time
# on hardware `cpu`), so that hits report money saved.
HELLO_WORLD_USD_PER_SECOND = 0.0001
# Appended to the generated config (inside `cache:`, then `pricing:`). hello-world is named in
# `cache.models` too: only models named there get their own `model` metric label today.
E2E_CONFIG_EXTRA = (
    "  models:\n"
    "    replicate/hello-world: { ttl: 1h }\n"
    "pricing:\n"
    "  hardware:\n"
    f"    cpu: {HELLO_WORLD_USD_PER_SECOND}\n"
    "  models:\n"
    "    replicate/hello-world: { hardware: cpu }\n"
)


def hello_world_predict_time(text: str) -> float:
    """The fake's `metrics.predict_time` for hello-world (PredictionPlanner): 0.1 s + 0.01 s
    per UTF-8 byte of `text`."""
    return 0.1 + 0.01 * len(text.encode())


def new_token() -> str:
    return "r8_e2e" + secrets.token_hex(16)


def redis_contents(redis_url: str, prefix: str) -> Dict[bytes, bytes]:
    """Every Redis key under `prefix`, each with all it holds as bytes, read with redis-cli
    (for the check that no token is ever stored). Fails on a type it cannot read."""

    def cli(*args: str) -> bytes:
        return subprocess.run(
            ["redis-cli", "-u", redis_url, "--raw", *args], check=True, capture_output=True, timeout=30
        ).stdout

    readers = {
        b"string": ("GET",),
        b"hash": ("HGETALL",),
        b"list": ("LRANGE", "0", "-1"),
        b"set": ("SMEMBERS",),
        b"zset": ("ZRANGE", "0", "-1", "WITHSCORES"),
        b"stream": ("XRANGE", "-", "+"),
    }
    contents: Dict[bytes, bytes] = {}
    for key in (k for k in cli("--scan", "--pattern", prefix + "*").split(b"\n") if k):
        kind = cli("TYPE", key.decode()).strip()
        if kind == b"none":
            continue  # expired since the scan
        if kind not in readers:
            raise AssertionError(f"cannot read Redis key {key!r} of type {kind!r}")
        command, *args = readers[kind]
        contents[key] = cli(command, key.decode(), *args)
    return contents


def unique_text(label: str) -> str:
    """Inputs differ per test and per run, so a cache never answers a pass-through test."""
    return f"{label} {uuid.uuid4().hex[:12]}"


@dataclass
class Stack:
    """fake-replicate and reprise, started once per session."""

    workdir: Path
    redis_url: str
    token: str
    other_token: str
    invalid_token: str
    fake: servers.ManagedProcess
    reprise: servers.ManagedProcess
    config_path: Path
    # `redis.key_prefix` of this session's reprise: every key it writes starts with it.
    key_prefix: str

    @property
    def url(self) -> str:
        return self.reprise.base_url

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.reprise.port}"

    def all_tokens(self) -> List[str]:
        return [self.token, self.other_token, self.invalid_token]


@dataclass
class Answer:
    """One response a recording client received (its body is left to the client)."""

    method: str
    url: str
    status: int
    headers: Dict[str, str]


@dataclass
class RecordingClient:
    """A replicate 1.x client plus the (method, url) of every request it sent and the status
    and headers of every response it received (httpx event hooks on the client's transport)."""

    client: object
    requests: List[Tuple[str, str]] = field(default_factory=list)
    responses: List[Answer] = field(default_factory=list)

    def creates(self) -> List[Answer]:
        """The answers to prediction creates (POST …/predictions), in order."""
        return [a for a in self.responses if a.method == "POST" and a.url.endswith("/predictions")]

    def close(self) -> None:
        # The httpx client exists only once a request was made.
        inner = getattr(self.client, "_Client__client", None)
        if inner is not None:
            inner.close()


def make_py1_client(stack: Stack, token: Optional[str] = None, base_url: Optional[str] = None) -> RecordingClient:
    import replicate

    recorded = RecordingClient(client=None)

    def on_request(request) -> None:
        recorded.requests.append((request.method, str(request.url)))

    def on_response(response) -> None:
        request = response.request
        recorded.responses.append(
            Answer(request.method, str(request.url), response.status_code, {k.lower(): v for k, v in response.headers.items()})
        )

    recorded.client = replicate.Client(
        api_token=token or stack.token,
        base_url=base_url or stack.url,
        event_hooks={"request": [on_request], "response": [on_response]},
    )
    recorded.client.poll_interval = 0.05
    return recorded


def assert_via_reprise(stack: Stack, requests: List[Tuple[str, str]], minimum: int = 1) -> None:
    """Every request went to Reprise's port: the client never talked to the fake directly."""
    assert len(requests) >= minimum, f"expected at least {minimum} requests, saw {requests}"
    elsewhere = [r for r in requests if urlsplit(r[1]).netloc != stack.netloc]
    assert not elsewhere, f"requests that bypassed Reprise ({stack.netloc}): {elsewhere}"


def assert_urls_point_at_reprise(stack: Stack, urls: dict) -> None:
    assert urls, "prediction has no urls"
    for name, value in urls.items():
        if name == "web":
            continue  # the replicate.com page of the prediction, not an API URL
        assert isinstance(value, str) and value.startswith(stack.url + "/"), (
            f"urls.{name} = {value!r} does not point at Reprise ({stack.url})"
        )


def wait_until_terminal(prediction, timeout: float = 30.0) -> None:
    """Polls a replicate 1.x Prediction through the client until it reaches a terminal state."""
    deadline = time.monotonic() + timeout
    while prediction.status not in TERMINAL:
        assert time.monotonic() < deadline, f"prediction {prediction.id} still {prediction.status} after {timeout}s"
        time.sleep(0.05)
        prediction.reload()


def run_client_script(python: str, script: str, args: dict, env: Optional[dict] = None, timeout: float = 90.0) -> dict:
    """Runs Tests/e2e/clients/<script> with `args` as JSON on stdin; returns its JSON stdout."""
    completed = subprocess.run(
        [python, str(E2E_DIR / "clients" / script)],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else servers.clean_env(),
    )
    assert completed.returncode == 0, (
        f"{script} exited {completed.returncode}\nstdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
    )
    try:
        return json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise AssertionError(f"{script} printed no JSON result ({error})\nstdout:\n{completed.stdout}\nstderr:\n{completed.stderr}")


def next_client_python() -> str:
    """The interpreter of .venv-next (replicate 2.x); a missing one is a failure, not a skip."""
    configured = os.environ.get("REPRISE_E2E_NEXT_PYTHON")
    path = Path(configured) if configured else servers.REPO_ROOT / ".venv-next" / "bin" / "python"
    if not path.exists():
        raise servers.MissingPrerequisite(
            f"newer replicate client venv not found at {path} (run scripts/venv.sh, or set REPRISE_E2E_NEXT_PYTHON)"
        )
    return str(path)



# MARK: - Looking behind Reprise: the fake's counters, Reprise's metrics, its Redis keys


def fake_counters(stack: Stack) -> dict:
    """The fake's `GET /_fake/counters`, asked directly (not through Reprise)."""
    status, body = servers.http_request("GET", stack.fake.base_url + "/_fake/counters")
    assert status == 200, f"GET /_fake/counters answered {status}: {body[:200]!r}"
    return json.loads(body)


def upstream_creates(stack: Stack) -> int:
    """Prediction creates the fake has received, over its three create routes."""
    return fake_counters(stack)["creates"]["total"]


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metric_value(stack: Stack, name: str, labels: Dict[str, str]) -> float:
    """The value of one series in Reprise's `/metrics`; 0 while the series does not exist yet
    (counters start at 0 and are only printed once they moved)."""
    status, body = servers.http_request("GET", stack.url + "/metrics")
    assert status == 200, f"/metrics answered {status}"
    for line in body.decode().splitlines():
        match = _SAMPLE.match(line)
        if match and match.group(1) == name and dict(_LABEL.findall(match.group(2) or "")) == labels:
            return float(match.group(3))
    return 0.0


def _redis_cli(stack: Stack, args: List[str], stdin: Optional[str] = None) -> str:
    done = subprocess.run(["redis-cli", "-u", stack.redis_url, *args], input=stdin, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, f"redis-cli {args[:2]} failed: {done.stderr}"
    return done.stdout


def wait_for_cache_entry(stack: Stack, cache_key: str, timeout: float = 15.0) -> None:
    """Waits until Reprise has stored the entry named by an `X-Cache-Key` (writes to Redis are
    not awaited before the answer, so a test that repeats a create waits for the write).
    The key layout is RedisKeySchema's: `<prefix>v1:e:{<key>}`."""
    key = f"{stack.key_prefix}v1:e:{{{cache_key}}}"
    deadline = time.monotonic() + timeout
    while _redis_cli(stack, ["EXISTS", key]).strip() != "1":
        assert time.monotonic() < deadline, f"cache entry {key} not stored within {timeout}s"
        time.sleep(0.02)


def redis_keys_and_values(stack: Stack) -> Tuple[List[str], str]:
    """Every key under this session's prefix and all their values as one text (every key
    Reprise writes is a string; another type fails here so that this check gets extended)."""
    keys = [k for k in _redis_cli(stack, ["--scan", "--pattern", stack.key_prefix + "*"]).splitlines() if k]
    if not keys:
        return [], ""
    types = _redis_cli(stack, [], stdin="".join(f'TYPE "{k}"\n' for k in keys)).split()
    odd = [(k, t) for k, t in zip(keys, types) if t != "string"]
    assert not odd, f"keys that are not strings (extend this check to read them): {odd[:5]}"
    values = _redis_cli(stack, ["MGET", *keys])
    return keys, values
