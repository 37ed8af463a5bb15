"""Questions in a conversation, on the shipped plans: follow-ups read against what the last
answer was about, answers that lead with the fact asked for, and `ask --jsonl` history."""

from __future__ import annotations

import json

import pytest

from knowledge.asked import AMOUNT, ELIGIBILITY, HOW, TIME, WHO, asked_fact, units_sentence
from knowledge.conversation import EXPIRY_SECONDS, Context, differs_by_region
from tests.index_support import ask_jsonl

SOURCE = "——来源："
NOW = 1_800_000_000.0


def body(answer_text: str) -> str:
    """What the resident reads before the first citation."""
    return answer_text.split(SOURCE)[0]


def chat(kb, messages: list[str], region: str | None = None, now: float = NOW):
    context = None
    answers = []
    for message in messages:
        answer, context = kb.converse(message, context, region, now)
        answers.append(answer)
    return answers, context


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("低保一个月能领多少钱", AMOUNT),
        ("住院报销比例是几成", AMOUNT),
        ("危房改造啥时候能弄好", TIME),
        ("这个补助要等多久", TIME),
        ("申请截止到哪一年", TIME),
        ("那要找谁办", WHO),
        ("这事归哪个单位管", WHO),
        ("是哪个部门牵头的", WHO),
        ("我家够不够条件", ELIGIBILITY),
        ("残疾人能不能吃低保", ELIGIBILITY),
        ("要啥条件", ELIGIBILITY),
        ("要跑到哪里去办", HOW),
        ("雨露计划怎么申请", HOW),
        ("娃上学有什么补助", None),
    ],
)
def test_the_kind_of_fact_asked_for_is_recognised(question, kind):
    assert asked_fact(question) == kind


def test_units_are_named_plainly_with_townships_last():
    assert (
        units_sentence(("区民政局",), ("区财政局", "区残联"))
        == "这件事由区民政局牵头，区财政局、区残联配合。"
    )
    assert units_sentence((), ("各镇、街道", "区扶贫办")) == "这件事由区扶贫办、各镇、街道负责。"
    assert units_sentence((), ()) is None
    many = units_sentence(("县民政局",), tuple(f"县{i}局" for i in range(10)))
    assert many.endswith("等单位配合。") and many.count("、") == 5


def test_who_follow_up_names_the_sections_units(policy_kb):
    (first, who), _ = chat(policy_kb, ["低保户住院能报销多少", "那要找谁办"], "淮安区")
    assert not first.abstained and not who.abstained
    assert who.asks == WHO
    passage = who.hits[0].passage
    assert body(who.text).startswith("这件事由")
    assert all(unit in who.text for unit in (passage.lead_units or passage.responsible_units)[:2])


def test_amount_and_time_follow_ups_lead_with_the_figure(policy_kb):
    (_, amount), _ = chat(policy_kb, ["低保户住院能报销多少", "那一年给多少"], "淮安区")
    assert amount.asks == AMOUNT and not amount.abstained
    first_sentence = body(amount.text).split("。")[0]
    assert any(ch.isdigit() for ch in first_sentence)
    (_, when), _ = chat(policy_kb, ["淮安区低收入户的危房改造有补助吗", "那最晚啥时候能弄好"])
    assert when.asks == TIME and "2019年底" in body(when.text).split("。")[0]


def test_a_place_switch_asks_the_same_topic_of_the_new_place(policy_kb):
    (first, switched), context = chat(
        policy_kb, ["低保户住院能报销多少", "那我们镇头那边呢"], "淮安区"
    )
    assert first.hits[0].passage.region == "淮安区"
    assert switched.region == "镇头镇" and context.place == "镇头镇"
    assert switched.hits and all(
        h.passage.region in ("镇头镇", "浏阳市", "长沙市", "湖南省") for h in switched.hits
    )
    assert "住院" in switched.text and "【" not in switched.text


def test_a_narrowing_and_more_search_the_same_topic(policy_kb):
    (first, narrowed, more), context = chat(
        policy_kb, ["闽清娃上学有什么补助", "那上大学的呢", "还有别的吗"]
    )
    assert "大学" in body(narrowed.text) or "本专科" in body(narrowed.text)
    assert more.hits and more.hits[0].passage.id not in {
        first.hits[0].passage.id,
        narrowed.hits[0].passage.id,
    }
    read = {a.hits[0].passage.id for a in (first, narrowed, more)}
    assert read <= set(context.shown) and len(context.shown) == len(set(context.shown))


def test_a_self_contained_question_starts_a_new_topic(policy_kb):
    (housing, dibao), context = chat(
        policy_kb, ["危房改造有什么补助", "残疾人能单独纳入低保吗"], "淮安区"
    )
    assert "危房" in body(housing.text)
    assert "危房" not in body(dibao.text) and "低保" in body(dibao.text)
    assert context.topic == "残疾人能单独纳入低保吗"


