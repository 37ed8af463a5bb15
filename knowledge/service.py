"""The knowledge base as the rest of the bot sees it: open, ask, look up, reload.

`ask` is synchronous and thread-safe (Whoosh searches one at a time, see knowledge.search);
the Telegram handlers call it with `asyncio.to_thread` so a slow query never stalls others.
A reload builds the new index beside the old one and swaps the reference in one
assignment, so questions keep being answered while it runs and a failure keeps the old.
A question already under way finishes on the index it started with: the old searchers are
closed, and the old index directory removed, only once no question is using them.

The corpus is the shipped plans (or CORPUS_DIR) plus the library of documents admins added
(DATA_DIR/documents, see `knowledge.library`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path

from knowledge import index
from knowledge.analyzer import segmenter
from knowledge.answers import (
    ABSTAIN_TEXT,
    answer_from,
    citation,
    extract,
    not_stated,
    shows_figure,
    stated_nowhere,
    states_about,
    stating_passages,
)
from knowledge.asked import AMOUNT, TIME, asked_fact, asking_sentences, errand_object
from knowledge.conversation import Backend, Context, choose, converse
from knowledge.coverage_texts import UNCOVERED, region_list
from knowledge.ingest import Corpus, corpus_hash, load_corpus
from knowledge.library import Library, LibraryEntry
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.models import (
    ABSTAIN,
    NOT_STATED,
    SUGGEST,
    SURE,
    Answer,
    DocumentInfo,
    Hit,
    Passage,
)
from knowledge.models import UNCOVERED as UNCOVERED_PLACE
from knowledge.passages import section_units
from knowledge.places import Gazetteer
from knowledge.ranking import (
    ABOUT_SHARE,
    STATES_DEPTH,
    confidence,
    coverage,
    info,
    lift_stating,
    rerank,
    unknown_share,
    weak_expansions,
)
from knowledge.search import PassageSearcher
from knowledge.understanding import Understanding, vocabulary_pinyin

log = logging.getLogger(__name__)
# A word the plans use in at least this many passages is one of their topics (油茶, 光伏),
# not a passing mention (手机, 考试); a word rare in general Chinese (jieba's dictionary counts
# it less often than SPECIFIC_FREQ: 热水器, 太阳能) is a topic wherever the plans use it.
TOPICAL_MIN_DF = 2
SPECIFIC_FREQ = 1000
# Confidence (see knowledge.ranking.confidence) from which the best passage is given as the
# answer, and below which nothing is offered; in between, the closest matches are offered.
# Chosen on the odd half of the development questions: above SURE_CONFIDENCE the best passage
# was the right one for 88% of them; below ABSTAIN_CONFIDENCE for none.
SURE_CONFIDENCE = 0.6
ABSTAIN_CONFIDENCE = 0.15
# A question mostly about things the plans never name (电影, 护照) is outside them.
MAX_UNKNOWN_SHARE = 0.5
# BM25 candidates the rerank orders. A long story's side words fill the first 30 with other
# matters' passages, and the resident's own plan may then have none on the matter among them;
# 50 gave the right passage more often on both held-out sets, the odd halves unchanged.
CANDIDATES = 50
# Last characters of the names of costs and payments (书本费, 工钱, 救济款, 慰问金, 工资, 房租,
# 高龄津贴, 利息): money for households is what the plans are about.
MONEY_ENDINGS = "费钱款金资租贴息税价"
# Kinds of fact a sentence visibly states (a figure, a date): when no sentence of the
# resident's own plans on the matter states one, the answer says the plan does not.
STATED_KINDS = (AMOUNT, TIME)
LIBRARY_DIR = "documents"
PINYIN_CACHE = "pinyin.json"  # beside an index version: the pinyin of its vocabulary


class NoPolicyText(ValueError):
    """Not one document of the corpus gave policy text: nothing to build an index from."""


@dataclass(eq=False)
class _State:
    """Everything one corpus version needs; replaced whole on reload."""

    version: str
    documents: list[DocumentInfo]
    searcher: PassageSearcher
    understanding: Understanding
    gazetteer: Gazetteer
    problems: list[str]
    users: int = field(default=0, repr=False)  # questions being answered from this state now
    retired: bool = field(default=False, repr=False)

    @cached_property
    def regions(self) -> tuple[str, ...]:
        """The regions the plans cover, in the manifest's order."""
        return tuple(dict.fromkeys(d.region for d in self.documents))

    @property
    def passage_count(self) -> int:
        return len(self.searcher.passages)

    def passage_counts(self) -> Counter[str]:
        """Passages per document id."""
        return Counter(p.doc_id for p in self.searcher.passages.values())


