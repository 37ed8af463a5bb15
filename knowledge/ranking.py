"""Region-aware ranking and the decision to abstain.

A resident's own plan, and the plans of the regions above it, are the rules that apply to
them, so their passages rank first. The bot abstains when the best passage covers too
little of what was asked: an answer from an unrelated passage is worse than none.
"""

from __future__ import annotations

from knowledge.analyzer import analyze
from knowledge.models import Hit
from knowledge.search import PassageSearcher

OWN_REGION_BOOST = 2.0
# Share of the question's information (idf-weighted concepts) the best passage must cover.
MIN_COVERAGE = 0.45
# Information of a word the corpus never uses, by part of speech: an unknown noun (三轮车,
# 护照) means the question is about something the plans do not cover; an unknown adverb or
# colloquial verb (天天, 搞) says little.
UNKNOWN_NOUN = 3.0
UNKNOWN_VERB = 1.2
UNKNOWN_OTHER = 0.3
SINGLE_CHAR_FACTOR = 0.4


def rerank(hits: list[Hit], chain: tuple[str, ...]) -> list[Hit]:
    if not chain:
        return hits
    boosted = [Hit(h.passage, h.score * (OWN_REGION_BOOST if h.passage.region in chain else 1.0)) for h in hits]
    return sorted(boosted, key=lambda h: -h.score)


def info(concept, searcher: PassageSearcher) -> float:
    known = [searcher.idf(w) for w in concept.words if searcher.known(w)]
    if known:
        value = max(known)
    elif concept.pos.startswith(("n", "eng")) or concept.pos == "vn":
        value = UNKNOWN_NOUN
    elif concept.pos.startswith("v"):
        value = UNKNOWN_VERB
    else:
        value = UNKNOWN_OTHER
    return value * (SINGLE_CHAR_FACTOR if len(concept.typed) == 1 else 1.0)


def coverage(hit: Hit, query, searcher: PassageSearcher) -> float:
    present = set(analyze(hit.passage.text + " " + " ".join(hit.passage.heading_path)))
    total = covered = 0.0
    for concept in query.concepts:
        weight = info(concept, searcher)
        total += weight
        if concept.words & present:
            covered += weight
    return covered / total if total else 0.0


def abstains(hit: Hit, query, searcher: PassageSearcher) -> bool:
    return not query.concepts or coverage(hit, query, searcher) < MIN_COVERAGE
