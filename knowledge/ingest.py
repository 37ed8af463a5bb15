"""Load the corpus: manifest → readable files → cleaned text → sections → passages.

The corpus is the shipped folder (or CORPUS_DIR) plus, when given, the library of documents
admins added from Telegram (a folder in the same manifest format under DATA_DIR). An
unreadable or empty file is reported by name and skipped; the rest still load, so one bad
upload never takes the bot's knowledge away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.cleaning import strip_chrome
from knowledge.manifest import DEFAULT_CORPUS, MANIFEST, load_manifest
from knowledge.models import DocumentInfo, Passage, Section
from knowledge.passages import make_passages
from knowledge.readers import UnreadableDocument, read_document
from knowledge.structure import parse_sections

DATA = Path(__file__).parent / "data"


@dataclass
class Corpus:
    documents: list[DocumentInfo] = field(default_factory=list)
    sections: dict[str, list[Section]] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    problems: list[UnreadableDocument] = field(default_factory=list)


def read_sections(
    path: Path, doc_id: str, read: Callable[[Path], str] = read_document
) -> list[Section]:
    """The sections of one policy file; raises UnreadableDocument when it gives none."""
    sections = parse_sections(doc_id, strip_chrome(read(path)))
    if not sections:
        raise UnreadableDocument(path, "no policy text found")
    return sections


def load_corpus(corpus_dir: Path = DEFAULT_CORPUS, library_dir: Path | None = None) -> Corpus:
    corpus = Corpus()
    for folder, doc in corpus_entries(corpus_dir, library_dir):
        try:
            sections = read_sections(folder / doc.file, doc.id)
        except UnreadableDocument as problem:
            corpus.problems.append(problem)
            continue
        corpus.documents.append(doc)
        corpus.sections[doc.id] = sections
        corpus.passages.extend(make_passages(doc, sections))
    return corpus


def corpus_hash(corpus_dir: Path = DEFAULT_CORPUS, library_dir: Path | None = None) -> str:
    """Changes whenever a document, a manifest or the indexing vocabulary changes."""
    digest = hashlib.sha256()
    files = [corpus_dir / MANIFEST]
    if library_dir is not None and (library_dir / MANIFEST).exists():
        files.append(library_dir / MANIFEST)
    files += [folder / d.file for folder, d in corpus_entries(corpus_dir, library_dir)]
    files += sorted(DATA.glob("*.txt"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]


def corpus_entries(
    corpus_dir: Path, library_dir: Path | None = None
) -> list[tuple[Path, DocumentInfo]]:
    """Each document with the folder its file is in: the corpus first, then the library."""
    entries = [(corpus_dir, doc) for doc in load_manifest(corpus_dir)]
    if library_dir is not None and (library_dir / MANIFEST).exists():
        entries += [(library_dir, doc) for doc in load_manifest(library_dir)]
    return entries