class KnowledgeBase:
    def __init__(self, data_dir: Path, corpus_dir: Path | None = None) -> None:
        self.index_root = Path(data_dir) / "index"
        self.corpus_dir = Path(corpus_dir) if corpus_dir else DEFAULT_CORPUS
        self.library = Library(Path(data_dir) / LIBRARY_DIR)
        self._state: _State | None = None
        self._reload_lock = threading.RLock()
        self._use_lock = threading.Lock()
        self._open: list[_State] = []  # the current state and retired ones still answering

    @classmethod
    def open(cls, data_dir: Path, corpus_dir: Path | None = None) -> KnowledgeBase:
        """Load the index for the current corpus, building it first if the corpus changed."""
        kb = cls(data_dir, corpus_dir)
        kb.reload()
        return kb

    def reload(self, force: bool = False) -> _State:
        """Rebuild if needed and swap in atomically; on failure the old state stays."""
        with self._reload_lock:
            library = self.library.root
            version = f"{corpus_hash(self.corpus_dir, library)}-v{index.FORMAT}"
            corpus: Corpus | None = None
            if force or index.current_version(self.index_root) != version:
                corpus = load_corpus(self.corpus_dir, library)
                if not corpus.passages:
                    raise NoPolicyText("no readable policy document in the corpus")
                index.build(
                    self.index_root,
                    version,
                    corpus.passages,
                    _jurisdictions(corpus.documents),
                    remove_stale=False,
                )
            scored, passages, words, ends = index.open_version(self.index_root, version)
            corpus = corpus or load_corpus(self.corpus_dir, library)
            searcher = PassageSearcher(scored, passages, words, ends)
            gazetteer = Gazetteer(corpus.documents)
            vocabulary = {w: searcher.idf(w) for w in searcher.vocabulary}
            topical = {
                w
                for w in searcher.vocabulary
                if searcher.doc_frequency(w) >= TOPICAL_MIN_DF
                or segmenter().FREQ.get(w, 0) < SPECIFIC_FREQ
            }
            state = _State(
                version=version,
                documents=corpus.documents,
                searcher=searcher,
                understanding=Understanding(
                    gazetteer,
                    vocabulary,
                    topical,
                    vocabulary_pinyin(vocabulary, self.index_root / version / PINYIN_CACHE),
                ),
                gazetteer=gazetteer,
                problems=[str(p) for p in corpus.problems],
            )
            # Load jieba's tables, the pinyin index and China's divisions now, not on the first
            # resident's question.
            state.understanding.parse("危房改造补助怎么申请")
            state.gazetteer.uncovered("")
            self._swap(state)
            log.info(
                "knowledge base %s: %d documents, %d passages",
                version,
                len(state.documents),
                len(passages),
            )
            return state

    def add_document(
        self,
        source: Path,
        *,
        original_name: str,
        region: str,
        parents: tuple[str, ...],
        added_by: int | None,
        added_at: str,
    ) -> tuple[LibraryEntry, _State]:
        """Keep an admin's document in the library and rebuild; if the rebuild fails the
        document is dropped again and the old index stays. Raises UnreadableDocument for a
        file that gives no policy text (nothing is kept)."""
        with self._reload_lock:
            entry = self.library.add(
                source,
                original_name=original_name,
                region=region,
                parents=parents,
                added_by=added_by,
                added_at=added_at,
            )
            try:
                return entry, self.reload(force=True)
            except Exception:
                self.library.remove(entry.document.id)
                raise

    def remove_document(self, doc_id: str) -> tuple[LibraryEntry, _State] | None:
        """Drop an added document and rebuild; None when the library has no such document."""
        with self._reload_lock:
            entry = self.library.remove(doc_id)
            return None if entry is None else (entry, self.reload(force=True))

    def _swap(self, state: _State) -> None:
        """Answer from `state` from now on; index directories no open state uses are removed
        (the old one's when its last question is done)."""
        with self._use_lock:
            old, self._state = self._state, state
            self._open.append(state)
            if old is not None:
                old.retired = True
            close = old if old is not None and old.users == 0 else None
            if close is not None:
                self._open.remove(close)
            keep = {s.version for s in self._open}
        index.remove_versions(self.index_root, keep)

    @contextmanager
    def _use(self) -> Iterator[_State]:
        """The current state, kept open until the caller is done with it."""
        with self._use_lock:
            state = self.state
            state.users += 1
        try:
            yield state
        finally:
            with self._use_lock:
                state.users -= 1
                if state.retired and state.users == 0 and state in self._open:
                    self._open.remove(state)

    @property
    def state(self) -> _State:
        assert self._state is not None, "KnowledgeBase.open() first"
        return self._state

    @property
    def regions(self) -> list[str]:
        return [d.region for d in self.state.documents]

    def known_regions(self) -> list[str]:
        """Every region a document covers or lies in, documents' own regions first."""
        documents = self.state.documents
        return list(
            dict.fromkeys([d.region for d in documents] + [p for d in documents for p in d.parents])
        )

    def region_chain(self, name: str, *, places: bool = False) -> tuple[str, ...] | None:
        """The region `name` means (闽清 → 闽清县) followed by the regions above it; None when
        no document covers it. With `places`, a town or village of the gazetteer counts too
        (坂东镇 → 坂东镇, 闽清县, 福州市, 福建省)."""
        state = self.state
        chains: dict[str, tuple[str, ...]] = {}
        for doc in state.documents:
            for i, region in enumerate(doc.jurisdiction):
                chains.setdefault(region, doc.jurisdiction[i:])
        name = name.strip()
        if name in chains:
            return chains[name]
        place = state.gazetteer.resolve(name) if len(name) >= 2 else None
        if place is None or name not in place.name:
            return None
        if place.name in chains:
            return chains[place.name]
        return (place.name, *chains[place.region]) if places and place.region in chains else None

    @property
    def documents(self) -> list[DocumentInfo]:
        return list(self.state.documents)

    @property
    def passage_count(self) -> int:
        return self.state.passage_count

    def passage(self, passage_id: str) -> Passage | None:
        return self.state.searcher.passages.get(passage_id)

    def citation(self, passage: Passage) -> str:
        return citation(passage)

    def search(
        self, question: str, region: str | None = None, limit: int = 10
    ) -> tuple[list[Hit], object]:
        with self._use() as state:
            return _search(state, question, region, limit)

    def ask(self, question: str, region: str | None = None) -> Answer:
        with self._use() as state:
            return _ask(state, question, region)

    def converse(
        self,
        message: str,
        context: Context | None = None,
        region: str | None = None,
        now: float = 0.0,
    ) -> tuple[Answer, Context]:
        """Answer `message` as part of a conversation: follow-ups are read against `context`
        (see `knowledge.conversation`); returns the answer and the context to keep."""
        with self._use() as state:
            return converse(self._backend(state), message, context, region, now)

    def choose(
        self, question: str, passage_id: str, region: str | None = None, now: float = 0.0
    ) -> tuple[Answer, Context] | None:
        """Answer `question` from the suggested passage the resident picked."""
        with self._use() as state:
            return choose(self._backend(state), question, passage_id, region, now)

    @staticmethod
    def _backend(state: _State) -> Backend:
        """One message's view of `state`; a conversation parses the same text several times
        (the place only sets `Query.place`, which the not-stated check takes as `region`)."""
        parse = lru_cache(maxsize=16)(state.understanding.parse)

        def not_stated(text: str, region: str | None, asks: str | None, hits: list[Hit]):
            query = parse(text)
            return _not_stated_reply(state, query, region, asks, hits, _weights(state, query))

        def covers(text: str, passage: Passage) -> float:
            return coverage(Hit(passage, 0.0), parse(text), state.searcher)

        return Backend(
            partial(_ask, state),
            partial(_search, state),
            state.gazetteer.chain,
            parse,
            state.searcher.passages.get,
            state.searcher.idf,
            not_stated,
            covers,
        )


