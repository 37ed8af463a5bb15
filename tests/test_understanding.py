"""Understanding residents: their words, typos and places, to short, cited, region-aware
answers, and an honest "the documents do not cover this" when they do not."""

from __future__ import annotations

import re

import pytest

from knowledge.answers import MAX_ANSWER, citation, extract
from knowledge.asked import asked_fact
from knowledge.models import Passage
from knowledge.understanding import load_lexicon

HOTLINE = "12317"
REGIONS = ("闽清县", "淮安区", "湖北省", "镇头镇", "新平县")
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


@pytest.fixture(scope="module")
def parse(kb):
    return kb.state.understanding.parse


def _body(answer_text: str) -> str:
    """The extracted sentences of an answer, without the source lines."""
    return "\n".join(line for line in answer_text.splitlines() if not line.startswith("——来源"))


# -- tolerance of what people type ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "typo", "word"),
    [
        ("低宝怎么申请", "低宝", "低保"),
        ("危方改造有补助吗", "危方", "危房"),
        ("住院报消比例是多少", "报消", "报销"),
        ("医宝怎么报销", "医宝", "医保"),
        ("我家是贫困护", "贫困护", "贫困户"),
    ],
)
def test_typos_and_homophones_are_repaired(parse, question, typo, word):
    words = parse(question).words
    assert word in words
    assert typo not in words


def test_typo_glued_by_jieba_to_its_neighbour_is_repaired(parse):
    assert "医保" in parse("医宝能报多少").words


def test_correct_words_are_left_alone(parse):
    for word in ("低保", "危房", "报销", "医保", "大病保险"):
        assert word in parse(f"{word}怎么办理").words


@pytest.mark.parametrize(
    ("phrase", "word"), [("通网", "网络"), ("通电", "电网"), ("通水", "供水"), ("通车", "客运")]
)
def test_getting_the_village_connected_is_read_as_what_is_brought_in(parse, phrase, word):
    """通网 sounds like the plans' 同网 (of 同源同网, water supply), but residents mean
    getting the internet: a word the lexicon knows is no typo."""
    concepts = {c.typed: c.words for c in parse(f"我们村啥时候{phrase}").concepts}
    assert word in concepts[phrase]


def test_asking_when_the_village_gets_the_internet_finds_the_network_plan(kb):
    answer = kb.ask("我们村么时候通网啊，信号差得很")
    assert "网络" in _body(answer.text) and "同网" not in answer.text


def test_a_repaired_typo_answers_like_the_correct_word(kb):
    assert kb.ask("危方改造有补助吗").text == kb.ask("危房改造有补助吗").text
    assert kb.ask("低宝怎么申请").hits[0].passage.id == kb.ask("低保怎么申请").hits[0].passage.id


def test_traditional_characters_are_converted(parse):
    words = parse("貧困戶 低保補貼").words
    assert {"贫困户", "低保", "补贴"} <= set(words)
    assert not any(ch in "".join(words) for ch in "貧戶補貼")


def test_full_width_digits_and_letters_are_normalised(parse):
    words = parse("每户补助２０００元，ＡＢＣ").words
    assert "2000" in words and "abc" in words
    assert "２０００" not in words


@pytest.mark.parametrize(
    ("dialect", "standard", "dialect_word"),
    [
        ("低保一个月几多钱", "低保一个月多少钱", "几多"),
        ("低保补助有好多", "低保补助有多少", "好多"),
        ("咋个申请低保", "怎么申请低保", "咋个"),
        ("冇钱看病", "没钱看病", "冇"),
    ],
)
def test_dialect_question_words_carry_no_weight(parse, dialect, standard, dialect_word):
    query = parse(dialect)
    assert dialect_word not in query.words
    assert dialect_word not in [c.typed for c in query.concepts]
    assert query.words == parse(standard).words


def test_dialect_amount_question_is_an_amount_question(parse):
    assert parse("低保一个月几多钱").asks_amount
    assert parse("低保一个月多少钱").asks_amount
    assert not parse("低保怎么申请").asks_amount


