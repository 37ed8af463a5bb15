"""The jieba analyzer: word-order positions (so phrase search works), offsets into the
original text (so highlights land on what the resident typed), and a Chinese stoplist."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Phrase, Term

from knowledge.analyzer import analyze, analyze_groups, chinese_analyzer, ends_only, fold
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


def test_ends_only_are_the_general_last_parts_a_text_never_uses_alone():
    """大学生 and 助学贷款 name particular kinds of 学生 and 贷款; a first part (低保 of 低保户,
    大学 of 大学生) is what the word is about, and a word also written alone is no end only."""
    assert {"学生", "贷款"} <= ends_only(analyze_groups("强化大学生生源地助学贷款服务"))
    assert not {"低保", "大学", "助学"} & ends_only(analyze_groups("低保户的大学生申请助学贷款"))
    assert "贷款" not in ends_only(analyze_groups("助学贷款和贷款贴息"))


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


# -- jieba's dictionary, kept in a cache file quick to read --------------------------------


def _small_dictionary(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text(
        "建档立卡 30 n\n危房改造 20 n\n危房 8 n\n改造 12 v\n补助 15 v\n", encoding="utf-8"
    )
    return str(path)


def _tokenizer(dictionary: str, cache_dir):
    import jieba

    tokenizer = jieba.Tokenizer(dictionary)
    tokenizer.tmp_dir = str(cache_dir)
    return tokenizer


def test_jiebas_dictionary_is_read_back_from_the_cache_as_jieba_builds_it(tmp_path, monkeypatch):
    import jieba

    from knowledge.analyzer import load_dictionary

    dictionary = _small_dictionary(tmp_path)
    (tmp_path / "jieba").mkdir()
    reference = _tokenizer(dictionary, tmp_path / "jieba")
    reference.initialize()

    first = _tokenizer(dictionary, tmp_path)
    load_dictionary(first)  # no cache yet: jieba builds it, and the cache is written
    assert (first.FREQ, first.total) == (reference.FREQ, reference.total)
    assert len(list(tmp_path.glob("knowledge-dict.*.cache"))) == 1

    def not_again(self, dictionary=None):
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(jieba.Tokenizer, "initialize", not_again)
    second = _tokenizer(dictionary, tmp_path)
    load_dictionary(second)
    assert (second.FREQ, second.total) == (reference.FREQ, reference.total)
    assert second.initialized
    assert second.lcut("建档立卡危房改造补助") == ["建档立卡", "危房改造", "补助"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-3] + b"\x00\x00\x00",  # a count changed
        lambda data: b"{not json\n" + data.partition(b"\n")[2],
        lambda data: b"",
    ],
)
def test_a_damaged_dictionary_cache_is_built_again(tmp_path, damage):
    from knowledge.analyzer import load_dictionary

    dictionary = _small_dictionary(tmp_path)
    good = _tokenizer(dictionary, tmp_path)
    load_dictionary(good)
    (cache,) = tmp_path.glob("knowledge-dict.*.cache")
    cache.write_bytes(damage(cache.read_bytes()))

    again = _tokenizer(dictionary, tmp_path)
    load_dictionary(again)
    assert (again.FREQ, again.total) == (good.FREQ, good.total)
    reread = _tokenizer(dictionary, tmp_path)
    load_dictionary(reread)  # and the cache is whole again
    assert (reread.FREQ, reread.total) == (good.FREQ, good.total)


def test_a_changed_dictionary_gets_its_own_cache(tmp_path):
    from knowledge.analyzer import load_dictionary

    dictionary = _small_dictionary(tmp_path)
    load_dictionary(_tokenizer(dictionary, tmp_path))
    with open(dictionary, "a", encoding="utf-8") as fh:
        fh.write("低保 40 n\n")
    changed = _tokenizer(dictionary, tmp_path)
    from knowledge import analyzer

    analyzer._dictionary_md5.cache_clear()  # a new process reads the file afresh
    load_dictionary(changed)
    assert changed.FREQ["低保"] == 40
    assert len(list(tmp_path.glob("knowledge-dict.*.cache"))) == 2


def test_an_unwritable_cache_directory_still_gives_the_dictionary(tmp_path, caplog):
    from knowledge.analyzer import load_dictionary

    dictionary = _small_dictionary(tmp_path)
    blocked = tmp_path / "a-file"  # (tests run as root: a directory's mode would not stop it)
    blocked.write_text("", encoding="utf-8")
    tokenizer = _tokenizer(dictionary, blocked)
    load_dictionary(tokenizer)
    assert tokenizer.FREQ["危房改造"] == 20 and tokenizer.FREQ["危房改"] == 0
    assert tokenizer.lcut("危房改造补助") == ["危房改造", "补助"]
    assert "could not write the cache file" in caplog.text


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-8],  # a word cut off the end
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # a word's hash changed
        lambda data: b'["n", "v"]\n' + data.partition(b"\n")[2],  # a head without a digest
        lambda data: b"",
    ],
)
def test_the_part_of_speech_cache_is_built_again_when_damaged(tmp_path, damage):
    from knowledge.analyzer import _cached_pack, _TagTable

    dictionary = _small_dictionary(tmp_path)
    first = _cached_pack(_tokenizer(dictionary, tmp_path))
    (cache,) = tmp_path.glob("knowledge-tags.*.cache")
    assert _cached_pack(_tokenizer(dictionary, tmp_path)) == first  # read back
    cache.write_bytes(damage(cache.read_bytes()))

    again = _cached_pack(_tokenizer(dictionary, tmp_path))
    assert again == first
    table = _TagTable(*again, own_lines=[])
    assert (table.get("改造", "x"), table.get("危房", "x"), table.get("低保", "x")) == (
        "v",
        "n",
        "x",
    )
    assert _cached_pack(_tokenizer(dictionary, tmp_path)) == first  # whole again
