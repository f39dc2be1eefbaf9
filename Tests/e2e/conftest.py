"""Session fixtures of the end-to-end suite.

One fake-replicate and one reprise (release builds) per session, each on a port it chose
(--port-file), reprise configured to use the fake and the Redis named by
REPRISE_TEST_REDIS_URL (`make test` starts one). A missing binary or variable fails the
tests; nothing is skipped. At teardown both get SIGTERM and must exit 0, and neither
reprise's log nor any key or value it left in Redis may contain a token the suite used
(docs/threat-model.md). Logs are attached to failed tests.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import e2e_support as support
from e2e_support import servers

_ACTIVE: Optional[support.Stack] = None
_LOG_OFFSETS: Dict[str, Dict[str, int]] = {}


def _require(what: str, value: Optional[str]) -> str:
    if not value:
        pytest.fail(f"{what} is not set: run the suite with `make test` (or `make e2e`)", pytrace=False)
    return value


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _require("REPRISE_TEST_REDIS_URL", os.environ.get("REPRISE_TEST_REDIS_URL"))


@pytest.fixture(scope="session")
def binaries() -> Dict[str, Path]:
    try:
        return servers.release_binaries()
    except servers.MissingPrerequisite as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return servers.work_directory("REPRISE_E2E_WORKDIR", lambda: tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def stack(binaries, redis_url, workdir):
    global _ACTIVE
    token, other_token, invalid_token = support.new_token(), support.new_token(), support.new_token()
    key_prefix = f"reprise-e2e-{uuid.uuid4().hex[:8]}:"
    started: List[servers.ManagedProcess] = []
    try:
        fake = servers.start_fake(
            workdir,
            tokens=[token, other_token],
            extra_args=["--page-size", str(support.FAKE_PAGE_SIZE), "--stream-interval-ms", "5"],
        )
        started.append(fake)
        key_prefix = f"reprise-e2e-{uuid.uuid4().hex[:8]}:"
        config = servers.write_reprise_config(
            workdir / "reprise.yaml",
            upstream_url=fake.base_url,
            redis_url=redis_url,
            key_prefix=key_prefix,
            # Webhook receivers in the tests listen on loopback, which the SSRF guard refuses.
            extra_yaml=support.E2E_CONFIG_EXTRA + "webhooks:\n  allow_private: true\n",
        )
        reprise = servers.start_reprise(workdir, config)
        started.append(reprise)
    except (servers.ProcessFailed, servers.MissingPrerequisite) as error:
        for process in started:
            process.terminate()
        pytest.fail(str(error), pytrace=False)

    _ACTIVE = support.Stack(
        workdir=workdir,
        redis_url=redis_url,
        token=token,
        other_token=other_token,
        invalid_token=invalid_token,
        fake=fake,
        reprise=reprise,
        config_path=config,
        key_prefix=key_prefix,
    )
    yield _ACTIVE
    _ACTIVE = None

    problems = []
    # Reprise first: it must drain while its upstream is still there.
    for process in (reprise, fake):
        code = process.terminate()
        if code != 0:
            problems.append(f"{process.name} exited with {code!r} after SIGTERM (expected 0)")
    log = reprise.log_text()
    stored = support.redis_contents(redis_url, key_prefix)
    if not stored:
        problems.append(f"Redis holds no key under {key_prefix!r}: the check for stored tokens would prove nothing")
    for name, value in (("token", token), ("other token", other_token), ("invalid token", invalid_token)):
        if value in log:
            problems.append(f"reprise's log contains the {name} (tokens must never be logged)")
        for key, content in stored.items():
            if value.encode() in key or value.encode() in content:
                problems.append(f"Redis key {key!r} holds the {name} (only its SHA-256 may be stored)")
    if problems:
        pytest.fail(
            "\n".join(problems) + "\n" + reprise.describe_log() + "\n" + fake.describe_log(),
            pytrace=False,
        )


@pytest.fixture
def py1(stack):
    """Factory of recording replicate 1.x clients; closes them after the test."""
    made: List[support.RecordingClient] = []

    def factory(token: Optional[str] = None, base_url: Optional[str] = None) -> support.RecordingClient:
        client = support.make_py1_client(stack, token=token, base_url=base_url)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _ACTIVE is not None:
        _LOG_OFFSETS[item.nodeid] = {p.name: p.log_size() for p in (_ACTIVE.fake, _ACTIVE.reprise)}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and _ACTIVE is not None:
        offsets = _LOG_OFFSETS.get(item.nodeid, {})
        for process in (_ACTIVE.reprise, _ACTIVE.fake):
            report.sections.append(
                (f"{process.name} log during this test", process.describe_log(offsets.get(process.name, 0)))
            )
    return report