# -- the everyday-words lexicon ---------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "policy_words"),
    [
        ("娃上学有补助吗", {"教育", "学生"}),
        ("看病贵怎么办", {"医疗"}),
        ("房子漏了咋办", {"危房改造"}),
        ("想借钱养猪", {"贷款", "养殖"}),
        ("想找活干", {"就业"}),
    ],
)
def test_everyday_words_bring_the_policy_words(parse, question, policy_words):
    assert policy_words <= set(parse(question).words)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("娃上学有补助吗", "教育"),
        ("房子漏了咋办", "住房"),
        ("冇钱看病咋个办", "健康"),
        ("想借钱养猪", "产业|金融|风险"),
        ("找活干有什么门路", "就业"),
    ],
)
def test_colloquial_questions_find_the_policy_section(kb, question, topic):
    answer = kb.ask(question)
    assert not answer.abstained
    assert re.search(topic, answer.hits[0].passage.heading_path[-1]), answer.hits[
        0
    ].passage.heading_path


def test_lexicon_is_data_with_comments_and_longest_phrases_first(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text(
        "# residents' words\n看病\t医疗\n看病报销\t医疗 报销  # longer\n\n没有制表符的行\n",
        encoding="utf-8",
    )
    assert load_lexicon(path) == [("看病报销", ("医疗", "报销")), ("看病", ("医疗",))]


# -- places -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "region"),
    [
        ("坂东", "闽清县"),
        ("车桥", "淮安区"),
        ("恩施", "湖北省"),
        ("戛洒", "新平县"),
        ("浏阳", "镇头镇"),
        ("福建", "闽清县"),
    ],
)
def test_places_resolve_to_their_jurisdiction(parse, place, region):
    query = parse(f"我是{place}的，低保怎么申请")
    assert query.place is not None and query.place.region == region
    assert place not in "".join(query.words)  # a place selects the plan; it is no search word
    assert "低保" in query.words


@pytest.mark.parametrize(
    ("message", "region"),
    [
        ("水塘的，养老保险政府代缴吗", "新平县"),
        ("我是建兴的，危房有补助吗", "新平县"),
        ("家在河下那边，低保怎么申请", "淮安区"),
    ],
)
def test_a_town_whose_name_is_an_everyday_word_counts_where_residents_say_where_they_are_from(
    parse, message, region
):
    query = parse(message)
    assert query.place is not None and query.place.region == region


def test_an_everyday_word_that_is_also_a_town_is_no_place_elsewhere(parse):
    assert parse("村里的水塘干了，抗旱有补助吗").place is None


def test_an_explicit_region_beats_the_place_in_the_text(parse, kb):
    assert parse("我在坂东，危房改造有补助吗", "新平县").place.region == "新平县"
    assert parse("我在坂东，危房改造有补助吗").place.region == "闽清县"
    answer = kb.ask("我在戛洒，危房改造有补助吗", "闽清县")
    assert answer.region == "闽清县"
    assert answer.hits[0].passage.region == "闽清县"


def test_an_unknown_explicit_region_falls_back_to_the_text(parse):
    assert parse("我在戛洒，危房改造有补助吗", "火星市").place.region == "新平县"
    assert parse("危房改造有补助吗", "火星市").place is None


# -- region ranking ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "plan"),
    [
        ("新平县", "新平县"),
        ("闽清县", "闽清县"),
        ("淮安区", "淮安区"),
        ("镇头镇", "镇头镇"),
        ("浏阳市", "镇头镇"),
        ("戛洒镇", "新平县"),
    ],
)
def test_the_residents_own_plan_ranks_first(kb, region, plan):
    answer = kb.ask("危房改造有什么补助", region)
    assert not answer.abstained
    assert answer.region == plan
    assert answer.hits[0].passage.region == plan
    assert "危房" in answer.hits[0].passage.text
    assert f"《{answer.hits[0].passage.title}》" in answer.text
    assert "【" not in answer.text  # one region, no labels needed