def _search(
    state: _State, question: str, region: str | None, limit: int
) -> tuple[list[Hit], object]:
    query = state.understanding.parse(question, region)
    return _ranked(state, query, limit), query


def _ranked(state: _State, query, limit: int) -> list[Hit]:
    hits = state.searcher.search(
        query.terms, query.phrases, limit=max(limit, CANDIDATES), grams=query.grams
    )
    chain = state.gazetteer.chain(query.place.region) if query.place else ()
    return rerank(hits, query, state.searcher, chain)[:limit]


def _ask(state: _State, question: str, region: str | None) -> Answer:
    """Sure answer, closest matches, "not found", or "the plans here do not cover that place".

    "Not found" only when the question has no concept of the policy domain or the best
    passage's confidence is very low; a place no plan covers is said so, and no other
    region's passage is offered in its stead.
    """
    query = state.understanding.parse(question, region)
    place = _uncovered_place(state, query.text, region)
    if place:
        text = UNCOVERED.format(regions=region_list(state.regions), place=place)
        return Answer(text, True, [], None, kind=UNCOVERED_PLACE, uncovered_place=place)
    hits = _ranked(state, query, 10)
    resolved = query.place.region if query.place else None
    if (
        not hits
        or not query.in_domain
        or unknown_share(query, state.searcher) >= MAX_UNKNOWN_SHARE
        or _foreign_errand(query, state.searcher)
    ):
        return Answer(ABSTAIN_TEXT, True, hits[:5], resolved, kind=ABSTAIN)
    weights = _weights(state, query)
    asks = asked_fact(query.text)
    if asks in STATED_KINDS:
        # Who, how and eligibility have no figure to look for: nearly every passage names a
        # unit or a step, and every one a condition.
        stating = stating_passages([h.passage for h in hits[:STATES_DEPTH]], weights, asks)
        hits = lift_stating(hits, lambda p: p.id in stating)
    sure = confidence(hits, query, state.searcher)
    if sure < ABSTAIN_CONFIDENCE and not _answers_what_story_asks(state, query, hits):
        return Answer(ABSTAIN_TEXT, True, hits[:5], resolved, kind=ABSTAIN)
    unstated = _not_stated_reply(state, query, resolved, asks, hits, weights)
    if unstated is not None:
        return Answer(unstated, True, hits[:5], resolved, kind=NOT_STATED, asks=asks)
    text = answer_from(hits, weights, query.asks_amount, resolved)
    return Answer(
        text, False, hits[:5], resolved, kind=SURE if sure >= SURE_CONFIDENCE else SUGGEST
    )


