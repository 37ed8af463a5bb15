"""Questions in a conversation: follow-ups answered from what the last answers were about.

Villagers chat: after 低保户住院能报销多少 comes 那要找谁办, 那一年给多少, 那我们镇头那边呢,
那上大学的呢 or 还有别的吗. Each chat keeps a small `Context` — the topic (the message that
started it, plus any narrowing), the place, the passages of the last answer and every passage
shown on this topic — for `EXPIRY_SECONDS`. A question the plans could not answer but that is
about their matters still becomes the topic, so that a narrowing can find what it meant. It is plain JSON, so the Telegram side stores it in
`chat_data` and PTB persistence keeps it; nothing here knows about Telegram.

A message is read against a live context as one of:
- a new topic: it names something the plans cover and does not lean on the last answer;
- a place switch (那淮安那边呢): the same topic asked for the place named;
- a fact follow-up (那要找谁办, 一年给多少): the topic again, leaning to the passage just shown,
  read for the fact asked;
- a narrowing or "more" (那上大学的呢, 还有别的吗): the topic searched again with the new words,
  "more" skipping the passages already shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from knowledge.analyzer import segmenter
from knowledge.answers import NO_MORE_TEXT, NOT_IN_PLACE_TEXT, answer_from, regional_parts
from knowledge.asked import WHO, ask_words, asked_fact
from knowledge.models import NOT_STATED, SURE, UNCOVERED, Answer, Hit, Passage
from knowledge.passages import section_units, with_units

EXPIRY_SECONDS = 30 * 60
# The topic grows with each narrowing; only its latest words are kept.
MAX_TOPIC = 300
MAX_SHOWN = 30
# A follow-up most likely still means the passage just read: it gains this share of the best score.
CONTINUITY = 0.25
# Words that lean on what was said before: demonstratives, "and what about …呢", "any other".
LEANS_ON_CONTEXT = re.compile(
    r"^(那|那么|还有|另外|再问)|这个|这事|这件|这块|这种|这项|这笔|这钱|这样|这是|这些|那个|那些|那边|那里|"
    r"那头|那儿|呢[？?！!。.\s]*$|别的|其他|其它|还能|里头|一样吗|行不行|够不够|算不算"
)
# A message with words of its own starts a new topic when a passage on its own covers this
# much more of its words than the old topic's best passage does.
SHIFT_MARGIN = 0.25
# "More" offers a passage only if it scores this share of the best.
MORE_SHARE = 0.5
# Verbs that only say "get it done" in everyday speech, whatever "it" is.
LIGHT_VERBS = re.compile(r"[弄搞办做整修建盖拿领][好完成到定妥]|搞定|落实|完成|到手|下来|得到")
# A verb jieba's general dictionary counts less often than this is specific (考驾照), not glue.
RARE_VERB_FREQ = 100
# "Is there anything else": the next best passage not shown yet.
MORE = re.compile(r"别的|其他|其它|另外|还有没有|还有啥|还有什么|还有么子")


@dataclass
class Context:
    """What one chat's last answers were about; `at` is when the last answer was given."""

    at: float
    topic: str | None = None
    place: str | None = None
    last: list[tuple[str, float]] = field(default_factory=list)  # passage id, score; best first
    shown: list[str] = field(default_factory=list)
    asks: str | None = None

    def live(self, now: float) -> bool:
        return 0 <= now - self.at <= EXPIRY_SECONDS

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "topic": self.topic,
            "place": self.place,
            "last": [[pid, score] for pid, score in self.last],
            "shown": list(self.shown),
            "asks": self.asks,
        }

    @classmethod
    def from_json(cls, data: Any) -> Context | None:
        """The context stored earlier; None for anything unreadable (an older format, garbage)."""
        try:
            return cls(
                at=float(data["at"]),
                topic=_str(data.get("topic")),
                place=_str(data.get("place")),
                last=[(str(pid), float(score)) for pid, score in data.get("last") or []],
                shown=[str(pid) for pid in data.get("shown") or []],
                asks=_str(data.get("asks")),
            )
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Backend:
    """What a conversation needs of the knowledge base (one corpus version)."""

    ask: Callable[[str, str | None], Answer]
    search: Callable[[str, str | None, int], tuple[list[Hit], Any]]
    chain: Callable[[str], tuple[str, ...]]  # a region and the regions above it
    parse: Callable[..., Any]  # (question, region) -> understanding.Query
    passage: Callable[[str], Passage | None]
    idf: Callable[[str], float]
    # (text, place, kind of fact asked, hits) -> "their plan does not state it" reply, or None
    not_stated: Callable[[str, str | None, str | None, list[Hit]], str | None]
    # (text, passage) -> share of the text's information the passage holds, as in the ranking
    covers: Callable[[str, Passage], float]


