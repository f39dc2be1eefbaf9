#!/usr/bin/env bash
# Screenshots Reprise's status page (GET /) in a real headless browser, after some traffic.
#
#   scripts/screenshot-status.sh [OUTPUT.png] [--duration SECONDS] [--size WIDTHxHEIGHT]
#
# Defaults: docs/status-page.png, 120 seconds of traffic (the page samples its charts every
# 10 s, so this gives a dozen points), a 1280x1450 window (docs/status-page.png's size).
#
# What it does: installs Debian's chromium if it is missing (scripts/install-deps.sh
# screenshot: ~100 MB of packages, which is why `make test` does not run this script), builds
# the release binaries, starts a throwaway redis-server, fake-replicate and reprise on free
# loopback ports, sends prediction creates with repeating inputs (scripts/status_traffic.py),
# fetches the page once to check it has no <script> and has inline SVG, then runs
#   chromium --headless --no-sandbox --disable-gpu --screenshot=OUTPUT --window-size=1280,1450 URL
# and stops everything it started (also on failure or interrupt).
#
# REPRISE_BIN / FAKE_REPLICATE_BIN: use these binaries instead of building.
set -euo pipefail
LOG_TAG=screenshot-status
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

output="$REPO_ROOT/docs/status-page.png"
duration=120
size=1280x1450
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration="${2:?--duration needs seconds}"; shift 2 ;;
        --size) size="${2:?--size needs WIDTHxHEIGHT}"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) output="$1"; shift ;;
    esac
done
case "$size" in *x*) ;; *) die "--size wants WIDTHxHEIGHT, got '$size'" ;; esac
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac

"$REPO_ROOT/scripts/install-deps.sh" screenshot
ensure_swift
if [ -z "${REPRISE_BIN:-}" ] || [ -z "${FAKE_REPLICATE_BIN:-}" ]; then
    log "building release binaries"
    swift build -c release >&2
fi

mkdir -p "$REPO_ROOT/.tmp"
work="$(mktemp -d "$REPO_ROOT/.tmp/screenshot.XXXXXX")"
cleanup() {
    local code=$?
    if [ -f "$work/pids" ]; then
        while read -r pid; do
            [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
        done <"$work/pids"
    fi
    "$REPO_ROOT/scripts/redis-test.sh" stop "$work/redis" || true
    if [ "$code" -eq 0 ]; then rm -rf "$work"; else log "logs kept in ${work#"$REPO_ROOT"/}"; fi
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis_url="$("$REPO_ROOT/scripts/redis-test.sh" start "$work/redis")"
log "traffic for ${duration}s (redis $redis_url)"
url="$(cd "$REPO_ROOT/scripts" && python3 status_traffic.py "$work" "$redis_url" "$duration")"
log "reprise at $url"

page="$work/page.html"
curl -fsS -o "$page" "$url/"
grep -q '<svg' "$page" || die "the status page has no inline SVG ($page)"
if grep -qi '<script' "$page"; then die "the status page contains a <script> ($page)"; fi

mkdir -p "$(dirname "$output")"
# --virtual-time-budget lets layout settle; the page has no script, so there is nothing to wait for.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000 \
    --user-data-dir="$work/chromium" --screenshot="$output" --window-size="${size/x/,}" "$url/" \
    >"$work/chromium.log" 2>&1 || { cat "$work/chromium.log" >&2; die "chromium failed"; }
[ -s "$output" ] || die "chromium wrote no screenshot"
log "wrote ${output#"$REPO_ROOT"/}"
