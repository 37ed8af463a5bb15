#!/usr/bin/env bash
# Set up and run the whole test suite, against SQLite and a throwaway PostgreSQL server
# (installed with apt-get if missing). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec scripts/with-postgres.sh .venv/bin/python -m pytest -q "$@"
