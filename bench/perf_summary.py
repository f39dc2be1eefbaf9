#!/usr/bin/env python3
"""Summarises a `perf record -g` profile of reprise (bench/README.md, "Profiling").

  perf record -F 1999 -g -p "$(pgrep -n reprise)" -o perf.data -- sleep 10   # while wrk runs
  python3 bench/perf_summary.py perf.data [--top 30]

Prints three tables, each in % of all samples of the process:
  own code   every sample charged to the innermost frame that is Reprise's own code (a Swift
             symbol of a module in Sources/), so the runtime, malloc, libc and kernel time a
             function causes counts against it: where to look first;
  inclusive  time spent in a function or anything it called (each function once per sample),
             Reprise's own functions only (the call tree's main branches);
  self       the leaf frames, as `perf report --no-children` shows them.
Swift symbols are demangled with swift-demangle (--simplified). Standard library only.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "Sources"
_MODULE = re.compile(r"^\$s(\d+)")


def project_modules() -> set:
    return {p.name.replace("-", "_") for p in SOURCES.iterdir() if p.is_dir()} if SOURCES.is_dir() else set()


def module_of(symbol: str):
    match = _MODULE.match(symbol)
    if not match:
        return None
    length = int(match.group(1))
    return symbol[match.end():match.end() + length]


def read_samples(data: Path):
    """Yields each sample's frames, leaf first, as mangled symbol names."""
    proc = subprocess.run(["perf", "script", "-i", str(data), "-F", "ip,sym", "--no-demangle"],
                          capture_output=True, text=True, check=True)
    frames = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line:
            if frames:
                yield frames
            frames = []
            continue
        parts = line.split(None, 1)
        frames.append(parts[1] if len(parts) > 1 else parts[0])
    if frames:
        yield frames


def demangler(symbols):
    tool = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
    names = sorted(s for s in symbols if s.startswith("$s"))
    if not names or not Path(tool).exists():
        return lambda s: s
    done = subprocess.run([tool, "--simplified"], input="\n".join(names) + "\n", capture_output=True, text=True)
    table = dict(zip(names, done.stdout.splitlines()))
    return lambda s: table.get(s, s)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", type=Path)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args()
    modules = project_modules()
    own, inclusive, leaf = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for frames in read_samples(args.data):
        total += 1
        leaf[frames[0]] += 1
        for sym in set(frames):
            if module_of(sym) in modules:
                inclusive[sym] += 1
        owner = next((f for f in frames if module_of(f) in modules), "(no Reprise frame: " + frames[0] + ")")
        own[owner] += 1
    if not total:
        print("no samples", file=sys.stderr)
        return 1
    name = demangler(set(own) | set(inclusive) | set(leaf))
    for title, counter in (("own code (runtime, libc and kernel time charged to the caller)", own),
                           ("inclusive (Reprise's functions)", inclusive), ("self", leaf)):
        print(f"\n## {title} — {total} samples\n")
        for sym, n in counter.most_common(args.top):
            print(f"{100.0 * n / total:6.2f}%  {name(sym)[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
