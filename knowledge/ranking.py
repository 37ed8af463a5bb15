"""Region-aware ranking and the decision to abstain.

A resident's own plan, and the plans of the regions above it, are the rules that apply to
them, so their passages rank first. The bot abstains when the best passage covers too
little of what was asked: an answer from an unrelated passage is worse than none.
"""

from __future__ import annotations

from knowledge.models import Hit
from knowledge.search import PassageSearcher

COVERAGE_WEIGHT = 1.5
# When the resident's place is known, passages of the plans that apply to them are lifted by
# this much (the best BM25 hit scores 1, full coverage COVERAGE_WEIGHT): above any other plan's.
# Chosen on the odd half of the development questions.
REGION_LIFT = 2.5
# Share of the question's information (idf-weighted concepts) the best passage must cover.
MIN_COVERAGE = 0.5
# Information of a word the corpus never uses, by part of speech: an unknown noun (三轮车,
# 护照) means the question is about something the plans do not cover; an unknown adverb or
# colloquial verb (天天, 搞) says little.
UNKNOWN_NOUN = 3.0
UNKNOWN_VERB = 1.2
UNKNOWN_OTHER = 0.3
# A word no dictionary knows (限购, or a fragment like 会修 that jieba glued together).
UNKNOWN_GUESSED = 1.5
SINGLE_CHAR_FACTOR = 0.4
# What is asked about is named by nouns; verbs (申请, 办) say what to do with it.
VERB_FACTOR = 0.6
# Adverbs, numerals, pronouns, time words (直接, 一年, 每个) even less.
OTHER_FACTOR = 0.7


def rerank(hits: list[Hit], query, searcher: PassageSearcher, chain: tuple[str, ...]) -> list[Hit]:
    """Order by BM25 and by how much of the question each passage covers; then, when the
    resident's place is known, the passages of the plans that apply to them come first."""
    if not hits:
        return hits
    top = max(h.score for h in hits) or 1.0
    scored = []
    for h in hits:
        cov = coverage(h, query, searcher)
        scored.append((h.score / top + COVERAGE_WEIGHT * cov, cov, h))
    scored.sort(key=lambda x: -x[0])
    if chain:
        # The plans that apply to the resident outrank the rest, even where another plan's
        # passage covers more words: another region's rule is not theirs.
        scored = [
            (score + REGION_LIFT if h.passage.region in chain else score, cov, h)
            for score, cov, h in scored
        ]
        scored.sort(key=lambda x: -x[0])
    return [Hit(h.passage, round(score, 4)) for score, _, h in scored]


def info(concept, searcher: PassageSearcher) -> float:
    known = [searcher.idf(w) for w in concept.words if searcher.known(w)]
    if known:
        value = max(known)
    elif concept.pos.startswith(("n", "eng")) or concept.pos == "vn":
        value = UNKNOWN_NOUN
    elif concept.pos.startswith("v"):
        value = UNKNOWN_VERB
    elif concept.pos == "x" and len(concept.typed) > 1:
        value = UNKNOWN_GUESSED
    else:
        value = UNKNOWN_OTHER
    if concept.pos.startswith("v"):
        value *= VERB_FACTOR
    elif not (concept.pos.startswith(("n", "eng")) or concept.pos == "vn"):
        value *= OTHER_FACTOR
    return value * (SINGLE_CHAR_FACTOR if len(concept.typed) == 1 else 1.0)


def coverage(hit: Hit, query, searcher: PassageSearcher) -> float:
    present = searcher.words.get(hit.passage.id, frozenset())
    total = covered = 0.0
    for concept in query.concepts:
        weight = info(concept, searcher)
        total += weight
        if concept.words & present:
            covered += weight
    return covered / total if total else 0.0


def abstains(hit: Hit, query, searcher: PassageSearcher) -> bool:
    """No answer for questions outside the plans' domain (驾照, 话费) even when a word of
    them occurs somewhere in a plan, nor when the best passage covers too little."""
    if not query.concepts or not query.in_domain:
        return True
    return coverage(hit, query, searcher) < MIN_COVERAGE
