#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets of Tests/Fuzz and runs each for a bounded number
# of executions, then prints one line per target (executions, seconds, exec/s, result).
#
#   scripts/fuzz.sh [TARGET...]      default: every target below, one after the other
#
#   FUZZ_RUNS=1000000     executions per target (libFuzzer -runs)
#   FUZZ_MAX_TIME=1800    seconds per target at most (-max_total_time); a target stopped by
#                         it before FUZZ_RUNS counts as SHORT, which fails the run
#   FUZZ_SANITIZE=fuzzer,address   sanitizers (`fuzzer` alone: faster, no ASan)
#
# Seeds come from Tests/Fuzz/Corpus/<target> (read only). What libFuzzer finds goes to
# .tmp/fuzz/<target>/corpus and is reused by the next run; crashes are written as
# .tmp/fuzz/<target>/crash-<sha1> (replay one: .../<Target> FILE). Exit code 0 only when
# every target reached FUZZ_RUNS without a crash. See Tests/Fuzz/README.md.
set -euo pipefail
LOG_TAG="make fuzz"
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

all_targets=(FuzzHTTPRequestParser FuzzCanonicalJSON FuzzConfigLoader FuzzSSEEventParser FuzzJSONURLRewriter)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || die "unknown target '$t' (${all_targets[*]})"
done
runs="${FUZZ_RUNS:-1000000}"
max_time="${FUZZ_MAX_TIME:-1800}"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"

"$REPO_ROOT/scripts/install-deps.sh" build
ensure_swift
# The toolchain ships libFuzzer; without it -sanitize=fuzzer cannot link.
swift_root="$(dirname "$(dirname "$(command -v swift)")")"
compgen -G "$swift_root/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null \
    || compgen -G "$swift_root/lib/swift/clang/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null \
    || die "no libclang_rt.fuzzer in the Swift toolchain at $swift_root"

# SwiftPM's --sanitize=fuzzer makes the executables libFuzzer programs (no `main` of their
# own); the instrumentation comes from one -sanitize=a,b flag. Not --sanitize=fuzzer
# --sanitize=address: SwiftPM passes those as two -sanitize= options, in an order that is not
# fixed (it changed when the manifest changed), and swiftc compiles with the last one only,
# so a build came out either without coverage (libFuzzer fuzzing blind) or without ASan
# checks in the Swift code. Both are checked below.
sanitizer_flags=(--sanitize=fuzzer -Xswiftc "-sanitize=$sanitize")
log "building Tests/Fuzz (release, -sanitize=${sanitize})"
swift build --package-path Tests/Fuzz -c release "${sanitizer_flags[@]}"
bin_dir="$(swift build --package-path Tests/Fuzz -c release "${sanitizer_flags[@]}" --show-bin-path)"
# Refuse a build that would fuzz blind: the code under test must carry coverage counters.
for target in "${targets[@]}"; do
    counters="$(SWIFT_BACKTRACE=enable=no "$bin_dir/$target" -runs=1 2>&1 \
        | sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' | head -1)"
    [ "${counters:-0}" -ge 1000 ] || die "$target has ${counters:-no} coverage counters: not instrumented"
    checks=0
    if [[ ",$sanitize," == *",address,"* ]]; then
        # ASan's checks call __asan_report_* on failure; only instrumented code has such calls.
        checks="$(objdump -d --no-show-raw-insn "$bin_dir/$target" | grep -c 'call.*<__asan_report_' || true)"
        [ "$checks" -ge 1000 ] || die "$target has $checks ASan checks: not instrumented"
    fi
    log "$target: $counters coverage counters, $checks ASan check sites"
done

# The Swift runtime's crash handler reads memory ASan reports on; libFuzzer reports itself.
export SWIFT_BACKTRACE=enable=no
# Allocation stacks make every malloc ~20% dearer; a report still says what went wrong and
# where, and replaying the crash file with ASAN_OPTIONS unset gives the full stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=0}"
results=()
failed=0
for target in "${targets[@]}"; do
    work="$REPO_ROOT/.tmp/fuzz/$target"
    mkdir -p "$work/corpus"
    log_file="$work/fuzz.log"
    log "=== $target: up to $runs runs, at most ${max_time}s (log: ${log_file#"$REPO_ROOT"/})"
    # Inputs up to 4 KiB; config files are slower to load (libyaml buffers, the decoder), so
    # their inputs stay smaller and the seeds are the example config cut into sections.
    max_len=4096
    [ "$target" = FuzzConfigLoader ] && max_len=2048
    start_ms=$(( $(date +%s%N) / 1000000 ))
    code=0
    # -timeout: one input taking 60 s is a hang worth a report (inputs are at most a few KiB
    # and take milliseconds; 10 s gave a false report once on a machine shared by busy builds).
    "$bin_dir/$target" "$work/corpus" "Tests/Fuzz/Corpus/$target" \
        -runs="$runs" -max_total_time="$max_time" -max_len="$max_len" -timeout=60 -print_final_stats=1 \
        -artifact_prefix="$work/" >"$log_file" 2>&1 || code=$?
    elapsed_ms=$(( $(date +%s%N) / 1000000 - start_ms ))
    done_runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log_file" | tail -1)"
    # libFuzzer's own exec/s divides by whole seconds; this one includes loading the corpus.
    seconds="$(awk -v ms="$elapsed_ms" 'BEGIN { printf "%.1f", ms / 1000 }')"
    rate="$(awk -v n="${done_runs:-0}" -v ms="$elapsed_ms" 'BEGIN { printf "%d", (ms > 0 ? n * 1000 / ms : 0) }')"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log_file" | tail -1)"
    if [ "$code" -eq 72 ]; then
        result="INTERRUPTED (a signal stopped it; no finding)"  # libFuzzer's -interrupted_exitcode
        failed=1
    elif [ "$code" -ne 0 ]; then
        artifact="$(sed -n 's/.*Test unit written to //p' "$log_file" | tail -1)"
        result="CRASH (exit $code) ${artifact#"$REPO_ROOT"/}"
        failed=1
    elif [ "${done_runs:-0}" -lt "$runs" ]; then
        result="SHORT (stopped by FUZZ_MAX_TIME)"
        failed=1
    else
        result="ok"
    fi
    line="$(printf '%-22s %9s runs %6ss %7s exec/s %5s MB  %s' \
        "$target" "${done_runs:-?}" "$seconds" "${rate:-?}" "${rss:-?}" "$result")"
    log "$line"
    results+=("$line")
done

log "=== summary (FUZZ_RUNS=$runs, sanitizers: $sanitize)"
for line in "${results[@]}"; do printf '%s\n' "$line"; done
exit "$failed"
