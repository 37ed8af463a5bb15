"""Routing knowledge: which unit a complaint goes to, taken from the region's own plan.

A complaint is classified into one of the categories of `data/complaint_categories.json`
(a lexicon of residents' and documents' words), placed in a region (the one the resident
set, else one named in the text), and matched to the stretch of that region's plan that
covers the matter. The plan's 牵头单位 / 责任单位 list for that stretch is the answer,
ordered so that the unit whose job it is comes first. Where the plan names no unit, the
region's dispatcher (扶贫办, or the 镇党委、政府 of a town) takes the case; where no plan
covers the matter, the resident is pointed to a general channel. An admin table overrides
all of this per (region, category).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from knowledge.analyzer import segmenter
from knowledge.cleaning import normalize, strip_chrome
from knowledge.ingest import corpus_entries
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.models import DocumentInfo, Section
from knowledge.places import Gazetteer
from knowledge.readers import load_documents
from knowledge.structure import parse_sections
from knowledge.understanding import TYPO_MAX_FREQ, function_chars, pinyin_key, shares_char
from knowledge.units import find_unit_lists, is_catch_all

DATA = Path(__file__).parent / "data"
CATEGORIES = DATA / "complaint_categories.json"
OVERRIDES = DATA / "routing_overrides.json"
OTHER = "other"
WILDCARD = "*"
GAP = "…"  # in a lexicon term: the two parts may stand up to MAX_GAP characters apart
MAX_GAP = 10
STRONG = 3.0
FUZZY_WEIGHT = 0.5
FUZZY_MAX_TEXT = 1000
SOUNDED = (2, 3)  # lengths of strong words also found typed as a homophone (低包 for 低保)
MAX_UNITS = 4
CLAUSE_BREAK = re.compile(r"[，,。.！!？?；;：: \n]")
# How a stretch of a plan is scored against a complaint (see `_best_block`).
HEADING_WEIGHT = 2.0
TOPIC_WEIGHT = 1.5
TOKEN_WEIGHT = 0.3
OWNER_BONUS = 3.0


@dataclass(frozen=True)
class Routing:
    """Where a complaint goes: `units[0]` first, the others copied in."""

    category: str
    region: str | None
    units: list[str]
    evidence: str
    section_path: tuple[str, ...] | None
    dispatcher_fallback: bool
    general_channel: str | None


# -- lexicon ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One lexicon entry, possibly with a gap: 评…贫困户."""

    text: str
    weight: float
    pattern: re.Pattern | None  # only for gapped terms
    sound: str | None = None  # pinyin of a short word that settles a category, for typos

    @classmethod
    def parse(cls, raw: str, strong: bool = False) -> Term:
        parts = [normalize(p) for p in raw.split(GAP) if p.strip()]
        length = sum(len(p) for p in parts)
        weight = min(length, 4) / 2 * (STRONG if strong else 1.0)  # one character: weak
        pattern = None
        if len(parts) > 1:
            pattern = re.compile(f".{{0,{MAX_GAP}}}?".join(re.escape(p) for p in parts))
        text = "".join(parts) if pattern is None else raw
        sound = None
        if strong and pattern is None and len(text) in SOUNDED and _chinese(text):
            sound = pinyin_key(text)
        return cls(text, weight, pattern, sound)

    def found(self, text: str) -> float:
        """Weight earned in `text`: full when present, half when one character is off."""
        match = self.match(text)
        return match[0] if match else 0.0

    def match(self, text: str) -> tuple[float, int, int, bool] | None:
        """The weight earned, the span of `text` that earned it and whether it was a near
        miss, or None."""
        if self.pattern is not None:
            found = self.pattern.search(text)
            return (self.weight, found.start(), found.end(), False) if found else None
        start = text.find(self.text)
        if start >= 0:
            return self.weight, start, start + len(self.text), False
        n = len(self.text)
        if n >= 4 and len(text) >= n - 1:
            near = fuzz.partial_ratio_alignment(self.text, text[:FUZZY_MAX_TEXT])
            if near is not None and near.score >= 100 * (n - 1) / n - 0.01:
                return self.weight * FUZZY_WEIGHT, near.dest_start, near.dest_end, True
        if self.sound is not None:
            for start in _typos(text[:FUZZY_MAX_TEXT], n).get(self.sound, ()):
                if shares_char(self.text, text[start : start + n]):
                    return self.weight * FUZZY_WEIGHT, start, start + n, True
        return None


