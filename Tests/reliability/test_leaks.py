"""Issue 7, item 7: a short run of reprise under valgrind (memcheck, --leak-check=full) with a
few requests of every kind, then SIGTERM. The test asserts a clean exit, no memory errors
(invalid reads/writes, uninitialised values), and no definite leak except Swift's weak
reference side tables of objects still alive at exit: Swift stores the side table's address
shifted inside the object's refcount word, which valgrind cannot recognise as a pointer, so
every live object that was ever weakly referenced shows 32 "definitely lost" bytes. The long
version (`make reliability`) runs two sizes and reports whether the leak grows with the number
of requests (a real per-request leak would).
"""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Dict, List

import mixed_load
import reliability_support as support

FAST_FAKE = ["--start-delay-ms", "0", "--run-ms", "0", "--stream-interval-ms", "2"]
SIDE_TABLE = "formWeakReference"


def parse_valgrind(text: str) -> dict:
    """The leak summary, the definite-loss records (bytes, blocks, stack), the error count."""
    def amount(label: str) -> List[int]:
        m = re.search(label + r": ([\d,]+) bytes in ([\d,]+) blocks", text)
        return [int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))] if m else [0, 0]

    records = []
    for m in re.finditer(r"==\d+== ([\d,]+) bytes in ([\d,]+) blocks are definitely lost in loss record[^\n]*\n"
                         r"((?:==\d+==    (?:at|by) [^\n]*\n)+)", text):
        frames = [re.sub(r"^==\d+==\s+(at|by) 0x[0-9A-F]+: ", "", line) for line in m.group(3).splitlines()]
        records.append({"bytes": int(m.group(1).replace(",", "")), "blocks": int(m.group(2).replace(",", "")),
                        "side_table": any(SIDE_TABLE in f for f in frames),
                        "origin": _origin(frames), "frames": frames[:12]})
    errors = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    memory_errors = re.findall(r"==\d+== (Invalid (?:read|write|free)[^\n]*|Conditional jump[^\n]*|"
                               r"Use of uninitialised[^\n]*|Syscall param[^\n]*)", text)
    return {"definitely_lost": amount("definitely lost"), "indirectly_lost": amount("indirectly lost"),
            "possibly_lost": amount("possibly lost"), "still_reachable": amount("still reachable"),
            "records": records, "error_summary": int(errors.group(1)) if errors else None,
            "memory_errors": memory_errors}


def _origin(frames: List[str]) -> str:
    """The first frame in Reprise's own sources (file:line), else the first frame."""
    for f in frames:
        m = re.search(r"\(([A-Za-z0-9_+]+\.swift):(\d+)\)", f)
        if m:
            return f"{m.group(1)}:{m.group(2)}"
    return frames[0] if frames else "?"


def run_under_valgrind(stack_factory, redis_factory, workdir: Path, rounds: int, name: str) -> dict:
    log = workdir / f"valgrind-{name}.log"
    prefix = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect", "--num-callers=30",
              "--error-exitcode=0", f"--log-file={log}"]
    stack = stack_factory(redis=redis_factory(name=f"redis-{name}"), fake_args=FAST_FAKE, name=name,
                          reprise_argv_prefix=prefix, ready_timeout=180)
    support.wait_until(lambda: stack.readyz().status == 200, 180, "reprise under valgrind to reach Redis")
    client = mixed_load.MixedClient(stack, stream_prompts=2)
    for _ in range(rounds):
        for kind in mixed_load.KINDS:
            client.step(kind)
    assert not client.failures, client.failures[:10]
    stack.reprise.proc.send_signal(signal.SIGTERM)
    code = stack.reprise.proc.wait(timeout=300)
    assert code == 0, f"reprise under valgrind exited {code}"
    result = parse_valgrind(log.read_text())
    result["rounds"] = rounds
    result["requests"] = sum(client.counts.values())
    return result


def test_valgrind_finds_no_leak_and_no_memory_error(stack_factory, redis_factory, workdir, profile, figures):
    runs: Dict[str, dict] = {}
    for rounds in profile.leak_rounds:
        runs[str(rounds)] = run_under_valgrind(stack_factory, redis_factory, workdir, rounds, f"rounds{rounds}")
    summary = {}
    for key, r in runs.items():
        summary[key] = {
            "requests": r["requests"],
            "definitely_lost": r["definitely_lost"], "indirectly_lost": r["indirectly_lost"],
            "possibly_lost": r["possibly_lost"],
            "side_table_blocks": sum(x["blocks"] for x in r["records"] if x["side_table"]),
            "other_definite": [{"bytes": x["bytes"], "blocks": x["blocks"], "origin": x["origin"],
                                "frames": x["frames"]} for x in r["records"] if not x["side_table"]],
            "side_table_origins": support.count_by(x["origin"] for x in r["records"] if x["side_table"]),
            "memory_errors": r["memory_errors"][:10],
        }
    figures.record("valgrind", {"runs": summary})
    for key, s in summary.items():
        assert not s["memory_errors"], (key, s["memory_errors"])
        assert not s["other_definite"], (key, s["other_definite"])
        assert s["indirectly_lost"][0] == 0, (key, s["indirectly_lost"])
    if len(runs) > 1:
        small, large = (summary[str(r)] for r in (min(profile.leak_rounds), max(profile.leak_rounds)))
        # Ten times the requests must not mean more lost blocks (allowing a few more objects
        # alive at exit, e.g. pooled upstream connections).
        assert large["definitely_lost"][1] <= small["definitely_lost"][1] + 4, (small, large)
