#!/usr/bin/env python3
"""Writes the figures of a reliability run into docs/reliability.md.

    report.py FIGURES_JSON DOC_MD

The doc's prose is hand-written; each figure block sits between
`<!-- figures:begin NAME -->` and `<!-- figures:end NAME -->` and is replaced with what the run
measured (the JSON that Tests/reliability/conftest.py writes). A block whose scenario did not
run is left as it was. Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable, Dict, List


def _ms(us) -> str:
    return "–" if us is None else f"{us / 1000:.2f}"


def _num(x, digits: int = 2) -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.{digits}f}"
    return f"{int(x):,}"


def _codes(counts: Dict[str, int]) -> str:
    return ", ".join(f"{k}: {_num(v)}" for k, v in sorted(counts.items())) or "–"


# Phases in the order they ran (the JSON keeps them sorted by name).
OUTAGE_PHASES = ("before", "outage", "restarting", "recovered")
ABUSE_PHASES = ("baseline", "slowloris", "oversize", "idle", "malformed", "smuggling", "after")


def _ordered(by_phase: dict, order) -> list:
    return [(p, by_phase[p]) for p in order if p in by_phase] + \
        [(p, v) for p, v in by_phase.items() if p not in order]


def _table(header: List[str], rows: List[List[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def redis_outage(d: dict) -> str:
    w = d["wrk"]
    rows = [[phase, _num(p["n"]), _num(p["p50_ms"]), _num(p["p99_ms"]), _num(p["max_ms"]),
             _codes(d["probe_cache"][phase])] for phase, p in _ordered(d["probe"], OUTAGE_PHASES)]
    return "\n".join([
        f"wrk, {w['connections']} connections, creates over 16 inputs: **{_num(w['requests'])} requests in "
        f"{w['seconds']} s ({_num(w['rps'])}/s)**, status codes {_codes(w['status'])}, socket errors "
        f"{w['socket_errors']}, X-Cache-Status {_codes(w['cache'])}.",
        "",
        f"- `reprise_redis_errors_total` grew by **{_num(d['redis_errors_delta'])}**; lookups counted "
        f"`result=\"error\"`: {_num(d['lookup_errors_delta'])}"
        + (f"; hits answered from the hot tier's grace while Redis was away: **{_num(d['grace_hits_during_outage'])}**."
           if "grace_hits_during_outage" in d else "."),
        f"- `/readyz` answered 503 **{d['readyz_503_after_s'] * 1000:.0f} ms** after the kill: `{d['readyz_body']}`",
        f"- After `redis-server` was started again on the same port: `/readyz` 200 after "
        f"**{d['readyz_200_after_restart_s']:.2f} s**, hits growing again after {d['hits_resumed_after_restart_s']:.2f} s.",
        "",
        "The probe (one client, creates of one fixed input, one after another):",
        "",
        _table(["phase", "requests", "p50 ms", "p99 ms", "max ms", "X-Cache-Status"], rows),
    ])


def slow_redis(d: dict) -> str:
    rows = []
    for label, key in (("hits, Redis healthy", "hit_before"), ("misses, Redis healthy", "miss_before"),
                       ("during `DEBUG SLEEP`", "during_sleep"), ("after", "after")):
        p = d[key]
        rows.append([label, _num(p["n"]), _num(p["p50_ms"]), _num(p["p99_ms"]), _num(p["max_ms"])])
    return "\n".join([
        f"`redis.timeout: {d['redis_timeout_ms']}ms`, {d['sleeps']} × `DEBUG SLEEP {d['sleep_s']}`; the probe sends "
        "creates of 4 cached inputs one after another (a \"miss\" phase with new inputs gives the cost of the "
        "forwarding path with Redis healthy).",
        "",
        _table(["probe phase", "requests", "p50 ms", "p99 ms", "max ms"], rows),
        "",
        f"Every create that began and ended inside a sleep was forwarded ({_codes(d['during_sleep_cache'])}); "
        f"added latency against a healthy miss: **p50 +{d['added_p50_ms_vs_miss']:.1f} ms, "
        f"p99 +{d['added_p99_ms_vs_miss']:.1f} ms** (the timeout is {d['redis_timeout_ms']} ms); "
        f"`reprise_redis_errors_total` +{_num(d['redis_errors_delta'])}.",
    ])


def upstream(figs: dict) -> str:
    lines = []
    if "upstream_refused" in figs:
        r = figs["upstream_refused"]
        lines += ["Refused (upstream.url names a closed port):", "",
                  _table(["request", "status", "answered in ms"],
                         [[k, r["status"][k], r["elapsed_ms"][k]] for k in sorted(r["status"])]),
                  "", f"Body: `{r['body']}`", ""]
    if "upstream_timeout" in figs:
        t = figs["upstream_timeout"]
        lines += [f"Timeout (`upstream.timeout: {t['upstream_timeout_s']}s`, the fake holds its answer "
                  f"{t['fake_delay_s']} s):", "",
                  _table(["request", "status", "answered in ms"],
                         [[k, t["status"][k], t["elapsed_ms"][k]] for k in sorted(t["status"])]),
                  "", f"Body: `{t['body']}`. Upstream closing without an answer: "
                  f"{t['closed_without_answer']['status']} in {t['closed_without_answer']['elapsed_ms']} ms.", ""]
    if "upstream_errors" in figs:
        rows = [[name, c["status"], c["retry_after"] or "–", f"`{c['body']}`"]
                for name, c in figs["upstream_errors"]["cases"].items()]
        lines += ["Upstream errors, relayed byte for byte (compared with the fake's direct answer) and never "
                  "cached (the identical create afterwards reached upstream and was a MISS):", "",
                  _table(["fault", "status", "Retry-After", "body"], rows)]
    return "\n".join(lines).rstrip()


def abusive(figs: dict) -> str:
    d = figs["abusive_clients"]
    rows = [[phase, _num(g["requests"]), _ms(g["latency_us"]["p50"]), _ms(g["latency_us"]["p99"]),
             _ms(g["latency_us"]["max"]), g["socket_errors"], _codes(g["status"])]
            for phase, g in _ordered(d["good_client"], ABUSE_PHASES)]
    attack_rows = []
    for name, a in d["attacks"].items():
        if name == "idle":
            continue
        attack_rows.append([name, _num(a["connections"]), _codes(a["status"]), _num(a["closed"]),
                            _num(a["answer_p50_ms"]), _num(a["answer_max_ms"])])
    idle = d["attacks"]["idle"]
    out = [
        "The good client (wrk, 1 connection, GET of a model, one request after another) per phase:", "",
        _table(["phase", "requests", "p50 ms", "p99 ms", "max ms", "socket errors", "status"], rows), "",
        "What the abusers got:", "",
        _table(["attack", "connections", "status", "closed by Reprise", "answer p50 ms", "answer max ms"], attack_rows),
        "",
        f"Slowloris: `server.header_timeout: {d['header_timeout_s']}s`, one header byte per connection every 100 ms. "
        f"Idle: {_num(idle['connections'])} connections opened in {idle['open_seconds']} s, held through the phase; "
        f"RSS {_num(idle['rss_before_kib'])} → {_num(idle['rss_with_idle_kib'])} KiB "
        f"({idle['kib_per_connection']} KiB per idle connection); every 50th was then used for a request: "
        f"{_codes(idle['sampled_requests'])}.",
        "",
        "Each malformed or smuggled request on its own (every one answered and closed; "
        f"**{d['smuggled_requests_forwarded']} reached upstream**):", "",
        _table(["request", "status"], [[k, v] for k, v in sorted(d["each_request"].items())]),
    ]
    if "max_connections" in figs:
        m = figs["max_connections"]
        out += ["", f"Past `server.max_connections: {m['limit']}`: {_codes(m['over_limit']['status'])}, "
                    f"{m['over_limit']['closed']} of {m['over_limit']['connections']} closed."]
    return "\n".join(out)


def lifecycle(figs: dict) -> str:
    out = []
    if "sigterm" in figs:
        s = figs["sigterm"]
        k = s.get("keep_alive_clients", {})
        out += [f"SIGTERM with {s['slow_creates_in_flight']} slow creates in flight (each ~2 s upstream, "
                f"`Prefer: wait`), wrk sending creates on 8 connections and 8 keep-alive clients sending creates "
                f"back to back; `server.drain_timeout: {s['drain_timeout_s']}s`:", "",
                f"- slow creates: {_codes(s['slow_create_outcomes'])} (**zero failed**);",
                f"- new connections refused {s['refusing_new_connections_after_s'] * 1000:.0f} ms after the signal;",
                f"- exit code {s['exit_code']} after {s['exited_after_s']:.2f} s;",
                f"- wrk: {_num(s['wrk_during']['requests'])} answers ({_codes(s['wrk_during']['status'])}); its "
                f"errors after the signal: {_codes(s['wrk_during']['errors'])} (reconnects refused);",
                f"- keep-alive clients: {_num(k.get('answered'))} answers, endings {_codes(k.get('endings', {}))} "
                "(`close`: last answer carried `Connection: close`; `eof`: closed while idle, before the next "
                "request arrived; `reset` would be a request lost after it arrived).", ""]
    if "drain_timeout" in figs:
        t = figs["drain_timeout"]
        out += [f"A {t['request_seconds']} s request in flight, `server.drain_timeout: {t['drain_timeout_s']}s`: "
                f"exit code {t['exit_code']} after **{t['exited_after_s']:.2f} s**; the client saw "
                f"`{t['client_saw']}`.", ""]
    if "sighup" in figs:
        h = figs["sighup"]
        out += [f"SIGHUP: the file with `enabled: false` applied to new creates within "
                f"{h['good_file_applied_after_s'] * 1000:.0f} ms (BYPASS); re-enabling made the old entry a hit "
                f"again within {h['re_enabled_after_s'] * 1000:.0f} ms. A bad file was refused and logged:", "",
                "```json", json.dumps(h["bad_file_log_line"]), "```", "",
                f"wrk GETs running through the three reloads: {_num(h['wrk_during']['requests'])} answers, "
                f"{_codes(h['wrk_during']['status'])}, errors {_codes(h['wrk_during']['errors'])}."]
    return "\n".join(out).rstrip()


def security(figs: dict) -> str:
    out = []
    if "cross_token" in figs:
        out += [_table(["check", "status"], [[k, v] for k, v in sorted(figs["cross_token"]["checks"].items())]), ""]
    if "ssrf" in figs:
        s = figs["ssrf"]
        out += [f"Requests naming another host (the \"evil\" listener recorded **{s['evil_connections']} "
                "connections**):", "",
                _table(["request", "status"], [[k, v] for k, v in sorted(s["answers"].items())]), ""]
    if "no_token_at_rest" in figs:
        n = figs["no_token_at_rest"]
        out += [f"No token at rest, after {len(n['requests'])} kinds of request at `log.level: debug`: "
                f"{n['log_lines']} log lines, {n['redis_keys']} Redis keys ({_codes(n['redis_key_kinds'])}); "
                f"tokens found in the log: **{n['tokens_in_log']}**, in Redis keys: **{n['tokens_in_redis_keys']}**, "
                f"in Redis values: **{n['tokens_in_redis_values']}**."]
    return "\n".join(out).rstrip()


def soak(figs: dict) -> str:
    s = figs["soak"]
    r = s["rss_kib"]
    samples = s["rss_samples"]
    step = max(1, len(samples) // 12)
    shown = samples[::step]
    if shown[-1] != samples[-1]:
        shown.append(samples[-1])
    python = {k: v for k, v in s["python_requests"].items() if v}
    return "\n".join([
        f"{s['seconds'] / 60:.0f} min ({s['seconds']} s); wrk creates on 8 connections (64 inputs, every 10th new: "
        f"{_num(s['wrk']['requests'])} answers, {_codes(s['wrk']['cache'])}, status {_codes(s['wrk']['status'])}) "
        f"plus Python clients sending every other kind ({_codes(python)}). Reprise answered "
        f"{_num(s['requests_total'])} requests; `reprise_redis_errors_total` {_num(s['redis_errors'])}.", "",
        _table(["RSS KiB", "value"], [["before the load", _num(r["before_load"])],
                                      ["after warm-up (20% of the run)", _num(r["after_warmup"])],
                                      ["end", _num(r["end"])], ["max", _num(r["max"])]]), "",
        f"Slope after warm-up: **{s['rss_slope_kib_per_min_after_warmup']} KiB/min**. Open file descriptors: "
        f"{s['open_fds']['before_load']} before, {s['open_fds']['max']} at most, {s['open_fds']['end']} at the end.", "",
        f"Stream replays retried once (503 `Retry-After: 1`): {python.get('stream_retried', 0)}. Creates slower than "
        f"5 s: {s.get('creates_slower_than_5s', '–')} (slowest {s.get('slowest_create_s', '–')} s).", "",
        "Samples (seconds, RSS KiB): " + ", ".join(f"{t:.0f} s: {_num(k)}" for t, k in shown) + ".",
    ])


def valgrind(figs: dict) -> str:
    rows = []
    for key, r in figs["valgrind"]["runs"].items():
        rows.append([f"{key} rounds ({r['requests']} requests)", f"{r['definitely_lost'][0]} B / {r['definitely_lost'][1]}",
                     r["side_table_blocks"], len(r["other_definite"]), f"{r['indirectly_lost'][0]} B",
                     f"{r['possibly_lost'][0]} B / {r['possibly_lost'][1]}", len(r["memory_errors"])])
    origins = {}
    for r in figs["valgrind"]["runs"].values():
        for k, v in r["side_table_origins"].items():
            origins[k] = max(origins.get(k, 0), v)
    return "\n".join([
        _table(["run", "definitely lost (bytes / blocks)", "of which weak side tables (blocks)", "other definite records",
                "indirectly lost", "possibly lost", "memory errors"], rows), "",
        "Side tables by allocating frame (objects alive at exit that were once weakly referenced): "
        + ", ".join(f"`{k}`" for k in sorted(origins)) + ".",
    ])


SECTIONS: Dict[str, Callable[[dict], str]] = {
    "redis-outage": lambda f: redis_outage(f["redis_outage"]) if "redis_outage" in f else None,
    "slow-redis": lambda f: slow_redis(f["slow_redis"]) if "slow_redis" in f else None,
    "upstream": lambda f: upstream(f) if any(k.startswith("upstream_") for k in f) else None,
    "abusive": lambda f: abusive(f) if "abusive_clients" in f else None,
    "lifecycle": lambda f: lifecycle(f) if any(k in f for k in ("sigterm", "drain_timeout", "sighup")) else None,
    "security": lambda f: security(f) if any(k in f for k in ("cross_token", "ssrf", "no_token_at_rest")) else None,
    "soak": lambda f: soak(f) if "soak" in f else None,
    "valgrind": lambda f: valgrind(f) if "valgrind" in f else None,
}


def render(doc: str, data: dict) -> str:
    figs = data["scenarios"]
    meta = data["meta"]
    stamp = (f"_Measured {meta['date']} ({meta['mode']} run, commit {meta['commit']}, {meta['machine']}; the machine "
             f"is shared, see the load average in the run's figures.json)._")
    doc = _replace(doc, "run", stamp)
    for name, make in SECTIONS.items():
        text = make(figs)
        if text is not None:
            doc = _replace(doc, name, text)
    return doc


def _replace(doc: str, name: str, text: str) -> str:
    pattern = re.compile(r"(<!-- figures:begin %s -->\n).*?(<!-- figures:end %s -->)" % (name, name), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"docs/reliability.md has no figure block '{name}'")
    return pattern.sub(lambda m: m.group(1) + text.rstrip() + "\n" + m.group(2), doc)


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data = json.loads(Path(argv[1]).read_text())
    doc_path = Path(argv[2])
    doc_path.write_text(render(doc_path.read_text(), data))
    print(f"report: wrote {doc_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