def test_several_plans_answer_unlabelled_questions_and_each_part_says_whose_rule_it_is(kb):
    answer = kb.ask("危房改造有什么补助")
    assert not answer.abstained and answer.region is None
    labels = re.findall(r"【(.+?)】", answer.text)
    assert len(labels) >= 2 and len(set(labels)) == len(labels)
    assert set(labels) <= set(REGIONS)
    titles = {p.region: p.title for p in (h.passage for h in answer.hits)}
    blocks = answer.text.split("\n\n")
    assert len(blocks) == len(labels)
    for label, block in zip(labels, blocks, strict=False):
        assert block.startswith(f"【{label}】")
        assert f"《{titles[label]}》" in block  # the source of each part is that region's plan
    assert len(answer.text) <= MAX_ANSWER


# -- extraction and citation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("易地扶贫搬迁人均建房面积不超过多少", "25平方米"),
        ("雨露计划补助多少钱", "3000元"),
        ("小额信贷能贷多少", "10万元"),
    ],
)
def test_answers_about_amounts_state_the_whole_figure(kb, question, figure):
    answer = kb.ask(question)
    assert not answer.abstained
    assert figure in _body(answer.text)


@pytest.mark.parametrize(
    ("question", "region"),
    [
        ("雨露计划补助多少钱", None),
        ("贫困学生生活补助多少钱", "闽清县"),
        ("看病能报销多少", None),
        ("村集体经济收入要达到多少", None),
        ("危房改造有什么补助", None),
    ],
)
def test_no_figure_in_an_answer_is_cut_from_a_longer_one(kb, question, region):
    answer = kb.ask(question, region)
    sources = [h.passage.text for h in answer.hits]
    for figure in FIGURE.findall(_body(answer.text)):
        whole = re.compile(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)")
        assert any(whole.search(text) for text in sources), figure


@pytest.mark.parametrize("limit", [30, 40, 50, 60, 80, 260])
@pytest.mark.parametrize("weights", [{"补助": 1.0, "贫困户": 1.0}, {"房屋": 1.0, "修缮": 1.0}])
def test_trimming_a_long_sentence_keeps_figures_whole(limit, weights):
    text = (
        "各地要加强资金监管并确保按期完成任务，对整村推进项目给予配套资金支持，"
        "对符合条件的贫困户给予一次性补助1,000元，用于房屋修缮和加固，并逐步提高补助标准，"
        "各乡镇要做好政策宣传工作，确保群众知晓。"
    )
    passage = Passage(
        id="t-0000", doc_id="t", heading_path=("一、住房",), text=text, title="测试方案"
    )
    extracted = extract(passage, weights, True, limit)
    assert extracted.strip("…")
    assert extracted.replace("…", "") in text
    assert not re.search(r"(?<![\d,])000元", extracted)  # never "000元" cut from "1,000元"


def test_citation_format(kb):
    passage = kb.ask("雨露计划补助多少钱").hits[0].passage
    assert citation(passage) == (
        f"《{passage.title}》 › {' › '.join(passage.heading_path)}（{passage.issuer}，{passage.date}）"
    )
    assert (
        citation(passage)
        == "《2018年全省脱贫攻坚工作要点》 › 三、加大综合施策力度 › (三)做实教育扶贫（湖北省扶贫办，2018-04-27）"
    )
    bare = Passage(id="t-0000", doc_id="t", heading_path=(), text="……", title="某方案")
    assert citation(bare) == "《某方案》"


def test_an_answer_ends_each_part_with_its_source(kb):
    answer = kb.ask("易地扶贫搬迁人均建房面积不超过多少", "湖北省")
    top = answer.hits[0].passage
    assert answer.text.endswith("——来源：" + citation(top))
    assert len(answer.text) <= MAX_ANSWER
    body = _body(answer.text)
    assert 0 < len(body) < len(top.text) or len(top.text) < 260  # a few sentences, not the passage


