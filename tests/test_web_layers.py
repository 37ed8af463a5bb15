"""The web console is a second adapter beside handlers/: neither imports the other, and the
case rules stay in cases/ (web/ never reaches into storage's case queries or lifecycle writes)."""

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


def test_web_and_handlers_never_import_each_other():
    for path, names in imported("web").items():
        assert not {n for n in names if n.split(".")[0] in ("handlers", "telegram", "bot")}, path
    for path, names in imported("handlers").items():
        assert not {n for n in names if n.split(".")[0] == "web"}, path


def test_web_acts_on_cases_only_through_the_case_service():
    for path, names in imported("web").items():
        assert not names & {"storage.complaints", "storage.casework", "storage.deadlines"}, path
