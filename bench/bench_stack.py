"""Starts and stops the servers of one benchmark session, all on loopback:
a throwaway Redis, fake-replicate (release, quiet, no delays), nginx (Debian's, foreground,
generated config: a pass-through server and a caching one) and reprise (release) — nginx and
reprise both in front of the same fake."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import reprise_servers as servers  # noqa: E402

TARGETS = ("fake", "nginx", "nginx-cache", "reprise", "reprise-curl")
NGINX = "/usr/sbin/nginx"

# The fake answers at once: creates are finished when they are made (with `Prefer: wait`) and
# a stream's events are all there when it is opened, so the figures are the proxies' own.
FAKE_ARGS = ["--quiet", "--start-delay-ms", "0", "--run-ms", "0", "--stream-interval-ms", "0"]

# Reprise's part of the generated config beyond the basics: room for the idle-connections
# scenario (10,000 held plus the harness's probes; the default limit is 10,000).
REPRISE_EXTRA_YAML = "server:\n  max_connections: 12000\n"

# One nginx, two servers in front of the fake:
#
# `nginx` (port {port}): a pass-through proxy set up to be a fair peer of a streaming proxy:
# - keepalive pool to the upstream (HTTP/1.1, Connection cleared), as Reprise reuses
#   upstream connections;
# - proxy_buffering / proxy_request_buffering off: bodies are relayed as they arrive, as
#   Reprise streams them (it must, for SSE), instead of being buffered whole;
# - the access log is written (buffered) to a file, since Reprise logs every request too;
# - worker_processes matches the machine's cores (2 here), like Reprise's event loops.
#
# `nginx-cache` (port {cache_port}): the simplest cache a user would set up instead of Reprise:
# POSTs cached, keyed on the URI and the request body (held in memory: client_body_buffer_size
# 64k; with a body on disk $request_body would be empty), 200/201 kept 10 minutes. Buffering
# stays on there: nginx caches only buffered responses. The key is written into the cached
# file's header, which must fit proxy_buffer_size: with the 4k default an 8 KB body is never
# cached (nginx logs "proxy_buffer_size 4096 is not enough for cache key"), hence 16k (and
# proxy_buffers of 16k, which nginx then requires).
# `X-Cache-Status` shows nginx's verdict. The keys zone holds ~500k keys: the miss scenario
# stores a new entry per request (with 10m nginx answers 500 "could not allocate node in
# cache keys zone" after ~80k). The cache lives in /dev/shm when there is one (a tmpfs: the
# miss scenario writes a file per request, hundreds of thousands, which a disk deletes in
# minutes) and is deleted when the stack stops.
#
# `user` is whoever runs the harness: workers started by a root master would otherwise run as
# `nobody` and could not write the cache under the run directory.
NGINX_CONF = """\
daemon off;
master_process on;
user {user};
worker_processes {workers};
worker_rlimit_nofile 20000;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{
    worker_connections 16384;
}}
http {{
    access_log {dir}/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 100000;
    proxy_cache_path {cache_dir} levels=1:2 keys_zone=replicate:256m max_size=1g inactive=60m use_temp_path=off;
    upstream fake_replicate {{
        server 127.0.0.1:{upstream_port};
        keepalive 128;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://fake_replicate;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_buffering off;
            proxy_request_buffering off;
        }}
    }}
    server {{
        listen 127.0.0.1:{cache_port} backlog=4096;
        client_body_buffer_size 64k;
        proxy_buffer_size 16k;
        proxy_buffers 8 16k;
        location / {{
            proxy_pass http://fake_replicate;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_cache replicate;
            proxy_cache_methods POST;
            proxy_cache_key "$request_uri|$request_body";
            proxy_cache_valid 200 201 10m;
            add_header X-Cache-Status $upstream_cache_status;
        }}
    }}
}}
"""


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchStack:
    """Context manager: everything a benchmark run talks to. Stops all of it on exit.

    `url(target)` is the base URL of a target (`nginx-cache` is the nginx process's second
    port); `rss_kib(target)` the resident memory of the target's processes (nginx: master and
    workers added up); `fake_counters()` the fake's request counters."""

    def __init__(self, workdir: Path, targets, fake_loops: int, nginx_workers: str,
                 fake_args: Optional[List[str]] = None):
        self.workdir = workdir
        self.fake_args = FAKE_ARGS if fake_args is None else fake_args
        self.targets = tuple(targets)
        self.fake_loops = fake_loops
        self.nginx_workers = nginx_workers
        self.token = "r8_bench" + secrets.token_hex(16)
        self.redis_dir = workdir / "redis"
        self.redis_url: Optional[str] = None
        self.processes: Dict[str, servers.ManagedProcess] = {}
        self.urls: Dict[str, str] = {}
        self.nginx_cache_dir: Optional[Path] = None
        self.exit_codes: Dict[str, Optional[int]] = {}

    def url(self, target: str) -> str:
        return self.urls[target]

    def __enter__(self) -> "BenchStack":
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        fake = servers.start_fake(self.workdir, [self.token], self.fake_args + ["--loops", str(self.fake_loops)])
        self.processes["fake"] = fake
        self.urls["fake"] = fake.base_url
        if "nginx" in self.targets or "nginx-cache" in self.targets:
            nginx, cache_port = self._start_nginx(fake.port)
            self.processes["nginx"] = nginx
            self.urls["nginx"] = nginx.base_url
            self.urls["nginx-cache"] = f"http://127.0.0.1:{cache_port}"
        if "reprise" in self.targets or "reprise-curl" in self.targets:
            self.redis_url = subprocess.run(
                [str(servers.REPO_ROOT / "scripts" / "redis-test.sh"), "start", str(self.redis_dir)],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
            # Every hit leaves a prediction record (1 h TTL, a few hundred bytes) and every miss an
            # entry: a full `make bench` writes about 3 GB. The limit only keeps a runaway run
            # from taking the machine; below it nothing is evicted (an evicted entry would turn
            # hits into misses: the hot tier reads it only about once a second).
            # latency-monitor-threshold: Redis records commands slower than 10 ms (LATENCY LATEST),
            # which tells a Redis stall from a Reprise one when lookups time out.
            for setting in (["maxmemory", "6gb"], ["maxmemory-policy", "allkeys-lru"],
                            ["latency-monitor-threshold", "10"]):
                subprocess.run(["redis-cli", "-u", self.redis_url, "CONFIG", "SET", *setting],
                               check=True, capture_output=True)
            self._start_reprise(fake, "reprise", client=None)
        if "reprise-curl" in self.targets:
            # The same Reprise with every upstream request on libcurl (`upstream.client: curl`):
            # what an https:// or host-name upstream (Replicate's own) goes through, since the
            # native engine serves http:// origins with an IP address host only.
            self._start_reprise(fake, "reprise-curl", client="curl")
        auth = {"Authorization": f"Bearer {self.token}"}
        for name, url in self.urls.items():
            deadline = time.monotonic() + 30
            while servers.http_request("GET", url + "/v1/models/replicate/hello-world", headers=auth)[0] != 200:
                if time.monotonic() > deadline:
                    raise servers.ProcessFailed(f"{name} never answered GET /v1/models/replicate/hello-world")
                time.sleep(0.05)

    def _start_nginx(self, upstream_port: int):
        if not Path(NGINX).exists() and not shutil.which("nginx"):
            raise servers.MissingPrerequisite("nginx not installed (scripts/install-deps.sh bench)")
        binary = NGINX if Path(NGINX).exists() else shutil.which("nginx")
        ngdir = self.workdir / "nginx"
        ngdir.mkdir(exist_ok=True)
        self.nginx_cache_dir = Path(tempfile.mkdtemp(prefix="reprise-bench-nginx-cache-",
                                                     dir="/dev/shm" if Path("/dev/shm").is_dir() else ngdir))
        last_error = ""
        for _ in range(5):
            port, cache_port = _free_port(), _free_port()
            conf = ngdir / "nginx.conf"
            conf.write_text(NGINX_CONF.format(
                dir=ngdir, cache_dir=self.nginx_cache_dir, port=port, cache_port=cache_port,
                upstream_port=upstream_port, workers=self.nginx_workers,
                user=pwd.getpwuid(os.geteuid()).pw_name))
            process = servers.ManagedProcess(
                "nginx", [binary, "-e", str(ngdir / "nginx-error.log"), "-p", str(ngdir), "-c", str(conf)],
                ngdir / "nginx-stderr.log", env=servers.clean_env())
            process.start()
            process.port = port
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and process.proc.poll() is None and not (
                    _port_open(port) and _port_open(cache_port)):
                time.sleep(0.02)
            if process.proc.poll() is None and _port_open(port) and _port_open(cache_port):
                return process, cache_port
            process.terminate()
            last_error = (ngdir / "nginx-error.log").read_text(errors="replace")[-500:]
        raise servers.ProcessFailed(f"nginx did not start: {last_error}")

    def _start_reprise(self, fake, name: str, client: Optional[str]) -> None:
        config = servers.write_reprise_config(
            self.workdir / f"{name}.yaml",
            upstream_url=fake.base_url,
            redis_url=self.redis_url,
            key_prefix=f"{name}-bench-{uuid.uuid4().hex[:8]}:",
            extra_yaml=REPRISE_EXTRA_YAML,
            upstream_client=client,
        )
        self.processes[name] = servers.start_reprise(self.workdir, config, log_name=f"{name}.log", name=name)
        self.urls[name] = self.processes[name].base_url

    def rss_kib(self, target: str) -> int:
        """VmRSS of the target's process and its children (nginx's workers)."""
        process = self.processes["nginx" if target == "nginx-cache" else target]
        return sum(_vm_rss_kib(pid) for pid in _process_tree(process.pid))

    def cpu_seconds(self, target: str) -> float:
        """User + system CPU time so far of the target's processes (nginx: master and workers;
        the fake for `fake`). Per request, it is a figure that other load on the machine
        changes far less than throughput."""
        process = self.processes["nginx" if target == "nginx-cache" else target]
        return sum(_cpu_seconds(pid) for pid in _process_tree(process.pid))

    def redis_cpu_seconds(self) -> float:
        """CPU time so far of the Redis reprise uses (0 when none was started)."""
        pid_file = self.redis_dir / "redis.pid"
        return _cpu_seconds(int(pid_file.read_text())) if pid_file.exists() else 0.0

    def redis_slowest_ms(self, reset: bool = False) -> int:
        """The slowest Redis command (or other latency event) since the last reset, in ms, from
        Redis's latency monitor (events under 10 ms are not recorded: 0). `reset` clears it."""
        if self.redis_url is None:
            return 0
        out = subprocess.run(["redis-cli", "-u", self.redis_url, "LATENCY", "RESET" if reset else "LATEST"],
                             check=True, capture_output=True, text=True).stdout.split()
        # LATEST prints, per event: name, time, latest ms, max ms.
        return 0 if reset else max((int(out[i + 3]) for i in range(0, len(out) - 3, 4)), default=0)

    def reprise_counter(self, name: str) -> float:
        """A counter from Reprise's /metrics, summed over its series (0 when absent)."""
        status, body = servers.http_request("GET", self.urls["reprise"] + "/metrics")
        if status != 200:
            raise RuntimeError(f"GET /metrics answered {status}")
        total = 0.0
        for line in body.decode().splitlines():
            if line.startswith(name) and not line.startswith("#"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def fake_counters(self) -> dict:
        status, body = servers.http_request("GET", self.urls["fake"] + "/_fake/counters")
        if status != 200:
            raise RuntimeError(f"GET /_fake/counters answered {status}")
        return json.loads(body)

    def logs(self) -> List[Path]:
        return [p.log_path for p in self.processes.values()]

    def __exit__(self, *exc) -> None:
        for name in ("reprise", "reprise-curl", "nginx", "fake"):
            process = self.processes.get(name)
            if process is not None:
                self.exit_codes[name] = process.terminate()
        if self.redis_url is not None or self.redis_dir.exists():
            subprocess.run([str(servers.REPO_ROOT / "scripts" / "redis-test.sh"), "stop", str(self.redis_dir)],
                           capture_output=True)
        if self.nginx_cache_dir is not None:
            subprocess.run(["rm", "-rf", str(self.nginx_cache_dir)], capture_output=True)


def _process_tree(pid: int) -> List[int]:
    pids, i = [pid], 0
    while i < len(pids):
        try:
            children = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        i += 1
    return pids


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3 of stat(5), utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _vm_rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
