#!/usr/bin/env bash
# Static checks CI runs beside the tests (set up .venv with the test extras first, as
# scripts/test.sh does): ruff's lint and format check, mypy over the packages (pyproject.toml's
# [tool.mypy]), and the architecture contracts of pyproject.toml's [tool.importlinter].
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check --no-cache .
.venv/bin/ruff format --check --no-cache .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
