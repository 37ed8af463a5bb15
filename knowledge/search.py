"""Ranked passage search over the scored postings of the index (knowledge.postings).

A question's words become (field, word, boost) clauses; a passage's score is its postings'
BM25F scores times the boosts, added in clause order, as Whoosh adds them in an OR query, so
the ranking is Whoosh's without running Whoosh's matchers. Raw user text never reaches a
query parser.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.models import Hit, Passage
from knowledge.postings import Postings

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
        self,
        postings: Postings,
        passages: list[Passage],
        words: dict[str, frozenset[str]],
        ends: dict[str, frozenset[str]],
    ) -> None:
        """`words` are each passage's indexed words; `ends` those of them it uses only as the
        last part of a longer word (knowledge.analyzer.ends_only)."""
        self.passages = {p.id: p for p in passages}
        self.words = words
        self.ends = ends
        self._postings = postings
        self._by_docnum = [self.passages[pid] for pid in postings.passage_ids]
        self.doc_count = len(self._by_docnum) or 1
        self._df = postings.doc_frequencies("body")
        self._gram_df = postings.doc_frequencies("grams")

    def rank(self, clauses: list[tuple[str, str, float]], limit: int) -> list[Hit]:
        """The best `limit` passages for an OR of (field, word, boost) clauses: each
        passage's clause scores times their boosts, added in clause order as Whoosh adds
        them; ties go to the passage indexed first, as in Whoosh."""
        totals: dict[int, float] = {}
        get = totals.get
        for field, text, boost in clauses:
            found = self._postings.get(field, text)
            if found is None:
                continue
            docs, scores = found
            if boost == 1.0:
                for d, score in zip(docs, scores, strict=True):
                    totals[d] = get(d, 0.0) + score
            else:
                for d, score in zip(docs, scores, strict=True):
                    totals[d] = get(d, 0.0) + score * boost
        best = heapq.nsmallest(limit, totals.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(self._by_docnum[d], score) for d, score in best]

    def holding(self, words: Iterable[str]) -> list[Passage]:
        """The passages whose text or headings hold one of `words`, in index order: read from
        the postings, not by testing every passage (18,000 at 100x the corpus)."""
        docs: set[int] = set()
        for field in FIELD_BOOSTS:
            for word in words:
                found = self._postings.get(field, word)
                if found is not None:
                    docs.update(found[0])
        return [self._by_docnum[d] for d in sorted(docs)]

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
        return self.rank([("grams", g, 1.0) for g in chosen], limit)

    def search_words(self, terms: list[WeightedTerm], limit: int = 20) -> list[Hit]:
        """BM25F over the body and heading fields."""
        if not terms:
            return []
        selective = [
            t for t in terms if 0 < self._df.get(t.text, 0) <= MAX_QUERY_DF_SHARE * self.doc_count
        ]
        # A long story (着火了, 被子衣服全烧了 …) is searched by its most telling words only;
        # every word still counts in coverage and answer extraction.
        # Ties go by the word, so the same question searches the same words in every run.
        chosen = sorted(selective or terms, key=lambda t: (-t.weight * self.idf(t.text), t.text))[
            :MAX_QUERY_WORDS
        ]
        clauses = [
            (field, t.text, boost * t.weight)
            for t in chosen
            for field, boost in FIELD_BOOSTS.items()
        ]
        return self.rank(clauses, limit)
