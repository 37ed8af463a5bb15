"""Calibrated answering: a sure answer, the closest matches, "not found", or "the plans here
do not cover that place" — decided from the question, the places of China and the ranking."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.manifest import DEFAULT_CORPUS
from knowledge.models import ABSTAIN, NOT_STATED, SUGGEST, SURE, UNCOVERED
from knowledge.places import COUNTY, PREFECTURE, PROVINCE, Division, division_short_forms, divisions
from knowledge.service import KnowledgeBase
from tests.index_support import ask_jsonl

REGIONS = ("闽清县", "淮安区", "湖北省", "镇头镇", "新平县")
HOTLINE = "12317"


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


# -- the table of China's divisions ---------------------------------------------------------


def test_divisions_know_every_level_by_code():
    table = divisions()
    assert len(table.by_code) > 3000
    assert Division("350600", "漳州市").level == PREFECTURE
    assert table.by_code["520000"].name == "贵州省" and table.by_code["520000"].level == PROVINCE
    assert table.by_code["420922"].name == "大悟县" and table.by_code["420922"].level == COUNTY
    assert table.by_code["420922"].ancestors == ("420900", "420000")


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("贵州省", ["贵州"]),
        ("漳州市", ["漳州"]),
        ("恩施土家族苗族自治州", ["恩施"]),
        ("新平彝族傣族自治县", ["新平"]),
        ("广西壮族自治区", ["广西"]),
        ("伊犁哈萨克自治州", ["伊犁"]),
        ("房县", []),
    ],
)
def test_short_forms_drop_the_suffix_and_the_nationalities(name, short):
    nations = frozenset(
        Path(DEFAULT_CORPUS.parent / "data" / "nationalities.txt")
        .read_text(encoding="utf-8")
        .split()
    )
    assert division_short_forms(name, nations) == short


def test_a_county_name_must_stand_as_a_word_and_not_be_an_everyday_word():
    table = divisions()
    assert [n for n, _ in table.find("广西大新县")] == ["广西", "大新县"]
    assert table.find("加大新型农民培训") == []  # 大新 (a county) inside 加大 新型
    assert "平房" not in table.names  # 平房区 of 哈尔滨: an everyday word first
    assert "新平县" in table.names  # autonomous counties are said with 县


# -- places the plans do not cover ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("漳州的低保一个月多少钱", "漳州市"),
        ("贵州农村危房改造补多少", "贵州省"),
        ("我是甘肃的,娃上大学有补助吗", "甘肃省"),
        ("我是福建漳州的", "漳州市"),  # 福建 is above 闽清, but 漳州 is not 闽清
        ("湖南衡阳的贫困户", "衡阳市"),
        ("淮安涟水的低保", "涟水县"),  # 淮安区's plan is not 涟水县's
        ("红河那边种植补助", "红河哈尼族彝族自治州"),
        # where they worked is not asked about; where they went home to is
        ("以前在广西百色打工,现在回贵州毕节老家了,危房改造有补助吗", "毕节市"),
    ],
)
def test_places_no_plan_covers_are_recognised(kb, text, place):
    assert kb.state.gazetteer.uncovered(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "孝感大悟的贫困户",  # the province's plan covers its counties
        "闽清坂东的低保",
        "恩施州的娃读大学",
        "我是镇头的,在深圳打工十来年了",  # where they live is covered; where they work is not asked about
        # where they go for work, treatment or school is not where they live
        "以前在浙江电子厂打工,现在在家照顾老人,公益岗位一个月多少钱",
        "在福州住院花了好几万,能报多少",
        "儿子去广东上班了,家里的低保还能领吗",
        "低保一个月多少钱",
        "加大新型职业农民培训",
    ],
)
def test_covered_places_and_place_free_questions_are_not_uncovered(kb, text):
    assert kb.state.gazetteer.uncovered(text) is None


def test_an_uncovered_place_is_said_so_and_no_other_regions_figure_is_given(kb):
    answer = kb.ask("漳州的建档立卡户娃读高中一年补几多钱")
    assert answer.kind == UNCOVERED and answer.abstained
    assert answer.uncovered_place == "漳州市"
    assert all(region in answer.text for region in REGIONS)
    assert HOTLINE in answer.text and "漳州市" in answer.text
    assert "《" not in answer.text and answer.hits == []


def test_an_uncovered_region_the_resident_chose_is_said_so(kb):
    answer = kb.ask("低保标准是多少", "贵州省")
    assert answer.kind == UNCOVERED and answer.uncovered_place == "贵州省"


def test_a_covered_region_the_resident_chose_is_their_place(kb):
    answer = kb.ask("我在深圳打工,家里老人住院能报多少", "闽清县")
    assert answer.kind in (SURE, SUGGEST) and answer.uncovered_place is None


def test_the_uncovered_reply_names_the_regions_of_the_corpus_in_use(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] = [
        d for d in manifest["documents"] if d["region"] in ("闽清县", "新平县")
    ]
    (corpus / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
    )
    answer = KnowledgeBase.open(tmp_path / "data", corpus).ask("甘肃的低保标准")
    assert answer.kind == UNCOVERED
    assert "闽清县和新平县" in answer.text and "湖北省" not in answer.text


# -- sure, suggest, not found -------------------------------------------------------------------


@pytest.mark.parametrize("question", ["孩子上学有啥补助", "扶贫车间招不招人", "养鸡能贷款不"])
def test_clear_questions_get_a_sure_answer(kb, question):
    answer = kb.ask(question)
    assert answer.kind == SURE and not answer.abstained
    assert "——来源：《" in answer.text


def test_an_unsure_question_gets_its_closest_matches_ranked_and_the_best_extract(kb):
    answer = kb.ask("出去打工路费给报不")
    assert answer.kind == SUGGEST and not answer.abstained
    assert 2 <= len(answer.hits) <= 5
    assert [h.score for h in answer.hits] == sorted((h.score for h in answer.hits), reverse=True)
    assert "——来源：《" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "推荐一部电影",
        "怎么办护照",
        "明天天气怎么样",
        "<script>alert(1)</script>",
        "1 2 3",
        # The errand is about a thing the plans never name, whatever domain word goes with it.
        "湖北的,出去打工办护照要多少钱",
        "淮安的,低保户的娃结婚证在哪办",
        "镇头的,贫困户打狂犬疫苗多少钱",
        "湖北的,出去打工要办护照吗",  # the object of an errand verb (办, 补办, 换, 考)
        "闽清的,残疾人贫困户,驾驶证怎么办",
    ],
)
def test_questions_outside_the_plans_are_not_found(kb, question):
    answer = kb.ask(question)
    assert answer.kind == ABSTAIN and answer.abstained and HOTLINE in answer.text


def test_batch_output_says_what_kind_of_reply_each_is(policy_kb, policy_data_dir):
    rows = [
        {"id": 1, "question": "孩子上学有啥补助", "region": None},
        {"id": 2, "question": "贵州的低保标准", "region": None},
        {"id": 3, "question": "推荐一部电影", "region": None},
    ]
    out = ask_jsonl(rows, policy_data_dir)
    assert [(o["kind"], o["uncovered_place"], o["abstained"]) for o in out] == [
        (SURE, None, False),
        (UNCOVERED, "贵州省", True),
        (ABSTAIN, None, True),
    ]


@pytest.mark.parametrize("region", ["镇头镇", "湖北省", "淮安区", "闽清县", "新平县"])
def test_another_plans_rule_is_never_presented_as_the_residents_own(kb, region):
    """Where the resident's plan is silent, the best other plan's rule is shown as that plan's."""
    questions = ["先诊疗后付费是啥", "残疾人两项补贴多少", "光伏扶贫收益怎么分", "低保一个月多少钱"]
    for question in questions:
        answer = kb.ask(question, region)
        if answer.abstained:
            continue
        theirs = answer.hits[0].passage.region
        told = answer.text.startswith(f"{region}的扶贫政策文件里没有找到这方面的规定")
        assert told == (theirs != region), (question, theirs)
        if told:
            assert f"下面是{theirs}的规定" in answer.text and f"【{theirs}】" in answer.text


