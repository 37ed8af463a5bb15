"""Documents admins add from Telegram, kept under DATA_DIR/documents beside the shipped corpus.

The shipped corpus lives inside the package (read-only once installed) and is never
modified; added documents go to their own folder with a `manifest.json` in the corpus format
(plus who added them and when), so they survive restarts and `load_corpus` reads both.
A document is checked with the same readers the index uses before it is kept: a file that
gives no policy text is refused and nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from knowledge.ingest import read_sections
from knowledge.manifest import MANIFEST, load_manifest
from knowledge.models import DocumentInfo
from knowledge.readers import SUFFIXES, UnreadableDocument, read_document_limited

ID_PREFIX = "L"
MAX_TITLE = 80
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEVEL = re.compile(r"(省|自治区|市|州|盟|县|区|旗|镇|乡|街道)$")


@dataclass(frozen=True)
class LibraryEntry:
    """An added document: its manifest entry and who added it when (ISO time, UTC)."""

    document: DocumentInfo
    added_at: str
    added_by: int | None
    original_name: str

    @property
    def added(self) -> datetime | None:
        """When it was added; None when the manifest has no readable time."""
        try:
            return datetime.fromisoformat(self.added_at)
        except ValueError:
            return None


class Library:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    def entries(self) -> list[LibraryEntry]:
        raw = {str(e["id"]): e for e in self._read()["documents"]}
        documents = load_manifest(self.root) if raw else []
        return [
            LibraryEntry(
                d,
                raw[d.id].get("added_at", ""),
                raw[d.id].get("added_by"),
                raw[d.id].get("original_name", d.file),
            )
            for d in documents
        ]

    def get(self, doc_id: str) -> LibraryEntry | None:
        return next((e for e in self.entries() if e.document.id == doc_id), None)

    def add(
        self,
        source: Path,
        *,
        original_name: str,
        region: str,
        parents: tuple[str, ...] = (),
        added_by: int | None,
        added_at: str,
        title: str | None = None,
    ) -> LibraryEntry:
        """Check `source` reads as a policy and copy it in; raises UnreadableDocument otherwise.

        The title is the file name when it says something (Chinese words), else the text's
        first line; the level follows from the region's suffix (镇头镇 → 镇).
        """
        suffix = Path(original_name).suffix.lower()
        if suffix not in SUFFIXES:
            raise UnreadableDocument(original_name, f"unsupported file type {suffix or '(none)'!r}")
        with self._lock:
            data = self._read()
            number = int(data.get("next_number", 1))
            doc_id = f"{ID_PREFIX}{number:03d}"
            # Read under the suffix the admin gave: the readers choose by suffix.
            with tempfile.TemporaryDirectory() as scratch:
                probe = Path(scratch) / f"probe{suffix}"
                shutil.copyfile(source, probe)
                sections = read_sections(
                    probe, doc_id, read_document_limited
                )  # untrusted: time and memory caps
            level = _LEVEL.search(region)
            entry: dict[str, Any] = {
                "id": doc_id,
                "file": f"{doc_id}{suffix}",
                "title": title or _title(original_name, sections),
                "issuer": "",
                "region": region,
                "parents": list(parents),
                "level": level.group(1) if level else "",
                "date": None,
                "doc_number": None,
                "added_at": added_at,
                "added_by": added_by,
                "original_name": original_name,
            }
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, self.root / entry["file"])
            data["documents"].append(entry)
            data["next_number"] = number + 1
            self._write(data)
        added = self.get(doc_id)
        assert added is not None
        return added

    def remove(self, doc_id: str) -> LibraryEntry | None:
        """Drop an added document and its file; None when the library has no such id."""
        with self._lock:
            entry = self.get(doc_id)
            if entry is None:
                return None
            data = self._read()
            data["documents"] = [e for e in data["documents"] if str(e["id"]) != doc_id]
            self._write(data)
            (self.root / entry.document.file).unlink(missing_ok=True)
            return entry

    def _read(self) -> dict:
        try:
            return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"documents": [], "next_number": 1}

    def _write(self, data: dict) -> None:
        """Write the manifest atomically, so a crash never leaves half a manifest."""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".manifest-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
        os.replace(tmp, self.root / MANIFEST)


def _title(original_name: str, sections) -> str:
    stem = Path(original_name).stem.strip()
    if _CJK.search(stem):
        return stem[:MAX_TITLE]
    first = next(
        (line.strip() for s in sections for line in s.text.splitlines() if line.strip()), stem
    )
    return first[:MAX_TITLE]
