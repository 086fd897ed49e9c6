# shellcheck shell=bash
# Bootstrap the project's virtualenv; sourced by scripts/run and scripts/test.
#
# Creates .venv when it is missing, installs requirements.lock (hash-pinned)
# only when the lock changed since the last install, and re-does the
# editable install of the project when pyproject.toml changed. Stamps with
# the files' sha256 live inside .venv, so deleting .venv starts over.

OPSYN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_opsyn_sha256() {
    "$1" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$2"
}

_opsyn_find_python() {
    local candidate
    if [[ -n "${OPSYN_PYTHON:-}" ]]; then
        echo "$OPSYN_PYTHON"
        return 0
    fi
    # The lock is compiled for 3.11; prefer it, accept anything newer.
    for candidate in python3.11 python3 python3.12 python3.13; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "bootstrap: Python 3.11 or newer is required (set OPSYN_PYTHON)" >&2
    return 1
}

opsyn_bootstrap() {
    cd "$OPSYN_ROOT" || return 1
    mkdir -p .local

    # Two entry points started at once must not install over each other.
    if command -v flock >/dev/null 2>&1; then
        exec 9>.local/bootstrap.lock
        flock 9
    fi

    if [[ ! -x .venv/bin/python ]]; then
        local python
        python="$(_opsyn_find_python)" || return 1
        echo "bootstrap: creating .venv with $python" >&2
        if ! "$python" -m venv .venv; then
            echo "bootstrap: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2
            rm -rf .venv
            return 1
        fi
    fi

    local lock_sum project_sum
    lock_sum="$(_opsyn_sha256 .venv/bin/python requirements.lock)"
    project_sum="$(_opsyn_sha256 .venv/bin/python pyproject.toml)"

    if [[ "$(cat .venv/.opsyn-lock.sha256 2>/dev/null)" != "$lock_sum" ]]; then
        echo "bootstrap: installing requirements.lock" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --require-hashes -r requirements.lock || return 1
        echo "$lock_sum" >.venv/.opsyn-lock.sha256
        rm -f .venv/.opsyn-project.sha256
    fi

    if [[ "$(cat .venv/.opsyn-project.sha256 2>/dev/null)" != "$project_sum" ]] ||
        [[ ! -x .venv/bin/opsyn ]]; then
        echo "bootstrap: installing the project (editable)" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --no-deps --no-build-isolation -e . || return 1
        echo "$project_sum" >.venv/.opsyn-project.sha256
    fi

    if command -v flock >/dev/null 2>&1; then
        exec 9>&-
    fi
}
