"""The everyday-words lexicon by class: illnesses, trades, family members, crops, livestock,
programs by their everyday names and dialect words reach the words the plans use."""

from __future__ import annotations

import pytest

from knowledge.models import ABSTAIN


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


@pytest.fixture(scope="module")
def parse(kb):
    return kb.state.understanding.parse


@pytest.mark.parametrize(
    ("question", "policy_words"),
    [
        ("白血病能报多少", {"大病", "医疗救助"}),
        ("尿毒症透析一次好几百", {"大病"}),
        ("风湿关节炎常年吃药", {"慢性病"}),
        ("娃是脑瘫", {"残疾", "康复"}),
        ("想学电焊", {"技能", "培训"}),
        ("去学开挖掘机要钱不", {"技能", "培训"}),
        ("我想当月嫂", {"技能", "培训"}),
        ("老伴身体不好", {"老年人"}),
        ("种芒果有没有补助", {"种植", "产业"}),
        ("养了几头黄牛", {"养殖"}),
        ("塘里养小龙虾", {"养殖", "水产"}),
        ("读技校有补助吗", {"雨露计划"}),
        ("新农合交多少钱", {"医疗保险"}),
        ("屋里伢儿读书", {"学生", "儿童"}),
        ("起厝有补助吗", {"建房", "住房"}),
        ("堂客生病了", {"家庭"}),
        ("民政多久上门来看一回", {"探访"}),
        ("医保断缴了还能补交吗", {"参保", "缴费"}),
        ("养老保险政府帮着交吗", {"代缴"}),
        ("看病自己掏的有个顶没有", {"自付", "封顶"}),
        ("家里门槛高轮椅进不去", {"无障碍改造"}),
        ("想在家里搞农家乐", {"旅游", "民宿"}),
        ("想出克打工", {"外出"}),
    ],
)
def test_everyday_words_of_each_class_bring_the_policy_words(parse, question, policy_words):
    assert policy_words <= set(parse(question).words)


@pytest.mark.parametrize(
    ("dialect", "standard"),
    [
        ("低保么子时候发", "低保时候发"),
        ("危房改造啷个申请", "危房改造申请"),
        ("冇得钱看病", "钱看病"),
        ("不晓得低保标准", "低保标准"),
    ],
)
def test_dialect_function_words_carry_no_weight(parse, dialect, standard):
    assert parse(dialect).words == parse(standard).words


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("想去学电焊,政府培训要交钱不", "培训|就业"),
        ("家里老头子得了癌症,花了十几万", "医疗|健康|大病|救助"),
        ("在家种柑橘,有没有扶持", "产业"),
    ],
)
def test_a_question_in_everyday_words_is_answered_from_the_right_topic(kb, question, topic):
    answer = kb.ask(question)
    assert answer.kind != ABSTAIN
    passage = answer.hits[0].passage
    assert any(
        __import__("re").search(topic, part) for part in (*passage.heading_path, passage.text)
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("森活补助", "生活补助"),  # sh/s and eng/en
        ("龙村低保", "农村低保"),  # n/l
        ("危荒改造", "危房改造"),  # f/hu and ang/an
        ("养老保显", "养老保险"),  # a plain homophone
    ],
)
def test_commonly_confused_pinyin_sounds_are_repaired(kb, typed, meant):
    understanding = kb.state.understanding
    assert understanding.parse(typed).words == understanding.parse(meant).words
