"""Fixtures of the reliability suite.

Each test starts what it needs: its own redis-server (so that it can kill it), fake-replicate
and reprise (release builds) with a config written for the test. A missing binary fails the
test; nothing is skipped. At teardown reprise gets SIGTERM and must exit 0, and its log must
not contain any token the test used. Logs are attached to failed tests.

RELIABILITY_MODE=short (default; `make test`) runs every scenario in seconds; `long` (`make
reliability`) runs the full-size versions. Figures go to the JSON file named by
RELIABILITY_FIGURES (default: figures.json in the run's work directory); `report.py` turns
them into docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import reliability_support as support
from reliability_support import servers


@dataclass(frozen=True)
class Profile:
    """Sizes and durations of one mode. Timings are figures, never assertions."""

    name: str
    # Redis outage under wrk load.
    outage_connections: int
    outage_phase_seconds: float
    slow_redis_sleep_seconds: float
    slow_redis_sleeps: int
    # Abusive clients.
    attack_seconds: float
    slowloris_connections: int
    idle_connections: int
    # Lifecycle.
    sigterm_slow_creates: int
    # Soak.
    soak_seconds: float
    soak_sample_seconds: float
    soak_workers: int
    # Leak check: request rounds under valgrind (long mode compares two sizes).
    leak_rounds: tuple


PROFILES = {
    "short": Profile(
        name="short", outage_connections=8, outage_phase_seconds=1.5, slow_redis_sleep_seconds=1.5, slow_redis_sleeps=1,
        attack_seconds=2.0, slowloris_connections=200, idle_connections=2000, sigterm_slow_creates=12,
        soak_seconds=20, soak_sample_seconds=2, soak_workers=2, leak_rounds=(3,)),
    "long": Profile(
        name="long", outage_connections=32, outage_phase_seconds=10, slow_redis_sleep_seconds=1.5, slow_redis_sleeps=8,
        attack_seconds=10.0, slowloris_connections=1000, idle_connections=10000, sigterm_slow_creates=64,
        soak_seconds=600, soak_sample_seconds=10, soak_workers=6, leak_rounds=(3, 30)),
}


def _mode() -> str:
    mode = os.environ.get("RELIABILITY_MODE", "short")
    if mode not in PROFILES:
        raise pytest.UsageError(f"RELIABILITY_MODE={mode!r}: expected one of {sorted(PROFILES)}")
    return mode


@pytest.fixture(scope="session")
def profile() -> Profile:
    return PROFILES[_mode()]


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    return servers.work_directory("REPRISE_RELIABILITY_WORKDIR", lambda: tmp_path_factory.mktemp("reliability"))


class Figures:
    """What the scenarios measured, by scenario name; written as JSON at the end of the session."""

    def __init__(self, path: Path, mode: str):
        self.path = path
        self.data: Dict[str, dict] = {}
        self.meta = {
            "mode": mode,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}",
            "commit": _git_commit(),
        }

    def record(self, scenario: str, values: dict) -> None:
        # The machine is shared: its load when a scenario ended says how much to trust timings.
        values = dict(values, load_average_1m=round(os.getloadavg()[0], 2))
        self.data.setdefault(scenario, {}).update(values)
        self.write()

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"meta": self.meta, "scenarios": self.data}, indent=2, sort_keys=True) + "\n")


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=servers.REPO_ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@pytest.fixture(scope="session")
def figures(run_dir, profile) -> Figures:
    path = Path(os.environ.get("RELIABILITY_FIGURES") or (run_dir / "figures.json"))
    recorder = Figures(path, profile.name)
    yield recorder
    recorder.write()


# Processes of the running test, for the failure report.
_CURRENT: List[object] = []


@pytest.fixture
def workdir(run_dir, request) -> Path:
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    path = run_dir / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def redis_factory(workdir):
    """Starts redis-server instances owned by the test; all are stopped at teardown."""
    started: List[support.RedisServer] = []

    def factory(name: str = "redis", debug_command: bool = False) -> support.RedisServer:
        server = support.RedisServer(workdir, name=name, debug_command=debug_command)
        try:
            server.start()
        except (servers.MissingPrerequisite, servers.ProcessFailed) as error:
            pytest.fail(str(error), pytrace=False)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def stack_factory(workdir, redis_factory):
    """Starts fake + reprise (and a Redis unless one is given) with config overrides.

    At teardown: reprise gets SIGTERM and must exit 0 (a test that stopped it itself has
    checked that already), and no token of the stack may appear in reprise's log."""
    stacks: List[support.Stack] = []

    def factory(config: Optional[dict] = None, redis: Optional[support.RedisServer] = None, name: str = "stack",
                **kwargs) -> support.Stack:
        if redis is None and "redis_url" not in kwargs:
            redis = redis_factory()
        try:
            stack = support.start_stack(workdir / name, redis, config, **kwargs)
        except (servers.ProcessFailed, servers.MissingPrerequisite) as error:
            pytest.fail(str(error), pytrace=False)
        stacks.append(stack)
        _CURRENT.extend([stack.reprise, stack.fake])
        return stack

    yield factory

    problems = []
    for stack in stacks:
        already = stack.reprise.proc.poll() is not None
        code = stack.reprise.terminate(timeout=60)
        if not already and code != 0:
            problems.append(f"reprise ({stack.workdir.name}) exited with {code!r} after SIGTERM (expected 0)")
        stack.fake.terminate()
        leaked = support.tokens_found_in(stack.reprise.log_text(), stack.all_secrets())
        if leaked:
            problems.append(f"reprise's log ({stack.reprise.log_path}) contains {len(leaked)} token(s)")
    _CURRENT.clear()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for process in list(_CURRENT):
            report.sections.append((f"{process.name} log", process.describe_log(lines=80)))
    return report
