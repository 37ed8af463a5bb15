"""Ranked passage search over the Whoosh index.

Queries are built as query objects from analysed words; raw user text never reaches a
query parser, so `title:(a OR b)~2^3` is just words. Whoosh searchers are not thread-safe,
so one searcher is shared under a lock: each thread's own would hold ~7 MB more, and under
the GIL threads would not search any faster side by side.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh import scoring
from whoosh.index import Index
from whoosh.query import Or, Term
from whoosh.searching import Searcher

from knowledge.models import Hit, Passage

# Title and region are indexed for completeness, but jurisdiction is ranked by
# knowledge.ranking and titles repeat on every passage of a plan, so queries skip them.
FIELD_BOOSTS = {"body": 1.0, "heading": 1.6}
# Words in more passages than this share say little about which passage answers and cost
# the most to score (扶贫, 贫困); they still count in coverage and answer extraction.
MAX_QUERY_DF_SHARE = 0.25
MAX_QUERY_WORDS = 8
# Checked on the fused candidates as plain text, not as Whoosh phrase queries (which cost a
# third of the search time): chosen on the odd half of the development questions.
PHRASE_WEIGHT = 0.2
# The bigram view: a question is searched by its most telling character pairs the plans use.
MAX_QUERY_GRAMS = 20
# How much the bigram ranking counts beside the word ranking (each scaled to its best hit);
# chosen on the odd half of the development questions.
GRAM_WEIGHT = 1.2


@dataclass(frozen=True)
class WeightedTerm:
    """A query word and how much it should count (expansions count less than typed words)."""

    text: str
    weight: float = 1.0


class PassageSearcher:
    def __init__(
        self, ix: Index, passages: list[Passage], words: dict[str, frozenset[str]]
    ) -> None:
        self.ix = ix
        self.passages = {p.id: p for p in passages}
        self.words = words
        self._lock = threading.Lock()  # one Whoosh search at a time
        self._shared: Searcher | None = None
        with ix.searcher() as s:
            self.doc_count = s.doc_count() or 1
            reader = s.reader()
            self._df = {
                text: reader.doc_frequency("body", text) for text in reader.field_terms("body")
            }
            self._gram_df = {
                text: reader.doc_frequency("grams", text) for text in reader.field_terms("grams")
            }

    def _run(self, query, limit: int) -> list[Hit]:
        with self._lock:
            if self._shared is None:
                self._shared = self.ix.searcher(weighting=scoring.BM25F(B=0.6, K1=1.2))
            results = self._shared.search(query, limit=limit)
            return [Hit(self.passages[r["id"]], float(r.score)) for r in results]

    def idf(self, word: str) -> float:
        """Inverse document frequency in passage bodies; 0 for words the corpus never uses."""
        df = self._df.get(word, 0)
        if not df:
            return 0.0
        return math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))

    def gram_idf(self, gram: str) -> float:
        df = self._gram_df.get(gram, 0)
        return math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5)) if df else 0.0

    def doc_frequency(self, word: str) -> int:
        return self._df.get(word, 0)

    def known(self, word: str) -> bool:
        return word in self._df

    @property
    def vocabulary(self) -> list[str]:
        return list(self._df)

    def search(
        self,
        terms: list[WeightedTerm],
        phrases: Sequence[tuple[str, str]] = (),
        limit: int = 20,
        grams: Sequence[str] = (),
    ) -> list[Hit]:
        """The word ranking and the character-bigram ranking, each scaled to its best hit and
        added up (the bigram one weighted by GRAM_WEIGHT), plus PHRASE_WEIGHT for each pair of
        consecutive question words that stand together in the passage (乡镇 工作 as 乡镇工作)."""
        fused: dict[str, float] = {}
        for hits, weight in (
            (self.search_words(terms, limit), 1.0),
            (self.search_grams(grams, limit), GRAM_WEIGHT),
        ):
            top = hits[0].score if hits and hits[0].score > 0 else 1.0
            for h in hits:
                fused[h.passage.id] = fused.get(h.passage.id, 0.0) + weight * h.score / top
        joined = [a + b for a, b in phrases]
        for pid in fused:
            text = self.passages[pid].text
            fused[pid] += PHRASE_WEIGHT * sum(1 for pair in joined if pair in text)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:limit]
        return [Hit(self.passages[pid], score) for pid, score in ranked]

    def search_grams(self, grams: Sequence[str], limit: int = 20) -> list[Hit]:
        """BM25 over the bigram field with the question's most telling bigrams."""
        known = {
            g for g in grams if 0 < self._gram_df.get(g, 0) <= MAX_QUERY_DF_SHARE * self.doc_count
        }
        chosen = sorted(known, key=lambda g: (-self.gram_idf(g), g))[:MAX_QUERY_GRAMS]
        if not chosen:
            return []
        return self._run(Or([Term("grams", g) for g in chosen]), limit)

    def search_words(self, terms: list[WeightedTerm], limit: int = 20) -> list[Hit]:
        """BM25F over the body and heading fields."""
        if not terms:
            return []
        selective = [
            t for t in terms if 0 < self._df.get(t.text, 0) <= MAX_QUERY_DF_SHARE * self.doc_count
        ]
        # A long story (着火了, 被子衣服全烧了 …) is searched by its most telling words only;
        # every word still counts in coverage and answer extraction.
        chosen = sorted(selective or terms, key=lambda t: -t.weight * self.idf(t.text))[
            :MAX_QUERY_WORDS
        ]
        clauses = [
            Term(field, t.text, boost=boost * t.weight)
            for t in chosen
            for field, boost in FIELD_BOOSTS.items()
        ]
        return self._run(Or(clauses), limit)

    def close(self) -> None:
        """Close the searcher (after a reload has swapped this one out)."""
        with self._lock:
            shared, self._shared = self._shared, None
        if shared is not None:
            shared.close()
