"""reprise's command line: --version and --check-config (contract.md, "Commands")."""

from __future__ import annotations

import subprocess

from e2e_support import servers


def _run(binaries, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(binaries["reprise"]), *args], capture_output=True, text=True,
                          timeout=30, env=servers.clean_env(), stdin=subprocess.DEVNULL)


def test_version(binaries):
    completed = _run(binaries, "--version")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() or completed.stderr.strip()


def test_check_config_accepts_a_valid_file(binaries, tmp_path):
    config = servers.write_reprise_config(tmp_path / "ok.yaml", "http://127.0.0.1:9", "redis://127.0.0.1:6379/0", "t:")
    completed = _run(binaries, "--check-config", str(config))
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_check_config_names_file_and_line_of_an_unknown_key(binaries, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("listen: 127.0.0.1:0\nupstream:\n  url: http://127.0.0.1:9\n  no_such_key: 1\n")
    completed = _run(binaries, "--check-config", str(config))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert f"{config}:4:" in completed.stdout + completed.stderr
