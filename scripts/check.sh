#!/usr/bin/env bash
# Static checks CI runs beside the tests (set up .venv with the test extras first, as
# scripts/test.sh does): the architecture contracts of pyproject.toml's [tool.importlinter].
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/lint-imports --no-cache
