"""A conversation with the real bot over HTTP: follow-ups, the resident's place asked once,
the context expiring, suggestions and places the plans do not cover."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers import texts
from knowledge.conversation import EXPIRY_SECONDS
from knowledge.models import SUGGEST, UNCOVERED
from tests.telegram_harness import bot_harness

RESIDENT = 2001
SOURCE = "——来源："


class Clock:
    """The residents' clock, moved by the test instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def h(policy_kb, clock):
    async with bot_harness(policy_kb, app_options={"resident_clock": clock}) as harness:
        yield harness
        harness.assert_nothing_rejected()


async def choose_place(h, place: str) -> None:
    welcome = await h.ask(RESIDENT, "/start")
    await h.click(RESIDENT, welcome, place)


def body(reply) -> str:
    return reply.text.split(SOURCE)[0]


async def test_who_follow_up_names_the_units_of_the_answer_just_given(h, policy_kb):
    await choose_place(h, "淮安区")
    first = await h.ask(RESIDENT, "低保户住院能报销多少")
    assert SOURCE in first.text
    who = await h.ask(RESIDENT, "那要找谁办")
    assert who.text.startswith("这件事由") and "区" in body(who).split("。")[0]
    assert texts.BUTTON_SOURCE in who.button_texts
    source = await h.click(RESIDENT, who, texts.BUTTON_SOURCE)
    assert "住院" in source.text  # the same passage the first answer came from
    assert "区民政局" in source.text.split("住院")[-1]  # and, as the plan writes it, its units


async def test_amount_time_and_condition_follow_ups(h):
    await choose_place(h, "闽清县")
    await h.ask(RESIDENT, "孙女在镇上读初中，平时住学校，有补助吗")
    amount = await h.ask(RESIDENT, "那一年能拿到多少钱")
    assert "元" in body(amount) and texts.BUTTON_SOURCE in amount.button_texts
    await h.ask(RESIDENT, "淮安区低收入户的危房改造有补助吗")
    when = await h.ask(RESIDENT, "那最晚啥时候能弄好")
    assert "2019年底" in body(when)
    condition = await h.ask(RESIDENT, "要啥条件")
    assert SOURCE in condition.text and "危房" in body(condition)


async def test_a_place_switch_answers_the_same_topic_for_the_new_place(h):
    await choose_place(h, "淮安区")
    first = await h.ask(RESIDENT, "低保户住院能报销多少")
    switched = await h.ask(RESIDENT, "那我们镇头那边呢")
    assert "镇头镇" in switched.text and "淮安" not in switched.text
    assert "住院" in body(switched) and body(switched) != body(first)


async def test_narrowing_and_more_bring_the_next_passage(h):
    await choose_place(h, "闽清县")
    first = await h.ask(RESIDENT, "娃上学有什么补助")
    narrowed = await h.ask(RESIDENT, "那上大学的呢")
    assert "本专科" in body(narrowed) or "大学" in body(narrowed)
    more = await h.ask(RESIDENT, "还有别的吗")
    assert SOURCE in more.text and body(more) not in (body(first), body(narrowed))


async def test_the_place_is_asked_once_remembered_and_the_question_answered(h, policy_kb):
    prompt = await h.ask(RESIDENT, "娃上学有什么补助")
    assert prompt.text == texts.ASK_PLACE
    assert prompt.button_texts == [*policy_kb.regions, texts.REGION_ALL]
    await h.press(RESIDENT, prompt, "新平县")
    edited = await h.reply(RESIDENT)
    assert edited.is_edit and "新平县" in edited.text
    answer = await h.reply(RESIDENT)
    assert "新平县" in answer.text and "【" not in answer.text  # answered for the place chosen
    assert texts.BUTTON_SOURCE in answer.button_texts
    again = await h.ask(RESIDENT, "危房改造补助多少钱")
    assert SOURCE in again.text and "新平县" in again.text  # the choice is remembered
    assert (await h.ask(RESIDENT, "/region")).text.startswith(
        texts.CHOOSE_REGION_CURRENT.split("<b>")[0]
    )


async def test_a_question_one_plan_answers_is_answered_at_once_saying_whose_rule(h, policy_kb):
    question = "易地扶贫搬迁人均建房面积不超过多少"
    answer = await h.ask(RESIDENT, question)
    assert answer.text != texts.ASK_PLACE and SOURCE in answer.text
    region = policy_kb.converse(question, None, None, 0.0)[0].hits[0].passage.region
    assert answer.text.startswith(f"【{region}】") and answer.text.count("【") == 1


async def test_all_places_is_accepted_and_the_place_is_not_asked_again(h):
    prompt = await h.ask(RESIDENT, "娃上学有什么补助")
    assert prompt.text == texts.ASK_PLACE
    await h.press(RESIDENT, prompt, texts.REGION_ALL)
    await h.reply(RESIDENT)  # the prompt becomes the confirmation
    answer = await h.reply(RESIDENT)
    assert answer.text.count("【") >= 2  # one labelled line per plan
    again = await h.ask(RESIDENT, "危房改造有什么补助")
    assert again.text != texts.ASK_PLACE


async def test_a_resident_who_chose_all_places_is_not_asked(h):
    await choose_place(h, texts.REGION_ALL)
    answer = await h.ask(RESIDENT, "娃上学有什么补助")
    assert answer.text != texts.ASK_PLACE and answer.text.count("【") >= 2


