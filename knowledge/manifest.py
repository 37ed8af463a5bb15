"""The corpus manifest: which files are policy documents and whose rules they are."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.models import DocumentInfo

DEFAULT_CORPUS = Path(__file__).parent / "corpus"
MANIFEST = "manifest.json"


def load_manifest(corpus_dir: Path = DEFAULT_CORPUS) -> list[DocumentInfo]:
    """Read `manifest.json`; entries keep the order of the file."""
    data = json.loads((corpus_dir / MANIFEST).read_text(encoding="utf-8"))
    return [
        DocumentInfo(
            id=str(entry["id"]),
            title=entry["title"],
            issuer=entry.get("issuer", ""),
            region=entry["region"],
            parents=tuple(entry.get("parents", ())),
            level=entry.get("level", ""),
            date=entry.get("date"),
            doc_number=entry.get("doc_number"),
            file=entry["file"],
        )
        for entry in data["documents"]
    ]