def _answers_what_story_asks(state: _State, query, hits: list[Hit]) -> bool:
    """Whether, for a story, the best passage answers what its asking sentences ask well
    enough not to say "not found": the situation it tells (腿有残疾, 在家编竹篮卖, 老婆跑了) is
    words no passage holds all of. Such a reply offers the closest matches, never a sure
    answer, since the passage was ranked for the whole story."""
    asking = "".join(asking_sentences(query.text))
    if asking == query.text:
        return False
    return confidence(hits, state.understanding.parse(asking), state.searcher) >= ABSTAIN_CONFIDENCE


def _not_stated_reply(
    state: _State,
    query,
    region: str | None,
    asks: str | None,
    hits: list[Hit],
    weights: dict[str, float],
) -> str | None:
    """The reply that the resident's plan does not state the amount or time asked, when it
    does not, or with no place known that no plan does; None when one does, or when that
    cannot be told."""
    if asks not in STATED_KINDS or not hits:
        return None
    plans = state.gazetteer.chain(region) if region else state.regions
    words = _asked_about(state, query, hits, plans)
    if words is None:
        return None
    # The passages of the plans that apply which name the thing: read once, for both checks.
    naming = [p for p in state.searcher.holding(words) if p.region in plans]
    if any(states_about(p, words, asks) for p in naming):
        return None  # a plan that applies states it, in some passage if not the best
    best = hits[0].passage
    if shows_figure(extract(best, weights, False, asks=asks), words, asks):
        return None  # what would be shown states a figure or date: let the resident judge it
    if region is None:
        return stated_nowhere(best, weights, region_list(plans), asks)
    section = section_units(_speaks_most(words, naming, best), state.searcher.passages.get)
    units = section.lead_units or section.responsible_units  # who leads it, else who takes part
    return not_stated(best, weights, region, asks, units)


