"""Region-aware ranking, and how sure the best passage answers.

A resident's own plan, and the plans of the regions above it, are the rules that apply to
them, so their passages rank first. Coverage (how much of what was asked a passage holds)
ranks passages and, with the best one's lead, says how sure the answer is; the service
decides from it between an answer, the closest matches, and "not found".
"""

from __future__ import annotations

from collections.abc import Callable

from knowledge.analyzer import segmenter
from knowledge.models import Hit, Passage
from knowledge.search import PassageSearcher

COVERAGE_WEIGHT = 1.5
# How much the best passage's lead over the next counts in `confidence`.
LEAD_WEIGHT = 0.2
# When the resident's place is known, passages of the plans that apply to them are lifted by
# this much (the best BM25 hit scores 1, full coverage COVERAGE_WEIGHT): above any other plan's.
# Chosen on the odd half of the development questions.
REGION_LIFT = 2.5
# When a question asks for an amount or a time, each of its best few passages that states one
# where it speaks of what was asked gains this much: between two close passages of a plan, the
# one with the figure answers. Chosen on the odd half of the development questions: 0.15-0.5
# all put two or three more right passages first, 0.6 lifted much less relevant ones.
STATES_LIFT = 0.3
STATES_DEPTH = 5
# Information of a word the corpus never uses, by part of speech: an unknown noun (三轮车,
# 护照) means the question is about something the plans do not cover; an unknown adverb or
# colloquial verb (天天, 搞) says little.
UNKNOWN_NOUN = 3.0
UNKNOWN_VERB = 1.2
UNKNOWN_OTHER = 0.3
# A word no dictionary knows (限购, or a fragment like 会修 that jieba glued together).
UNKNOWN_GUESSED = 1.5
SINGLE_CHAR_FACTOR = 0.4
# A verb general Chinese uses less often than this names a specific thing or errand.
RARE_VERB_FREQ = 100
# What is asked about is named by nouns; verbs (申请, 办) say what to do with it.
VERB_FACTOR = 0.6
# Adverbs, numerals, pronouns, time words (直接, 一年, 每个) even less.
OTHER_FACTOR = 0.7
# A part of a typed word shows a passage or sentence is about it when at least this share as
# specific (by idf) as its most specific part: 危房 of 危房改造 (1.0) and 小额 of 小额贷款
# (0.73) do; 改造 (0.6) and 贷款 (0.61) are as much other matters' (无障碍改造, 助学贷款).
# Stricter than understanding's SUBWORD_SHARE (0.5), at which a 无障碍改造 rate counted as
# 危房改造's amount. On the odd half no answerable question is told "not stated" at any share
# from 0.5 to 0.75.
ABOUT_SHARE = 0.7
# How much of a concept a passage covers that holds it only by such a generic part (or by a
# generic policy word, see weak_expansions): it speaks of another thing of the same kind, or
# of anything. On the odd half of the development questions and
# dialogs 0 to 0.5 are alike; kept small.
GENERIC_CREDIT = 0.1


def rerank(hits: list[Hit], query, searcher: PassageSearcher, chain: tuple[str, ...]) -> list[Hit]:
    """Order by BM25 and by how much of the question each passage covers; then, when the
    resident's place is known, the passages of the plans that apply to them come first."""
    if not hits:
        return hits
    top = max(h.score for h in hits) or 1.0
    weights = _weights(query, searcher)  # once per question, not once per passage
    scored = []
    for h in hits:
        cov = _covered(h, weights, searcher)
        scored.append((h.score / top + COVERAGE_WEIGHT * cov, cov, h))
    scored.sort(key=lambda x: -x[0])
    if chain:
        # The plans that apply to the resident outrank the rest, even where another plan's
        # passage covers more words: another region's rule is not theirs. But when the main
        # thing asked is a compound that another plan names (小额贷款), their passages that do
        # not name it (助学贷款, 再贷款: its generic half at most) are not lifted: their plan
        # is silent on it, and the reply says so over the other plan's rule.
        beside = _beside_main(query, weights, hits, searcher)
        scored = [
            (
                score + REGION_LIFT
                if h.passage.region in chain and h.passage.id not in beside
                else score,
                cov,
                h,
            )
            for score, cov, h in scored
        ]
        scored.sort(key=lambda x: -x[0])
    return [Hit(h.passage, round(score, 4)) for score, _, h in scored]


def lift_stating(hits: list[Hit], states: Callable[[Passage], bool]) -> list[Hit]:
    """The best few hits reordered with STATES_LIFT for those that state the asked fact."""
    head = [
        Hit(h.passage, round(h.score + (STATES_LIFT if states(h.passage) else 0.0), 4))
        for h in hits[:STATES_DEPTH]
    ]
    head.sort(key=lambda h: -h.score)
    return head + hits[STATES_DEPTH:]


def info(concept, searcher: PassageSearcher) -> float:
    known = [searcher.idf(w) for w in concept.words if searcher.known(w)]
    if known:
        value = max(known)
    elif _is_noun(concept):
        value = UNKNOWN_NOUN
    elif concept.pos.startswith("v"):
        value = UNKNOWN_VERB
    elif concept.pos == "x" and len(concept.typed) > 1:
        value = UNKNOWN_GUESSED
    else:
        value = UNKNOWN_OTHER
    noun = _is_noun(concept)
    if concept.pos.startswith("v") and not noun:
        value *= VERB_FACTOR
    elif not noun:
        value *= OTHER_FACTOR
    return value * (SINGLE_CHAR_FACTOR if len(concept.typed) == 1 else 1.0)


def coverage(hit: Hit, query, searcher: PassageSearcher) -> float:
    return _covered(hit, _weights(query, searcher), searcher)


