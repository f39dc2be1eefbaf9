"""Turns benchmark results into text: the console table, the markdown sections of
BENCHMARKS.md (each between its own markers, so a compare run keeps the soak section and
the other way round), and notes about the machine the figures come from."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

HEADER = """\
# Benchmarks

Reprise against Debian's nginx, both proxying to the repo's fake Replicate API on the same
machine. Written by the bench harness (`make bench`, `make bench-soak`; see bench/README.md):
do not edit the sections between the markers by hand.
"""


def _first_line(argv: List[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0].strip() if text else "unavailable"


def machine_notes(reprise_binary: Optional[Path]) -> Dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    notes = {
        "date (UTC)": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "load average at start": load,
        "kernel": platform.release(),
        "nginx": _first_line(["/usr/sbin/nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]),
        "swift": _first_line(["swift", "--version"]),
        "redis": _first_line(["redis-server", "--version"]),
    }
    if reprise_binary is not None:
        notes["reprise"] = _first_line([str(reprise_binary), "--version"])
    return notes


def median_result(runs: List[dict]) -> dict:
    """Median of each figure over rounds; errors are summed (any error is reported)."""
    def med(key, sub=None):
        values = [r[key][sub] if sub else r[key] for r in runs]
        return statistics.median(values)

    return {
        "rps": med("rps"),
        "p50_ms": med("latency_us", "p50") / 1000.0,
        "p99_ms": med("latency_us", "p99") / 1000.0,
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(sum(r["errors"].values()) for r in runs),
        "non2xx": sum(r["errors"]["status"] for r in runs),
        "rounds": len(runs),
    }


def compare_table(scenario_rows: Dict[str, Dict[str, dict]]) -> str:
    lines = [
        "| scenario | target | requests/s | p50 ms | p99 ms | errors (non-2xx) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    ratios = []
    for scenario, rows in scenario_rows.items():
        for target, r in rows.items():
            lines.append(
                f"| {scenario} | {target} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                f"| {r['errors']} ({r['non2xx']}) |"
            )
        if "reprise" in rows and "nginx" in rows:
            rp, ng = rows["reprise"], rows["nginx"]
            ratios.append(
                f"| {scenario} | {_ratio(rp['rps'], ng['rps'])} | {_ratio(rp['p50_ms'], ng['p50_ms'])} "
                f"| {_ratio(rp['p99_ms'], ng['p99_ms'])} |"
            )
    if ratios:
        lines += ["", "Reprise / nginx (requests/s: higher is better; latency: lower is better):", "",
                  "| scenario | requests/s | p50 | p99 |", "|---|---:|---:|---:|"] + ratios
    return "\n".join(lines)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def notes_block(notes: Dict[str, str]) -> str:
    return "\n".join(f"- {k}: {v}" for k, v in notes.items())


def update_section(path: Path, key: str, body: str) -> None:
    """Replaces the text between `<!-- bench:KEY:start -->` and `<!-- bench:KEY:end -->`."""
    start, end = f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
