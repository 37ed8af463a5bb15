"""Extractive answers: the one to three sentences that answer, then the source.

Residents read on a phone, so an answer is a few sentences with the amounts, percentages,
dates and eligibility they state, never a pasted section, followed by where it comes from:
《title》 › heading path（issuer，date）. When no passage answers, the bot says so.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from knowledge.analyzer import analyze
from knowledge.asked import AMOUNT, TIME, WHO, states, units_sentence
from knowledge.coverage_texts import (
    ASK_LOCALLY,
    ASK_UNITS,
    NOT_STATED,
    NOT_STATED_ANYWHERE,
    NOT_STATED_FACT,
)
from knowledge.models import Hit, Passage
from knowledge.passages import sentences

MAX_ANSWER = 800
# What the resident reads before the citation: 1-3 sentences, at most 300 characters.
MAX_EXTRACT = 260
MIN_EXTRACT = 80
# Offices named as where to ask when the plan does not state a fact: its lead units first.
MAX_OFFICES = 2
# A sentence that states the kind of fact asked for leads when it scores this share of the best.
LEAD_SHARE = 0.6
# A multiple after a word and its standard: 低保标准2倍, 低保标准的1.5倍, 低保的两倍.
MULTIPLE = r"(?:标准)?(?:的)?\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+(?:点[一二三四五六七八九])?)\s*倍"
# After a thing's name, the people who have it: the measure is for them, not about the thing.
PEOPLE = r"(?!对象|人员|户|家庭|群体|人口|家庭成员)"
# A clause ends at a comma or colon, but not at one inside a figure (1,000元, 8:30).
CLAUSE = re.compile(r"(?:[^，,；;：:]|(?<=\d)[,:](?=\d))*[，,；;：:]?")

ABSTAIN_TEXT = (
    "抱歉，现有的扶贫政策文件里没有找到能回答这个问题的内容。"
    "如果您遇到的是扶贫方面的问题，可以发送 /complain 提交投诉，"
    "也可以拨打全国扶贫监督举报电话 12317，或者向村委会、乡镇政府咨询。"
)

NO_MORE_TEXT = (
    "关于这件事，现有的扶贫政策文件里没有找到更多别的规定了。"
    "可以换个说法问问别的，或者向村委会、乡镇政府咨询，也可以拨打 12317。"
)

NO_UNITS_TEXT = "这一条没有写明由哪个单位负责，方案是{issuer}印发的。"
NO_UNITS_BARE = "这一条没有写明由哪个单位负责。"
OTHER_PLACE_NOTE = (
    "{place}的扶贫政策文件里没有找到这方面的规定。下面是{region}的规定，不一定适用于您那里：\n\n"
)
NOT_IN_PLACE_TEXT = (
    "{place}的扶贫政策文件里没有找到这方面的规定。"
    "可以向当地村委会、乡镇政府咨询，也可以拨打全国扶贫监督举报电话 12317。"
)


def citation(passage: Passage) -> str:
    path = " › ".join(passage.heading_path)
    where = f"《{passage.title}》" + (f" › {path}" if path else "")
    meta = "，".join(x for x in (passage.issuer, passage.date) if x)
    return f"{where}（{meta}）" if meta else where


@lru_cache(maxsize=20000)
def _words(text: str) -> frozenset[str]:
    """A sentence's words; cached, since the same passages answer many questions."""
    return frozenset(analyze(text))


def _score(text: str, weights: dict[str, float]) -> float:
    # fsum: exactly rounded whatever the set's order, so equal sentences tie in every process
    # (a plain sum depends on the hash seed and picked a different sentence from run to run).
    return math.fsum(weights.get(w, 0.0) for w in _words(text))


def _trim(sentence: str, weights: dict[str, float], limit: int) -> str:
    """Keep the window of clauses around the best-matching one when a sentence is long."""
    if len(sentence) <= limit:
        return sentence
    clauses = [c for c in CLAUSE.findall(sentence) if c]
    scores = [_score(c, weights) for c in clauses]
    best = max(range(len(clauses)), key=lambda i: scores[i])
    lo = hi = best
    size = len(clauses[best])
    while True:
        options = []
        if lo > 0 and size + len(clauses[lo - 1]) <= limit:
            options.append((scores[lo - 1], -1))
        if hi < len(clauses) - 1 and size + len(clauses[hi + 1]) <= limit:
            options.append((scores[hi + 1], 1))
        if not options:
            break
        _, side = max(options)
        if side < 0:
            lo -= 1
            size += len(clauses[lo])
        else:
            hi += 1
            size += len(clauses[hi])
    text = "".join(clauses[lo : hi + 1])
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(clauses) - 1 else "")


