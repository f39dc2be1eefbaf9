#!/usr/bin/env python3
"""Reprise's benchmark harness (see bench/README.md).

  compare  every scenario against its targets (fake directly, nginx, nginx with proxy_cache,
           reprise) in one session: wrk scenarios (warm-up, then a measured run each), the
           SSE runner, the idle-connections runner; prints the tables with Reprise's ratios to
           each scenario's baseline and the goals met or missed, and writes the `compare`
           section of BENCHMARKS.md (or --output).
  soak     wrk against reprise for --soak-duration seconds, sampling reprise's VmRSS every
           second; reports errors and RSS start/end/max; fails on errors or RSS growth.
  streams  --streams-count (10,000) server-sent event streams open at once through each of
           --streams-target (reprise, nginx) against a fake with a slow stream; the proxy's
           RSS while all are open; fails unless every stream completes. Then whole SSE
           streams from a fake that paces its events (--sse-paced-interval-ms) through fake,
           nginx and reprise. Writes the `streams` and `sse-paced` sections of BENCHMARKS.md
           (or --output).
  smoke    compare + soak + a small streams run, seconds each, written to --output (never
           BENCHMARKS.md); fails unless every run served requests without a single error.
           `make test` runs it.

Standard library only; needs the release binaries, wrk, nginx and redis-server.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report as report  # noqa: E402
import open_streams  # noqa: E402
import runners  # noqa: E402
import scenarios as scenario_list  # noqa: E402
from bench_stack import BenchStack, servers  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
WRK_DIR = BENCH_DIR / "wrk"


def wrk_command(args, url: str, scenario, token: str, duration: float, script_args: List[str]) -> List[str]:
    return ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{_secs(duration)}", "--latency",
            "--timeout", "10s", "-s", str(WRK_DIR / scenario.lua), url + scenario.path, "--", token, *script_args]


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
    for target in sorted(stack.urls, key=len, reverse=True):
        text = text.replace(stack.url(target), f"http://127.0.0.1:${target.upper().replace('-', '_')}_PORT")
    return text


def prime(stack: BenchStack, target: str, scenario) -> None:
    """Sends the scenario's create with `Prefer: wait`, then repeats it until the target says
    `X-Cache-Status: HIT` (Reprise and the nginx cache both send that header)."""
    headers = {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json", "Prefer": "wait"}
    url = stack.url(target) + scenario.path
    deadline = time.monotonic() + 15
    while True:
        status, _, answer_headers = servers.http_exchange("POST", url, headers=headers, body=scenario.body.encode())
        if status == 201 and answer_headers.get("x-cache-status") == "HIT":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{scenario.name}/{target}: the create is not served from the cache (last {status})")
        time.sleep(0.05)


def wrk_scenario(args, stack: BenchStack, run_dir: Path, scenario, commands: List[str]) -> dict:
    script_args: List[str] = []
    if scenario.body is not None:
        body_file = run_dir / f"{scenario.name}.body.json"
        body_file.write_text(scenario.body)
        script_args = [scenario.method, str(body_file)]
    elif scenario.lua == "request.lua":
        script_args = [scenario.method]
    per_target = {t: [] for t in scenario.targets}
    for round_index in range(args.rounds):
        for target in scenario.targets:
            url = stack.url(target)
            log = run_dir / f"wrk-{scenario.name}-{target}.log"
            if scenario.prime:
                prime(stack, target, scenario)

            def argv_for(duration: float) -> List[str]:
                extra = [f"{scenario.name}-{target}-{secrets.token_hex(4)}"] if scenario.lua == "unique-create.lua" else []
                return wrk_command(args, url, scenario, stack.token, duration, script_args + extra)

            if args.warmup > 0:
                run_wrk(argv_for(args.warmup), log)
            creates_before = stack.fake_counters()["creates"]["total"] if scenario.count_creates else 0
            cpu_before, redis_before = stack.cpu_seconds(target), stack.redis_cpu_seconds()
            grace = 'reprise_hot_tier_lookups_total{source="grace"}'
            if target == "reprise":
                stack.redis_slowest_ms(reset=True)
                grace_before = stack.reprise_counter(grace)
            argv = argv_for(args.duration)
            result = run_wrk(argv, log)
            requests = max(1, result["requests"])
            result["cpu_us"] = (stack.cpu_seconds(target) - cpu_before) * 1e6 / requests
            result["redis_cpu_us"] = (stack.redis_cpu_seconds() - redis_before) * 1e6 / requests
            if target == "reprise":
                result["redis_slowest_ms"] = stack.redis_slowest_ms()
                result["grace_hits"] = int(stack.reprise_counter(grace) - grace_before)
            if scenario.count_creates:
                result["upstream_creates"] = stack.fake_counters()["creates"]["total"] - creates_before
            per_target[target].append(result)
            if round_index == 0:
                commands.append(_display(argv, stack))
            print(f"  {scenario.name:<16} {target:<11} round {round_index + 1}: {result['rps']:>9,.0f} req/s  "
                  f"p50 {result['latency_us']['p50'] / 1000:.2f} ms  p99 {result['latency_us']['p99'] / 1000:.2f} ms  "
                  f"errors {sum(result['errors'].values())}  CPU {result['cpu_us']:.1f} µs/req"
                  + (f"  upstream creates {result['upstream_creates']:,}" if scenario.count_creates else "")
                  + (f"  slowest Redis command {result['redis_slowest_ms']} ms, grace hits {result['grace_hits']:,}"
                     if target == "reprise" else ""),
                  flush=True)
    return {t: report.median_result(r) for t, r in per_target.items()}


def compare(args, stack: BenchStack, run_dir: Path):
    results, commands, failures = {}, [], []
    for scenario in scenario_list.select(args.scenario):
        if scenario.kind == "wrk":
            rows = wrk_scenario(args, stack, run_dir, scenario, commands)
            for target, r in rows.items():
                if r["requests"] == 0 or r["errors"]:
                    failures.append(f"{scenario.name}/{target}: {r['requests']} requests, {r['errors']} errors")
                if scenario.prime and r.get("upstream_creates"):
                    # Not a harness failure: Reprise fails open (forwards) when a Redis lookup
                    # times out, which a saturated machine can cause. Reported in the table.
                    print(f"  note: {scenario.name}/{target}: {r['upstream_creates']} of {r['requests']} requests "
                          "reached upstream (not answered from the cache)", flush=True)
        elif scenario.kind == "sse":
            rows = runners.sse(stack.urls, scenario.targets, stack.token, args.sse_iterations, time_limit=300)
            for target, r in rows.items():
                print(f"  {scenario.name:<16} {target:<11} {r['streams']} streams: first event p50 "
                      f"{r['first_ms']['p50']:.3f} ms, whole stream p50 {r['whole_ms']['p50']:.3f} ms", flush=True)
        elif scenario.kind == "idle":
            rows = {}
            for target in scenario.targets:
                rows[target] = runners.idle(stack.url(target), stack.token, args.idle_connections,
                                            lambda t=target: stack.rss_kib(t))
                r = rows[target]
                print(f"  {scenario.name:<16} {target:<11} RSS {r['rss_before_kib'] / 1024:.1f} → "
                      f"{r['rss_held_kib'] / 1024:.1f} MiB with {r['connections']:,} held "
                      f"({r['per_connection_kib']:.2f} KiB each), {r['rss_after_kib'] / 1024:.1f} MiB after", flush=True)
        else:
            raise SystemExit(f"scenario {scenario.name}: unknown runner '{scenario.kind}'")
        results[scenario.name] = rows
    return results, commands, failures


def soak(args, stack: BenchStack, run_dir: Path) -> dict:
    scenario = scenario_list.select([args.soak_scenario])[0]
    if scenario.kind != "wrk" or scenario.lua != "request.lua":
        raise SystemExit(f"--soak-scenario {scenario.name}: only fixed-request wrk scenarios can soak")
    script_args = [scenario.method]
    if scenario.body is not None:
        body_file = run_dir / f"{scenario.name}.body.json"
        body_file.write_text(scenario.body)
        script_args.append(str(body_file))
    if scenario.prime:
        prime(stack, "reprise", scenario)
    url = stack.url("reprise")
    log = run_dir / "wrk-soak.log"
    if args.warmup > 0:
        run_wrk(wrk_command(args, url, scenario, stack.token, args.warmup, script_args), log)
    samples: List[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(stack.rss_kib("reprise"))
            stop.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    argv = wrk_command(args, url, scenario, stack.token, args.soak_duration, script_args)
    try:
        result = run_wrk(argv, log)
    finally:
        stop.set()
        sampler.join()
    samples.append(stack.rss_kib("reprise"))
    growth = samples[-1] - samples[0]
    return {
        "scenario": scenario.name,
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


def raise_open_file_limit(needed: int) -> None:
    """The idle and streams runs hold many sockets here and in the proxy (a child, which
    inherits the limit; a relayed stream takes two descriptors in the proxy): `ulimit -n` to
    `needed` per process, raising the hard limit too when allowed (CAP_SYS_RESOURCE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            return
        except (ValueError, OSError):
            raise SystemExit(f"bench: the open-file hard limit is {hard} and cannot be raised; this run needs {needed}")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def streams(args, run_dir: Path, notes) -> tuple:
    """Runs `open_streams` against each of --streams-target, on a stack of its own: the fake
    paces its streams (one event every --streams-interval-ms) and keeps enough predictions and
    connections for the run."""
    count = args.streams_count
    # Each prediction's stream is opened by `per` clients: through Reprise they share one relay
    # (one upstream connection), through nginx each client has its own upstream connection.
    per = max(1, args.clients_per_stream)
    predictions = -(-count // per)
    fake_args = ["--quiet", "--start-delay-ms", "0", "--run-ms", "0",
                 "--stream-interval-ms", str(args.streams_interval_ms),
                 "--max-predictions", str(max(10_000, 2 * count * len(args.streams_target))),
                 "--max-connections", str(2 * count + 2048)]
    rows, failures = {}, []
    with BenchStack(run_dir / "servers-streams", set(args.streams_target), args.fake_loops, args.nginx_workers,
                    fake_args=fake_args) as stack:
        for target in args.streams_target:
            created = open_streams.create_streams(stack.url(target), stack.token, predictions, args.streams_words)
            urls = [u for u in created for _ in range(per)][:count]
            if target == "nginx":  # nginx does not rewrite URLs: the fake's stream URL, on nginx's port
                urls = [u.replace(stack.url("fake"), stack.url("nginx"), 1) for u in urls]
            try:
                rows[target] = r = open_streams.run_streams(urls, stack.token, args.streams_words,
                                                            lambda t=target: stack.rss_kib(t))
            except open_streams.StreamsError as error:
                failures.append(f"streams/{target}: {error}")
                continue
            print(f"  streams          {target:<11} {r['completed']:,}/{r['streams']:,} complete; all open after "
                  f"{r['open_seconds']:.1f} s; RSS {r['rss_before_kib'] / 1024:.1f} → {r['rss_all_open_kib'] / 1024:.1f} "
                  f"MiB (max {r['rss_max_kib'] / 1024:.1f}, {r['per_stream_kib']:.1f} KiB per stream)", flush=True)
    for name, code in stack.exit_codes.items():
        if code != 0:
            failures.append(f"{name} (streams stack) exited with {code!r} after SIGTERM")
    return report.streams_markdown(rows, args, notes), failures


def sse_paced(args, run_dir: Path, notes) -> tuple:
    """The sse runner against a fake that paces its events (one every --sse-paced-interval-ms),
    as a model streams tokens: what the proxy adds to the whole stream when the stream's own
    time dominates (the `sse-200` scenario streams every event at once, so its whole-stream time
    is mostly the one-time cost of opening the stream)."""
    fake_args = ["--quiet", "--start-delay-ms", "0", "--run-ms", "0",
                 "--stream-interval-ms", str(args.sse_paced_interval_ms)]
    targets = ["fake", "nginx", "reprise"]
    failures = []
    with BenchStack(run_dir / "servers-sse-paced", set(targets), args.fake_loops, args.nginx_workers,
                    fake_args=fake_args) as stack:
        try:
            rows = runners.sse(stack.urls, targets, stack.token, args.sse_paced_iterations, time_limit=900)
        except runners.RunnerError as error:
            rows = {}
            failures.append(f"sse-paced: {error}")
        for target, r in rows.items():
            print(f"  sse-paced        {target:<11} {r['streams']} streams: first event p50 {r['first_ms']['p50']:.3f} ms, "
                  f"whole stream p50 {r['whole_ms']['p50']:.3f} ms", flush=True)
    for name, code in stack.exit_codes.items():
        if code != 0:
            failures.append(f"{name} (sse-paced stack) exited with {code!r} after SIGTERM")
    return report.sse_paced_markdown(rows, args, notes), failures


def streams_and_paced(args, run_dir: Path, notes, output: Path) -> List[str]:
    """The open-streams run, then the paced SSE run, each printed and written to its section."""
    failures: List[str] = []
    for section, run in (("streams", streams), ("sse-paced", sse_paced)):
        text, run_failures = run(args, run_dir, notes)
        print("\n" + text + "\n")
        report.update_section(output, section, text)
        failures += run_failures
    return failures


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("compare", "soak", "streams", "smoke"))
    p.add_argument("--duration", type=float, default=15.0, help="seconds per measured wrk run (compare)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of wrk before each measured run")
    p.add_argument("--rounds", type=int, default=1, help="measured runs per target; the median is reported")
    p.add_argument("--soak-duration", type=float, default=60.0)
    p.add_argument("--soak-scenario", default="passthrough-get",
                   help="what the soak sends (a fixed-request wrk scenario; hit-small soaks the hit path)")
    p.add_argument("--max-rss-growth-mib", type=float, default=16.0, help="soak fails above this RSS growth")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--sse-iterations", type=int, default=200, help="streams per target (sse scenario)")
    p.add_argument("--idle-connections", type=int, default=10_000, help="connections held (idle scenario)")
    p.add_argument("--streams-count", type=int, default=10_000, help="streams open at once (streams)")
    p.add_argument("--clients-per-stream", type=int, default=2,
                   help="clients opening each prediction's stream (streams): 2 fits 10,000 client streams "
                        "under a 20,000 open-file limit, since Reprise holds one upstream connection per "
                        "shared relay")
    p.add_argument("--streams-words", type=int, default=30, help="output events per stream, at least 2 (streams)")
    p.add_argument("--streams-interval-ms", type=int, default=1000, help="time between two events (streams)")
    p.add_argument("--sse-paced-iterations", type=int, default=20,
                   help="streams per target of the paced SSE run (streams mode)")
    p.add_argument("--sse-paced-interval-ms", type=int, default=10,
                   help="time between two events of the paced SSE run (streams mode)")
    p.add_argument("--streams-target", action="append", choices=("reprise", "nginx"),
                   help="proxy to open streams through (repeatable; default reprise and nginx)")
    p.add_argument("--fake-loops", type=int, default=1, help="event loops of fake-replicate (--loops)")
    p.add_argument("--nginx-workers", default="auto", help="nginx worker_processes")
    p.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    p.add_argument("--output", type=Path, help="markdown file to write (default: BENCHMARKS.md; smoke: required)")
    p.add_argument("--results-dir", type=Path, help="where wrk and server logs go (default bench/results/<time>)")
    args = p.parse_args(argv)
    if args.mode == "smoke" and args.output is None:
        p.error("smoke needs --output (it never writes BENCHMARKS.md)")
    if not args.streams_target:
        args.streams_target = ["reprise", "nginx"]
    if args.mode == "smoke":
        args.streams_count, args.streams_words = min(args.streams_count, 50), min(args.streams_words, 5)
        args.streams_interval_ms = min(args.streams_interval_ms, 100)
        args.sse_paced_iterations, args.sse_paced_interval_ms = min(args.sse_paced_iterations, 2), 1
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
    if args.mode in ("compare", "smoke"):
        for scenario in scenario_list.select(args.scenario):
            targets.update(scenario.targets)
        raise_open_file_limit(args.idle_connections + 1024)
    if args.mode in ("streams", "smoke"):
        # Per process: the proxy holds a descriptor per client stream and one per upstream stream
        # (Reprise: one per shared relay; nginx spreads its upstream connections over its workers).
        per = max(1, args.clients_per_stream)
        raise_open_file_limit(args.streams_count + -(-args.streams_count // per) + 1024)
    failures: List[str] = []
    print(f"bench {args.mode}: logs in {run_dir}", flush=True)
    if args.mode == "streams":
        failures = streams_and_paced(args, run_dir, notes, output)
        print(f"bench {args.mode}: wrote {output}")
        if failures:
            print("bench: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
            return 1
        return 0
    with BenchStack(run_dir / "servers", targets, args.fake_loops, args.nginx_workers) as stack:
        if args.mode in ("compare", "smoke"):
            results, commands, failures = compare(args, stack, run_dir)
            text = report.compare_markdown(args, scenario_list.select(args.scenario), results, commands, notes)
            print("\n" + text + "\n")
            report.update_section(output, "compare", text)
        if args.mode in ("soak", "smoke"):
            if args.mode == "smoke":
                args.soak_duration = min(args.soak_duration, 3.0)
            result = soak(args, stack, run_dir)
            text = report.soak_markdown(result, args)
            print("\n" + text + "\n")
            if result["error_total"]:
                failures.append(f"soak: {result['error_total']} errors {result['errors']}")
            if not result["flat"] and args.mode == "soak":
                failures.append(f"soak: RSS grew {result['rss_growth_kib'] / 1024:.1f} MiB "
                                f"(limit {args.max_rss_growth_mib} MiB)")
            section = "soak" if args.soak_scenario == "passthrough-get" else f"soak-{args.soak_scenario}"
            report.update_section(output, section, text + "\n\nMachine:\n\n" + report.notes_block(notes))
    for name, code in stack.exit_codes.items():
        if code != 0:
            failures.append(f"{name} exited with {code!r} after SIGTERM")
    if args.mode == "smoke":
        failures += streams_and_paced(args, run_dir, notes, output)
    print(f"bench {args.mode}: wrote {output}")
    if failures:
        print("bench: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
