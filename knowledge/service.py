"""The knowledge base as the rest of the bot sees it: open, ask, look up, reload.

`ask` is synchronous and thread-safe (each thread gets its own Whoosh searcher); the
Telegram handlers call it with `asyncio.to_thread` so a slow query never stalls others.
A reload builds the new index beside the old one and swaps the reference in one
assignment, so questions keep being answered while it runs and a failure keeps the old.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from knowledge import index
from knowledge.answers import ABSTAIN_TEXT, answer_from, citation
from knowledge.ingest import Corpus, corpus_hash, load_corpus
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.models import Answer, DocumentInfo, Hit, Passage
from knowledge.places import Gazetteer
from knowledge.ranking import abstains, rerank
from knowledge.search import PassageSearcher
from knowledge.understanding import Understanding

log = logging.getLogger(__name__)
# A word the plans use in at least this many passages is one of their topics (油茶, 光伏),
# not a passing mention (手机, 考试).
TOPICAL_MIN_DF = 2


@dataclass
class _State:
    """Everything one corpus version needs; replaced whole on reload."""

    version: str
    documents: list[DocumentInfo]
    searcher: PassageSearcher
    understanding: Understanding
    gazetteer: Gazetteer
    problems: list[str]


class KnowledgeBase:
    def __init__(self, data_dir: Path, corpus_dir: Path | None = None) -> None:
        self.index_root = Path(data_dir) / "index"
        self.corpus_dir = Path(corpus_dir) if corpus_dir else DEFAULT_CORPUS
        self._state: _State | None = None
        self._reload_lock = threading.Lock()

    @classmethod
    def open(cls, data_dir: Path, corpus_dir: Path | None = None) -> "KnowledgeBase":
        """Load the index for the current corpus, building it first if the corpus changed."""
        kb = cls(data_dir, corpus_dir)
        kb.reload()
        return kb

    def reload(self, force: bool = False) -> _State:
        """Rebuild if needed and swap in atomically; on failure the old state stays."""
        with self._reload_lock:
            version = f"{corpus_hash(self.corpus_dir)}-v{index.FORMAT}"
            corpus: Corpus | None = None
            if force or index.current_version(self.index_root) != version:
                corpus = load_corpus(self.corpus_dir)
                if not corpus.passages:
                    raise ValueError("no readable policy document in the corpus")
                index.build(self.index_root, version, corpus.passages, _jurisdictions(corpus.documents))
            ix, passages, words = index.open_version(self.index_root, version)
            corpus = corpus or load_corpus(self.corpus_dir)
            searcher = PassageSearcher(ix, passages, words)
            gazetteer = Gazetteer(corpus.documents)
            vocabulary = {w: searcher.idf(w) for w in searcher.vocabulary}
            topical = {w for w in searcher.vocabulary if searcher.doc_frequency(w) >= TOPICAL_MIN_DF}
            state = _State(
                version=version,
                documents=corpus.documents,
                searcher=searcher,
                understanding=Understanding(gazetteer, vocabulary, topical),
                gazetteer=gazetteer,
                problems=[str(p) for p in corpus.problems],
            )
            # Load jieba's tables and the pinyin index now, not on the first resident's question.
            state.understanding.parse("危房改造补助怎么申请")
            old, self._state = self._state, state
            if old is not None:
                old.searcher.close()
            log.info("knowledge base %s: %d documents, %d passages", version, len(state.documents), len(passages))
            return state

    @property
    def state(self) -> _State:
        assert self._state is not None, "KnowledgeBase.open() first"
        return self._state

    @property
    def regions(self) -> list[str]:
        return [d.region for d in self.state.documents]

    @property
    def documents(self) -> list[DocumentInfo]:
        return list(self.state.documents)

    @property
    def passage_count(self) -> int:
        return len(self.state.searcher.passages)

    def passage(self, passage_id: str) -> Passage | None:
        return self.state.searcher.passages.get(passage_id)

    def citation(self, passage: Passage) -> str:
        return citation(passage)

    def search(self, question: str, region: str | None = None, limit: int = 10) -> tuple[list[Hit], "object"]:
        state = self.state
        query = state.understanding.parse(question, region)
        hits = state.searcher.search(query.terms, query.phrases, limit=max(limit, 30))
        chain = state.gazetteer.chain(query.place.region) if query.place else ()
        return rerank(hits, query, state.searcher, chain)[:limit], query

    def ask(self, question: str, region: str | None = None) -> Answer:
        state = self.state
        hits, query = self.search(question, region)
        resolved = query.place.region if query.place else None
        weights = {t.text: t.weight * state.searcher.idf(t.text) for t in query.terms}
        if not hits or abstains(hits[0], query, state.searcher):
            return Answer(ABSTAIN_TEXT, True, hits[:5], resolved)
        text = answer_from(hits, weights, query.asks_amount, region_known=resolved is not None)
        return Answer(text, False, hits[:5], resolved)


def _jurisdictions(documents: list[DocumentInfo]) -> dict[str, tuple[str, ...]]:
    return {d.id: d.jurisdiction for d in documents}