def test_a_town_plan_silent_on_a_health_rule_says_so(kb):
    answer = kb.ask("先诊疗后付费是啥", "镇头镇")
    assert not answer.abstained
    assert answer.text.startswith("镇头镇的扶贫政策文件里没有找到这方面的规定。下面是")


@pytest.mark.parametrize(
    "question",
    [
        "残疾证怎么办",  # the plans name 残疾人: not foreign
        "家里有片山林,林权证能不能拿去贷款",  # 能不能 follows the subject, not the errand
        "出去打工的路费怎么报",
        "娃要考大学,有啥补助",  # 考's object is one the plans name
        "想创办个小作坊,能贷款不",  # the 办 of 创办 is no errand
        # A cost or payment the plans do not name is still their matter.
        "建档立卡户的娃读高中,住宿费怎么办",
        "我家是贫困户,孩子的伙食费怎么办",
        # Asking how to collect or how much is about a benefit, not an errand.
        "贫困户种核桃,树苗怎么领",
    ],
)
def test_a_thing_the_plans_name_or_a_subject_before_can_i_is_no_foreign_errand(kb, question):
    assert not kb.ask(question).abstained


# -- the asked fact that the resident's plan does not state -------------------------------------


@pytest.mark.parametrize(
    ("question", "region", "fact"),
    [
        ("危房改造一户补多少钱", "新平县", "具体的金额或标准"),
        ("镇头的,残疾人两项补贴一个月多少", None, "具体的金额或标准"),
        ("低保什么时候发", "新平县", "具体的时间或期限"),
        # 低于低保标准2倍 is another thing's threshold, not 低保's amount
        ("低保一个月发多少钱", "淮安区", "具体的金额或标准"),
        # 为低保对象全额缴纳养老保险 is a figure for the people on 低保, not of 低保
        ("低保标准是多少", "闽清县", "具体的金额或标准"),
        # 种植 is what the plan says of 板栗; 产业, which every figure of it names, is not
        ("种板栗一亩补多少钱", "新平县", "具体的金额或标准"),
    ],
)
def test_a_fact_the_residents_plan_does_not_state_is_said_so_with_where_to_ask(
    kb, question, region, fact
):
    answer = kb.ask(question, region)
    place = answer.region
    assert answer.kind == NOT_STATED and answer.abstained and place in REGIONS
    assert answer.text.startswith(f"{place}的扶贫政策文件里有这方面的规定，但没有写明{fact}。")
    assert HOTLINE in answer.text and "村委会" in answer.text
    # What the plan does say follows, as that plan's, with its source.
    passage = answer.hits[0].passage
    assert passage.region == place and f"——来源：《{passage.title}》" in answer.text


