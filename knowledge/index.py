"""The Whoosh index on disk: built once per corpus version, swapped in atomically.

Layout in the data directory::

    index/<corpus hash>/      a complete Whoosh index plus passages.json, words.json,
                              ends.json and the scored postings questions are answered from
                              (postings.py)
    index/CURRENT             the name of the directory in use

A build writes into a temporary directory and only renames it into place when complete,
then rewrites CURRENT with an atomic replace; a crash mid-build leaves the old index in use.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from knowledge import postings
from knowledge.analyzer import analyze_groups, chinese_analyzer, ends_only, gram_analyzer
from knowledge.models import Passage
from knowledge.postings import Postings

# Bumped whenever what is written changes (fields, analyzers, stopwords), so an index of an
# older layout is rebuilt.
FORMAT = "6"
PASSAGES = "passages.json"
WORDS = "words.json"
ENDS = "ends.json"
CURRENT = "CURRENT"


def schema() -> Schema:
    analyzer = chinese_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        body=TEXT(analyzer=analyzer, phrase=True),
        heading=TEXT(analyzer=analyzer, phrase=True),
        # Character bigrams of heading and body: finds passages whose words jieba cut
        # differently from the question's.
        grams=TEXT(analyzer=gram_analyzer(), phrase=False),
        title=TEXT(analyzer=analyzer),
        region=TEXT(analyzer=analyzer),
    )


def _write(
    directory: Path, passages: list[Passage], jurisdictions: dict[str, tuple[str, ...]]
) -> None:
    ix = whoosh_index.create_in(str(directory), schema())
    writer = ix.writer(limitmb=128)
    for p in passages:
        writer.add_document(
            id=p.id,
            doc_id=p.doc_id,
            body=p.text,
            heading=" ".join(p.heading_path),
            grams=" ".join(p.heading_path) + "\n" + p.text,
            title=p.title,
            region=" ".join(jurisdictions.get(p.doc_id, (p.region,))),
        )
    writer.commit()
    postings.write(directory, ix)
    data = [asdict(p) for p in passages]
    groups = {p.id: analyze_groups(p.text + "\n" + " ".join(p.heading_path)) for p in passages}
    words = {pid: sorted({w for group in gs for w in group}) for pid, gs in groups.items()}
    ends = {pid: sorted(ends_only(gs)) for pid, gs in groups.items()}
    (directory / WORDS).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    (directory / ENDS).write_text(json.dumps(ends, ensure_ascii=False), encoding="utf-8")
    (directory / PASSAGES).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def build(
    root: Path,
    version: str,
    passages: list[Passage],
    jurisdictions: dict[str, tuple[str, ...]],
    *,
    remove_stale: bool = True,
) -> Path:
    """Build the index for `version` unless it exists; point CURRENT at it.

    `remove_stale=False` leaves the other versions for the caller to remove once no
    question is being answered from them any more (see `remove_versions`).
    """
    root.mkdir(parents=True, exist_ok=True)
    target = root / version
    if not (target / PASSAGES).exists():
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
        try:
            _write(staging, passages, jurisdictions)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    _point_current(root, version)
    if remove_stale:
        remove_versions(root, keep={version})
    return target


def _point_current(root: Path, version: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".current-")
    with os.fdopen(fd, "w") as fh:
        fh.write(version)
    os.replace(tmp, root / CURRENT)


def remove_versions(root: Path, keep: set[str]) -> None:
    """Old versions go; an index another process still has open stays readable on POSIX."""
    for child in root.iterdir():
        if child.is_dir() and child.name not in keep and not child.name.startswith("."):
            shutil.rmtree(child, ignore_errors=True)


def current_version(root: Path) -> str | None:
    try:
        version = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return version if (root / version / PASSAGES).exists() else None


def open_version(
    root: Path, version: str
) -> tuple[Postings, list[Passage], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The scored postings, the passages, each passage's indexed words and those it uses only
    as the end of a longer word (for coverage checks). Whoosh's own files are not opened:
    questions are answered from the postings."""
    directory = root / version
    raw = json.loads((directory / PASSAGES).read_text(encoding="utf-8"))
    passages = [
        Passage(
            **{
                **r,
                "heading_path": tuple(r["heading_path"]),
                "lead_units": tuple(r["lead_units"]),
                "responsible_units": tuple(r["responsible_units"]),
            }
        )
        for r in raw
    ]
    words = json.loads((directory / WORDS).read_text(encoding="utf-8"))
    ends = json.loads((directory / ENDS).read_text(encoding="utf-8"))
    return (
        Postings(directory),
        passages,
        {pid: frozenset(ws) for pid, ws in words.items()},
        {pid: frozenset(ws) for pid, ws in ends.items() if ws},
    )
