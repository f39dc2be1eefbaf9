"""Helpers of the reliability suite (Tests/reliability): Redis servers the tests own, stacks of
fake-replicate + reprise with a config per test, load (wrk and a Python latency probe), raw
sockets, metrics and memory readings.

Processes are started with scripts/reprise_servers.py (the e2e suite's helpers). Every Redis
here is a `redis-server` child of the test process on a loopback port of its own, so a test
can kill and restart it; the shared Redis of `make test` is never touched.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import reprise_servers as servers  # noqa: E402

SUITE_DIR = Path(__file__).resolve().parent
TALLY_LUA = SUITE_DIR / "wrk" / "tally.lua"
HELLO_PATH = "/v1/models/replicate/hello-world/predictions"
# The fake's acme/slow model (runs input.seconds) by its version id.
SLOW_VERSION = "c0ffee00" * 8
LLAMA_PATH = "/v1/models/meta/meta-llama-3-8b-instruct/predictions"
MODEL_GET = "/v1/models/replicate/hello-world"


def new_token(label: str = "rel") -> str:
    return f"r8_{label}" + secrets.token_hex(16)


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.02):
    """Polls `condition` until it returns something truthy (returned); fails after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * (len(ordered) - 1)))))
    return ordered[index]


def latency_summary(seconds: Sequence[float]) -> dict:
    """p50/p99/max in milliseconds and the sample count."""
    if not seconds:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p99_ms": round(percentile(seconds, 99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
    }


def raise_fd_limit(wanted: int) -> int:
    """Raises this process's open-file limit towards `wanted` (up to the hard limit)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


# MARK: - Redis


class RespClient:
    """A minimal blocking RESP2 client: enough to SCAN, GET, DEBUG SLEEP and PING."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, *args):
        parts = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(parts))
        return self.read_reply()

    def read_reply(self):
        """The next reply on the connection (for a command sent by hand)."""
        line = self.file.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise RuntimeError(f"unexpected RESP line {line!r}")


