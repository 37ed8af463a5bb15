#!/usr/bin/env bash
# Set up and run the whole test suite, against SQLite and a throwaway PostgreSQL server
# (installed with apt-get if missing), with the web console's browser tests in Debian's
# Chromium and a Chinese font for its screenshots (installed with apt-get if missing;
# Playwright drives that Chromium and downloads no browser). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; } || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "test.sh: installing ${missing[*]} with apt-get" >&2
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q </dev/null >&2
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
fi
exec scripts/with-postgres.sh .venv/bin/python -m pytest -q "$@"
