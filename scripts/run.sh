#!/usr/bin/env bash
# `make run`: installs what is missing, makes sure a Redis answers at the configured URL
# (starting a local redis-server if none does), builds release and runs
#   reprise --config config/reprise.yaml   (or $REPRISE_CONFIG; $REPRISE_BIN: another binary, no build)
# A Redis started here is stopped when reprise exits.
set -euo pipefail
LOG_TAG=run
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

config="${REPRISE_CONFIG:-config/reprise.yaml}"
[ -f "$config" ] || die "config file $config not found (see config/reprise.example.yaml)"

"$REPO_ROOT/scripts/install-deps.sh" run
ensure_swift

# The Redis URL reprise will use: the env override, else redis.url from the config file.
config_redis_url() {
    awk '
        /^[^[:space:]#]/ { in_redis = ($0 ~ /^redis:[[:space:]]*(#.*)?$/) }
        in_redis && /^[[:space:]]+url:/ {
            sub(/^[[:space:]]+url:[[:space:]]*/, ""); sub(/[[:space:]]+#.*$/, "")
            gsub(/^["'\'']|["'\'']$/, ""); print; exit
        }' "$config"
}
redis_url="${REPRISE_REDIS_URL:-$(config_redis_url)}"
redis_url="${redis_url:-redis://127.0.0.1:6379/0}"

started_redis=""
redis_dir="$REPO_ROOT/.tmp/redis-run"
if redis-cli -u "$redis_url" ping 2>/dev/null | grep -qx PONG; then
    log "Redis answers at $redis_url"
else
    # redis://[:password@]host:port/db → host, port (a password-protected URL must already answer).
    hostport="${redis_url#redis://}"
    hostport="${hostport#*@}"
    hostport="${hostport%%/*}"
    host="${hostport%:*}"
    port="${hostport##*:}"
    [ "$port" != "$hostport" ] || port=6379
    case "$host" in
        127.*|localhost) ;;
        *) die "no Redis answers at $redis_url and it is not local; start it or set REPRISE_REDIS_URL" ;;
    esac
    log "no Redis at $redis_url; starting redis-server on $host:$port (stopped when reprise exits)"
    "$REPO_ROOT/scripts/redis-test.sh" start "$redis_dir" "$port" "$host" >/dev/null
    started_redis=yes
fi

child=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; fi
    if [ -n "$started_redis" ]; then "$REPO_ROOT/scripts/redis-test.sh" stop "$redis_dir" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

binary="${REPRISE_BIN:-.build/release/reprise}"
if [ -z "${REPRISE_BIN:-}" ]; then swift build -c release >&2; fi
log "starting: $binary --config $config"
"$binary" --config "$config" &
child=$!
code=0
wait "$child" || code=$?
child=""
exit "$code"
