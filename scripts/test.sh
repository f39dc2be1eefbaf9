#!/usr/bin/env bash
# `make test`: every test, on a machine that may have nothing installed yet.
#
#   scripts/test.sh [STAGE...]     stages: unit e2e reliability bench-smoke (default: all four)
#
# unit:        swift test (unit + integration; REPRISE_TEST_REDIS_URL names a throwaway Redis)
# e2e:         release build, venvs from PyPI, pytest Tests/e2e (real replicate clients)
# reliability: release build, venv, the short versions of Tests/reliability (about 2 minutes;
#              its tests start and kill their own redis-servers; `make reliability` runs the
#              long versions)
# bench-smoke: release build, a few seconds of the bench harness (so it cannot rot)
#
# Installs missing Debian packages first, starts its own redis-server on a free loopback port
# and stops it on exit (also on failure or interrupt). A failing stage does not stop the
# stages after it unless they depend on it; the exit code is 0 only if every stage passed.
set -euo pipefail
LOG_TAG="make test"
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

stages=("$@")
[ "${#stages[@]}" -gt 0 ] || stages=(unit e2e reliability bench-smoke)
for stage in "${stages[@]}"; do
    case "$stage" in
        unit|e2e|reliability|bench-smoke) ;;
        *) die "unknown stage '$stage' (unit e2e reliability bench-smoke)" ;;
    esac
done
wants() { local s; for s in "${stages[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

"$REPO_ROOT/scripts/install-deps.sh" test
ensure_swift

mkdir -p "$REPO_ROOT/.tmp"
run_dir="$(mktemp -d "$REPO_ROOT/.tmp/test.XXXXXX")"
redis_dir="$run_dir/redis"
cleanup() {
    local code=$?
    "$REPO_ROOT/scripts/redis-test.sh" stop "$redis_dir" || true
    # Logs of a failed run stay for inspection; a passing run leaves nothing behind.
    if [ "$code" -eq 0 ]; then rm -rf "$run_dir"; fi
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

REPRISE_TEST_REDIS_URL="$("$REPO_ROOT/scripts/redis-test.sh" start "$redis_dir")"
export REPRISE_TEST_REDIS_URL
log "REPRISE_TEST_REDIS_URL=$REPRISE_TEST_REDIS_URL"

results=()
failed=0
record() { # record NAME EXIT_CODE
    if [ "$2" -eq 0 ]; then results+=("PASS  $1"); else results+=("FAIL  $1 (exit $2)"); failed=1; fi
}
run_stage() { # run_stage NAME COMMAND...; returns the command's exit code
    local name="$1" code=0
    shift
    log "=== $name: $*"
    "$@" || code=$?
    record "$name" "$code"
    return "$code"
}

if wants unit; then
    # Judged by exit code only (swift-on-linux.md: the last line can say "passed" when a test failed).
    run_stage "swift test" swift test || true
fi

release_ok=1
if wants e2e || wants reliability || wants bench-smoke; then
    run_stage "swift build -c release" swift build -c release || release_ok=0
fi

if wants bench-smoke; then
    if [ "$release_ok" -eq 1 ]; then
        run_stage "bench smoke" "$REPO_ROOT/scripts/bench.sh" smoke || true
    else
        record "bench smoke (not run: release build failed)" 1
    fi
fi

venv_ok=1
if wants e2e || wants reliability; then
    run_stage "python venvs" "$REPO_ROOT/scripts/venv.sh" || venv_ok=0
fi

if wants reliability; then
    if [ "$release_ok" -eq 1 ] && [ "$venv_ok" -eq 1 ]; then
        # 2,000 idle connections in the short abusive-clients scenario.
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        RELIABILITY_MODE=short REPRISE_RELIABILITY_WORKDIR="$run_dir/reliability" \
            RELIABILITY_FIGURES="$run_dir/reliability/figures.json" run_stage "reliability (pytest, short)" \
            "$REPO_ROOT/.venv/bin/python" -m pytest -c "$REPO_ROOT/Tests/reliability/pytest.ini" \
            --rootdir "$REPO_ROOT/Tests/reliability" "$REPO_ROOT/Tests/reliability" || true
    else
        record "reliability (not run: release build or venv failed)" 1
    fi
fi

if wants e2e; then
    if [ "$venv_ok" -eq 1 ] && [ "$release_ok" -eq 1 ]; then
        # pytest runs last so that its summary line closes the output; exit 5 (no tests) fails too.
        REPRISE_E2E_WORKDIR="$run_dir/e2e" run_stage "e2e (pytest)" \
            "$REPO_ROOT/.venv/bin/python" -m pytest -c "$REPO_ROOT/Tests/e2e/pytest.ini" \
            --rootdir "$REPO_ROOT/Tests/e2e" "$REPO_ROOT/Tests/e2e" || true
    elif [ "$release_ok" -ne 1 ]; then
        record "e2e (not run: release build failed)" 1
    fi
fi

printf '\n'
log "summary:"
for line in "${results[@]}"; do log "  $line"; done
if [ "$failed" -ne 0 ]; then
    log "make test FAILED (Redis log, e2e server logs: ${run_dir#"$REPO_ROOT"/})"
    exit 1
fi
log "make test OK"
