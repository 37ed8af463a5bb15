"""Load the corpus: manifest → readable files → cleaned text → sections → passages.

An unreadable or empty file is reported by name and skipped; the rest still load, so one
bad upload never takes the bot's knowledge away.
"""

from __future__ import annotations

import hashlib
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


def load_corpus(corpus_dir: Path = DEFAULT_CORPUS) -> Corpus:
    corpus = Corpus()
    for doc in load_manifest(corpus_dir):
        try:
            text = strip_chrome(read_document(corpus_dir / doc.file))
        except UnreadableDocument as problem:
            corpus.problems.append(problem)
            continue
        sections = parse_sections(doc.id, text)
        if not sections:
            corpus.problems.append(UnreadableDocument(corpus_dir / doc.file, "no policy text found"))
            continue
        corpus.documents.append(doc)
        corpus.sections[doc.id] = sections
        corpus.passages.extend(make_passages(doc, sections))
    return corpus


def corpus_hash(corpus_dir: Path = DEFAULT_CORPUS) -> str:
    """Changes whenever a document, the manifest or the indexing vocabulary changes."""
    digest = hashlib.sha256()
    manifest = corpus_dir / MANIFEST
    files = [manifest, *(corpus_dir / d.file for d in load_manifest(corpus_dir))]
    files += sorted(DATA.glob("*.txt"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]