def _weights(
    query, searcher: PassageSearcher
) -> list[tuple[frozenset[str], frozenset[str], float]]:
    """Each concept's words that show a passage is about it, its generic words (the generic
    part of a compound, the policy words the lexicon gives that say little), and its
    information."""
    weights = []
    for concept in query.concepts:
        generic = generic_words(concept, searcher.idf)
        weights.append((concept.words - generic, generic, info(concept, searcher)))
    return weights


def _covered(hit: Hit, weights, searcher: PassageSearcher) -> float:
    """Share of the question's information whose words the passage holds. A concept held
    only by a generic part counts GENERIC_CREDIT of its share; so does one held only as the
    end of a longer word that another concept holds already (学生 of the 大学生 that shows
    上大学): one word of the passage does not show two things asked."""
    present = searcher.words.get(hit.passage.id, frozenset())
    ends = searcher.ends.get(hit.passage.id, frozenset())
    held = [about & present for about, _, _ in weights]
    total = covered = 0.0
    for i, (_, generic, weight) in enumerate(weights):
        total += weight
        mine = held[i]
        if mine - ends or (mine and not _ends_of_others(mine, held, i)):
            covered += weight
        elif mine or generic & present:
            covered += GENERIC_CREDIT * weight
    return covered / total if total else 0.0


def _ends_of_others(words: frozenset[str], held: list[frozenset[str]], i: int) -> bool:
    """Whether each of `words` is the last part of a longer word another concept holds."""
    others = [w for j, theirs in enumerate(held) if j != i for w in theirs]
    return all(any(o != w and o.endswith(w) for o in others) for w in words)


def generic_words(concept, idf: Callable[[str], float]) -> frozenset[str]:
    """The words of a concept that show a passage speaks of it only weakly: the generic part
    of a compound typed, or the generic policy words the lexicon gives."""
    return generic_parts(concept, idf) | weak_expansions(concept, idf)


def generic_parts(concept, idf: Callable[[str], float]) -> frozenset[str]:
    """The last part of a typed word, when another part is what makes it specific (贷款 of
    小额贷款, 改造 of 危房改造; not 贷款 of 扶贫贷款, where 扶贫 is no narrower): a passage
    holding only it is about another thing of the same kind (助学贷款, 无障碍改造). None
    for the lexicon's policy words, which are whole words."""
    if concept.expanded:
        return frozenset()
    parts = [w for w in concept.words if w in concept.typed]
    best = max((idf(w) for w in parts), default=0.0)
    ends = [w for w in parts if w != concept.typed and concept.typed.endswith(w)]
    if not any(
        w != concept.typed and w not in ends and idf(w) >= ABOUT_SHARE * best for w in parts
    ):
        return frozenset()
    return frozenset(w for w in ends if idf(w) < ABOUT_SHARE * best)


def weak_expansions(concept, idf: Callable[[str], float]) -> frozenset[str]:
    """The policy words the lexicon gives for an everyday word that are much less specific
    than the most specific of them (教育 beside 学生 and 儿童 for 孩子, 资金 beside 补助 for
    给钱): every other passage uses them, in any sense (教育和引导), so one holding only
    them hardly shows what was asked. "Much less" is ABOUT_SHARE, as for a compound's parts:
    on the odd half of the development sets 0.6 and 0.7 alike put two more dev2 answers in
    the top five, 0.7 also a dialog's follow-up first; 0.8 lost a dev question."""
    if not concept.expanded:
        return frozenset()
    given = [w for w in concept.words if w != concept.typed]
    best = max((idf(w) for w in given), default=0.0)
    return frozenset(w for w in given if idf(w) < ABOUT_SHARE * best)


def _beside_main(query, weights, hits: list[Hit], searcher: PassageSearcher) -> set[str]:
    """The ids of the hits that do not hold the question's main (most informative) concept,
    when it is a compound with a generic part (小额贷款) and another hit holds it itself."""
    if not weights:
        return set()
    main, (about, generic, _) = max(
        zip(query.concepts, weights, strict=True), key=lambda m: m[1][2]
    )
    if (
        main.expanded
        or not generic
        or not any(about & searcher.words.get(h.passage.id, frozenset()) for h in hits)
    ):
        return set()
    return {h.passage.id for h in hits if not about & searcher.words.get(h.passage.id, frozenset())}


def unknown_share(query, searcher: PassageSearcher) -> float:
    """Share of the question's information carried by nouns the plans never use and the
    lexicon does not map (电影, 护照): what it is about lies outside the plans."""
    total = unknown = 0.0
    for concept in query.concepts:
        weight = info(concept, searcher)
        total += weight
        if _is_noun(concept) and not any(searcher.known(w) for w in concept.words):
            unknown += weight
    return unknown / total if total else 0.0


def _is_noun(concept) -> bool:
    """Names a thing: a noun, or a word jieba tags a verb that general Chinese rarely uses
    (驾照, 换证: a specific thing or errand, not a verb of everyday speech)."""
    if concept.pos.startswith(("n", "eng")) or concept.pos == "vn":
        return True
    return (
        concept.pos.startswith("v") and 0 < segmenter().FREQ.get(concept.typed, 0) < RARE_VERB_FREQ
    )


def confidence(hits: list[Hit], query, searcher: PassageSearcher) -> float:
    """How sure the best passage answers: its coverage of the question, plus a share of
    its lead over the next passage (a clear winner is more often right)."""
    if not hits:
        return 0.0
    lead = hits[0].score - hits[1].score if len(hits) > 1 else hits[0].score
    return coverage(hits[0], query, searcher) + LEAD_WEIGHT * lead
