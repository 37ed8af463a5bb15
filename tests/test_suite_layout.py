"""The suite's own structure: shared helpers live in conftest.py and *_support.py modules, so
that running one test module never depends on importing (and collecting) another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_test_module_imports_another():
    offending = {
        path.name: sorted(
            name
            for name in _imported_modules(path)
            if name.rsplit(".", 1)[-1].startswith("test_")
            and name.split(".")[0] in ("tests", name.rsplit(".", 1)[-1])
        )
        for path in sorted(TESTS.glob("*.py"))
    }
    assert {name: found for name, found in offending.items() if found} == {}