def test_the_not_stated_reply_names_the_office_the_plan_makes_responsible(kb):
    """Where to ask: the unit that leads the matter in the plan (its 牵头单位), then the
    village and township; a matter whose section names no unit gets only those."""
    housing = kb.ask("危房改造一户补多少钱", "新平县")
    assert housing.kind == NOT_STATED
    assert "具体情况可以向县住房城乡建设局咨询，也可以问当地村委会、乡镇政府" in housing.text
    disabled = kb.ask("镇头的,残疾人两项补贴一个月多少")
    assert disabled.kind == NOT_STATED
    assert "具体情况请向当地村委会、乡镇政府或县里的主管部门咨询" in disabled.text


def test_the_office_named_is_that_of_the_section_on_the_matter_not_of_one_mentioning_it(kb):
    """淮安区's health section names 低保 holders and is the closest passage; the office to ask
    about 低保 is that of its social-assistance section, which speaks of 低保 most."""
    answer = kb.ask("低保一个月发多少钱", "淮安区")
    assert answer.kind == NOT_STATED
    assert "具体情况可以向区民政局" in answer.text
    assert "向区卫生计生委" not in answer.text


def test_the_not_stated_reply_quotes_the_closest_passage_on_the_matter(kb):
    answer = kb.ask("危房改造一户补多少钱", "新平县")
    quoted = answer.text.split("文件里相关的规定是：\n", 1)[1]
    assert "危房改造" in quoted and len(answer.text) <= 800


