#!/usr/bin/env python3
"""Reprise's benchmark harness (see bench/README.md).

  compare  every scenario against its targets (fake directly, nginx, reprise): warm-up, then
           a measured wrk run each; prints a table with Reprise/nginx ratios and writes the
           `compare` section of BENCHMARKS.md (or --output).
  soak     wrk against reprise for --soak-duration seconds, sampling reprise's VmRSS every
           second; reports errors and RSS start/end/max; fails on errors or RSS growth.
  smoke    compare + soak, seconds each, written to --output (never BENCHMARKS.md); fails
           unless every run served requests without a single error. `make test` runs it.

Standard library only; needs the release binaries, wrk, nginx and redis-server.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report as report  # noqa: E402
import scenarios as scenario_list  # noqa: E402
from bench_stack import BenchStack, servers  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
LUA = BENCH_DIR / "wrk" / "request.lua"


def wrk_command(args, url: str, scenario, token: str, duration: float, body_file: Optional[Path]) -> List[str]:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{_secs(duration)}", "--latency",
            "--timeout", "10s", "-s", str(LUA), url + scenario.path, "--", token, scenario.method]
    if body_file is not None:
        argv.append(str(body_file))
    return argv


def _secs(seconds: float) -> str:
    return f"{max(1, int(round(seconds)))}s"


def run_wrk(argv: List[str], log_path: Optional[Path]) -> dict:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if log_path is not None:
        with open(log_path, "a") as log:
            log.write("$ " + " ".join(argv) + "\n" + done.stdout + done.stderr + "\n")
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result = json.loads(line[len("BENCH_JSON "):])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6) if result["duration_us"] else 0.0
            return result
    raise RuntimeError(f"wrk printed no BENCH_JSON line:\n{done.stdout}")


def _display(argv: List[str], stack: BenchStack) -> str:
    """The wrk command as documented: the token and temp paths replaced by placeholders."""
    text = " ".join(argv).replace(stack.token, "$TOKEN").replace(str(BENCH_DIR.parent) + "/", "")
    for target in stack.processes:
        text = text.replace(stack.url(target), f"http://127.0.0.1:${target.upper()}_PORT")
    return text


def compare(args, stack: BenchStack, run_dir: Path):
    rows, commands = {}, []
    for scenario in scenario_list.select(args.scenario):
        if scenario.kind != "wrk":
            raise SystemExit(f"scenario {scenario.name}: runner '{scenario.kind}' not implemented")
        body_file = None
        if scenario.body is not None:
            body_file = run_dir / f"{scenario.name}.body.json"
            body_file.write_text(scenario.body)
        per_target = {t: [] for t in scenario.targets}
        for round_index in range(args.rounds):
            for target in scenario.targets:
                url = stack.url(target)
                log = run_dir / f"wrk-{scenario.name}-{target}.log"
                if args.warmup > 0:
                    run_wrk(wrk_command(args, url, scenario, stack.token, args.warmup, body_file), log)
                argv = wrk_command(args, url, scenario, stack.token, args.duration, body_file)
                result = run_wrk(argv, log)
                per_target[target].append(result)
                if round_index == 0:
                    commands.append(_display(argv, stack))
                print(f"  {scenario.name:<18} {target:<8} round {round_index + 1}: {result['rps']:>10,.0f} req/s  "
                      f"p50 {result['latency_us']['p50'] / 1000:.2f} ms  p99 {result['latency_us']['p99'] / 1000:.2f} ms  "
                      f"errors {sum(result['errors'].values())}", flush=True)
        rows[scenario.name] = {t: report.median_result(r) for t, r in per_target.items()}
    return rows, commands


def soak(args, stack: BenchStack, run_dir: Path) -> dict:
    scenario = scenario_list.select(["passthrough-get"])[0]
    url = stack.url("reprise")
    log = run_dir / "wrk-soak.log"
    if args.warmup > 0:
        run_wrk(wrk_command(args, url, scenario, stack.token, args.warmup, None), log)
    samples: List[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(stack.rss_kib("reprise"))
            stop.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    argv = wrk_command(args, url, scenario, stack.token, args.soak_duration, None)
    try:
        result = run_wrk(argv, log)
    finally:
        stop.set()
        sampler.join()
    samples.append(stack.rss_kib("reprise"))
    growth = samples[-1] - samples[0]
    return {
        "command": _display(argv, stack),
        "requests": result["requests"],
        "rps": result["rps"],
        "errors": result["errors"],
        "error_total": sum(result["errors"].values()),
        "rss_start_kib": samples[0],
        "rss_end_kib": samples[-1],
        "rss_max_kib": max(samples),
        "rss_growth_kib": growth,
        "samples_kib": samples,
        "flat": growth <= args.max_rss_growth_mib * 1024,
    }


def soak_markdown(s: dict, args) -> str:
    e = s["errors"]
    return "\n".join([
        f"Soak: wrk against reprise for {args.soak_duration:.0f} s at {args.connections} connections "
        f"(after a {args.warmup:.0f} s warm-up); reprise's VmRSS sampled every second.",
        "",
        "| requests | requests/s | errors: connect / read / write / timeout / non-2xx "
        "| RSS start | RSS end | RSS max | growth | verdict |",
        "|---:|---:|---|---:|---:|---:|---:|---|",
        f"| {s['requests']:,} | {s['rps']:,.0f} | {e['connect']} / {e['read']} / {e['write']} / {e['timeout']} / "
        f"{e['status']} | {s['rss_start_kib'] / 1024:.1f} MiB | {s['rss_end_kib'] / 1024:.1f} MiB "
        f"| {s['rss_max_kib'] / 1024:.1f} MiB | {s['rss_growth_kib'] / 1024:+.1f} MiB "
        f"| {'OK' if s['error_total'] == 0 and s['flat'] else 'FAIL'} "
        f"(limit {args.max_rss_growth_mib} MiB) |",
        "",
        "RSS samples (MiB): " + " ".join(f"{k / 1024:.1f}" for k in s["samples_kib"]),
        "",
        "Command: `" + s["command"] + "`",
    ])


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("compare", "soak", "smoke"))
    p.add_argument("--duration", type=float, default=15.0, help="seconds per measured wrk run (compare)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of wrk before each measured run")
    p.add_argument("--rounds", type=int, default=1, help="measured runs per target; the median is reported")
    p.add_argument("--soak-duration", type=float, default=60.0)
    p.add_argument("--max-rss-growth-mib", type=float, default=16.0, help="soak fails above this RSS growth")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--fake-loops", type=int, default=1, help="event loops of fake-replicate (--loops)")
    p.add_argument("--nginx-workers", default="auto", help="nginx worker_processes")
    p.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    p.add_argument("--output", type=Path, help="markdown file to write (default: BENCHMARKS.md; smoke: required)")
    p.add_argument("--results-dir", type=Path, help="where wrk and server logs go (default bench/results/<time>)")
    args = p.parse_args(argv)
    if args.mode == "smoke" and args.output is None:
        p.error("smoke needs --output (it never writes BENCHMARKS.md)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # SIGTERM (make interrupted, CI stopping) must still stop the servers and Redis started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    output = args.output or BENCH_DIR.parent / "BENCHMARKS.md"
    run_dir = args.results_dir or BENCH_DIR / "results" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        reprise_bin = servers.release_binary("reprise", "REPRISE_BIN")
    except servers.MissingPrerequisite as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    notes = report.machine_notes(reprise_bin)
    targets = {"fake", "reprise"}
    if args.mode != "soak":
        for scenario in scenario_list.select(args.scenario):
            targets.update(scenario.targets)
    failures: List[str] = []
    print(f"bench {args.mode}: logs in {run_dir}", flush=True)
    with BenchStack(run_dir / "servers", targets, args.fake_loops, args.nginx_workers) as stack:
        if args.mode in ("compare", "smoke"):
            rows, commands = compare(args, stack, run_dir)
            table = report.compare_table(rows)
            print("\n" + table + "\n")
            for name, per_target in rows.items():
                for target, r in per_target.items():
                    if r["requests"] == 0 or r["errors"]:
                        failures.append(f"{name}/{target}: {r['requests']} requests, {r['errors']} errors")
            body = "\n".join([
                f"Compare: `wrk -t{args.threads} -c{args.connections}`, {args.warmup:.0f} s warm-up then "
                f"{args.duration:.0f} s measured per target, {args.rounds} round(s) (median).",
                "", table, "", "Commands (ports and token are per run):", "",
                *[f"- `{c}`" for c in commands], "",
                "Not measured yet: " + "; ".join(f"{n} ({d})" for n, d in scenario_list.PLANNED) + ".",
                "", "Machine:", "", report.notes_block(notes),
            ])
            report.update_section(output, "compare", body)
        if args.mode in ("soak", "smoke"):
            if args.mode == "smoke":
                args.soak_duration = min(args.soak_duration, 3.0)
            result = soak(args, stack, run_dir)
            text = soak_markdown(result, args)
            print("\n" + text + "\n")
            if result["error_total"]:
                failures.append(f"soak: {result['error_total']} errors {result['errors']}")
            if not result["flat"] and args.mode == "soak":
                failures.append(f"soak: RSS grew {result['rss_growth_kib'] / 1024:.1f} MiB "
                                f"(limit {args.max_rss_growth_mib} MiB)")
            report.update_section(output, "soak", text + "\n\nMachine:\n\n" + report.notes_block(notes))
    for name, code in stack.exit_codes.items():
        if code != 0:
            failures.append(f"{name} exited with {code!r} after SIGTERM")
    print(f"bench {args.mode}: wrote {output}")
    if failures:
        print("bench: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