def _speaks_most(words: frozenset[str], naming: list[Passage], best: Passage) -> Passage:
    """Of the passages of the resident's plans `naming` the thing, the one that names it most
    often: its section is the one on that matter, whose units handle it. The best passage may
    only mention it (淮安区's health section names 低保 holders; its social-assistance section,
    led by 区民政局, is on 低保). Ties go to the best passage, then to the first."""
    return max([best, *naming], key=lambda p: sum(p.text.count(w) for w in words))


def _weights(state: _State, query) -> dict[str, float]:
    """Each question word's weight in picking the sentences that answer."""
    return {t.text: t.weight * state.searcher.idf(t.text) for t in query.terms}


def _foreign_errand(query, searcher: PassageSearcher) -> bool:
    """Whether what the question's errand is about is a thing the plans never name and the
    lexicon does not map (出国打工护照怎么办 is about 护照, however much 打工 is theirs). A cost
    or a payment (住宿费, 工钱, 救济款) is the plans' matter whatever its name."""
    for concept in query.concepts:
        if concept.expanded or len(concept.typed) < 2 or not _names_thing(concept.pos):
            continue
        if concept.typed[-1] in MONEY_ENDINGS:
            continue
        if any(searcher.known(w) for w in concept.words):
            continue
        for match in re.finditer(re.escape(concept.typed), query.text):
            if errand_object(query.text, match.start(), match.end()):
                return True
    return False


def _names_thing(pos: str) -> bool:
    """A common noun; names of people, places and bodies are no errand (places are the
    gazetteer's matter)."""
    return pos == "vn" or (pos.startswith("n") and not pos.startswith(("nr", "ns", "nt")))


def _topic(query, hit: Hit, searcher: PassageSearcher) -> list:
    """The things asked about that the best passage names, when it names the main one (the
    most informative): what the plan is said to speak of. Empty when it misses the main
    thing (养老保险政府代缴多少 answered by a passage that only shares 政府)."""
    things = [c for c in query.concepts if (c.expanded or _names_thing(c.pos)) and len(c.typed) > 1]
    if not things:
        return []
    present = searcher.words.get(hit.passage.id, frozenset())
    main = max(things, key=lambda c: info(c, searcher))
    if not _about(main, searcher) & present:
        return []
    return [c for c in things if _about(c, searcher) & present]


def _about(concept, searcher: PassageSearcher) -> frozenset[str]:
    """The words a sentence uses when it is about the concept: the word typed, the policy
    words it stands for, and its parts nearly as specific (危房 of 危房改造, not 改造, which
    is as much 无障碍改造's)."""
    best = max((searcher.idf(w) for w in concept.words), default=0.0)
    return frozenset(
        w
        for w in concept.words
        if w == concept.typed or concept.expanded or searcher.idf(w) >= ABOUT_SHARE * best
    )


def _asked_about(
    state: _State, query, hits: list[Hit], plans: tuple[str, ...]
) -> frozenset[str] | None:
    """The words that name the main thing asked about (of those the best passage names, one
    the asking sentences name, the most informative), when the best passage is a plan that
    applies to the resident; None when what the plan says of it cannot be told."""
    if hits[0].passage.region not in plans:
        return None
    topic = _topic(query, hits[0], state.searcher)
    if not topic:
        return None
    asking = "".join(asking_sentences(query.text))
    main = max(topic, key=lambda c: (c.typed in asking, info(c, state.searcher)))
    # Of the policy words it stands for, those that say little of it (安全 for 漏雨) do not
    # show a figure is its own.
    return _about(main, state.searcher) - weak_expansions(main, state.searcher.idf)


def _uncovered_place(state: _State, text: str, region: str | None) -> str | None:
    """The place no plan covers that the question is about. A region the resident chose
    that a plan covers is their place, whatever else the text names (在深圳打工)."""
    if region and state.gazetteer.resolve(region):
        return None
    if region and region.strip():
        chosen = state.gazetteer.uncovered(region.strip())
        if chosen:
            return chosen
    return state.gazetteer.uncovered(text)


def _jurisdictions(documents: list[DocumentInfo]) -> dict[str, tuple[str, ...]]:
    return {d.id: d.jurisdiction for d in documents}