@pytest.mark.parametrize("earlier", ["孩子上学有啥补助", "闽清娃上学有什么补助"])
def test_a_fact_its_own_plan_does_not_state_is_said_so_in_a_chat_too(policy_kb, earlier):
    (_, housing), context = chat(policy_kb, [earlier, "新平的,危房改造一户补多少钱"])
    assert housing.abstained and housing.text.startswith(
        "新平县的扶贫政策文件里有这方面的规定，但没有写明具体的金额或标准"
    )
    assert context.place == "新平县"


def test_an_amount_follow_up_their_plan_gives_no_figure_for_is_said_so(policy_kb):
    (first, amount), context = chat(policy_kb, ["新平的危房改造有补助吗", "那一户补多少钱"])
    assert not first.abstained and "危房改造" in body(first.text)
    assert amount.abstained and amount.asks == AMOUNT
    assert amount.text.startswith("新平县的扶贫政策文件里有这方面的规定，但没有写明具体的金额")
    assert "危房改造" in amount.text.split("文件里相关的规定是：")[1]
    # The topic stays: the next follow-up is still about the same matter.
    assert context.topic == "新平的危房改造有补助吗" and context.place == "新平县"


def test_naming_the_place_after_a_not_stated_reply_asks_the_same_fact_there(policy_kb):
    """No plan states 低保's monthly amount; told the place, the bot answers for that place's
    plan, still about how much, and names the office its plan makes responsible for 低保."""
    (first, there), context = chat(policy_kb, ["低保一个月发多少钱", "淮安区"])
    assert first.abstained and first.region is None
    assert there.abstained and there.asks == AMOUNT and there.region == "淮安区"
    assert there.text.startswith("淮安区的扶贫政策文件里有这方面的规定，但没有写明具体的金额或标准")
    assert "区民政局" in body(there.text)
    assert context.place == "淮安区"


def test_the_context_expires_after_thirty_minutes(policy_kb):
    _, context = chat(policy_kb, ["低保户住院能报销多少"], "淮安区")
    fresh, _ = policy_kb.converse("那要找谁办", context, "淮安区", NOW + EXPIRY_SECONDS - 1)
    stale, _ = policy_kb.converse("那要找谁办", context, "淮安区", NOW + EXPIRY_SECONDS + 1)
    assert not fresh.abstained
    assert stale.abstained


def test_answers_state_the_fact_in_at_most_300_characters(policy_kb):
    for question in [
        "低保一个月能领多少钱",
        "雨露计划怎么申请",
        "危房改造啥时候完成",
        "护林员找谁报名",
    ]:
        answer, _ = policy_kb.converse(question, None, "闽清县", NOW)
        if not answer.abstained:
            assert 0 < len(body(answer.text)) <= 300, answer.text


def test_an_answer_that_differs_by_region_is_recognised(policy_kb):
    unknown, _ = policy_kb.converse("娃上学有什么补助", None, None, NOW)
    known, _ = policy_kb.converse("娃上学有什么补助", None, "闽清县", NOW)
    assert differs_by_region(unknown) and unknown.text.count("【") >= 2
    assert not differs_by_region(known)


def test_the_context_is_plain_json_and_garbage_reads_as_none(policy_kb):
    _, context = chat(policy_kb, ["低保户住院能报销多少", "那要找谁办"], "淮安区")
    stored = json.loads(json.dumps(context.to_json()))
    assert Context.from_json(stored) == context
    for garbage in [None, 3, "x", {}, {"at": "soon"}, {"at": 1, "last": [["a"]]}]:
        assert Context.from_json(garbage) is None


def test_ask_jsonl_answers_the_last_question_in_the_context_of_its_history(policy_data_dir):
    rows = [
        {"id": "alone", "question": "那要找谁办", "region": None},
        {
            "id": "follow",
            "question": "那要找谁办",
            "region": None,
            "history": ["我是淮安区的", "低保户住院能报销多少"],
        },
        {"id": "bad-history", "question": "低保怎么申请", "region": None, "history": "不是列表"},
    ]
    out = {row["id"]: row for row in ask_jsonl(rows, policy_data_dir)}
    assert out["alone"]["abstained"]
    assert not out["follow"]["abstained"] and out["follow"]["answer"].startswith("这件事由")
    assert out["follow"]["region"] == "淮安区"
    assert "error" not in out["bad-history"]


@pytest.mark.parametrize(
    "aside", ["明天天气怎么样", "驾照在哪办", "手机话费找谁退", "三轮车能补多少"]
)
def test_a_message_about_something_else_is_not_answered_from_the_topic(policy_kb, aside):
    (first, reply), _ = chat(policy_kb, ["低保户住院能报销多少", aside], "淮安区")
    assert not first.abstained
    assert reply.abstained


