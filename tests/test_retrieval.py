"""Retrieval that survives words the plans do not use: the character-bigram view beside the
jieba words, fused with them, and the resident's own plan first when their place is known."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.analyzer import grams

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


def test_bigrams_fold_and_never_span_punctuation():
    assert grams("扶貧補助,到賬") == ["扶贫", "贫补", "补助", "到账"]
    assert grams("５万 元") == ["5万"]
    assert grams("低") == []


def test_bigram_view_finds_the_passage_when_the_words_are_cut_differently(kb):
    """保洁员 is no word of the plans, and the words alone lead to another passage on jobs;
    the character pairs lead to the one on public-welfare posts."""
    searcher = kb.state.searcher
    query = kb.state.understanding.parse("公益岗位保洁员")
    by_grams = searcher.search_grams(query.grams, 3)
    assert "公益" in by_grams[0].passage.text and "岗位" in by_grams[0].passage.text
    hits, _ = kb.search("公益岗位保洁员", None, 3)
    assert "公益" in hits[0].passage.text and "岗位" in hits[0].passage.text


def test_a_question_of_only_unknown_characters_finds_nothing_by_bigrams(kb):
    assert kb.state.searcher.search_grams(["嘎嘎", "咕咕"], 5) == []


@pytest.mark.parametrize(
    ("question", "region"),
    [
        ("我是新平的,孩子读高中家里供不起", "新平县"),
        ("镇头这边看病能报多少", "镇头镇"),
        ("闽清的贫困户贷款养鸡有没有贴息", "闽清县"),
        ("恩施的娃上大学有补助吗", "湖北省"),
    ],
)
def test_a_named_place_puts_its_own_plan_first_even_when_another_covers_more_words(
    kb, question, region
):
    hits, _ = kb.search(question, None, 5)
    assert hits[0].passage.region == region


# -- the same question, the same answer, in every process ---------------------------------------

STORY = (
    "我儿子在外面打工两年了，听说贫困户出去务工有奖补，还能报车费，我们是湖北的，这个钱是多少，要带什么去办？"
    "我老公去年在广东工地上干活摔伤了腿，现在干不了重活，家里两个娃读书，我们在淮安区，能不能申请低保，医药费能报多少？"
    "屋里老人八十多了，一个人住在老屋里，房子漏雨，儿女都在外地打工，我们在新平县，危房改造能补多少钱，找哪个部门？"
    "我在镇头镇养了几十头猪，今年猪瘟死了一大半，贷款还不上了，贫困户有没有保险赔，贷款能不能延期？"
)


def test_a_long_story_is_searched_by_the_same_words_whatever_their_order(kb):
    """A story holds more telling words than are searched; those that weigh the same are
    chosen by the word, not by where a set happened to put them."""
    searcher = kb.state.searcher
    terms = kb.state.understanding.parse(STORY).terms
    forward = [h.passage.id for h in searcher.search_words(terms, 10)]
    backward = [h.passage.id for h in searcher.search_words(list(reversed(terms)), 10)]
    assert forward == backward


def test_a_question_is_read_the_same_in_every_process(kb, policy_data_dir):
    """Python orders a set differently in each process (PYTHONHASHSEED): the words a short verb
    stands for (报 → 报销, 申报) must not follow that order, or a restart changes answers."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from knowledge.service import KnowledgeBase\n"
        "kb = KnowledgeBase.open(Path(sys.argv[1]))\n"
        "query = kb.state.understanding.parse('出去打工能报车费吗')\n"
        "print([(t.text, t.weight) for t in query.terms])\n"
    )
    runs = set()
    for seed in ("1", "6"):
        result = subprocess.run(
            [sys.executable, "-c", script, str(policy_data_dir)],
            env={**os.environ, "PYTHONHASHSEED": seed, "LOG_LEVEL": "WARNING"},
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        runs.add(result.stdout)
    assert len(runs) == 1