async def test_a_new_message_supersedes_the_question_held_for_the_place(h):
    prompt = await h.ask(RESIDENT, "娃上学有什么补助")
    assert prompt.text == texts.ASK_PLACE
    answer = await h.ask(RESIDENT, "危房改造有什么补助")
    assert SOURCE in answer.text  # not asked again: answered, one line per plan
    await h.press(RESIDENT, prompt, "新平县")
    assert "新平县" in (await h.reply(RESIDENT)).text  # the prompt becomes the confirmation
    assert await h.quiet(RESIDENT) == []  # and the held question is not answered late


async def test_the_context_expires_after_thirty_minutes(h, clock):
    await choose_place(h, "淮安区")
    await h.ask(RESIDENT, "低保户住院能报销多少")
    clock.now += EXPIRY_SECONDS - 60
    assert (await h.ask(RESIDENT, "那要找谁办")).text.startswith("这件事由")
    clock.now += EXPIRY_SECONDS + 1
    stale = await h.ask(RESIDENT, "那要找谁办")
    assert "没有找到" in stale.text and not stale.text.startswith("这件事由")


async def test_a_new_topic_is_not_polluted_by_the_old_one(h):
    await choose_place(h, "淮安区")
    housing = await h.ask(RESIDENT, "危房改造有什么补助")
    assert "危房" in body(housing)
    dibao = await h.ask(RESIDENT, "残疾人能单独纳入低保吗")
    assert "低保" in body(dibao) and "危房" not in body(dibao)
    who = await h.ask(RESIDENT, "那要找谁办")
    source = await h.click(RESIDENT, who, texts.BUTTON_SOURCE)
    assert "低保" in source.text and "危房" not in source.text


async def test_related_policies_list_the_residents_place_first(h, policy_kb):
    await choose_place(h, "淮安区")
    answer = await h.ask(RESIDENT, "娃上大学有什么补助")
    related = await h.click(RESIDENT, answer, texts.BUTTON_RELATED)
    items = related.text.split("\n\n")
    marks = ["的规定，不是您那里的" in item for item in items if "《" in item]
    assert marks == sorted(marks)  # every item of another place comes after the resident's own
    for item in items:
        if "不是您那里的" in item:
            assert "淮安" not in item.split("《")[1].split("》")[0]


async def test_the_conversation_survives_a_restart(policy_kb, clock, tmp_path):
    from bot.persistence import DatabasePersistence
    from storage.conversations import KeyValueStore
    from storage.db import Database
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    for step in ("before", "after"):
        db = Database(url)
        options = {"persistence": DatabasePersistence(KeyValueStore(db)), "resident_clock": clock}
        try:
            async with bot_harness(policy_kb, app_options=options) as h:
                if step == "before":
                    await choose_place(h, "淮安区")
                    await h.ask(RESIDENT, "低保户住院能报销多少")
                else:
                    assert (await h.ask(RESIDENT, "那要找谁办")).text.startswith("这件事由")
                h.assert_nothing_rejected()
        finally:
            await db.dispose()


class Steering:
    """The real knowledge base, with one question's reply turned into another kind.

    Until the calibrated answering (issue 10, items 2 and 4) lands in `_ask`, nothing in the
    shipped knowledge base replies with a suggestion or an uncovered place; this shows the
    Telegram side of those kinds with real passages and a real bot.
    """

    def __init__(self, kb, question: str, **changes) -> None:
        self._kb, self._question, self._changes = kb, question, changes

    def __getattr__(self, name):
        return getattr(self._kb, name)

    def converse(self, message, context=None, region=None, now=0.0):
        answer, conversation = self._kb.converse(message, context, region, now)
        if message == self._question:
            answer = replace(answer, **self._changes)
        return answer, conversation


async def test_suggestions_are_buttons_named_by_headings_plus_complaint(policy_kb, clock):
    question = "闽清娃读书的钱"
    kb = Steering(policy_kb, question, kind=SUGGEST)
    expected = policy_kb.converse(question, None, None, clock())[0].hits[:3]
    async with bot_harness(kb, app_options={"resident_clock": clock}) as h:
        reply = await h.ask(RESIDENT, question)
        assert reply.text.startswith("我不太确定") and "您问的是不是：" in reply.text
        labels = reply.button_texts
        assert len(labels) == len(expected) + 1 and labels[-1] == texts.BUTTON_COMPLAIN
        assert all(
            label.rstrip("…") in hit.passage.heading_path[-1]
            for label, hit in zip(labels, expected, strict=False)
        )
        answer = await h.click(RESIDENT, reply, labels[1])
        assert SOURCE in answer.text and expected[1].passage.title in answer.text
        assert texts.BUTTON_SOURCE in answer.button_texts
        complain = await h.click(RESIDENT, reply, texts.BUTTON_COMPLAIN)
        assert "12317" in complain.text
        h.assert_nothing_rejected()


async def test_a_place_the_plans_do_not_cover_gets_a_polite_reply(policy_kb, clock):
    question = "贵州的贫困户娃上学有什么补助"
    kb = Steering(policy_kb, question, kind=UNCOVERED, uncovered_place="贵州省", abstained=True)
    async with bot_harness(kb, app_options={"resident_clock": clock}) as h:
        reply = await h.ask(RESIDENT, question)
        assert "贵州省" in reply.text and "12317" in reply.text
        assert all(region in reply.text for region in policy_kb.regions)
        assert "元" not in reply.text  # no other region's figure
        assert reply.button_texts == [texts.BUTTON_COMPLAIN]
        h.assert_nothing_rejected()