class RedisServer:
    """A `redis-server` child process on a loopback port; can be killed and restarted there."""

    def __init__(self, workdir: Path, name: str = "redis", debug_command: bool = False):
        self.workdir = workdir
        self.name = name
        self.debug_command = debug_command
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = workdir / f"{name}.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, port: Optional[int] = None, timeout: float = 10.0) -> "RedisServer":
        attempts = 1 if port is not None else 5
        for _ in range(attempts):
            self.port = port if port is not None else free_port()
            argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir),
                    "--logfile", str(self.log_path)]
            if self.debug_command:
                argv += ["--enable-debug-command", "yes"]
            try:
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
            except FileNotFoundError:
                raise servers.MissingPrerequisite("redis-server not installed (scripts/install-deps.sh test)")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self.ping():
                    return self
                time.sleep(0.02)
            self.stop()
        raise servers.ProcessFailed(f"redis-server did not start (log {self.log_path})")

    def ping(self) -> bool:
        try:
            with RespClient(self.port, timeout=1.0) as c:
                return c.call("PING") == "PONG"
        except (OSError, RuntimeError, ConnectionError):
            return False

    def kill(self) -> None:
        """SIGKILL: the abrupt outage (no goodbye on the connections)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        """Starts again on the same port (empty: nothing is persisted)."""
        self.kill()
        self.start(port=self.port)

    def client(self) -> RespClient:
        return RespClient(self.port)

    def scan_values(self, match: str = "*") -> Dict[bytes, bytes]:
        """Every string key matching `match` with its value (other types: their TYPE name)."""
        out: Dict[bytes, bytes] = {}
        with self.client() as c:
            cursor = b"0"
            while True:
                cursor, keys = c.call("SCAN", cursor, "MATCH", match, "COUNT", 1000)
                for key in keys:
                    kind = c.call("TYPE", key)
                    out[key] = c.call("GET", key) if kind == "string" else kind.encode()
                if cursor == b"0":
                    return out


# MARK: - Config and stacks


def render_yaml(value, indent: int = 0) -> str:
    """Nested dicts of scalars as block YAML (enough for reprise's config)."""
    lines = []
    pad = "  " * indent
    for key, v in value.items():
        if isinstance(v, dict):
            lines.append(f"{pad}{key}:")
            lines.append(render_yaml(v, indent + 1))
        else:
            # Quoting does not change a value's meaning in reprise's config (docs/configuration.md).
            text = ("true" if v else "false") if isinstance(v, bool) else json.dumps(v) if isinstance(v, str) else str(v)
            lines.append(f"{pad}{key}: {text}")
    return "\n".join(line for line in lines if line)


def merge_config(base: dict, extra: Mapping) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = merge_config(out[k], v)
        else:
            out[k] = v
    return out


@dataclass
class Stack:
    """fake-replicate + reprise (+ the Redis it uses), started for one test."""

    workdir: Path
    tokens: List[str]
    fake: servers.ManagedProcess
    reprise: servers.ManagedProcess
    redis: Optional[RedisServer]
    config: dict
    config_path: Path
    invalid_token: str = field(default_factory=lambda: new_token("bad"))

    @property
    def token(self) -> str:
        return self.tokens[0]

    @property
    def port(self) -> int:
        return self.reprise.port

    @property
    def url(self) -> str:
        return self.reprise.base_url

    def auth(self, token: Optional[str] = None) -> dict:
        return {"Authorization": f"Bearer {token or self.token}"}

    def write_config(self, config: dict) -> None:
        self.config = config
        self.config_path.write_text("# Generated by the reliability suite.\n" + render_yaml(config) + "\n")

    def request(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                body: Optional[bytes] = None, token: Optional[str] = None, timeout: float = 30.0) -> "Answer":
        merged = dict(self.auth(token)) if token != "" else {}
        merged.update(headers or {})
        return http_call(self.port, method, path, merged, body, timeout)

    def create(self, text: str, path: str = HELLO_PATH, token: Optional[str] = None,
               headers: Optional[Mapping[str, str]] = None, extra: Optional[dict] = None,
               wait: bool = True, timeout: float = 30.0) -> "Answer":
        """A create of hello-world (`text`), or of the LLM (`path=LLAMA_PATH`: `text` is the prompt)."""
        payload = {"input": {"prompt" if path == LLAMA_PATH else "text": text}}
        if extra:
            payload.update(extra)
        h = {"Content-Type": "application/json"}
        if wait:
            h["Prefer"] = "wait"
        h.update(headers or {})
        return self.request("POST", path, h, json.dumps(payload).encode(), token=token, timeout=timeout)

    def metrics(self) -> str:
        answer = http_call(self.port, "GET", "/metrics", {}, None, 10.0)
        assert answer.status == 200, answer
        return answer.text

    def metric(self, name: str, **labels: str) -> float:
        return metric_value(self.metrics(), name, **labels)

    def readyz(self) -> "Answer":
        return http_call(self.port, "GET", "/readyz", {}, None, 5.0)

    def fake_counters(self) -> dict:
        answer = http_call(self.fake.port, "GET", "/_fake/counters", {}, None, 5.0)
        assert answer.status == 200, answer
        return answer.json()

    def fake_creates(self) -> int:
        return self.fake_counters()["creates"]["total"]

    def fake_direct(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                    body: Optional[bytes] = None) -> "Answer":
        merged = dict(self.auth())
        merged.update(headers or {})
        return http_call(self.fake.port, method, path, merged, body, 30.0)

    def all_secrets(self) -> List[str]:
        return list(self.tokens) + [self.invalid_token]


def base_config(upstream_url: str, redis_url: str) -> dict:
    return {
        "listen": "127.0.0.1:0",
        "upstream": {"url": upstream_url, "timeout": "30s"},
        "redis": {"url": redis_url, "key_prefix": "rel:"},
        "cache": {"default_ttl": "1h"},
    }


def start_stack(workdir: Path, redis: Optional[RedisServer], config: Optional[Mapping] = None,
                fake_args: Sequence[str] = (), upstream_url: Optional[str] = None,
                redis_url: Optional[str] = None, tokens: int = 2, reprise_argv_prefix: Sequence[str] = (),
                ready_timeout: float = 30.0) -> Stack:
    """Starts fake-replicate and reprise (configured with `config` over a base) in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    token_list = [new_token(f"t{i}") for i in range(tokens)]
    fake = servers.start_fake(workdir, tokens=token_list, extra_args=list(fake_args))
    try:
        cfg = base_config(upstream_url or fake.base_url, redis_url or (redis.url if redis else "redis://127.0.0.1:1/0"))
        cfg = merge_config(cfg, config or {})
        path = workdir / "reprise.yaml"
        stack = Stack(workdir=workdir, tokens=token_list, fake=fake, reprise=None, redis=redis, config=cfg,
                      config_path=path)
        stack.write_config(cfg)
        stack.reprise = launch_reprise(workdir, path, reprise_argv_prefix, ready_timeout)
        return stack
    except BaseException:
        fake.terminate()
        raise


def launch_reprise(workdir: Path, config_path: Path, argv_prefix: Sequence[str] = (),
                   ready_timeout: float = 30.0, log_name: str = "reprise.log") -> servers.ManagedProcess:
    binary = servers.release_binary("reprise", "REPRISE_BIN")
    port_file = workdir / "reprise.port"
    argv = list(argv_prefix) + [str(binary), "--config", str(config_path), "--port-file", str(port_file)]
    reprise = servers.ManagedProcess("reprise", argv, workdir / log_name, port_file, env=servers.clean_env())
    reprise.start(ready_timeout=ready_timeout)
    reprise.wait_http_ok("/healthz", timeout=ready_timeout)
    return reprise


# MARK: - HTTP


@dataclass
class Answer:
    status: int
    headers: Dict[str, str]
    body: bytes
    elapsed: float
    started: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())

    @property
    def cache_status(self) -> Optional[str]:
        return self.header("x-cache-status")


def http_call(port: int, method: str, path: str, headers: Mapping[str, str], body: Optional[bytes],
              timeout: float = 30.0, connection: Optional[http.client.HTTPConnection] = None) -> Answer:
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=dict(headers))
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                      time.monotonic() - started, started)
    finally:
        if own:
            conn.close()


def is_problem(answer: Answer, status: int) -> bool:
    """Replicate's error shape: JSON {"title","detail","status"} with the status repeated."""
    try:
        body = answer.json()
    except ValueError:
        return False
    return (answer.status == status and answer.header("content-type") == "application/json"
            and set(body) == {"title", "detail", "status"} and body["status"] == status)


def _response_complete(received: bytes) -> Tuple[bool, bool]:
    """Whether `received` holds one whole response (Content-Length or chunked framing), and
    whether that response announced `Connection: close`."""
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False, False
    fields = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip().lower()
    closing = fields.get(b"connection") == b"close"
    if b"content-length" in fields:
        return len(body) >= int(fields[b"content-length"]), closing
    if fields.get(b"transfer-encoding") == b"chunked":
        return body.endswith(b"0\r\n\r\n"), closing
    return False, closing


def raw_exchange(port: int, data: bytes, timeout: float = 10.0, chunks: Iterable[bytes] = ()) -> Tuple[bytes, bool]:
    """Sends `data` (then each of `chunks`) and reads until the server closes, or `timeout`;
    a whole response that does not announce `Connection: close` ends the wait 0.2 s after it
    (a keep-alive answer). Returns (bytes received, whether the server closed the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            for c in chunks:
                s.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = deadline - time.monotonic()
            complete, closing = _response_complete(received)
            if complete and not closing:
                wait = min(wait, 0.2)
            s.settimeout(max(0.01, wait))
            try:
                piece = s.recv(65536)
            except socket.timeout:
                return received, False
            except ConnectionResetError:
                return received, True
            if not piece:
                return received, True
            received += piece
        return received, False


def status_of(raw: bytes) -> Optional[int]:
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", raw)
    return int(m.group(1)) if m else None


def problem_body(raw: bytes) -> Optional[dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    try:
        return json.loads(body)
    except ValueError:
        return None


# MARK: - Metrics


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(m.group(3))
    return total


# MARK: - Load


class Wrk:
    """wrk running Tests/reliability/wrk/tally.lua in the background; `stop` sends SIGINT (wrk
    then prints its summary) and returns the TALLY_JSON figures."""

    def __init__(self, url: str, token: str, mode: str, connections: int = 16, threads: int = 2,
                 duration: float = 600, inputs: int = 16, prefix: str = "load", miss_every: int = 0,
                 log_path: Optional[Path] = None):
        self.argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", "--timeout", "10s",
                     "-s", str(TALLY_LUA), url, "--", token, mode, str(inputs), prefix, str(miss_every)]
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None
        self.started = 0.0

    def start(self) -> "Wrk":
        try:
            self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except FileNotFoundError:
            raise servers.MissingPrerequisite("wrk not installed (scripts/install-deps.sh test)")
        self.started = time.monotonic()
        return self

    def stop(self) -> dict:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=60)
        if self.log_path is not None:
            with open(self.log_path, "a") as f:
                f.write("$ " + " ".join(self.argv[:-5]) + " ...\n" + out + "\n")
        for line in out.splitlines():
            if line.startswith("TALLY_JSON "):
                result = json.loads(line[len("TALLY_JSON "):])
                result["seconds"] = round(result["duration_us"] / 1e6, 2)
                result["rps"] = round(result["requests"] / max(1e-9, result["duration_us"] / 1e6))
                result["socket_errors"] = sum(v for k, v in result["errors"].items() if k != "status")
                return result
        raise AssertionError(f"wrk printed no TALLY_JSON line (exit {self.proc.returncode}):\n{out}")


@dataclass
class Sample:
    started: float
    elapsed: float
    status: int
    cache: Optional[str]
    phase: str


class Probe:
    """A well-behaved client: one keep-alive connection, one request after another, each timed
    and labelled with the phase that was current when it started."""

    def __init__(self, port: int, make_request: Callable[[int], Tuple[str, str, dict, Optional[bytes]]],
                 timeout: float = 30.0):
        self.port = port
        self.make_request = make_request
        self.timeout = timeout
        self.samples: List[Sample] = []
        self.failures: List[str] = []
        self.phase = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Probe":
        self._thread.start()
        return self

    def _run(self) -> None:
        conn: Optional[http.client.HTTPConnection] = None
        i = 0
        while not self._stop.is_set():
            method, path, headers, body = self.make_request(i)
            i += 1
            phase = self.phase
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                self.samples.append(Sample(started, time.monotonic() - started, response.status,
                                           response.getheader("x-cache-status"), phase))
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(f"{phase}: {type(error).__name__}: {error}")
                self.samples.append(Sample(started, time.monotonic() - started, 0, None, phase))
                conn.close()
                conn = None
                time.sleep(0.01)
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def in_phase(self, phase: str) -> List[Sample]:
        return [s for s in self.samples if s.phase == phase]

    def summary(self, phase: str) -> dict:
        samples = self.in_phase(phase)
        out = latency_summary([s.elapsed for s in samples if s.status])
        out["statuses"] = count_by(str(s.status) for s in samples)
        return out


def count_by(items: Iterable) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for item in items:
        out[str(item)] = out.get(str(item), 0) + 1
    return dict(sorted(out.items()))


def hello_create_request(token: str, texts: Callable[[int], str]):
    """A Probe request maker: creates of hello-world with `Prefer: wait`."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Prefer": "wait"}

    def make(i: int):
        return "POST", HELLO_PATH, headers, json.dumps({"input": {"text": texts(i)}}).encode()

    return make


class RSSSampler:
    """Samples a process's VmRSS every `interval` seconds in the background."""

    def __init__(self, pid: int, interval: float):
        self.pid = pid
        self.interval = interval
        self.samples: List[Tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = time.monotonic()

    def start(self) -> "RSSSampler":
        self.t0 = time.monotonic()
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                self.samples.append((time.monotonic() - self.t0, rss_kib(self.pid)))
            except (FileNotFoundError, AssertionError, ProcessLookupError):
                return
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        try:
            self.samples.append((time.monotonic() - self.t0, rss_kib(self.pid)))
        except (FileNotFoundError, AssertionError):
            pass


def slope_per_minute(points: Sequence[Tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 2:
        return 0.0
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    if den == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60.0


def tokens_found_in(text_or_bytes, secrets_list: Sequence[str]) -> List[str]:
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode()
    return [s for s in secrets_list if s.encode() in data]


def sse_read_to_done(port: int, path: str, timeout: float = 30.0) -> Tuple[int, bytes]:
    """GETs an SSE stream URL (path) and reads it to its end; (status, body)."""
    answer = http_call(port, "GET", path, {"Accept": "text/event-stream"}, None, timeout)
    return answer.status, answer.body


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (("?" + parts.query) if parts.query else "")
