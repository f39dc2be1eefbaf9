#!/usr/bin/env bash
# A throwaway redis-server for tests and benchmarks, on a free loopback port, with no
# persistence.
#
#   scripts/redis-test.sh start [DIR [PORT [HOST]]]
#                                       starts it, prints its URL (redis://HOST:PORT/0); a free
#                                       port on 127.0.0.1 unless PORT/HOST are given
#   scripts/redis-test.sh stop  [DIR]   stops it (by the pid in DIR/redis.pid) and waits
#   scripts/redis-test.sh url   [DIR]   prints the URL of the running instance
#
# DIR (default .tmp/redis-test) holds the pid file, the log and the URL; separate DIRs give
# separate instances.
set -euo pipefail
LOG_TAG=redis-test
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

cmd="${1:-}"
dir="${2:-$REPO_ROOT/.tmp/redis-test}"
fixed_port="${3:-}"
host="${4:-127.0.0.1}"

ping_url() { redis-cli -u "$1" ping 2>/dev/null | grep -qx PONG; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start() {
    command -v redis-server >/dev/null 2>&1 || die "redis-server not installed (scripts/install-deps.sh run)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ -f "$dir/redis.pid" ] && pid_alive "$(cat "$dir/redis.pid")"; then
        die "an instance is already running from $dir (pid $(cat "$dir/redis.pid")); stop it first"
    fi
    rm -f "$dir/redis.pid" "$dir/url"
    local attempt attempts=5 port url
    [ -z "$fixed_port" ] || attempts=1
    for attempt in $(seq 1 "$attempts"); do
        port="${fixed_port:-$(free_port)}"
        url="redis://${host}:${port}/0"
        : >"$dir/redis.log"
        redis-server --bind "$host" --port "$port" --save '' --appendonly no \
            --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
            --dir "$dir" --protected-mode yes </dev/null >/dev/null
        local i
        for i in $(seq 1 100); do
            if ping_url "$url"; then
                echo "$url" >"$dir/url"
                log "started on port $port (pid $(cat "$dir/redis.pid" 2>/dev/null || echo '?'), dir $dir)"
                echo "$url"
                return 0
            fi
            # A daemonized redis that failed to bind exits; don't wait the full timeout then.
            if [ "$i" -gt 5 ] && ! { [ -f "$dir/redis.pid" ] && pid_alive "$(cat "$dir/redis.pid")"; }; then
                break
            fi
            sleep 0.05
        done
        log "attempt $attempt on port $port failed: $(tail -n 3 "$dir/redis.log" 2>/dev/null | tr '\n' ' ')"
        stop_instance quiet
    done
    die "could not start redis-server (log: $dir/redis.log)"
}

stop_instance() {
    local pid
    pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
    if pid_alive "$pid"; then
        kill -TERM "$pid"
        local i
        for i in $(seq 1 100); do
            pid_alive "$pid" || break
            sleep 0.05
        done
        if pid_alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        [ "${1:-}" = quiet ] || log "stopped (pid $pid)"
    elif [ "${1:-}" != quiet ]; then
        log "no running instance in $dir"
    fi
    rm -f "$dir/redis.pid" "$dir/url"
}

case "$cmd" in
    start) start ;;
    stop) stop_instance ;;
    url) [ -f "$dir/url" ] || die "no running instance in $dir"; cat "$dir/url" ;;
    *) die "usage: $0 start|stop|url [DIR]" ;;
esac
