#!/usr/bin/env bash
# Benchmarks (bench/README.md): installs what is missing, builds release, runs the harness.
#
#   scripts/bench.sh compare [bench.py options]   make bench       (writes BENCHMARKS.md)
#   scripts/bench.sh soak    [bench.py options]   make bench-soak  (60 s; writes BENCHMARKS.md)
#   scripts/bench.sh streams [bench.py options]   make bench-streams (10,000 open streams; writes BENCHMARKS.md)
#   scripts/bench.sh smoke   [bench.py options]   make bench-smoke (seconds; writes a temp file)
set -euo pipefail
LOG_TAG=bench
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

mode="${1:-}"
[ -n "$mode" ] || die "usage: $0 compare|soak|streams|smoke [bench.py options]"
shift

"$REPO_ROOT/scripts/install-deps.sh" bench
ensure_swift
swift build -c release >&2

case "$mode" in
    compare|soak|streams)
        exec python3 "$REPO_ROOT/bench/bench.py" "$mode" "$@"
        ;;
    smoke)
        mkdir -p "$REPO_ROOT/.tmp"
        out_dir="$(mktemp -d "$REPO_ROOT/.tmp/bench-smoke.XXXXXX")"
        code=0
        python3 "$REPO_ROOT/bench/bench.py" smoke --duration 1 --warmup 0 --sse-iterations 10 --idle-connections 300 \
            --output "$out_dir/BENCHMARKS.smoke.md" --results-dir "$out_dir/results" "$@" || code=$?
        if [ "$code" -eq 0 ]; then
            rm -rf "$out_dir"
        else
            log "smoke failed; output and logs kept in ${out_dir#"$REPO_ROOT"/}"
        fi
        exit "$code"
        ;;
    *) die "unknown mode '$mode' (compare|soak|smoke)" ;;
esac