def converse(
    kb: Backend, message: str, context: Context | None, region: str | None, now: float
) -> tuple[Answer, Context]:
    """Answer `message` in the chat's `context` (ignored when expired); returns the answer and
    the context to keep. `region` is the place the resident chose, if any."""
    ctx = context if context is not None and context.live(now) else None
    query = kb.parse(message)
    named = query.place.region if query.place else None
    place = named or (ctx.place if ctx else None) or region
    asks = asked_fact(message)
    if ctx is None or not ctx.topic:
        return _new_topic(kb, message, place, asks, now)
    # Words of its own that the plans answer (肝硬化, 上大学), beyond asking for a kind of fact.
    rest = ask_words(message)
    alone = kb.ask(rest, None)  # the message read on its own, places named in it included
    if alone.kind == UNCOVERED:  # 那贵州那边呢: no plan here covers it, whatever the topic
        return alone, replace(ctx, at=now)
    own_topic = _names_something(kb, rest) and not alone.abstained
    switch = named is not None and named != ctx.place
    more = bool(MORE.search(message))
    leans = switch or more or bool(LEANS_ON_CONTEXT.search(message))
    # Asking only for a kind of fact (要跑到哪里去办) leans on the topic too, unless the message
    # names something the plans never mention (驾照在哪办 is about something else).
    asks_only = asks is not None and not own_topic and not _names_foreign(kb, rest)
    if not (leans or asks_only):
        standalone, new = _new_topic(kb, message, place, asks, now)
        # A question the plans cannot answer alone that asks a fact (是不是哪家幼儿园都能领)
        # is tried against the topic; anything else (明天天气怎么样), or a fact its own plan
        # does not state, stands on its own.
        if (
            not standalone.abstained
            or standalone.kind == NOT_STATED
            or asks is None
            or _names_foreign(kb, rest)
        ):
            return standalone, new
    asks = asks or ctx.asks
    # The topic searched again with the message's own words (the words that only ask for a
    # kind of fact, 单位 in 归哪个单位管, would pull in passages that merely use them). The
    # topic was answerable, so the best passage for both is on it: no abstention here, or
    # 那上大学的呢 (too few words to answer alone) would fail. With a place known, only its own
    # plans answer (see _continued).
    words = message if own_topic or more else rest
    topic = f"{ctx.topic} {message}"[-MAX_TOPIC:] if own_topic or more else ctx.topic
    weights = _weights(kb, f"{ctx.topic} {words}", place)
    hits = _continued(kb, f"{ctx.topic} {words}", place, ctx, more)
    if own_topic and not more and hits:
        # 那光伏扶贫呢 after 危房改造: the message's own words are the question, and a passage
        # about them (on its own) beats the old topic's passage that hardly mentions them.
        standalone, new = _new_topic(kb, message, place, asks, now)
        # Its own plan has the matter but not the fact asked: that is the answer to give.
        if standalone.kind == NOT_STATED or (
            not standalone.abstained
            and standalone.hits
            and (
                kb.covers(rest, standalone.hits[0].passage)
                > kb.covers(rest, hits[0].passage) + SHIFT_MARGIN
            )
        ):
            return standalone, new
    if hits:
        hits = _presented(kb, hits, asks)
        # 那一户补多少钱 of a matter their plan gives no figure for: said so, as on its own.
        unstated = kb.not_stated(f"{ctx.topic} {words}", place, asks, hits)
        if unstated is not None:
            answer = Answer(unstated, True, hits[:5], place, kind=NOT_STATED, asks=asks)
        else:
            text = answer_from(hits, weights, False, place, asks=asks)
            answer = Answer(text, False, hits[:5], place, asks=asks)
    elif more:
        answer = Answer(NO_MORE_TEXT, True, [], place, asks=asks)
    elif place:
        answer = Answer(NOT_IN_PLACE_TEXT.format(place=place), True, [], place, asks=asks)
    else:
        answer, topic = _from_last(kb, ctx, weights, asks), ctx.topic
    if answer.abstained or answer.kind != SURE:
        return answer, replace(ctx, at=now, place=place)
    return answer, _remember(answer, topic, place, asks, now, ctx.shown)


def _new_topic(
    kb: Backend, message: str, place: str | None, asks: str | None, now: float
) -> tuple[Answer, Context]:
    answer = _answer(kb, message, place, asks)
    if answer.abstained or answer.kind != SURE:
        # Nothing shown to follow up on; the place a resident named is still theirs, and a
        # question about the plans' matters stays the topic that a follow-up may narrow.
        # What it asked goes with it: 淮安区 after 低保一个月发多少钱 still asks how much.
        pending = message if answer.kind != UNCOVERED and _names_something(kb, message) else None
        return answer, Context(
            at=now, topic=pending, place=answer.region or place, asks=asks if pending else None
        )
    return answer, _remember(answer, message, answer.region or place, asks, now, [])


def _remember(
    answer: Answer, topic: str, place: str | None, asks: str | None, now: float, shown: list[str]
) -> Context:
    read = [
        h.passage.id
        for h in (regional_parts(answer.hits) if answer.region is None else answer.hits[:1])
    ]
    shown = list(dict.fromkeys([*shown, *read]))[-MAX_SHOWN:]
    return Context(
        at=now,
        topic=topic,
        place=answer.region or place,
        last=[(h.passage.id, h.score) for h in answer.hits],
        shown=shown,
        asks=asks,
    )


