"""The real Application, over HTTP, through the Bot API stand-in: what a resident sees."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.settings import Settings
from handlers import texts
from tests.telegram_harness import bot_harness

RESIDENT = 1001
NEIGHBOUR = 1002
QUESTION = "闽清的娃上大学有什么补助？"  # a place named: the answer comes at once


async def test_start_welcomes_and_offers_places(telegram_bot, policy_kb):
    h = telegram_bot
    welcome = await h.ask(RESIDENT, "/start")
    assert "扶贫政策问答助手" in welcome.text and "投诉" in welcome.text
    assert welcome.button_texts == [*policy_kb.regions, texts.REGION_ALL]
    assert {c["command"] for c in h.standin.commands} >= {"start", "help", "region", "cancel"}
    assert all(
        any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for c in h.standin.commands
    )


async def test_start_escapes_the_residents_name(telegram_bot):
    await telegram_bot.send(RESIDENT, "/start", first_name="<b>李&四")
    welcome = await telegram_bot.reply(RESIDENT)
    assert "<b>李&四" in welcome.text


async def test_choosing_a_place(telegram_bot, policy_kb):
    h = telegram_bot
    place = "湖北省"
    welcome = await h.ask(RESIDENT, "/start")
    query = await h.press(RESIDENT, welcome, place)
    edited = await h.reply(RESIDENT)
    assert edited.is_edit and edited.message_id == welcome.message_id
    assert place in edited.text and edited.buttons == []
    assert place in (await h.wait_answered(query)).get("text", "")

    answer = await h.ask(RESIDENT, "看病能报销多少？")
    source = await h.click(RESIDENT, answer, texts.BUTTON_SOURCE)
    assert any(
        document.issuer in source.text
        for document in policy_kb.documents
        if document.region == place
    )

    again = await h.ask(RESIDENT, "/region")
    assert place in again.text
    cleared = await h.click(RESIDENT, again, texts.REGION_ALL)
    assert cleared.text == texts.REGION_CLEARED


async def test_a_question_is_answered_with_buttons_and_each_button_works(telegram_bot):
    h = telegram_bot
    answer = await h.ask(RESIDENT, QUESTION)
    assert answer.button_texts == [texts.BUTTON_SOURCE, texts.BUTTON_RELATED, texts.BUTTON_COMPLAIN]
    assert "《" in answer.text  # the answer cites its source
    assert (
        answer.message["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "complain:start"
    )

    query = await h.press(RESIDENT, answer, texts.BUTTON_SOURCE)
    source = await h.reply(RESIDENT)
    assert source.text.startswith("《") and "›" in source.text.split("\n")[0]
    await h.wait_answered(query)

    related = await h.click(RESIDENT, answer, texts.BUTTON_RELATED)
    assert related.text.startswith("相关政策") and related.button_texts[
        0
    ] == texts.BUTTON_SOURCE_N.format(n=1)
    second_source = await h.click(RESIDENT, related, texts.BUTTON_SOURCE_N.format(n=1))
    assert second_source.text.startswith("《") and second_source.text != source.text

    complain = await h.click(RESIDENT, answer, texts.BUTTON_COMPLAIN)
    assert "12317" in complain.text and "/complain" in complain.text
    assert not h.standin.pending_callbacks  # every press was answered


async def test_a_press_too_old_to_answer_still_shows_the_source(telegram_bot):
    """A press delivered again after a restart is too old to answer; the resident still gets
    what the button is for, not an error."""
    h = telegram_bot
    answer = await h.ask(RESIDENT, QUESTION)
    query = await h.press(RESIDENT, answer, texts.BUTTON_SOURCE)
    h.standin.pending_callbacks.pop(query)  # expired before the bot answers it
    source = await h.reply(RESIDENT)
    assert source.text.startswith("《") and texts.ERROR_RETRY not in source.text
    (refused,) = h.standin.rejected()
    assert refused.method == "answerCallbackQuery"
    h.standin.calls.remove(refused)


async def test_a_ticket_typed_as_a_question_points_to_status(telegram_bot):
    """Someone's ticket number sent as text is not a policy question: the bot says how to
    check a case (and shows nothing of it: that needs the query code)."""
    h = telegram_bot
    reply = await h.ask(RESIDENT, "ｆｐ20261123-000001 办得怎么样了")
    assert "/status FP20261123-000001" in reply.text and "《" not in reply.text


async def test_callback_data_stays_short_whatever_the_question(telegram_bot):
    h = telegram_bot
    await h.ask(RESIDENT, "政" * 400 + "看病报销")
    await h.ask(RESIDENT, "/start")
    for reply in h.standin.replies:
        for row in reply.buttons:
            for button in row:
                assert len(button["callback_data"].encode()) <= 64


async def test_buttons_of_a_forgotten_answer_get_a_polite_reply(telegram_bot):
    h = telegram_bot
    answer = await h.ask(RESIDENT, QUESTION)
    h.app.chat_data[RESIDENT].clear()  # as after a restart without persistence
    query = await h.press(RESIDENT, answer, texts.BUTTON_SOURCE)
    assert (await h.reply(RESIDENT)).text == texts.EXPIRED
    assert (await h.wait_answered(query)).get("text") == texts.STALE_TOAST


async def test_cancel_and_help_and_unknown_command(telegram_bot):
    h = telegram_bot
    assert (await h.ask(RESIDENT, "/cancel")).text == texts.CANCELLED
    assert "/region" in (await h.ask(RESIDENT, "/help")).text
    assert (await h.ask(RESIDENT, "/nosuchthing")).text == texts.UNKNOWN_COMMAND


async def test_unanswerable_question_offers_only_the_complaint_path(telegram_bot):
    answer = await telegram_bot.ask(RESIDENT, "火星上移民的宇航员每月发多少补贴？")
    assert answer.button_texts == [texts.BUTTON_COMPLAIN]
    assert "12317" in answer.text


async def test_a_fact_the_plan_does_not_state_is_said_so_and_its_passage_can_be_read(
    telegram_bot,
):
    h = telegram_bot
    answer = await h.ask(RESIDENT, "新平的,危房改造一户补多少钱？")
    assert answer.text.startswith(
        "新平县的扶贫政策文件里有这方面的规定，但没有写明具体的金额或标准"
    )
    assert "12317" in answer.text and "——来源：《新平县" in answer.text
    assert answer.button_texts == [texts.BUTTON_SOURCE, texts.BUTTON_COMPLAIN]
    source = await h.click(RESIDENT, answer, texts.BUTTON_SOURCE)
    assert source.text.startswith("《新平县") and "危房改造" in source.text


async def test_non_text_messages_get_a_hint(telegram_bot):
    telegram_bot.standin.push_document(
        RESIDENT, "照片.jpg", b"\xff\xd8\xff", mime_type="image/jpeg"
    )
    assert (await telegram_bot.reply(RESIDENT)).text == texts.NOT_TEXT


async def test_two_residents_at_once_each_get_their_own_answers(telegram_bot, policy_kb):
    h = telegram_bot
    first, second = policy_kb.regions[0], policy_kb.regions[2]
    await asyncio.gather(h.send(RESIDENT, "/start"), h.send(NEIGHBOUR, "/start"))
    w1, w2 = await asyncio.gather(h.reply(RESIDENT), h.reply(NEIGHBOUR))
    await h.press(RESIDENT, w1, first)
    await h.press(NEIGHBOUR, w2, second)
    assert first in (await h.reply(RESIDENT)).text
    assert second in (await h.reply(NEIGHBOUR)).text
    await h.send(RESIDENT, QUESTION)
    await h.send(NEIGHBOUR, "看病能报销多少？")
    a1, a2 = await asyncio.gather(h.reply(RESIDENT), h.reply(NEIGHBOUR))
    assert a1.chat_id == RESIDENT and a2.chat_id == NEIGHBOUR and a1.text != a2.text
    assert first in (await h.ask(RESIDENT, "/region")).text
    assert second in (await h.ask(NEIGHBOUR, "/region")).text


async def test_a_429_storm_is_ridden_out(telegram_bot):
    h = telegram_bot
    h.standin.fail_next(3, status=429, retry_after=1, methods={"sendMessage"})
    users = [2001, 2002, 2003]
    for user in users:
        await h.send(user, QUESTION)
    replies = await asyncio.gather(*(h.reply(user, timeout=15) for user in users))
    assert all(texts.BUTTON_SOURCE in r.button_texts for r in replies)
    assert [c.status for c in h.standin.calls_to("sendMessage")].count(429) == 3


async def test_a_server_error_still_gets_the_resident_a_reply(telegram_bot):
    h = telegram_bot
    h.standin.fail_next(1, status=502, methods={"sendMessage"})
    assert (await h.ask(RESIDENT, QUESTION)).text == texts.ERROR_RETRY
    assert texts.BUTTON_SOURCE in (await h.ask(RESIDENT, QUESTION)).button_texts


async def test_polling_survives_get_updates_failures(telegram_bot):
    h = telegram_bot
    h.standin.fail_next(2, status=500, methods={"getUpdates"})
    h.standin.fail_next(1, status=429, retry_after=1, methods={"getUpdates"})
    assert "/region" in (await h.ask(RESIDENT, "/help", timeout=15)).text
    failed = [c.status for c in h.standin.calls_to("getUpdates") if c.status != 200]
    assert failed == [500, 500, 429]  # the bot met every failure on its way to the answer


async def test_a_failing_handler_gets_a_polite_reply(policy_kb):
    async def boom(update, context):
        raise RuntimeError("deliberate failure")

    def register(application):
        application.add_handler(CommandHandler("boom", boom))

    async with bot_harness(policy_kb, extra_handlers=[register]) as h:
        assert (await h.ask(RESIDENT, "/boom")).text == texts.ERROR_RETRY
        h.assert_nothing_rejected()


async def test_flooding_gets_one_notice_not_thirty_answers(policy_kb):
    async with bot_harness(policy_kb, flood_max_messages=5, flood_window_seconds=10) as h:
        for i in range(30):
            await h.send(RESIDENT, f"第{i}个问题：看病报销多少")
        replies = [await h.reply(RESIDENT) for _ in range(6)]
        replies += await h.quiet(RESIDENT, within=0.5)
        assert len(replies) == 6
        assert [r.text for r in replies].count(texts.FLOOD) == 1
        assert len(h.standin.calls_to("sendMessage")) == 6
        assert (await h.ask(NEIGHBOUR, QUESTION)).buttons  # others are not affected
        h.assert_nothing_rejected()


HOSTILE = {
    "whitespace": "   \t  ",
    "zero_width": "\u200b\u200b",
    "punctuation": "？？？！！！。。。",
    "long": "我家娃上学有什么补助" * 500,
    "emoji": "😀🙏🏻👨‍👩‍👧‍👦",
    "sql": "'; DROP TABLE complaints; -- 低保",
    "lucene": 'title:(a OR b)~2^3 AND NOT "低保',
    "wildcards": "*?低保* [1 TO 9] {a TO b} \\ / +-&&||!",
    "html": "<script>alert('x')</script><b>低保</b> &amp; &nbsp; <",
    "markdown": "*_[]()~`>#+-=|{}.! **低保** `code` [link](http://x)",
    "control": "\x00\x01\x07\x1b[31m低保\x7f\u202e反转",
    "pinyin": "kan bing neng bao xiao duo shao",
    "english": "How much subsidy for my child going to university?",
    "numbers": "1",
    "newlines": "\n\n低保\n\n",
    "surrogate_like": "\ufffd\ufeff\U0010ffff",
    "json_like": '[1, 2] {"低保": null}',
    "command_like": "/start@other_bot 低保",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_input_gets_an_acceptable_reply(telegram_bot, text):
    reply = await telegram_bot.ask(RESIDENT, text, timeout=10)
    assert reply.text.strip()
    telegram_bot.assert_nothing_rejected()


async def test_terminal_chat_as_a_user_would_try_it(policy_kb):
    from bot.terminal import chat

    typed = io.StringIO("1\n娃上大学有什么补助？\n1\n\n/quit\n")
    screen = io.StringIO()
    assert await chat(Settings.load(None), policy_kb, typed, screen) == 0
    shown = screen.getvalue()
    assert "扶贫政策问答助手" in shown and f"[1] {policy_kb.regions[0]}" in shown
    assert f"已经选好：{policy_kb.regions[0]}" in shown
    assert "[1] 查看原文" in shown and "[3] 我要投诉" in shown
    assert shown.count("《") >= 2  # the answer's citation, then the source it opened
    assert shown.rstrip().endswith("再见！")


async def test_terminal_chat_ends_on_ctrl_d(policy_kb):
    from bot.terminal import chat

    screen = io.StringIO()
    assert await chat(Settings.load(None), policy_kb, io.StringIO("低保\n"), screen) == 0
    assert screen.getvalue().rstrip().endswith("再见！")


async def test_what_the_bot_remembers_is_plain_json(telegram_bot, policy_kb):
    """Persistence stores user and chat data as JSON; nothing else may end up there."""
    import json

    h = telegram_bot
    welcome = await h.ask(RESIDENT, "/start")
    await h.click(RESIDENT, welcome, policy_kb.regions[1])
    answer = await h.ask(RESIDENT, QUESTION)
    await h.click(RESIDENT, answer, texts.BUTTON_SOURCE)
    for data in (h.app.user_data[RESIDENT], h.app.chat_data[RESIDENT], h.app.bot_data):
        assert json.loads(json.dumps(data)) == data


async def test_in_a_group_the_bot_answers_commands_not_every_remark(telegram_bot):
    h = telegram_bot
    group = -100123
    h.standin.push_text(RESIDENT, "今天天气不错", chat_id=group)
    h.standin.push_text(RESIDENT, "/help", chat_id=group)
    reply = await h.reply(group)
    assert "/region" in reply.text
    assert await h.quiet(group) == []


# ---------------------------------------------------------- the real entry points, as processes
# (webhook mode, as a process: tests/test_webhook_security.py)

ROOT = Path(__file__).resolve().parent.parent


async def test_python_m_bot_without_a_token_opens_the_terminal_chat(policy_data_dir, policy_kb):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "",
        "DATA_DIR": str(policy_data_dir),
        "WEBHOOK_URL": "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        process.communicate("3\n看病能报销多少？\n/quit\n".encode()), 90
    )
    shown = out.decode()
    assert process.returncode == 0, err.decode()
    assert "本地聊天" in shown and "已经选好：湖北省" in shown and "[1] 查看原文" in shown
    assert "Traceback" not in err.decode()


async def test_a_double_tap_on_a_place_is_not_an_error(telegram_bot, policy_kb):
    h = telegram_bot
    welcome = await h.ask(RESIDENT, "/start")
    first = await h.press(RESIDENT, welcome, policy_kb.regions[3])
    second = await h.press(RESIDENT, welcome, policy_kb.regions[3])  # before the bot has edited
    edited = await h.reply(RESIDENT)
    assert edited.is_edit and policy_kb.regions[3] in edited.text
    await h.wait_answered(first)
    await h.wait_answered(second)
    assert await h.quiet(RESIDENT) == []


async def test_a_pasted_essay_is_answered_from_its_beginning_and_says_so(telegram_bot):
    reply = await telegram_bot.ask(RESIDENT, QUESTION + "我家情况是这样的。" * 600)
    assert reply.text.startswith(texts.QUESTION_TRUNCATED_NOTE.strip())
    assert texts.BUTTON_SOURCE in reply.button_texts
