"""Search from the postings held in memory ranks exactly as Whoosh ranks the same query."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Or, Term

from knowledge import postings
from knowledge.analyzer import analyze, grams
from knowledge.search import FIELD_BOOSTS

QUESTIONS = [
    "危房改造一户补多少钱",
    "贫困学生助学贷款咋个申请",
    "看病花了好几万，大病保险能报多少",
    "村干部优亲厚友，去哪举报",
    "想学门手艺，技能培训要钱吗",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_word_search_gives_whooshs_passages_order_and_scores(policy_kb, question):
    searcher = policy_kb.state.searcher
    words = [w for w in dict.fromkeys(analyze(question)) if searcher.known(w)]
    clauses = [(f, w, boost * 0.7) for w in words for f, boost in FIELD_BOOSTS.items()]
    ours = [(h.passage.id, h.score) for h in searcher.rank(clauses, 20)]
    assert ours
    assert ours == _whoosh_at(policy_kb, clauses)


@pytest.mark.parametrize("question", QUESTIONS)
def test_bigram_search_gives_whooshs_passages_order_and_scores(policy_kb, question):
    searcher = policy_kb.state.searcher
    clauses = [("grams", g, 1.0) for g in dict.fromkeys(grams(question))]
    ours = [(h.passage.id, h.score) for h in searcher.rank(clauses, 20)]
    assert ours
    assert ours == _whoosh_at(policy_kb, clauses)


def _whoosh_at(kb, clauses, limit=20):
    """The same OR query run by Whoosh itself on the index files."""
    ix = whoosh_index.open_dir(str(kb.index_root / kb.state.version))
    query = Or([Term(field, text, boost=boost) for field, text, boost in clauses])
    with ix.searcher(weighting=postings.weighting()) as searcher:
        return [(r["id"], r.score) for r in searcher.search(query, limit=limit)]
