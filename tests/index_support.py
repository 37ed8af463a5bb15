"""Helpers for the tests of the on-disk index and the library: corpus copies, versions, searches,
the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from knowledge import index
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.service import KnowledgeBase


def copy_corpus(target: Path, ids: tuple[str, ...] | None = None) -> Path:
    """A copy of the shipped corpus (or of some of its documents) that a test may change."""
    shutil.copytree(DEFAULT_CORPUS, target)
    if ids is not None:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        manifest["documents"] = [d for d in manifest["documents"] if d["id"] in ids]
        (target / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
        )
    return target


def current_version(data: Path) -> str:
    """The version of the index the data directory serves now."""
    return (data / "index" / index.CURRENT).read_text().strip()


def found(kb: KnowledgeBase, question: str, doc_id: str, text: str = "蜜蜂") -> bool:
    """Whether a search finds a passage of `doc_id` that says `text`."""
    hits, _ = kb.search(question)
    return any(h.passage.doc_id == doc_id and text in h.passage.text for h in hits)


def run_bot(
    args: list[str], data: Path, corpus: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` on the data directory `data` (and corpus), as an operator runs it."""
    env = {**os.environ, "DATA_DIR": str(data), "LOG_LEVEL": "WARNING"}
    if corpus is not None:
        env["CORPUS_DIR"] = str(corpus)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        env=env,
        cwd=data.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def ask_jsonl(rows: list[dict[str, Any]], data: Path) -> list[dict[str, Any]]:
    """The replies of `python -m bot ask --jsonl` to `rows`, in order."""
    done = run_bot(
        ["ask", "--jsonl"],
        data,
        stdin="".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]