@pytest.mark.parametrize(
    ("question", "region", "amount"),
    [
        ("娃上大学有多少补助", "闽清县", "4000元"),
        # The plan says 扶贫小额信贷, not the resident's 小额贷款: still the same matter.
        ("小额贷款最多贷多少", "湖北省", "10万元"),
    ],
)
def test_a_fact_the_plan_states_is_answered_not_said_missing(kb, question, region, amount):
    answer = kb.ask(question, region)
    assert answer.kind != NOT_STATED and not answer.abstained
    assert amount in answer.text


@pytest.mark.parametrize(
    ("question", "fact"),
    [("低保每月发多少钱", "具体的金额或标准"), ("危房改造一户补多少", "具体的金额或标准")],
)
def test_with_no_place_known_a_fact_no_plan_states_is_said_so(kb, question, fact):
    """No plan gives 低保's amount or 危房改造's: the resident is told so, sent to their own
    offices, and shown the closest rule as the plan's it is, not as an answer."""
    answer = kb.ask(question)
    assert answer.kind == NOT_STATED and answer.abstained and answer.region is None
    assert answer.text.startswith(
        "这里收录的扶贫政策文件（闽清县、淮安区、湖北省、镇头镇和新平县）里有这方面的规定，"
        f"但都没有写明{fact}"
    )
    assert HOTLINE in answer.text and "村委会" in answer.text
    passage = answer.hits[0].passage
    assert f"【{passage.region}】" in answer.text and f"——来源：《{passage.title}》" in answer.text


def test_with_no_place_known_a_fact_one_plan_states_is_answered(kb):
    answer = kb.ask("娃上大学有多少补助")
    assert answer.kind != NOT_STATED and not answer.abstained
    assert "元" in answer.text


def test_a_story_full_of_its_situation_still_gets_the_closest_matches(kb):
    """Scattered everyday words (扎扫把卖, 老伴走得早) are the story, not the question: the
    passage ranked for the whole message answers what its last sentence asks well enough to
    be offered, though not as a sure answer."""
    answer = kb.ask(
        "我是湖北黄冈的，今年五十二，右手有残疾，拿了三级残疾证，平时在家扎扫把卖，一个月也就"
        "几百块。老伴走得早，一个女儿在读高中。请问残疾人有没有什么创业扶持或者补贴，能申请低保吗？"
    )
    assert answer.kind == SUGGEST and not answer.abstained
    assert answer.hits[0].passage.region == "湖北省"


def test_a_storys_background_is_not_what_the_fact_is_asked_of(kb):
    """The crops told of are not what 什么时候 asks about: the road is, and the plan dates it."""
    answer = kb.ask("家里种了核桃板栗，路不好运不出去。村里通硬化路的计划什么时候完成？", "新平县")
    assert answer.kind != NOT_STATED and not answer.abstained
    assert "硬化路" in answer.text


def test_a_fact_stated_outside_the_best_passage_still_counts(kb):
    """The claim is about the whole plan: 闽清县's best passage for 看病报销 names no figure,
    but its health passage below it does, so the resident gets an answer, not "not stated"."""
    answer = kb.ask("看病能报销多少", "闽清县")
    assert answer.kind != NOT_STATED and not answer.abstained
    assert any("%" in h.passage.text and h.passage.region == "闽清县" for h in answer.hits)


def test_a_date_that_frames_the_paragraph_counts_for_its_measures(kb):
    """新平县's paragraph on village sanitation opens with 2018年; its sentence on toilets
    names no year but is under that frame, so the time is not said to be missing."""
    answer = kb.ask("新平的,厕所什么时候改好")
    assert answer.kind != NOT_STATED and not answer.abstained


def test_a_figure_in_what_would_be_shown_is_shown_not_said_missing(kb):
    """The plan may name the matter in other words than the resident (医疗机构 for the rates of
    a hospital stay): when the passage to be shown states a figure, it is answered."""
    answer = kb.ask("淮安的,医疗机构能补多少")
    assert answer.kind != NOT_STATED and not answer.abstained
    assert "50%" in answer.text.split("——来源")[0]
