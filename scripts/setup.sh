#!/usr/bin/env bash
# Create .venv (if missing) and install the project with the given extras, e.g.
#   scripts/setup.sh test
# Idempotent: re-running only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
extras=${1:-}
target="."
[ -n "$extras" ] && target=".[$extras]"
# Build-backend warnings go to a log; it is shown only if the install fails.
if ! .venv/bin/python -m pip install --quiet -e "$target" >.venv/setup.log 2>&1; then
    cat .venv/setup.log >&2
    exit 1
fi
