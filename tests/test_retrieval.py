"""Retrieval that survives words the plans do not use: the character-bigram view beside the
jieba words, fused with them, and the resident's own plan first when their place is known."""

from __future__ import annotations

import pytest

from knowledge.analyzer import grams


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