# -- abstention -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["明天天气怎么样", "推荐一部电影", "怎么办护照", "手机坏了去哪修", "今晚吃什么", "股票怎么买"],
)
def test_off_topic_questions_abstain_and_offer_the_hotline(kb, question):
    answer = kb.ask(question)
    assert answer.abstained
    assert HOTLINE in answer.text and "/complain" in answer.text
    assert "《" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "危房改造有什么补助",
        "低保怎么申请",
        "娃上学有补助吗",
        "看病能报销多少",
        "小额信贷能贷多少",
        "房子漏了咋办",
        "低宝怎么申请",
        "貧困戶看病能報銷多少",
    ],
)
def test_answerable_questions_do_not_abstain(kb, question):
    answer = kb.ask(question)
    assert not answer.abstained
    assert HOTLINE not in answer.text
    assert "《" in answer.text and "来源" in answer.text


def test_a_specific_word_the_plans_use_once_makes_a_question_theirs(kb, parse):
    """热水器 is rare in general Chinese and named once in the plans: a question about it is
    theirs; 手机, common everywhere and mentioned in passing, is not."""
    searcher = kb.state.searcher
    assert searcher.doc_frequency("热水器") == 1
    assert parse("冬天冷，想装个热水器").in_domain
    assert not parse("手机坏了去哪修").in_domain


def test_helper_words_glued_to_a_verb_are_read_off(parse):
    """想查, 帮着, 冷得: stretches no dictionary knows are read as their core word, so they
    neither count as unknown things asked about nor hide the verb."""
    typed = {c.typed for c in parse("想查下补助 政府会不会帮着整 冷得很").concepts}
    assert not typed & {"想查", "帮着", "冷得"}
    assert "查" in typed


def test_a_verb_with_its_complement_that_jieba_barely_knows_is_read_as_the_verb(kb, parse):
    """修得好, 批得下来: jieba lists 修得 and 批得, but as rarely as a typo; read as an unknown
    word they made half of 路哪样时候修得好 unknown, and the bot said "not found"."""
    typed = {c.typed for c in parse("新平县的路哪样时候修得好，批得下来不").concepts}
    assert not typed & {"修得", "批得"}
    assert not kb.ask("新平县的路哪样时候修得好").abstained


def test_a_doubled_verb_is_read_as_the_verb(parse):
    """问问, 查查: a doubled verb the plans never write is the verb itself, not an unknown
    thing asked about (which would count as much as 低保)."""
    concepts = {c.typed: c for c in parse("补助发没发，想查查").concepts}
    assert "查查" not in concepts
    assert "查询" in concepts["查"].words
    assert "补贴" in {c.typed: c for c in parse("危房政府补不补").concepts}["补"].words


def test_a_residents_word_the_plans_also_use_counts_beside_its_expansion(parse):
    [concept] = [c for c in parse("工作队要待多久").concepts if c.typed == "工作队"]
    assert {"工作队", "驻村工作队"} <= concept.words


def test_a_generic_part_of_a_compound_does_not_stand_for_it(kb, parse):
    """扶贫 is in most passages: a passage that only says 扶贫 is not about 扶贫小额信贷."""
    [concept] = [c for c in parse("扶贫小额信贷要啥条件").concepts if c.typed == "扶贫小额信贷"]
    assert "扶贫" not in concept.words
    assert {"小额", "信贷"} <= concept.words


@pytest.mark.parametrize("question", ["考驾照在哪报名", "驾照到期换证去哪办"])
def test_a_rare_errand_jieba_tags_as_a_verb_is_a_thing_the_plans_do_not_cover(kb, question):
    assert kb.ask(question).abstained


