#!/usr/bin/env bash
# Installs the Debian packages Reprise needs, and nothing that is already there.
#
#   scripts/install-deps.sh [build|run|test|bench|screenshot|all]   (default: all)
#
# build: C libraries the Swift targets link against.
# run:   build + redis-server (make run starts one if none answers).
# test:  run + what the end-to-end suite, the reliability suite and the bench smoke need
#        (python3-venv, curl, openssl, nginx, wrk, valgrind) and the deploy checks (prometheus,
#        for promtool).
# bench: run + nginx, wrk.
# screenshot: run + curl, chromium and a font (scripts/screenshot-status.sh; ~100 MB, so not
#        part of test or all).
#
# Quick when nothing is missing (one dpkg query); otherwise `apt-get update` once, then a
# non-interactive install. Works as root with no stdin; uses sudo when not root.
set -euo pipefail
LOG_TAG=install-deps
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

profile="${1:-all}"
build_pkgs=(libhiredis-dev libcurl4-openssl-dev libssl-dev libyaml-dev libhttp-parser-dev libjansson-dev)
redis_pkgs=(redis-server redis-tools)
test_pkgs=(python3-venv curl openssl wrk valgrind prometheus)
screenshot_pkgs=(curl chromium fonts-dejavu-core)
case "$profile" in
    build) wanted=("${build_pkgs[@]}") ;;
    run)   wanted=("${build_pkgs[@]}" "${redis_pkgs[@]}") ;;
    bench) wanted=("${build_pkgs[@]}" "${redis_pkgs[@]}" wrk) ;;
    screenshot) wanted=("${build_pkgs[@]}" "${redis_pkgs[@]}" "${screenshot_pkgs[@]}") ;;
    test|all) wanted=("${build_pkgs[@]}" "${redis_pkgs[@]}" "${test_pkgs[@]}") ;;
    *) die "unknown profile '$profile' (build|run|test|bench|screenshot|all)" ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
# Any of Debian's nginx flavours will do (Debian 13 only has `nginx`).
if [ "$profile" != build ] && [ "$profile" != run ] && [ "$profile" != screenshot ] && [ ! -x /usr/sbin/nginx ]; then
    missing+=(nginx)
fi

ensure_swift

if [ "${#missing[@]}" -eq 0 ]; then
    log "all packages present (${profile})"
    exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}); run as root or install sudo"
    SUDO=(sudo)
fi

# Package scripts must not start system services (redis, nginx) on install: this project
# starts its own instances on free ports. policy-rc.d is the Debian way to say so; only a
# file we created ourselves is removed again.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    created_policy=yes
fi
cleanup() { if [ -n "$created_policy" ]; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q </dev/null >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null >&2
log "installed: ${missing[*]}"
