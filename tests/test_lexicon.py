"""The everyday-words lexicon by class: illnesses, trades, family members, crops, livestock,
programs by their everyday names and dialect words reach the words the plans use."""

from __future__ import annotations

import pytest

from knowledge.analyzer import analyze_groups
from knowledge.models import ABSTAIN
from knowledge.understanding import load_lexicon


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


@pytest.fixture(scope="module")
def parse(kb):
    return kb.state.understanding.parse


def test_every_word_the_lexicon_reads_a_phrase_as_is_a_word_of_the_plans(kb):
    """A target the plans never use (粮食, 生猪) finds no passage and only weighs the question
    down; each word a target is read as must be one the shipped plans' index holds."""
    indexed = kb.state.understanding.idf
    missing = {
        (phrase, group[0])
        for phrase, targets in load_lexicon()
        for target in targets
        for group in analyze_groups(target)
        if group[0] not in indexed
    }
    assert not missing


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
        ("塘里养小龙虾", {"养殖"}),
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


# -- dialect words, class by class: each is read as the word the plans use ------------------


def _read_as(parse, question: str, dialect: str) -> frozenset[str]:
    """The plan words the dialect word of the question is read as."""
    [concept] = [c for c in parse(question).concepts if c.typed == dialect]
    return concept.words


@pytest.mark.parametrize(
    ("question", "dialect", "policy_words"),
    [
        # people and family
        ("屋里细伢明年上初中", "细伢", {"儿童"}),
        ("崽女都在外地", "崽女", {"子女"}),
        ("伢唧放学一个人在屋里", "伢唧", {"儿童"}),
        ("阮诸娘囝考上大学了", "诸娘囝", {"子女"}),
        ("娭毑八十多了一个人住", "娭毑", {"老年人"}),
        ("我男将去年走了", "男将", {"家庭"}),
        ("他是个跛子干不了重活", "跛子", {"残疾人"}),
        ("村里的寡妇能吃低保不", "寡妇", {"孤寡"}),
        ("五十岁的光棍能单独进低保吗", "光棍", {"单人"}),
        # home and property
        ("屋场是老辈传下来的", "屋场", {"住房"}),
        ("老厝墙都歪了", "老厝", {"危房"}),
        ("屋顶漏了一块", "屋顶", {"危房改造"}),
        ("土墙开坼了", "开坼", {"危房"}),
        ("茅厕改成冲水的有补贴吗", "茅厕", {"厕所"}),
        ("责任田被占了", "责任田", {"承包地"}),
        ("自留山上种了杉木", "自留山", {"林地"}),
        ("猪栏要拆到屋后头去", "猪栏", {"养殖", "畜牧"}),
        # money and costs
        ("老板欠了半年工钱", "工钱", {"报酬"}),
        ("为了看病欠债十几万", "欠债", {"债务"}),
        ("去信用社贷钱要担保吗", "贷钱", {"贷款"}),
        ("修路每户要凑钱吗", "凑钱", {"自筹"}),
        ("政府贴钱修厕所", "贴钱", {"补贴"}),
        ("搬迁补助是一次给还是分几次", "一次给", {"一次性"}),
        # health
        ("他害病好几年了", "害病", {"疾病"}),
        ("去卫生所看病能报吗", "卫生所", {"卫生院"}),
        ("在镇上捡药的钱能报不", "捡药", {"医疗"}),
        ("天天去挂水", "挂水", {"住院"}),
        ("她是老毛病了", "老毛病", {"慢性病"}),
        ("中风以后半身不遂", "半身不遂", {"重度残疾"}),
        ("从楼上摔断了腿", "摔断", {"医疗"}),
        # work and farming
        ("过了年就下广东", "下广东", {"外出", "务工"}),
        ("在附近打散工", "散工", {"务工"}),
        ("在屋里盘田", "盘田", {"种植", "农业"}),
        ("家里作穑的", "作穑", {"农业"}),
        ("一世人都在做穑", "做穑", {"种植"}),
        ("喂了两头牛还放羊", "放羊", {"养殖"}),
        ("今年橘子卖不脱", "卖不脱", {"销售", "农产品"}),
        ("赶街卖点山货", "山货", {"农产品"}),
        # school
        ("伢崽读册要几多钱", "读册", {"教育"}),
        ("初中住读有补助吗", "住读", {"寄宿"}),
        ("家里穷念不起了", "念不起", {"资助"}),
        ("娃不读了在家玩", "不读了", {"辍学"}),
        ("书本费要自己出吗", "书本费", {"学杂费"}),
        # village and officials
        ("去村公所盖章", "村公所", {"村委会"}),
        ("村长说今年没名额", "村长", {"村干部"}),
        ("支书不给签字", "支书", {"书记"}),
        ("要到公社去办吗", "公社", {"乡镇"}),
        ("县里有没有这个补助", "县里", {"县"}),
    ],
)
def test_dialect_words_are_read_as_the_plans_words(parse, question, dialect, policy_words):
    """Class by class: people and family, home and property, money and costs, health, work
    and farming, school, village and officials."""
    assert policy_words <= _read_as(parse, question, dialect)