@lru_cache(maxsize=64)
def _marker_spans(markers: re.Pattern, text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in markers.finditer(text))


def _chinese(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


@lru_cache(maxsize=64)
def _typos(text: str, n: int) -> dict[str, tuple[int, ...]]:
    """Where each n-character stretch of `text` that may be a homophone typo starts, by its
    pinyin: stretches of Chinese characters that no dictionary knows as a word and that hold
    no function character (低包 may be 低保; 一包, 带领 and 已报了 are what they say)."""
    function = function_chars()
    freq = segmenter().FREQ
    # Without pypinyin's phrase dictionary a word reads as its characters do, one by one.
    syllables = [pinyin_key(ch) for ch in text]
    found: dict[str, list[int]] = {}
    for start in range(len(text) - n + 1):
        gram = text[start : start + n]
        if _chinese(gram) and not function & set(gram) and freq.get(gram, 0) < TYPO_MAX_FREQ:
            found.setdefault(" ".join(syllables[start : start + n]), []).append(start)
    return {sound: tuple(starts) for sound, starts in found.items()}


def weigh(terms: list[Term], text: str) -> float:
    """Total weight of the terms found in `text`, each stretch of text counted once.

    One phrase is one piece of evidence, however many lexicon entries it contains: a term
    matched inside the stretch of a longer exact match adds nothing (危房 inside 危房改造), and
    a near miss counts only where no exact match stands (房屋改造 one character off 危房改造).
    """
    return _total([m for m in (t.match(text) for t in terms) if m is not None])


def _total(found: list[tuple[float, int, int, bool]]) -> float:
    """`weigh` of the matches already found."""
    exact = sorted((m for m in found if not m[3]), key=lambda m: (-m[0], m[1] - m[2]))
    near = sorted((m for m in found if m[3]), key=lambda m: -m[0])
    kept: list[tuple[int, int]] = []
    total = 0.0
    for weight, start, end, _ in exact:
        if not any(s <= start and end <= e for s, e in kept):
            kept.append((start, end))
            total += weight
    for weight, start, end, _ in near:
        if not any(start < e and s < end for s, e in kept):
            kept.append((start, end))
            total += weight
    return total


def _terms(words, strong: bool = False) -> list[Term]:
    return [Term.parse(w, strong) for w in words]


def _merge(*groups: list[Term]) -> list[Term]:
    """One term per text, keeping the heaviest."""
    best: dict[str, Term] = {}
    for group in groups:
        for term in group:
            if term.text not in best or term.weight > best[term.text].weight:
                best[term.text] = term
    return list(best.values())


@dataclass(frozen=True)
class Topic:
    """A sub-matter of a category with its own responsible unit (water vs roads)."""

    name: str
    terms: list[Term]
    job: list[list[str]]
    generic: str | None
    covered: bool


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    terms: list[Term]  # everything that points to the category, topics included
    own_terms: list[Term]  # the same without the topics' words, for finding the stretch
    strong_terms: list[Term]
    precedence: float  # added when a strong word is found: money taken beats the topic
    job: list[list[str]]
    related: list[str]
    generic: str | None
    topics: list[Topic] = field(default_factory=list)

    def score(self, text: str, objects: Objects | None = None) -> float:
        """Weight of the category's words in the text, plus its precedence if one is strong,
        plus once more the weight of its word that names what the grievance is about."""
        found = [m for m in (t.match(text) for t in self.terms) if m is not None]
        score = _total(found)
        if self.precedence and any(t.found(text) == t.weight for t in self.strong_terms):
            score += self.precedence
        if objects is not None:
            score += objects.weight(found, text)
        return score


@dataclass(frozen=True)
class Objects:
    """What was applied for, refused or withheld: the words standing next to a grievance
    marker (申请, 没批, 不符合条件, 不给, 没发, 停了) in the same clause.

    A complaint names its circumstances and its grievance alike (瘫痪在床, 娃在上学, 低保
    申请了两次没批); the thing the grievance is about names the category, not the family's
    situation around it. Its word counts once more: the heaviest category word within
    `reach` characters of a marker and not cut from it by punctuation.
    """

    markers: re.Pattern
    reach: int

    def weight(self, found: list[tuple[float, int, int, bool]], text: str) -> float:
        """The heaviest of the category's matches in `text` (`Term.match`) that stands next
        to a marker."""
        spans = _marker_spans(self.markers, text)
        best = 0.0
        for weight, start, end, _ in found if spans else ():
            if weight > best and any(self._next_to(text, start, end, *span) for span in spans):
                best = weight
        return best

    def _next_to(self, text: str, start: int, end: int, m_start: int, m_end: int) -> bool:
        if start < m_end and m_start < end:
            return False  # the term is part of the marker itself (不符合 in 不符合条件)
        between = text[end:m_start] if end <= m_start else text[m_end:start]
        return len(between) <= self.reach and not CLAUSE_BREAK.search(between)


@dataclass(frozen=True)
class Lexicon:
    categories: dict[str, Category]
    general_channel: str
    dispatcher_job: list[str]
    town_dispatcher: re.Pattern
    objects: Objects | None = None

    @classmethod
    def load(cls, path: Path = CATEGORIES) -> Lexicon:
        data = json.loads(path.read_text(encoding="utf-8"))
        categories = {}
        for name, spec in data["categories"].items():
            topics = [
                Topic(
                    name=topic_name,
                    terms=_merge(
                        _terms(t.get("words", [])), _terms(t.get("strong", []), strong=True)
                    ),
                    job=t.get("job", []),
                    generic=t.get("generic"),
                    covered=bool(t.get("covered", name != OTHER)),
                )
                for topic_name, t in spec.get("topics", {}).items()
            ]
            strong = _terms(spec.get("strong", []), strong=True)
            own = _merge(_terms(spec.get("resident", [])), _terms(spec.get("document", [])), strong)
            categories[name] = Category(
                name=name,
                label=spec.get("label", name),
                terms=_merge(own, *(t.terms for t in topics)),
                own_terms=own,
                strong_terms=strong,
                precedence=float(spec.get("precedence", 0)),
                job=spec.get("job", []),
                related=spec.get("related", []),
                generic=spec.get("generic"),
                topics=topics,
            )
        dispatcher = data.get("dispatcher", {})
        grievance = data.get("grievance_markers", {})
        markers = sorted((normalize(m) for m in grievance.get("words", [])), key=len, reverse=True)
        objects = (
            Objects(re.compile("|".join(map(re.escape, markers))), int(grievance.get("reach", 0)))
            if markers
            else None
        )
        return cls(
            categories=categories,
            general_channel=data["general_channel"],
            dispatcher_job=dispatcher.get("job", ["扶贫办"]),
            town_dispatcher=re.compile(dispatcher.get("town_pattern", r"[镇乡]党委、[镇乡]?政府")),
            objects=objects,
        )

    def classify(self, text: str) -> tuple[Category, Topic | None]:
        """The category whose words weigh most in the text, and its best topic."""
        scores = {name: c.score(text, self.objects) for name, c in self.categories.items()}
        name = max(scores, key=lambda n: scores[n]) if any(scores.values()) else OTHER
        category = self.categories.get(name) or self.categories[OTHER]
        return category, self.topic(category, text)

    @staticmethod
    def topic(category: Category, text: str) -> Topic | None:
        scored = [(weigh(topic.terms, text), topic) for topic in category.topics]
        scored = [(s, topic) for s, topic in scored if s > 0]
        return max(scored, key=lambda st: st[0])[1] if scored else None


# -- the plans' unit lists ----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The text a plan puts before one unit list, with that list and where it stands."""

    doc_id: str
    path: tuple[str, ...]
    text: str  # normalised heading path and body, for matching
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    evidence: str  # the list exactly as the plan writes it

    @property
    def units(self) -> list[str]:
        """Listed units in document order, catch-alls left out."""
        seen = dict.fromkeys(u for u in self.lead + self.responsible if not is_catch_all(u))
        return list(seen)


def _brackets(text: str) -> dict[tuple[tuple[str, ...], tuple[str, ...]], str]:
    """Each unit list's own text, keyed by what it names."""
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
    for line in text.splitlines():
        for unit_list in find_unit_lists(line):
            key = (unit_list.lead, unit_list.responsible)
            found.setdefault(key, line[unit_list.start : unit_list.end])
    return found


def _blocks(doc_id: str, sections: list[Section], text: str) -> list[Block]:
    """Cut each section at its unit lists; text after the last list joins that list."""
    brackets = _brackets(text)
    blocks: list[Block] = []
    for section in sections:
        heading = " ".join(section.heading_path)
        pending: list[str] = []
        mine: list[Block] = []
        for paragraph in section.paragraphs:
            for clause in paragraph:
                pending.append(clause.text)
                if clause.lead_units or clause.responsible_units:
                    key = (clause.lead_units, clause.responsible_units)
                    mine.append(
                        Block(
                            doc_id,
                            section.heading_path,
                            normalize(heading + "\n" + "".join(pending)),
                            clause.lead_units,
                            clause.responsible_units,
                            brackets.get(key, ""),
                        )
                    )
                    pending = []
        if mine and pending:
            last = mine[-1]
            mine[-1] = Block(
                last.doc_id, last.path, last.text + normalize("".join(pending)),
                last.lead, last.responsible, last.evidence,
            )  # fmt: skip
        blocks.extend(mine)
    return blocks


@dataclass
class _Plan:
    """One region's document, prepared for routing."""

    doc: DocumentInfo
    blocks: list[Block]
    idf: dict[str, float]
    dispatcher: str
    dispatcher_evidence: str
    dispatcher_path: tuple[str, ...] | None


def _tokens(text: str) -> set[str]:
    """Words of two characters or more, cut by the knowledge base's own jieba (one dictionary
    loaded per process: a second costs ~1.5 s of start and ~65 MB)."""
    return {w for w in segmenter().lcut(text) if len(w) >= 2 and not w.isspace()}


def _matches(unit: str, words: list[str]) -> bool:
    return any(w in unit for w in words)


# -- the router ---------------------------------------------------------------------------


class Router:
    """(complaint text, region) → Routing, from the plans' responsibility lists."""

    def __init__(
        self,
        documents: list[DocumentInfo],
        texts: dict[str, str],
        gazetteer: Gazetteer | None = None,
        lexicon: Lexicon | None = None,
        overrides: dict[tuple[str | None, str], list[str]] | None = None,
        overrides_path: Path | None = OVERRIDES,
    ) -> None:
        """`texts` maps document id to its text; `overrides` (e.g. from storage) beats the file."""
        self.lexicon = lexicon or Lexicon.load()
        self.gazetteer = gazetteer or Gazetteer(documents)
        self.overrides = load_overrides(overrides_path) if overrides_path else {}
        self.overrides.update(overrides or {})
        self._documents = [d for d in documents if d.id in texts]
        self.regions = frozenset(d.region for d in self._documents)  # those with a plan
        self._texts = texts
        self._plans: dict[str, _Plan] | None = None
        self._plans_lock = threading.Lock()

    @property
    def plans(self) -> dict[str, _Plan]:
        """Each region's plan prepared for routing, by region; prepared on first use.

        Preparing them (cutting every plan's words) is a third of a second that the bot's
        start does without: the category buttons of the intake need only the lexicon.
        """
        if self._plans is None:
            with self._plans_lock:
                if self._plans is None:
                    self._plans = {
                        d.region: self._plan(d, self._texts[d.id]) for d in self._documents
                    }
        return self._plans

    @classmethod
    def from_corpus(
        cls, corpus_dir: Path = DEFAULT_CORPUS, library_dir: Path | None = None, **kwargs
    ) -> Router:
        """A router over the shipped (or an admin's) corpus and the documents admins added;
        unreadable files are skipped, as the search index skips them, so their regions fall
        back to generic names."""
        entries = corpus_entries(corpus_dir, library_dir)
        loaded, _ = load_documents(folder / d.file for folder, d in entries)
        by_path = dict(loaded)
        texts = {d.id: by_path[p] for folder, d in entries if (p := folder / d.file) in by_path}
        return cls([d for _, d in entries], texts, **kwargs)

    def _plan(self, doc: DocumentInfo, raw: str) -> _Plan:
        text = strip_chrome(raw)
        sections = parse_sections(doc.id, text)
        blocks = _blocks(doc.id, sections, text)
        df = Counter(tok for b in blocks for tok in _tokens(b.text))
        n = max(len(blocks), 1)
        idf = {tok: math.log((n + 1) / (c + 0.5)) for tok, c in df.items()}
        dispatcher, evidence, path = self._dispatcher(doc, sections, blocks)
        return _Plan(doc, blocks, idf, dispatcher, evidence, path)

    def _dispatcher(self, doc: DocumentInfo, sections: list[Section], blocks: list[Block]):
        """Who takes what the plan assigns to no unit: the 扶贫办 it lists most, or a
        town's 党委、政府 in the words of its own plan."""
        listed = Counter(
            u for b in blocks for u in b.units if _matches(u, self.lexicon.dispatcher_job)
        )
        if listed:
            return listed.most_common(1)[0][0], "", None
        for section in sections:
            for sentence in re.split(r"(?<=[。；;])", section.text):
                match = self.lexicon.town_dispatcher.search(sentence)
                if match:
                    return (
                        match.group(0),
                        _own_clause(sentence, match.start()),
                        section.heading_path,
                    )
        return doc.level + self.lexicon.dispatcher_job[0], "", None

    # -- public API ---------------------------------------------------------------------

    def region_of(self, text: str, region: str | None = None) -> str | None:
        """The explicit region when it is known, else a place named in the text."""
        place = self.gazetteer.resolve(region) if region else None
        place = place or self.gazetteer.find(text)
        return place.region if place and place.region in self.regions else None

    def classify(self, text: str) -> str:
        return self.lexicon.classify(normalize(text or ""))[0].name

    def units_of(self, region: str) -> list[str]:
        """Every unit a complaint in `region` can be routed to: the units its plan lists, its
        dispatcher and the overrides; where no plan covers the region, the generic names used
        for it. Staff granted a unit outside this list would never receive a case."""
        overrides = [
            u
            for (where, _), units in self.overrides.items()
            if where in (region, WILDCARD)
            for u in units
        ]
        plan = self.plans.get(region)
        if plan is None:
            generic = [
                g
                for c in self.lexicon.categories.values()
                for g in (c.generic, *(topic.generic for topic in c.topics))
                if g
            ]
            return list(dict.fromkeys([*overrides, *generic]))
        return list(
            dict.fromkeys([plan.dispatcher, *(u for b in plan.blocks for u in b.units), *overrides])
        )

    def route(self, text: str, region: str | None = None, category: str | None = None) -> Routing:
        """Route a complaint; `category` (e.g. chosen on a button) replaces classification."""
        clean = normalize(text or "")
        if category in self.lexicon.categories:
            cat = self.lexicon.categories[category]
            topic = self.lexicon.topic(cat, clean)
        else:
            cat, topic = self.lexicon.classify(clean)
        where = self.region_of(clean, region)
        override = self._override(where, cat.name)
        if override is not None:
            return Routing(cat.name, where, override, "", None, False, None)
        uncovered = cat.name == OTHER and not (topic and topic.covered)
        if uncovered:
            return Routing(cat.name, where, [], "", None, False, self.lexicon.general_channel)
        if where is None:
            generic = (topic.generic if topic else None) or cat.generic
            return Routing(cat.name, None, [generic] if generic else [], "", None, False, None)
        plan = self.plans[where]
        block = self._best_block(plan, cat, topic, clean)
        if block is None:
            return Routing(
                cat.name, where, [plan.dispatcher], plan.dispatcher_evidence,
                plan.dispatcher_path, True, None,
            )  # fmt: skip
        units = self._order(block, cat, topic)
        return Routing(cat.name, where, units, block.evidence, block.path, False, None)

    # -- internals ----------------------------------------------------------------------

    def _override(self, region: str | None, category: str) -> list[str] | None:
        for key in ((region, category), (WILDCARD, category)):
            if key in self.overrides:
                return list(self.overrides[key])
        return None

    def _best_block(
        self, plan: _Plan, cat: Category, topic: Topic | None, text: str
    ) -> Block | None:
        """The stretch of the plan that covers the matter, found by who does the job.

        The first job tier that some listed unit of this plan matches decides which lists
        qualify; among them, the list where that unit leads (or comes first) and whose text
        best covers the complaint wins. When no unit of the plan does the job, the
        dispatcher takes the case (None).
        """
        tokens = _tokens(text)
        for tier in _tiers(cat, topic):
            candidates = []
            for block in plan.blocks:
                doing = [u for u in block.units if _matches(u, tier)]
                if doing:
                    owns = any(u in block.lead for u in doing) or block.units[0] in doing
                    score = self._topical(plan, block, cat, topic, tokens) + OWNER_BONUS * owns
                    candidates.append((score, block))
            if candidates:
                return max(candidates, key=lambda sb: sb[0])[1]
        return None

    def _topical(
        self, plan: _Plan, block: Block, cat: Category, topic: Topic | None, tokens: set[str]
    ) -> float:
        """How well a stretch covers the matter: the category's and topic's words in its
        heading and body, and the complaint's own words, rarer ones weighing more."""
        heading, _, body = block.text.partition("\n")
        score = sum(HEADING_WEIGHT * _exact(t, heading) + _exact(t, body) for t in cat.own_terms)
        if topic:
            score += TOPIC_WEIGHT * sum(
                HEADING_WEIGHT * _exact(t, heading) + _exact(t, body) for t in topic.terms
            )
        score += TOKEN_WEIGHT * sum(plan.idf.get(tok, 0.0) for tok in tokens if tok in block.text)
        return score

    def _order(self, block: Block, cat: Category, topic: Topic | None) -> list[str]:
        """Primary first (a fitting 牵头单位, else the best job match), then the relevant rest."""
        units = block.units
        if not units:
            return []
        tiers = _tiers(cat, topic)
        leads = [u for u in units if u in block.lead]

        def rank(unit: str) -> int | None:
            return next((i for i, tier in enumerate(tiers) if _matches(unit, tier)), None)

        fitting_leads = [u for u in leads if rank(u) is not None]
        if fitting_leads:
            primary = min(fitting_leads, key=lambda u: (rank(u), units.index(u)))
        else:
            ranked = [u for u in units if rank(u) is not None]
            if ranked:
                primary = min(ranked, key=lambda u: (rank(u), units.index(u)))
            elif leads:
                primary = leads[0]
            else:
                dispatchers = [u for u in units if _matches(u, self.lexicon.dispatcher_job)]
                primary = (dispatchers or units)[0]
        relevant = [w for tier in tiers for w in tier] + cat.related
        rest = [u for u in units if u != primary and (u in leads or _matches(u, relevant))]
        return [primary, *rest][:MAX_UNITS]


def _tiers(cat: Category, topic: Topic | None) -> list[list[str]]:
    """Who does the job: the topic's units when the complaint has one (water → 水利),
    else the category's."""
    return topic.job if topic and topic.job else cat.job


def _exact(term: Term, text: str) -> float:
    """Plan text is clean: exact matches only (fuzzy matching is for residents' typing)."""
    if term.pattern is not None:
        return term.weight if term.pattern.search(text) else 0.0
    return term.weight if term.text in text else 0.0


def _own_clause(sentence: str, start: int) -> str:
    """From the dispatcher's name to the end of its sentence: 镇党委、政府承担主体责任,…"""
    return sentence[start:].rstrip("。；;").strip()


def load_overrides(path: Path = OVERRIDES) -> dict[tuple[str | None, str], list[str]]:
    """The admins' table: {"overrides": [{"region", "category", "units"}]}; region "*" = any."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        (row.get("region"), row["category"]): list(row["units"])
        for row in data.get("overrides", [])
    }
