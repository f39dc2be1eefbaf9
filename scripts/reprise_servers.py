"""Start, watch and stop Reprise's processes (reprise, fake-replicate) for the end-to-end
suite (Tests/e2e) and the benchmark harness (bench/).

Standard library only, so that the bench harness runs with any python3 and the e2e suite
with its venv. Every process gets a log file (its stdout and stderr), binds port 0 and
reports the port it got through --port-file; nothing here guesses a port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent

# Environment variables that override reprise's config file (contract.md). Processes started
# here get a config written for them, so inherited overrides are removed.
REPRISE_ENV_OVERRIDES = ("REPRISE_LISTEN", "REPRISE_PUBLIC_URL", "REPRISE_UPSTREAM_URL", "REPRISE_REDIS_URL")

HELLO_WORLD_VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"


class MissingPrerequisite(Exception):
    """Something the suite needs is not there (a binary, an env var). Never a skip."""


class ProcessFailed(Exception):
    """A managed process exited early or did not become ready."""


def release_binary(name: str, env_var: str) -> Path:
    """The binary named by `env_var`, else `.build/release/<name>`; it must exist."""
    configured = os.environ.get(env_var)
    path = Path(configured) if configured else REPO_ROOT / ".build" / "release" / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise MissingPrerequisite(
            f"{name} binary not found at {path} (set {env_var} or run `swift build -c release`; "
            f"`make test` does both)"
        )
    return path


def release_binaries() -> dict:
    """Both release binaries: {"reprise": path, "fake": path}; MissingPrerequisite if one is absent."""
    return {
        "reprise": release_binary("reprise", "REPRISE_BIN"),
        "fake": release_binary("fake-replicate", "FAKE_REPLICATE_BIN"),
    }


def work_directory(env_var: str, make_temporary) -> Path:
    """The directory named by `env_var` (created if missing), else `make_temporary()`: the test
    scripts name one to keep a failed run's logs; a plain pytest run gets a temporary one."""
    configured = os.environ.get(env_var)
    if not configured:
        return make_temporary()
    path = Path(configured)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_env(extra: Optional[Mapping[str, str]] = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in REPRISE_ENV_OVERRIDES}
    if extra:
        env.update(extra)
    return env


@dataclass
class ManagedProcess:
    """One child process with its log file and the port it reported."""

    name: str
    argv: Sequence[str]
    log_path: Path
    port_file: Optional[Path] = None
    env: Optional[Mapping[str, str]] = None
    proc: Optional[subprocess.Popen] = None
    port: Optional[int] = None
    returncode: Optional[int] = None
    _log_handle: object = field(default=None, repr=False)

    def start(self, ready_timeout: float = 30.0) -> "ManagedProcess":
        if self.port_file is not None and self.port_file.exists():
            self.port_file.unlink()
        self._log_handle = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            list(self.argv),
            stdin=subprocess.DEVNULL,
            stdout=self._log_handle,
            stderr=self._log_handle,
            env=dict(self.env) if self.env is not None else None,
        )
        if self.port_file is not None:
            self.port = self._wait_for_port(ready_timeout)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_for_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ensure_running()
            try:
                text = self.port_file.read_text().strip()
                if text:
                    port = int(text)
                    if 0 < port < 65536:
                        return port
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        raise ProcessFailed(
            f"{self.name} did not write its port to {self.port_file} within {timeout:.0f}s\n"
            f"{self.describe_log()}"
        )

    def ensure_running(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise ProcessFailed(
                f"{self.name} exited early with code {self.proc.returncode}: {' '.join(self.argv)}\n"
                f"{self.describe_log()}"
            )

    def wait_http_ok(self, path: str, headers: Optional[Mapping[str, str]] = None, timeout: float = 30.0) -> None:
        """Polls `path` until it answers 200 (the process reports its port before it may serve)."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            self.ensure_running()
            status, body = http_request("GET", self.base_url + path, headers=headers)
            if status == 200:
                return
            last = f"{status} {body[:200]!r}"
            time.sleep(0.05)
        raise ProcessFailed(f"{self.name}: GET {path} never answered 200 (last: {last})\n{self.describe_log()}")

    def terminate(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, wait; SIGKILL after `timeout`. Returns the exit code (None if killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = None
                self._close_log()
                return None
        self.returncode = self.proc.returncode
        self._close_log()
        return self.returncode

    def _close_log(self) -> None:
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def log_text(self, start: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def describe_log(self, start: int = 0, lines: int = 150) -> str:
        text = self.log_text(start).splitlines()
        shown = text[-lines:]
        cut = f" (last {lines} of {len(text)} lines)" if len(text) > lines else ""
        return f"--- {self.name} log {self.log_path}{cut} ---\n" + "\n".join(shown) + f"\n--- end of {self.name} log ---"


def http_request(*args, **kwargs) -> tuple:
    """(status, body bytes) of `http_exchange` (same arguments); status 0 when nothing answered."""
    return http_exchange(*args, **kwargs)[:2]


def http_exchange(
    method: str,
    url: str,
    headers: Optional[Mapping[str, str]] = None,
    body: Optional[bytes] = None,
    timeout: float = 5.0,
) -> tuple:
    """(status, body bytes, response headers with lowercase names); status 0 when nothing
    answered."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        return 0, str(error).encode(), {}


def start_fake(
    workdir: Path,
    tokens: Sequence[str],
    extra_args: Sequence[str] = (),
    log_name: str = "fake-replicate.log",
) -> ManagedProcess:
    binary = release_binary("fake-replicate", "FAKE_REPLICATE_BIN")
    argv = [str(binary), "--listen", "127.0.0.1:0", "--port-file", str(workdir / "fake.port")]
    for token in tokens:
        argv += ["--token", token]
    argv += list(extra_args)
    fake = ManagedProcess("fake-replicate", argv, workdir / log_name, workdir / "fake.port", env=clean_env())
    fake.start()
    fake.wait_http_ok(
        "/v1/models/replicate/hello-world", headers={"Authorization": f"Bearer {tokens[0]}"}
    )
    return fake


def write_reprise_config(
    path: Path,
    upstream_url: str,
    redis_url: str,
    key_prefix: str,
    extra_yaml: str = "",
    upstream_client: Optional[str] = None,
) -> Path:
    """A config in the contract's format (contract.md, "Config file"); `upstream_client` sets
    `upstream.client` (native | curl) when given."""
    path.write_text(
        "# Generated for a test or benchmark run.\n"
        "listen: 127.0.0.1:0\n"
        "upstream:\n"
        f"  url: {upstream_url}\n"
        "  timeout: 60s\n"
        + (f"  client: {upstream_client}\n" if upstream_client else "")
        + "redis:\n"
        f"  url: {redis_url}\n"
        f'  key_prefix: "{key_prefix}"\n'
        "cache:\n"
        "  default_ttl: 1h\n" + extra_yaml
    )
    return path


def start_reprise(workdir: Path, config_path: Path, log_name: str = "reprise.log",
                  name: str = "reprise") -> ManagedProcess:
    binary = release_binary("reprise", "REPRISE_BIN")
    port_file = workdir / f"{name}.port"
    argv = [str(binary), "--config", str(config_path), "--port-file", str(port_file)]
    reprise = ManagedProcess(name, argv, workdir / log_name, port_file, env=clean_env())
    reprise.start()
    reprise.wait_http_ok("/healthz")
    return reprise