def test_a_follow_up_naming_a_place_no_plan_covers_is_not_answered_from_the_topic(policy_kb):
    """The uncovered-place reply itself comes from the knowledge base's `_ask` (issue 10)."""
    from dataclasses import replace

    from knowledge.conversation import converse
    from knowledge.models import UNCOVERED, Answer

    backend = policy_kb._backend(policy_kb.state)

    def ask(question, region):
        if "贵州" in question:
            return Answer(
                "贵州不在这里的政策范围内", True, [], None, kind=UNCOVERED, uncovered_place="贵州省"
            )
        return backend.ask(question, region)

    steered = replace(backend, ask=ask)
    first, context = converse(steered, "低保户住院能报销多少", None, "淮安区", NOW)
    reply, after = converse(steered, "那贵州那边呢", context, "淮安区", NOW)
    assert not first.abstained
    assert reply.kind == UNCOVERED and reply.uncovered_place == "贵州省"
    assert (
        after.topic == context.topic
    )  # the topic stays for a follow-up on the resident's own place


def test_who_follow_up_says_so_when_the_plan_names_no_unit(policy_kb):
    (_first, who), _ = chat(policy_kb, ["镇头的低保户住院能报销多少", "那要找谁办"])
    passage = who.hits[0].passage
    assert not passage.lead_units and not passage.responsible_units
    assert body(who.text).startswith("这一条没有写明由哪个单位负责") and passage.issuer in who.text
    assert len(body(who.text)) <= 300


@pytest.mark.parametrize(
    ("message", "word"),
    [
        ("那光伏扶贫呢", "光伏"),
        ("还有，娃上学有什么补助", "学"),
        ("这样的话养老保险要自己交吗", "养老保险"),
    ],
)
def test_a_new_topic_that_leans_in_form_is_still_a_new_topic(policy_kb, message, word):
    (housing, reply), context = chat(policy_kb, ["危房改造有什么补助", message], "淮安区")
    assert "危房" in body(housing.text)
    assert word in body(reply.text) and "危房" not in body(reply.text)
    assert context.topic == message


def test_who_follow_up_shows_the_plans_own_unit_list_first(policy_kb):
    (_, who), _ = chat(policy_kb, ["娃上高中有啥补助", "那归哪个部门管"], "闽清县")
    passage = who.hits[0].passage
    assert passage.text.startswith(policy_kb.passage(passage.id).units_text)
    assert "责任单位" in passage.text.split("\n")[0] and "县教育局" in passage.text.split("\n")[0]
    assert body(who.text).startswith("这件事由县教育局")
    assert len(passage.text) <= 500


def test_who_answered_from_a_passage_without_units_uses_its_sections_list(policy_kb):
    """A long section is cut into passages; its unit list follows the measures it covers, so
    a passage before the list stands for the section's passage that carries it."""
    from dataclasses import replace

    from knowledge.conversation import choose
    from knowledge.models import Passage

    carrier = Passage(
        "t-0001",
        "t",
        ("一、措施", "(二)住房"),
        "危房改造每户补助2万元。",
        region="淮安区",
        lead_units=("区住建局",),
        responsible_units=("区财政局",),
        units_text="(牵头单位:区住建局;责任单位:区财政局)",
    )
    before = Passage("t-0000", "t", carrier.heading_path, "逐户排查住房安全。", region="淮安区")
    other = Passage(
        "t-0002", "t", ("一、措施", "(三)教育"), "助学。", responsible_units=("区教育局",)
    )
    passages = {p.id: p for p in (before, carrier, other)}
    backend = replace(policy_kb._backend(policy_kb.state), passage=passages.get)
    answer, _ = choose(backend, "危房改造找哪个部门", "t-0000", "淮安区", NOW)
    assert answer.hits[0].passage.id == "t-0001"
    assert answer.hits[0].passage.text.startswith(carrier.units_text)
    assert body(answer.text).startswith("这件事由区住建局牵头，区财政局配合。")


@pytest.mark.parametrize(
    "sentence",
    ["工作队全脱产帮扶2年以上。", "15个工作日内办结。", "三个月内完成。", "服务期半年。"],
)
def test_durations_state_a_time(sentence):
    from knowledge.asked import states

    assert states(TIME, sentence)
    assert not states(TIME, "加强驻村工作队的建设和管理。")


@pytest.mark.parametrize(
    ("sentence", "says"),
    [
        ("个人缴费部分财政全额补贴。", True),
        ("自付费用不超过全市农村居民人均可支配收入。", True),
        ("每户补助2万元。", True),
        ("到2020年底全面完成改造任务。", False),  # a year is a date, not an amount
        ("逐户排查住房安全保障情况。", False),
    ],
)
def test_amounts_are_recognised_in_figures_and_in_words(sentence, says):
    from knowledge.asked import states

    assert states(AMOUNT, sentence) is says


def test_a_who_question_on_its_own_shows_the_plans_unit_list(policy_kb):
    (who,), _ = chat(policy_kb, ["闽清县危房改造找哪个部门"])
    assert who.asks == WHO and not who.abstained
    passage = who.hits[0].passage
    assert passage.text.startswith("[责任单位") and "县住建局" in passage.text.split("\n")[0]
    assert body(who.text).startswith("这件事由县住建局")