def extract(
    passage: Passage,
    weights: dict[str, float],
    asks_amount: bool,
    limit: int = MAX_EXTRACT,
    asks: str | None = None,
    most: int = 3,
) -> str:
    """The sentence that best answers, first, then its best neighbours while room remains.

    Of the sentences nearly as relevant as the best, one that states the kind of fact asked
    for (an amount, a date, a unit, a condition, a way to apply) leads, so the answer opens
    with the figure or the date rather than with the passage's opening.
    """
    asks = asks or (AMOUNT if asks_amount else None)
    sents = [s.strip() for s in sentences(passage.text) if s.strip()]
    if not sents:
        return passage.text[:limit]
    scores = [_score(s, weights) for s in sents]
    # Among the sentences nearly as relevant as the best, the one that states the fact leads.
    stating = _stating(sents, scores, asks)
    best = max(stating or range(len(sents)), key=lambda i: scores[i])
    chosen = [best]
    used = min(len(sents[best]), limit)
    for i in sorted(range(len(sents)), key=lambda i: -scores[i]):
        if len(chosen) >= most or scores[i] <= 0 or i in chosen:
            continue
        if used + len(sents[i]) <= limit:
            chosen.append(i)
            used += len(sents[i])
    budget = limit if len(chosen) == 1 else limit // len(chosen) + 40
    order = [best, *sorted(chosen[1:])]
    return "".join(_trim(sents[i], weights, budget) for i in order)


def _stating(sents: list[str], scores: list[float], asks: str | None) -> list[int]:
    """The sentences nearly as relevant as the best that state the kind of fact asked for."""
    top = max(scores, default=0.0)
    return [
        i
        for i, s in enumerate(sents)
        if scores[i] > 0 and scores[i] >= LEAD_SHARE * top and states(asks, s)
    ]


def stating_passages(
    passages: list[Passage], weights: dict[str, float], asks: str | None
) -> set[str]:
    """The passages that state the kind of fact asked for (an amount, a date) in a sentence
    nearly as relevant as the most relevant sentence of any of them: a figure about another
    matter of the same passage does not count."""
    scored = {
        p.id: [(s, _score(s, weights)) for s in (x.strip() for x in sentences(p.text)) if s]
        for p in passages
    }
    top = max((score for pairs in scored.values() for _, score in pairs), default=0.0)
    return {
        pid
        for pid, pairs in scored.items()
        if any(score > 0 and score >= LEAD_SHARE * top and states(asks, s) for s, score in pairs)
    }


def stated(
    passage: Passage, weights: dict[str, float], asks: str | None, limit: int = MAX_EXTRACT
) -> str:
    """The extract, led for a 找谁 question by who handles it (the section's units)."""
    if asks != WHO:
        return extract(passage, weights, False, limit, asks)
    units = units_sentence(passage.lead_units, passage.responsible_units)
    if units is None:  # say so rather than leave the resident guessing, and whose plan it is
        units = NO_UNITS_TEXT.format(issuer=passage.issuer) if passage.issuer else NO_UNITS_BARE
    # The units' sentence and at most two of the passage: three sentences in all.
    return units + extract(
        passage, weights, False, max(limit - len(units), MIN_EXTRACT), asks, most=2
    )


def compose(parts: list[tuple[str, Passage]], labelled: bool) -> str:
    """Answer text: each extract with its source; labelled with the region when regions differ."""
    blocks = []
    for text, passage in parts:
        head = f"【{passage.region}】" if labelled else ""
        blocks.append(f"{head}{text}\n——来源：{citation(passage)}")
    # Drop whole regional parts rather than cut a figure or a citation in half.
    while len(blocks) > 1 and len("\n\n".join(blocks)) > MAX_ANSWER:
        blocks.pop()
    answer = "\n\n".join(blocks)
    return answer if len(answer) <= MAX_ANSWER else answer[: MAX_ANSWER - 1] + "…"


