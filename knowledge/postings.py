"""Each searched word's passages and BM25F scores, written beside the Whoosh index.

Whoosh stays the store the index is built in, but answering from it costs most of a
question's time on a large corpus (matchers reading posting blocks, BM25F scoring every
posting, field lengths looked up one by one) and opening it costs a hash lookup per word.
So when an index is built, every word's postings in the searched fields are scored once
with Whoosh's own scorer and written as flat arrays; opening the index reads them in one go,
and a question adds up a few slices of them (knowledge.search). The scores are Whoosh's to
the last bit, so the ranking is the one Whoosh would give.

Files, per field: `postings-<field>.docs` (document numbers, int32) and `.scores` (float64),
word after word, and one `postings.json` with the passage id of each document number and,
per field, the words in file order with where each one's postings end.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path

from whoosh import scoring
from whoosh.index import Index

# The fields questions search (knowledge.index defines them).
FIELDS = ("body", "heading", "grams")
META = "postings.json"


def weighting() -> scoring.BM25F:
    """BM25F as the search ranks by: length normalisation B 0.6, term saturation K1 1.2."""
    return scoring.BM25F(B=0.6, K1=1.2)


def write(directory: Path, ix: Index) -> None:
    """Score every posting of the searched fields with Whoosh and write the arrays."""
    meta: dict = {"passages": [], "fields": {}}
    with ix.searcher(weighting=weighting()) as searcher:
        reader = searcher.reader()
        meta["passages"] = [fields["id"] for _, fields in reader.iter_docs()]
        for field in FIELDS:
            words, ends = [], []
            docs, scores = array("i"), array("d")
            for text in reader.field_terms(field):
                m = searcher.postings(field, text)
                while m.is_active():
                    docs.append(m.id())
                    scores.append(m.score())
                    m.next()
                words.append(text)
                ends.append(len(docs))
            meta["fields"][field] = {"words": words, "ends": ends}
            with open(directory / f"postings-{field}.docs", "wb") as fh:
                docs.tofile(fh)
            with open(directory / f"postings-{field}.scores", "wb") as fh:
                scores.tofile(fh)
    (directory / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class Postings:
    """The arrays of one index version, read-only once loaded (threads share them freely)."""

    def __init__(self, directory: Path) -> None:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        self.passage_ids: list[str] = meta["passages"]
        self._spans: dict[str, dict[str, tuple[int, int]]] = {}
        self._docs: dict[str, memoryview] = {}
        self._scores: dict[str, memoryview] = {}
        for field, entry in meta["fields"].items():
            ends = entry["ends"]
            self._spans[field] = dict(
                zip(entry["words"], zip([0, *ends[:-1]], ends, strict=True), strict=True)
            )
            self._docs[field] = memoryview(_read(directory / f"postings-{field}.docs", "i"))
            self._scores[field] = memoryview(_read(directory / f"postings-{field}.scores", "d"))

    def get(self, field: str, word: str) -> tuple[memoryview, memoryview] | None:
        """The document numbers holding `word` in `field` and its score in each, or None."""
        span = self._spans[field].get(word)
        if span is None:
            return None
        start, end = span
        return self._docs[field][start:end], self._scores[field][start:end]

    def doc_frequencies(self, field: str) -> dict[str, int]:
        """How many passages hold each word of `field` (the index has no deleted documents)."""
        return {word: end - start for word, (start, end) in self._spans[field].items()}


def _read(path: Path, typecode: str) -> array:
    values = array(typecode)
    values.frombytes(path.read_bytes())
    return values
