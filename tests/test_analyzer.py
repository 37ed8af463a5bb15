"""The jieba analyzer: word-order positions (so phrase search works), offsets into the
original text (so highlights land on what the resident typed), and a Chinese stoplist."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Phrase, Term

from knowledge.analyzer import analyze, analyze_groups, chinese_analyzer, fold
from knowledge.index import schema


def _tokens(text: str):
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in chinese_analyzer()(text, positions=True, chars=True)
    ]


def test_positions_count_words_not_characters():
    tokens = _tokens("建档立卡贫困户实施危房改造")
    main = {}
    for text, pos, _, _ in tokens:
        main.setdefault(pos, text)  # the full word comes first at each position
    assert list(main.values()) == ["建档立卡", "贫困户", "实施", "危房改造"]
    assert sorted(main) == [
        0,
        1,
        2,
        3,
    ]  # consecutive, although the words are 4, 3, 2, 4 characters long


def test_sub_words_share_the_position_of_their_word():
    tokens = _tokens("实施危房改造")
    positions = {text: pos for text, pos, _, _ in tokens}
    assert positions["危房"] == positions["改造"] == positions["危房改造"] == positions["实施"] + 1
    groups = analyze_groups("实施危房改造")
    assert groups[0] == ["实施"]
    assert groups[1][0] == "危房改造" and {"危房", "改造"} <= set(groups[1])


@pytest.mark.parametrize(
    "text",
    [
        "对建档立卡贫困户实施危房改造，每户补助2万元。",
        "貧困戶的低保補貼每月２０００元",  # traditional characters and full-width digits
        "ＡＢＣ危房改造１２３，看病報銷",
        "  前导空格\t和\n换行的危房改造",
    ],
)
def test_character_offsets_slice_the_original_text(text):
    tokens = _tokens(text)
    assert tokens
    for word, _, start, end in tokens:
        original = text[start:end]
        assert len(original) == len(word)
        assert fold(original).lower() == word, (word, original)


def test_traditional_and_full_width_text_index_as_simplified_half_width():
    assert analyze("貧困戶低保補貼２０００元") == analyze("贫困户低保补贴2000元")
    words = [t[0] for t in _tokens("貧困戶低保補貼２０００元")]
    assert "贫困户" in words and "补贴" in words and "2000" in words


def test_chinese_stopwords_and_punctuation_are_dropped():
    words = analyze("请问我们家的低保是怎么申请的呢？！")
    assert "低保" in words and "申请" in words
    for stop in ("请问", "我们", "的", "是", "怎么", "呢", "？", "！"):
        assert stop not in words
    assert analyze("的了吗呢啊") == []
    assert analyze("？？？，。！") == []


def test_latin_words_are_lowercased():
    assert "abc" in analyze("ABC危房")


@pytest.fixture
def tiny_index(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), schema())
    writer = ix.writer()
    passages = {
        "a": "对建档立卡贫困户实施危房改造，每户补助2万元。",
        "b": "改造危房的资金由县财政统筹安排。",
        "c": "低保对象按月发放补助资金。",
    }
    for pid, body in passages.items():
        writer.add_document(
            id=pid, doc_id="t", body=body, heading="一、住房保障", title="测试方案", region="测试县"
        )
    writer.commit()
    yield ix
    ix.close()


def _ids(ix, query):
    with ix.searcher() as searcher:
        return sorted(hit["id"] for hit in searcher.search(query))


def test_phrase_query_finds_words_in_order_and_not_reversed(tiny_index):
    assert _ids(tiny_index, Term("body", "危房")) == ["a", "b"]
    assert _ids(tiny_index, Phrase("body", ["贫困户", "实施", "危房改造"])) == ["a"]
    assert _ids(tiny_index, Phrase("body", ["危房改造", "实施", "贫困户"])) == []
    assert _ids(tiny_index, Phrase("body", ["改造", "危房"])) == ["b"]  # 改造危房, not 危房改造
    assert _ids(tiny_index, Phrase("body", ["危房", "资金"])) == []  # 的 between them is no word


def test_phrase_query_with_a_sub_word_matches_at_the_words_position(tiny_index):
    # 危房 is indexed at the position of 危房改造, so 实施 危房 is a phrase in passage a.
    assert _ids(tiny_index, Phrase("body", ["实施", "危房"])) == ["a"]
    assert _ids(tiny_index, Phrase("body", ["每户", "补助"])) == ["a"]


def test_parts_of_speech_come_from_jiebas_dictionary_with_ours_on_top():
    from knowledge.analyzer import part_of_speech

    assert part_of_speech("申请") == "v"
    assert part_of_speech("看病") == "v"
    assert part_of_speech("的") == "uj"
    assert part_of_speech("建档立卡") == "n"  # our policy vocabulary
    assert part_of_speech("低宝宝宝") == "x"  # a word jieba only guesses


def test_typo_repair_reads_characters_without_pypinyins_phrase_dictionary():
    """The phrase dictionary would hold ~45 MB; one-character readings serve the repair."""
    from pypinyin.constants import PHRASES_DICT

    from knowledge.understanding import pinyin_key

    assert PHRASES_DICT == {}
    assert pinyin_key("低保") == "di bao"
