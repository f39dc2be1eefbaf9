# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; it defines functions and REPO_ROOT only.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Messages go to stderr so that scripts can print machine-readable values on stdout.
log() { printf '[%s] %s\n' "${LOG_TAG:-reprise}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-reprise}" "$*" >&2; exit 1; }

# The interpreter used for helpers and for creating venvs. The system one (python3-venv) is
# the fallback when the first python3 on PATH cannot create a venv.
pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Prints a TCP port that was free on 127.0.0.1 a moment ago (for servers that cannot bind
# port 0 and report it, such as redis-server and nginx). Callers retry on a bind failure.
free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Swift lives outside PATH on some shells (/opt/swift/usr/bin on this project's machines).
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        if [ -x /opt/swift/usr/bin/swift ]; then
            PATH="/opt/swift/usr/bin:$PATH"
            export PATH
        else
            die "swift not found on PATH nor at /opt/swift/usr/bin (Swift 6.3 toolchain required)"
        fi
    fi
}
