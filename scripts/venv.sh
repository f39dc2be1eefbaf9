#!/usr/bin/env bash
# Creates or updates the Python venvs of the end-to-end suite from PyPI:
#   .venv       replicate==1.0.7 + pytest   (Tests/e2e/requirements.txt + constraints.txt)
#   .venv-next  replicate 2.x (the newer official client; same import name, so its own venv)
#
#   scripts/venv.sh            create/update both (quick no-op when the pins are unchanged)
#   scripts/venv.sh --freeze   rewrite the constraints files from what is installed
set -euo pipefail
LOG_TAG=venv
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

e2e="$REPO_ROOT/Tests/e2e"

python="$(pick_python)" || {
    log "no python3 that can create a venv; installing python3-venv"
    "$REPO_ROOT/scripts/install-deps.sh" test
    python="$(pick_python)" || die "python3 cannot create venvs even with python3-venv installed"
}

# make_venv DIR REQUIREMENTS CONSTRAINTS
make_venv() {
    local dir="$1" req="$2" cons="$3" stamp want
    stamp="$dir/.reprise-stamp"
    want="$(cat "$req" "$cons" 2>/dev/null | sha256sum | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
    if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
        && "$dir/bin/python" -c 'import replicate' >/dev/null 2>&1; then
        log "$(basename "$dir") up to date"
        return 0
    fi
    log "building $(basename "$dir") with $python"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    local cons_args=()
    [ -f "$cons" ] && cons_args=(-c "$cons")
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input \
        -r "$req" "${cons_args[@]}" </dev/null
    echo "$want" >"$stamp"
    log "$(basename "$dir") ready: $("$dir/bin/python" -c 'import importlib.metadata as m; print("replicate", m.version("replicate"))')"
}

freeze() {
    local dir="$1" cons="$2"
    {
        echo "# Exact versions for $(basename "$dir") (scripts/venv.sh --freeze; pip freeze)."
        "$dir/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable
    } >"$cons"
    log "wrote ${cons#"$REPO_ROOT"/}"
}

make_venv "$REPO_ROOT/.venv" "$e2e/requirements.txt" "$e2e/constraints.txt"
make_venv "$REPO_ROOT/.venv-next" "$e2e/requirements-next.txt" "$e2e/constraints-next.txt"

if [ "${1:-}" = --freeze ]; then
    freeze "$REPO_ROOT/.venv" "$e2e/constraints.txt"
    freeze "$REPO_ROOT/.venv-next" "$e2e/constraints-next.txt"
    # The stamps include the constraints; refresh them so the next run is a no-op.
    "$0"
fi
