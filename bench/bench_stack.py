"""Starts and stops the servers of one benchmark session, all on loopback:
a throwaway Redis, fake-replicate (release, quiet), nginx (Debian's, foreground, generated
config) and reprise (release) — nginx and reprise both in front of the same fake."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import reprise_servers as servers  # noqa: E402

TARGETS = ("fake", "nginx", "reprise")
NGINX = "/usr/sbin/nginx"

# nginx in front of the fake, set up to be a fair peer of a streaming proxy:
# - keepalive pool to the upstream (HTTP/1.1, Connection cleared), as Reprise reuses
#   upstream connections;
# - proxy_buffering / proxy_request_buffering off: bodies are relayed as they arrive, as
#   Reprise streams them (it must, for SSE), instead of being buffered whole;
# - the access log is written (buffered) to a file, since Reprise logs every request too;
# - worker_processes matches the machine's cores (2 here), like Reprise's event loops.
NGINX_CONF = """\
daemon off;
master_process on;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log {dir}/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 100000;
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
    """Context manager: everything a benchmark run talks to. Stops all of it on exit."""

    def __init__(self, workdir: Path, targets, fake_loops: int, nginx_workers: str):
        self.workdir = workdir
        self.targets = tuple(targets)
        self.fake_loops = fake_loops
        self.nginx_workers = nginx_workers
        self.token = "r8_bench" + secrets.token_hex(16)
        self.redis_dir = workdir / "redis"
        self.redis_url: Optional[str] = None
        self.processes: Dict[str, servers.ManagedProcess] = {}
        self.exit_codes: Dict[str, Optional[int]] = {}

    def url(self, target: str) -> str:
        return self.processes[target].base_url

    def __enter__(self) -> "BenchStack":
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.processes["fake"] = servers.start_fake(
            self.workdir, [self.token], ["--quiet", "--loops", str(self.fake_loops)]
        )
        if "nginx" in self.targets:
            self.processes["nginx"] = self._start_nginx(self.processes["fake"].port)
        if "reprise" in self.targets:
            self.redis_url = subprocess.run(
                [str(servers.REPO_ROOT / "scripts" / "redis-test.sh"), "start", str(self.redis_dir)],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
            config = servers.write_reprise_config(
                self.workdir / "reprise.yaml",
                upstream_url=self.processes["fake"].base_url,
                redis_url=self.redis_url,
                key_prefix=f"reprise-bench-{uuid.uuid4().hex[:8]}:",
            )
            self.processes["reprise"] = servers.start_reprise(self.workdir, config)
        auth = {"Authorization": f"Bearer {self.token}"}
        for name, process in self.processes.items():
            process.wait_http_ok("/v1/models/replicate/hello-world", headers=auth)

    def _start_nginx(self, upstream_port: int) -> servers.ManagedProcess:
        if not Path(NGINX).exists() and not shutil.which("nginx"):
            raise servers.MissingPrerequisite("nginx not installed (scripts/install-deps.sh bench)")
        binary = NGINX if Path(NGINX).exists() else shutil.which("nginx")
        ngdir = self.workdir / "nginx"
        ngdir.mkdir(exist_ok=True)
        last_error = ""
        for _ in range(5):
            port = _free_port()
            conf = ngdir / "nginx.conf"
            conf.write_text(NGINX_CONF.format(
                dir=ngdir, port=port, upstream_port=upstream_port, workers=self.nginx_workers))
            process = servers.ManagedProcess(
                "nginx", [binary, "-e", str(ngdir / "nginx-error.log"), "-p", str(ngdir), "-c", str(conf)],
                ngdir / "nginx-stderr.log", env=servers.clean_env())
            process.start()
            process.port = port
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and process.proc.poll() is None and not _port_open(port):
                time.sleep(0.02)
            if process.proc.poll() is None and _port_open(port):
                return process
            process.terminate()
            last_error = (ngdir / "nginx-error.log").read_text(errors="replace")[-500:]
        raise servers.ProcessFailed(f"nginx did not start: {last_error}")

    def rss_kib(self, target: str) -> int:
        """VmRSS of the target's process (for nginx: the master only, so not used)."""
        status = Path(f"/proc/{self.processes[target].pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def logs(self) -> List[Path]:
        return [p.log_path for p in self.processes.values()]

    def __exit__(self, *exc) -> None:
        for name in ("reprise", "nginx", "fake"):
            process = self.processes.get(name)
            if process is not None:
                self.exit_codes[name] = process.terminate()
        if self.redis_url is not None or self.redis_dir.exists():
            subprocess.run([str(servers.REPO_ROOT / "scripts" / "redis-test.sh"), "stop", str(self.redis_dir)],
                           capture_output=True)
