"""The case rules stay in cases/: the web console never reaches past the case service into
storage's case queries and writes. (That web/ and handlers/ never import each other, nor web/
Telegram, is an import-linter contract in pyproject.toml, checked by scripts/check.sh.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported(package: str) -> dict[str, set[str]]:
    """Top-level modules each file of `package` imports."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def test_web_acts_on_cases_only_through_the_case_service():
    for path, names in imported("web").items():
        assert not names & {"storage.complaints", "storage.casework", "storage.deadlines"}, path
