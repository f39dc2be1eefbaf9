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
    """Median of each figure over rounds; errors and upstream creates are summed."""
    def med(key, sub=None):
        values = [r[key][sub] if sub else r[key] for r in runs]
        return statistics.median(values)

    out = {
        "rps": med("rps"),
        "p50_ms": med("latency_us", "p50") / 1000.0,
        "p99_ms": med("latency_us", "p99") / 1000.0,
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(sum(r["errors"].values()) for r in runs),
        "non2xx": sum(r["errors"]["status"] for r in runs),
        "rounds": len(runs),
        "cpu_us": med("cpu_us"),
        "redis_cpu_us": med("redis_cpu_us"),
    }
    if "upstream_creates" in runs[0]:
        out["upstream_creates"] = sum(r["upstream_creates"] for r in runs)
    if "redis_slowest_ms" in runs[0]:
        out["redis_slowest_ms"] = max(r["redis_slowest_ms"] for r in runs)
        out["grace_hits"] = sum(r["grace_hits"] for r in runs)
    return out


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _wrk_tables(scenarios, results) -> List[str]:
    lines = [
        "| scenario | target | requests/s | p50 ms | p99 ms | errors (non-2xx) | upstream creates "
        "| CPU µs/request (+ Redis) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    ratios = []
    for sc in scenarios:
        rows = results[sc.name]
        for target, r in rows.items():
            creates = f"{r['upstream_creates']:,}" if "upstream_creates" in r else "–"
            cpu = f"{r['cpu_us']:.1f}" + (f" (+ {r['redis_cpu_us']:.1f})" if target == "reprise" else "")
            lines.append(f"| {sc.name} | {target} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                         f"| {r['errors']} ({r['non2xx']}) | {creates} | {cpu} |")
        if "reprise" in rows and sc.baseline in rows:
            rp, base = rows["reprise"], rows[sc.baseline]
            ratios.append(f"| {sc.name} | {sc.baseline} | {_ratio(rp['rps'], base['rps'])} "
                          f"| {_ratio(rp['p50_ms'], base['p50_ms'])} | {_ratio(rp['p99_ms'], base['p99_ms'])} "
                          f"| {_ratio(rp['cpu_us'], base['cpu_us'])} |")
    lines += ["", "Reprise / baseline (requests/s: higher is better; latency and CPU: lower is better):", "",
              "| scenario | baseline | requests/s | p50 | p99 | CPU/request (without Redis) |",
              "|---|---|---:|---:|---:|---:|"] + ratios
    stalls = [(sc.name, results[sc.name]["reprise"]) for sc in scenarios
              if "redis_slowest_ms" in results[sc.name].get("reprise", {})]
    if stalls:
        lines += ["", "Redis during Reprise's runs: the slowest command its latency monitor saw (≥ 10 ms, "
                  "else 0; the lookup timeout is 50 ms) and the hits answered from the hot tier's grace "
                  "because a Redis read failed (`reprise_hot_tier_lookups_total{source=\"grace\"}`): "
                  + "; ".join(f"{name} {r['redis_slowest_ms']} ms, {r['grace_hits']:,} grace hits" for name, r in stalls)
                  + "."]
    return lines


def _sse_table(rows: Dict[str, dict]) -> List[str]:
    lines = ["| target | streams | first event p50 ms | p90 | p99 | whole stream p50 ms | p90 | p99 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for target, r in rows.items():
        f, w = r["first_ms"], r["whole_ms"]
        lines.append(f"| {target} | {r['streams']} | {f['p50']:.3f} | {f['p90']:.3f} | {f['p99']:.3f} "
                     f"| {w['p50']:.3f} | {w['p90']:.3f} | {w['p99']:.3f} |")
    return lines


def _idle_table(rows: Dict[str, dict]) -> List[str]:
    lines = ["| target | connections held | RSS before | RSS while held | per connection | RSS after closing "
             "| new-connection request p50 / p99 ms while held |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for target, r in rows.items():
        lines.append(f"| {target} | {r['connections']:,} | {r['rss_before_kib'] / 1024:.1f} MiB "
                     f"| {r['rss_held_kib'] / 1024:.1f} MiB | {r['per_connection_kib']:.2f} KiB "
                     f"| {r['rss_after_kib'] / 1024:.1f} MiB | {r['probe_ms']['p50']:.3f} / {r['probe_ms']['p99']:.3f} |")
    return lines


def goals(results) -> List[tuple]:
    """(goal, figure, met) for the goals of issues 2 and 8, from the figures of this run."""
    out = []
    pt = results.get("passthrough-get")
    if pt and "nginx" in pt and "reprise" in pt:
        rps = pt["reprise"]["rps"] / pt["nginx"]["rps"]
        p99 = pt["reprise"]["p99_ms"] / pt["nginx"]["p99_ms"]
        out.append(("pass-through requests/s ≥ 1.0× nginx", f"{rps:.2f}×", rps >= 1.0))
        out.append(("pass-through p99 no worse than nginx", f"{p99:.2f}×", p99 <= 1.0))
    for name in ("hit-small", "hit-8k"):
        hit = results.get(name)
        if hit and "nginx-cache" in hit and "reprise" in hit:
            rps = hit["reprise"]["rps"] / hit["nginx-cache"]["rps"]
            out.append((f"{name} requests/s ≥ 1.0× nginx proxy_cache", f"{rps:.2f}×", rps >= 1.0))
    sse = results.get("sse-200")
    if sse and "fake" in sse and "reprise" in sse:
        delta = sse["reprise"]["first_ms"]["p50"] - sse["fake"]["first_ms"]["p50"]
        out.append(("SSE first event ≤ +1 ms over the fake (p50)", f"{delta:+.3f} ms", delta <= 1.0))
    return out


def compare_markdown(args, scenarios, results, commands: List[str], notes: Dict[str, str]) -> str:
    by_kind = {kind: [sc for sc in scenarios if sc.kind == kind] for kind in ("wrk", "sse", "idle")}
    lines = [f"One session (`make bench`): every figure below comes from the same run, servers and machine.", ""]
    g = goals(results)
    if g:
        lines += ["Goals (issues 2 and 8):", "", "| goal | this run | met |", "|---|---:|---|"]
        lines += [f"| {goal} | {figure} | {'yes' if met else '**no**'} |" for goal, figure, met in g]
        lines.append("")
    if by_kind["wrk"]:
        lines += [f"Throughput: `wrk -t{args.threads} -c{args.connections}`, {args.warmup:.0f} s warm-up then "
                  f"{args.duration:.0f} s measured per target, {args.rounds} round(s) (median). "
                  "`upstream creates`: creates the fake received during the measured runs (summed over rounds).", ""]
        lines += _wrk_tables(by_kind["wrk"], results)
        lines.append("")
    for sc in by_kind["sse"]:
        lines += [f"SSE ({sc.name}): {sc.description}; a new connection per stream, targets interleaved, "
                  "time from connecting.", ""] + _sse_table(results[sc.name]) + [""]
    for sc in by_kind["idle"]:
        lines += [f"Idle connections ({sc.name}): {sc.description}.", ""] + _idle_table(results[sc.name]) + [""]
    lines += ["Scenarios:", ""] + [f"- `{sc.name}`: {sc.description}" for sc in scenarios] + [""]
    lines += ["wrk commands (ports and token are per run):", ""] + [f"- `{c}`" for c in commands]
    lines += ["", "Machine:", "", notes_block(notes)]
    return "\n".join(lines)


def soak_markdown(s: dict, args) -> str:
    e = s["errors"]
    return "\n".join([
        f"Soak ({s['scenario']}): wrk against reprise for {args.soak_duration:.0f} s at {args.connections} "
        f"connections (after a {args.warmup:.0f} s warm-up); reprise's VmRSS sampled every second.",
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


def streams_markdown(rows: Dict[str, dict], args, notes: Dict[str, str]) -> str:
    """The `streams` section: many streams open at once through one proxy, and its memory."""
    lines = [
        f"{args.streams_count:,} server-sent event streams open at once through one proxy "
        f"(`make bench-streams`, `bench/open_streams.py`): the fake sends one event every "
        f"{args.streams_interval_ms} ms ({args.streams_words} `output` events and `done` per stream), "
        f"each prediction's stream is opened by {max(1, args.clients_per_stream)} client(s) (Reprise relays "
        "a prediction's stream once to all its clients; nginx opens an upstream connection per client), "
        "the harness opens every stream on its own connection, samples the proxy's RSS (VmRSS; "
        "nginx: master and workers) when all of them have their response head, and reads each to its end.",
        "",
        "| target | streams | completed | all open after s | ended before all open | RSS before | RSS all open "
        "| max RSS | per stream | RSS after | total s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target, r in rows.items():
        lines.append(
            f"| {target} | {r['streams']:,} | {r['completed']:,} | {r['open_seconds']:.1f} "
            f"| {r['ended_before_all_open']:,} "
            f"| {r['rss_before_kib'] / 1024:.1f} MiB | {r['rss_all_open_kib'] / 1024:.1f} MiB "
            f"| {r['rss_max_kib'] / 1024:.1f} MiB | {r['per_stream_kib']:.1f} KiB "
            f"| {r['rss_after_kib'] / 1024:.1f} MiB | {r['total_seconds']:.1f} |")
    if "reprise" in rows:
        held = rows["reprise"]["rss_max_kib"] / 1024
        verdict = "met" if held <= 1024 and rows["reprise"]["completed"] == rows["reprise"]["streams"] else "missed"
        lines += ["", f"Goal (issue 4): {args.streams_count:,} concurrent streams within 1 GiB RSS, all complete: "
                      f"**{verdict}** (max {held:.1f} MiB)."]
    return "\n".join(lines) + "\n\nMachine:\n\n" + notes_block(notes)


def sse_paced_markdown(rows: Dict[str, dict], args, notes: Dict[str, str]) -> str:
    """The `sse-paced` section: whole streams through each target from a fake that paces them."""
    lines = [
        f"SSE, paced (`make bench-streams`, `sse_paced` in bench/bench.py): the fake sends one event every "
        f"{args.sse_paced_interval_ms} ms, as a model streams tokens; each stream is a new prediction "
        "(200 `output` events and `done`), opened on a new connection, targets interleaved; time from "
        "connecting to the first `event:` line and to `event: done`.",
        "",
    ] + _sse_table(rows)
    if "reprise" in rows and "fake" in rows:
        fake, rp = rows["fake"]["whole_ms"]["p50"], rows["reprise"]["whole_ms"]["p50"]
        added = rp - fake
        share = 100.0 * added / fake if fake > 0 else float("inf")
        first = rows["reprise"]["first_ms"]["p50"] - rows["fake"]["first_ms"]["p50"]
        lines += ["", f"Goals (issue 4): whole stream added ≤ 1 %: {added:+.3f} ms = {share:+.2f} % "
                      f"(p50): **{'met' if share <= 1.0 else 'missed'}**; first event added ≤ 1 ms: "
                      f"{first:+.3f} ms (p50): **{'met' if first <= 1.0 else 'missed'}**."]
    return "\n".join(lines) + "\n\nMachine:\n\n" + notes_block(notes)


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