def test_the_vocabularys_pinyin_is_kept_beside_the_index_and_read_back(tmp_path, monkeypatch):
    from knowledge import understanding

    cache = tmp_path / "pinyin.json"
    words = ["低保", "生活", "最低生活保障", "pdf", "医疗救助"]
    first = understanding.vocabulary_pinyin(words, cache)
    assert first == {"低保": "di bao", "生活": "sheng huo", "医疗救助": "yi liao jiu zhu"}
    assert cache.exists()

    def no_pinyin(word: str) -> str:
        raise AssertionError("worked out again instead of read from the cache")

    monkeypatch.setattr(understanding, "pinyin_key", no_pinyin)
    assert understanding.vocabulary_pinyin(words, cache) == first
    cache.write_text("{not json", encoding="utf-8")  # a damaged cache is worked out again
    monkeypatch.undo()
    assert understanding.vocabulary_pinyin(words, cache) == first


def test_an_everyday_one_character_verb_brings_the_plans_two_character_verb(parse):
    """去哪查, 咋领: the plans write 查询, 领取; the one character is only read where it
    stands alone, never inside a word (检查 is no 查询)."""
    [concept] = [c for c in parse("补助发没发，去哪查").concepts if c.typed == "查"]
    assert "查询" in concept.words
    assert not any("查询" in c.words for c in parse("身体检查在哪做").concepts)


def test_a_one_character_verb_adds_nothing_the_question_already_names(parse):
    [concept] = [c for c in parse("搬迁户搬完了还有人管不").concepts if c.typed == "搬"]
    assert "搬迁" not in concept.words


def test_a_resident_asking_where_to_check_is_shown_where_the_plans_say_one_can(kb):
    answer = kb.ask("淮安的，扶贫资金发了没有，去哪查")
    assert "查询" in answer.hits[0].passage.text


def _passage(pid: str, text: str) -> Passage:
    return Passage(id=pid, doc_id="t", heading_path=("危房改造",), text=text, title="某方案")


GENERAL = _passage(
    "t-0001", "全面推进农村危房改造，规范认定程序，建立危房台帐。危房改造要保障住房安全。"
)
FIGURE_STATED = _passage("t-0002", "农村危房改造补助标准为每户1.5万元，由县财政统一拨付。")


def test_between_two_close_passages_the_one_stating_the_asked_amount_comes_first():
    """能补多少: the passage with the figure answers, not the one that only names the matter."""
    from knowledge.answers import stating_passages
    from knowledge.asked import AMOUNT
    from knowledge.models import Hit
    from knowledge.ranking import lift_stating

    weights = {"危房改造": 2.0, "补助": 1.0}
    assert stating_passages([GENERAL, FIGURE_STATED], weights, AMOUNT) == {"t-0002"}
    close = [Hit(GENERAL, 3.2), Hit(FIGURE_STATED, 3.0)]
    assert [h.passage.id for h in lift_stating(close, lambda p: p is FIGURE_STATED)] == [
        "t-0002",
        "t-0001",
    ]
    # A much more relevant passage keeps its place: the lift only decides between close ones.
    apart = [Hit(GENERAL, 4.0), Hit(FIGURE_STATED, 3.0)]
    assert lift_stating(apart, lambda p: p is FIGURE_STATED)[0].passage is GENERAL


def test_a_figure_about_another_matter_does_not_count_as_stating_the_asked_amount():
    from knowledge.answers import stating_passages
    from knowledge.asked import AMOUNT

    # Its figure is in its most relevant sentence, but that sentence is about housing in
    # general, far less relevant than what the other passage says of 危房改造.
    other = _passage("t-0003", "全县农村住房共有1200户，每村配备1名信息员。")
    weights = {"危房改造": 2.0, "补助": 1.0, "住房": 0.5}
    assert stating_passages([other, GENERAL], weights, AMOUNT) == set()


