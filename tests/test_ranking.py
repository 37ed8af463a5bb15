"""Ranking: a passage that holds only the generic half of a compound the resident typed (贷款
of 小额贷款, where it speaks of 助学贷款) does not answer for it, and is not lifted as the
resident's own plan's rule on it."""

from __future__ import annotations

import pytest

from knowledge.ranking import generic_parts

SILENT = "的扶贫政策文件里没有找到这方面的规定"


@pytest.fixture(scope="module")
def kb(policy_kb):
    return policy_kb


@pytest.mark.parametrize("asked", ["ask", "converse"])
def test_a_plan_with_only_a_student_loan_is_silent_on_microcredit(kb, asked):
    """新平县's plan names 助学贷款 but no 小额贷款/扶贫小额信贷: the resident is told so and
    reads another plan's microcredit rule, labelled as that plan's."""
    if asked == "ask":
        answer = kb.ask("小额贷款最多能贷多少", "新平县")
    else:
        answer, _ = kb.converse("小额贷款最多能贷多少", None, "新平县")
    shown = answer.hits[0].passage
    assert not answer.abstained
    assert answer.text.startswith(f"新平县{SILENT}。下面是{shown.region}的规定")
    assert shown.region != "新平县" and f"【{shown.region}】" in answer.text
    assert "小额" in answer.text and "助学贷款" not in answer.text


@pytest.mark.parametrize(
    ("question", "region", "thing"),
    [
        ("危房改造能补多少钱", "湖北省", "危房"),  # 湖北省's plan has 改造 of schools only
        ("重度残疾人护理补贴一个月多少", "镇头镇", "护理补贴"),  # and 补贴 of other things
        ("临时救助能给多少钱", "湖北省", "临时救助"),  # and 社会救助
        ("助学贷款怎么办", "湖北省", "助学贷款"),  # and 贷款 of 扶贫小额信贷
        ("小额贷款怎么申请", "闽清县", "小额"),  # and 扶贫贷款, 再贷款
    ],
)
def test_a_plan_holding_only_the_generic_half_is_silent_on_the_compound(
    kb, question, region, thing
):
    answer = kb.ask(question, region)
    shown = answer.hits[0].passage
    assert shown.region != region
    assert answer.text.startswith(f"{region}{SILENT}。下面是{shown.region}的规定")
    assert thing in answer.text


@pytest.mark.parametrize(
    ("question", "region", "thing"),
    [
        ("小额贷款最多能贷多少", "淮安区", "小额贷款"),
        ("危房改造能补多少钱", "新平县", "危房改造"),
        ("临时救助能给多少钱", "闽清县", "临时救助"),
    ],
)
def test_a_plan_that_names_the_compound_still_answers_for_itself(kb, question, region, thing):
    answer = kb.ask(question, region)
    assert answer.hits[0].passage.region == region
    assert SILENT not in answer.text and thing in answer.text


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("小额贷款", {"贷款"}),  # 小额 makes it specific
        ("危房改造", {"改造"}),
        ("低保", set()),  # one word, no parts
    ],
)
def test_the_generic_part_is_the_general_last_word_of_a_compound(kb, typed, generic):
    state = kb.state
    concept = next(c for c in state.understanding.parse(typed).concepts if c.typed == typed)
    assert generic_parts(concept, state.searcher.idf) == generic


@pytest.mark.parametrize(
    ("question", "region", "heading", "not_shown"),
    [
        # 娃读书 gives 学生, 儿童 and 教育; 教育 alone is any passage's (教育和引导广大群众).
        ("娃读书有啥补助", "新平县", "教育扶贫", "教育和引导"),
        # 到账 gives 资金, 发放 and 查询; 资金 alone is any passage's (自筹资金, 扶持资金).
        ("补助到账了没有,去哪查", "淮安区", "阳光监管", "自筹资金"),
        # 大学生 in 鼓励本土大学生返乡创业 shows 上大学, but its 学生 does not also show 孩子:
        # one word of the passage does not count twice.
        ("孩子上大学能补多少", "淮安区", "教育扶贫", "返乡创业"),
    ],
)
def test_a_passage_showing_a_concept_only_weakly_does_not_answer(
    kb, question, region, heading, not_shown
):
    answer = kb.ask(question, region)
    assert heading in " ".join(answer.hits[0].passage.heading_path)
    assert not_shown not in answer.text


@pytest.mark.parametrize(
    ("first", "follow_up", "region", "thing"),
    [
        ("农村危房有啥政策", "那危房改造补多少钱", "湖北省", "危房改造"),
        ("残疾人有啥补贴", "那护理补贴一个月多少", "镇头镇", "护理补贴"),
    ],
)
def test_a_follow_up_on_a_compound_their_plan_is_silent_on_says_so(
    kb, first, follow_up, region, thing
):
    """The follow-up is not answered from their plan's passage that holds only the compound's
    generic half (湖北省's 改造 of schools, 镇头镇's 补贴 of health care)."""
    _, context = kb.converse(first, None, region, now=0.0)
    answer, _ = kb.converse(follow_up, context, region, now=1.0)
    shown = answer.hits[0].passage
    assert shown.region != region
    assert answer.text.startswith(f"{region}{SILENT}。下面是{shown.region}的规定")
    assert thing in answer.text
