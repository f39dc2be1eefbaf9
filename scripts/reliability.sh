#!/usr/bin/env bash
# The reliability suite (Tests/reliability, docs/reliability.md): Redis outages, upstream
# faults, abusive clients, signals, security controls, soak and a valgrind leak check, each
# against the release binaries and redis-server processes the tests start and kill themselves.
#
#   scripts/reliability.sh long  [pytest args...]   `make reliability`: full-size scenarios
#                                                   (10-minute soak, 10,000 idle connections),
#                                                   then docs/reliability.md rewritten with
#                                                   the figures (only when every test passed)
#   scripts/reliability.sh short [pytest args...]   the short versions (`make test` runs them)
#
# Logs and figures of a failed run stay in .tmp/reliability.*; a passing run leaves nothing.
set -euo pipefail
LOG_TAG=reliability
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

mode="${1:-long}"
case "$mode" in long|short) shift || true ;; *) die "usage: $0 long|short [pytest args...]" ;; esac

"$REPO_ROOT/scripts/install-deps.sh" test
ensure_swift
swift build -c release >&2
"$REPO_ROOT/scripts/venv.sh"
# 10,000 idle connections need as many descriptors in the test process and in reprise.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

mkdir -p "$REPO_ROOT/.tmp"
run_dir="$(mktemp -d "$REPO_ROOT/.tmp/reliability.XXXXXX")"
figures="$run_dir/figures.json"
code=0
RELIABILITY_MODE="$mode" RELIABILITY_FIGURES="$figures" REPRISE_RELIABILITY_WORKDIR="$run_dir/work" \
    "$REPO_ROOT/.venv/bin/python" -m pytest -c "$REPO_ROOT/Tests/reliability/pytest.ini" \
    --rootdir "$REPO_ROOT/Tests/reliability" "$REPO_ROOT/Tests/reliability" "$@" || code=$?

if [ "$code" -ne 0 ]; then
    log "FAILED (exit $code); logs and figures kept in ${run_dir#"$REPO_ROOT"/}"
    exit "$code"
fi
if [ "$mode" = long ]; then
    python3 "$REPO_ROOT/Tests/reliability/report.py" "$figures" "$REPO_ROOT/docs/reliability.md"
    log "docs/reliability.md rewritten"
fi
rm -rf "$run_dir"
log "OK ($mode)"