def answer_from(
    hits: list[Hit],
    weights: dict[str, float],
    asks_amount: bool,
    region: str | None,
    asks: str | None = None,
) -> str:
    """One answer from the best passage; when the region is unknown, labelled with whose rule
    it is, and with one line per region when the next best passages come from other plans.

    When the resident's region is known but the best passage is another plan's (theirs says
    nothing on the matter), the answer says so first and labels the rule as that plan's:
    another region's figure is never presented as theirs.
    """
    asks = asks or (AMOUNT if asks_amount else None)
    top = hits[0]
    if region is not None and top.passage.region == region:
        return compose([(stated(top.passage, weights, asks), top.passage)], labelled=False)
    if region is not None:
        note = OTHER_PLACE_NOTE.format(place=region, region=top.passage.region)
        room = MAX_ANSWER - len(note) - len(citation(top.passage)) - 16
        extract = stated(top.passage, weights, asks, min(MAX_EXTRACT, room))
        return note + compose([(extract, top.passage)], labelled=True)
    parts = regional_parts(hits)
    # Room for each region's extract once the labels and citations are counted.
    overhead = sum(len(citation(h.passage)) + 16 for h in parts)
    limit = min(MAX_EXTRACT, (MAX_ANSWER - overhead) // len(parts))
    # The place is unknown: even a single plan's rule says whose it is.
    return compose(
        [(stated(h.passage, weights, asks, limit), h.passage) for h in parts], labelled=True
    )


def states_about(passage: Passage, words: frozenset[str], asks: str) -> bool:
    """Whether the passage states a fact of that kind about what one of `words` names: a
    figure in a sentence that names the thing itself, other than a multiple of it (not a
    figure for its holders, nor 低保标准2倍); a date anywhere in a passage that names it,
    since a plan sets the time frame of a paragraph once (2018年…。…卫生厕所普及率达到85%)."""
    if asks == TIME:
        return states(asks, passage.text) and bool(words & _words(passage.text))
    # The cheap tests first: a corpus at scale holds thousands of passages naming 低保.
    return any(
        any(w in s for w in words)
        and states(asks, without_bases(s, words))
        and _names_thing(s, words)
        for s in sentences(passage.text)
    )


def _names_thing(sentence: str, words: frozenset[str]) -> bool:
    """Whether the sentence names the thing itself, not only the people who have it (低保对象,
    低保户 are whom another measure is for)."""
    return any(re.search(re.escape(w) + PEOPLE, sentence) for w in words & _words(sentence))


def shows_figure(text: str, words: frozenset[str], asks: str) -> bool:
    """Whether a sentence of the text states a fact of that kind that may be the thing's: one
    that names it, or names nothing of it (its figure may be the thing's under another name),
    but not one that names only the people who have it (低保对象…全额缴纳养老保险)."""
    return any(
        states(asks, without_bases(s, words)) and (_names_thing(s, words) or not words & _words(s))
        for s in sentences(text)
    )


def without_bases(text: str, words: frozenset[str]) -> str:
    """The text without the multiples whose base is one of `words`: 收入低于低保标准2倍 sets
    another thing's threshold by 低保's and states no figure of 低保 itself."""
    return _bases(words).sub("", text)


@lru_cache(maxsize=256)
def _bases(words: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?:{names}){MULTIPLE}" if names else "(?!)")


def not_stated(
    passage: Passage,
    weights: dict[str, float],
    region: str,
    asks: str,
    units: tuple[str, ...] = (),
) -> str:
    """Their plan has the matter but not the fact asked: said plainly, with where to ask (the
    `units` the plan makes responsible for it, when it names them), then the closest passage
    as what the plan does say."""
    offices = [u for u in units if not u.startswith("各")][:MAX_OFFICES]
    where = ASK_UNITS.format(units="、".join(offices)) if offices else ASK_LOCALLY
    note = NOT_STATED.format(place=region, fact=NOT_STATED_FACT.get(asks, ""), where=where)
    return _noted(note, passage, weights, labelled=False)


def stated_nowhere(passage: Passage, weights: dict[str, float], plans: str, asks: str) -> str:
    """With the place unknown, that none of the plans states the fact asked, then the closest
    passage, labelled as its plan's."""
    note = NOT_STATED_ANYWHERE.format(plans=plans, fact=NOT_STATED_FACT.get(asks, ""))
    return _noted(note, passage, weights, labelled=True)


def _noted(note: str, passage: Passage, weights: dict[str, float], labelled: bool) -> str:
    """The note, then the passage's extract in the room the note leaves."""
    room = MAX_ANSWER - len(note) - len(citation(passage)) - 16
    return note + compose(
        [(extract(passage, weights, False, min(MAX_EXTRACT, room)), passage)], labelled
    )


def regional_parts(hits: list[Hit]) -> list[Hit]:
    """The best hit and the next best of other regions' plans that score nearly as well:
    when these are more than one, the answer differs by region."""
    top = hits[0]
    parts = [top]
    for hit in hits[1:3]:
        if (
            hit.passage.region not in {p.passage.region for p in parts}
            and hit.score >= 0.8 * top.score
        ):
            parts.append(hit)
    return parts