def test_an_amount_question_is_answered_by_a_passage_about_it_not_by_any_figure(kb):
    """The resident's plan has passages with figures about other matters; they must not
    push the passage about what was asked aside, nor make the bot give up."""
    answer = kb.ask("易地扶贫搬迁人均建房面积不超过多少", "闽清县")
    assert not answer.abstained


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # A-not-A: 能不能拿 holds 能拿 (能拿多少 asks an amount) but asks whether one may.
        ("山林能不能拿去入股", "eligibility"),
        ("能不能领低保", "eligibility"),
        ("能拿多少", "amount"),
        # What a story tells (十几年, 好多年) is no asked time; its asking sentence decides.
        ("我妈腿脚不好十几年了。村里说能办残疾证，到底够不够条件？", "eligibility"),
        ("老头子住院好多年了，花了不少钱。医保能报多少？", "amount"),
        ("家里困难。低保多少钱？啥时候发？", "amount"),  # the first thing asked leads
        # 哪些 asks which, neither how much (能拿) nor where (到哪)
        ("开扶贫车间的老板能拿到哪些补贴", None),
        ("能拿多少补贴", "amount"),
        ("到哪里申请", "how"),
        # Dialect ways of asking
        ("我们村么时候通网啊", "time"),  # Hubei
        ("啥辰光发钱", "time"),  # Jiangsu (Wu)
        ("危房改造补偌济钱", "amount"),  # Fujian (Min)
        ("低保一个月几钿", "amount"),  # Wu
        ("老屋子垮哒，危房改造哪门搞", "how"),  # Hunan
        ("修厕所的钱找么人要", "who"),  # Hubei
        ("我们庄上的路啥人管", "who"),  # Jianghuai
        ("寨子里的路哪个来管", "who"),  # Yunnan
        ("补贴哪天打到卡上", "time"),
        ("搬迁房啥个时候交钥匙", "time"),  # Jianghuai
        ("自来水多晚通到组上", "time"),  # Jianghuai
        ("养老金一个月几块钱", "amount"),
        ("残疾证啷个办", "how"),  # Yunnan, Hubei
        ("阮阿母的医保按怎报", "how"),  # Hokkien
        ("要到什么地方去交材料", "how"),
        ("我屋里这种情况得不得", "eligibility"),  # Hunan, Hubei
        ("我崽读职高够格不", "eligibility"),
        ("俺们庄上的路什个时候修", "time"),
        ("寨子头的路哪样时候修得好", "time"),
    ],
)
def test_the_way_a_question_asks_says_what_fact_is_wanted(question, kind):
    assert asked_fact(question) == kind


@pytest.mark.parametrize(
    ("question", "words"),
    [
        # household expenses: what the plans fund for them
        ("冬天烧液化气花钱多，有没有燃料补贴", "燃料补贴"),
        ("烧柴火有补贴没得", "燃料补贴"),
        # household situations: the groups the plans provide for
        ("家里没劳动力，政府管不管", "丧失劳动能力"),
        ("老两口无儿无女，有啥照顾", "孤寡"),
    ],
)
def test_a_household_expense_or_situation_finds_what_the_plans_provide(kb, question, words):
    answer = kb.ask(question)
    assert not answer.abstained
    assert words in _body(answer.text)


def test_dialect_question_words_are_no_thing_asked_about(parse):
    typed = {c.typed for c in parse("阮闽清老厝漏雨，危房改造补偌济钱").concepts}
    assert not typed & {"偌济", "阮"}


@pytest.mark.parametrize(
    ("question", "dialect_word"),
    [
        ("低保找啥人办", "啥人"),
        ("为么事不给我评低保", "为么事"),
        ("有没得危房改造补助", "有没得"),
        ("你晓不晓得医保咋报", "晓不晓得"),
        ("危房改造补助好久发唦", "唦"),
    ],
)
def test_dialect_who_why_whether_and_particles_carry_no_weight(parse, question, dialect_word):
    query = parse(question)
    assert dialect_word not in [c.typed for c in query.concepts]
    assert query.words == parse(question.replace(dialect_word, "，")).words


@pytest.mark.parametrize("village", ["庄上", "寨子", "湾子"])
def test_dialect_words_for_the_village_are_the_village(parse, village):
    [concept] = [c for c in parse(f"俺们{village}的路啥时候修").concepts if c.typed == village]
    assert concept.words & {"村", "自然村", "村组"}