def _names_something(kb: Backend, text: str) -> bool:
    """Whether the text names a thing of the plans' domain (a noun the plans use, or an
    everyday word the lexicon maps to one), not only a verb or a number (查, 三个)."""
    query = kb.parse(text)
    return query.in_domain and any(
        c.expanded
        or ((c.pos.startswith("n") or c.pos == "vn") and any(kb.idf(w) > 0 for w in c.words))
        for c in query.concepts
    )


def _names_foreign(kb: Backend, text: str) -> bool:
    """Whether the text names a thing the plans never mention (驾照, 话费): a noun they do not
    use, or a rare specific verb; common verbs (才能) and the light verbs of everyday speech
    (弄好, 搞定, 拿到) name nothing."""

    def foreign(concept) -> bool:
        if concept.expanded or len(concept.typed) < 2 or any(kb.idf(w) > 0 for w in concept.words):
            return False
        if concept.pos.startswith(("n", "eng")):
            return True
        return (
            concept.pos.startswith("v")
            and 0 < segmenter().FREQ.get(concept.typed, 0) < RARE_VERB_FREQ
        )

    return any(foreign(c) for c in kb.parse(LIGHT_VERBS.sub(" ", text)).concepts)


def _continued(kb: Backend, text: str, place: str | None, ctx: Context, more: bool) -> list[Hit]:
    """The topic's passages for the new words. With a place known only its own plans answer
    (another region's figure is never presented as the resident's); a follow-up leans towards
    the passage just read; "more" skips every passage shown already, and offers only passages
    about as relevant as the best (more of the topic, not the plan's other matters)."""
    hits, _ = kb.search(text, place, 30)
    if not hits:
        return []
    chain = kb.chain(place) if place else ()
    best = max(h.score for h in hits)
    last = ctx.last[0][0] if ctx.last and not more else None
    kept = [
        h
        for h in hits
        if not (chain and h.passage.region not in chain)
        and not (more and (h.passage.id in ctx.shown or h.score < MORE_SHARE * best))
    ]
    kept.sort(key=lambda h: -(h.score + (CONTINUITY * best if h.passage.id == last else 0.0)))
    return kept


def _weights(kb: Backend, text: str, region: str | None) -> dict[str, float]:
    """Each word's weight in picking sentences; the region changes no word, so the text is
    parsed as it was for its place (one parse, cached for the message)."""
    query = kb.parse(text)
    return {t.text: t.weight * kb.idf(t.text) for t in query.terms}


def _answer(kb: Backend, text: str, place: str | None, asks: str | None) -> Answer:
    """The knowledge base's answer to `text`, its words led by the kind of fact asked for."""
    answer = kb.ask(text, place)
    answer.asks = asks
    if answer.abstained or answer.kind != SURE or asks is None:
        return answer
    answer.hits = _presented(kb, answer.hits, asks)
    answer.text = answer_from(
        answer.hits,
        _weights(kb, text, place),
        False,
        answer.region,
        asks=asks,
    )
    return answer


def _from_last(kb: Backend, ctx: Context, weights: dict[str, float], asks: str | None) -> Answer:
    hits = [Hit(p, score) for pid, score in ctx.last if (p := kb.passage(pid)) is not None]
    if not hits:
        return kb.ask(ctx.topic or "", ctx.place)
    hits = _presented(kb, hits, asks)
    text = answer_from(hits, weights, False, ctx.place, asks=asks)
    return Answer(text, False, hits, ctx.place, asks=asks)


def _presented(kb: Backend, hits: list[Hit], asks: str | None) -> list[Hit]:
    """The hits as shown for the kind of fact asked. For 找谁 each passage stands for its
    section's passage that carries the plan's list of responsible units (the list follows
    the measures it covers), shown with that list; a section naming no unit keeps its passage."""
    if asks != WHO:
        return hits
    shown: list[Hit] = []
    for hit in hits:
        passage = section_units(hit.passage, kb.passage)
        if all(h.passage.id != passage.id for h in shown):
            shown.append(Hit(with_units(passage), hit.score))
    return shown


def choose(
    kb: Backend, question: str, passage_id: str, region: str | None, now: float
) -> tuple[Answer, Context] | None:
    """The answer to `question` from the passage the resident picked among suggestions; it
    becomes the conversation's topic. None when the passage is gone (the corpus changed)."""
    passage = kb.passage(passage_id)
    if passage is None:
        return None
    asks = asked_fact(question)
    hits = _presented(kb, [Hit(passage, 1.0)], asks)
    # The resident picked this passage: it is labelled only when it is not their place's.
    text = answer_from(
        hits, _weights(kb, question, region), False, region or passage.region, asks=asks
    )
    answer = Answer(text, False, hits, region, asks=asks)
    return answer, _remember(answer, question, region, asks, now, [])


def differs_by_region(answer: Answer) -> bool:
    """Whether the answer gives different plans' rules because the place is unknown."""
    return (
        answer.region is None
        and not answer.abstained
        and answer.kind == SURE
        and len(regional_parts(answer.hits)) > 1
    )
