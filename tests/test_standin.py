"""The Bot API stand-in answers a real PTB `Bot` the way Telegram would, limits included."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.request import HTTPXRequest

from standin import BotAPIStandIn, EntityParseError, parse_telegram_html


@pytest.fixture
async def standin():
    async with BotAPIStandIn() as server:
        yield server


@pytest.fixture
async def bot(standin):
    async with Bot(
        standin.token,
        base_url=standin.base_url,
        base_file_url=standin.base_file_url,
        request=HTTPXRequest(),
        get_updates_request=HTTPXRequest(),
    ) as client:
        yield client


async def test_get_me_is_a_bot(bot, standin):
    me = await bot.get_me()
    assert me.is_bot and me.id == standin.bot_id and me.username == standin.bot_user["username"]


async def test_wrong_token_is_unauthorized(standin):
    from telegram.error import InvalidToken

    with pytest.raises(InvalidToken):
        async with Bot("42:WRONG", base_url=standin.base_url):
            pass


async def test_messages_are_realistic_and_numbered_per_chat(bot, standin):
    first = standin.push_text(7, "你好", first_name="张三")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message.text == "你好"
    assert update.message.chat.type == "private" and update.message.from_user.is_bot is False
    assert abs(update.message.date.timestamp() - time.time()) < 5
    sent = await bot.send_message(7, "收到")
    assert sent.message_id == first["message_id"] + 1
    assert (await bot.send_message(7, "再一条")).message_id == sent.message_id + 1
    other = standin.push_text(9, "另一个人")
    assert other["message_id"] == 1
    reply = await standin.pop_reply(7, timeout=1)
    assert reply.text == "收到" and reply.method == "sendMessage"


async def test_commands_carry_a_bot_command_entity(bot, standin):
    standin.push_text(7, "/start")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")


async def test_get_updates_honours_offset(bot, standin):
    for text in ("一", "二", "三"):
        standin.push_text(7, text)
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["一", "二", "三"]
    assert [
        u.message.text for u in await bot.get_updates(offset=updates[1].update_id, timeout=0)
    ] == ["二", "三"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    # confirmed updates are gone for good
    assert await bot.get_updates(timeout=0) == ()


async def test_long_poll_waits_and_wakes_on_a_new_message(bot, standin):
    assert await bot.get_updates(timeout=0.2) == ()  # nothing came: empty at the timeout
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await standin.poll_waiting()
    assert not poll.done()  # held open, not answered empty at once
    standin.push_text(7, "来了")
    (update,) = await poll
    assert update.message.text == "来了"


async def test_text_length_counts_utf16_units(bot, standin):
    standin.push_text(7, "hi")
    await bot.send_message(7, "字" * 4096)
    await bot.send_message(7, "😀" * 2048)  # each emoji is two UTF-16 code units
    with pytest.raises(BadRequest, match=r"too long"):
        await bot.send_message(7, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"too long"):
        await bot.send_message(7, "字" * 4097)
    # the limit applies to the visible text, not the markup
    await bot.send_message(7, "<b>" + "字" * 4090 + "</b>", parse_mode=ParseMode.HTML)


async def test_empty_text_is_refused(bot, standin):
    standin.push_text(7, "hi")
    with pytest.raises(BadRequest, match=r"empty"):
        await bot.send_message(7, "  \n ")
    with pytest.raises(BadRequest, match=r"empty"):
        await bot.send_message(7, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_unknown_chat_is_refused(bot, standin):
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(123456, "没人")
    standin.push_text(7, "hi")
    with pytest.raises(BadRequest, match=r"empty"):
        await bot.send_message(7, " ")
    # A test that expects a refusal takes it out of `rejected()`; the others stay.
    assert [c.params["chat_id"] for c in standin.accept_refusals(123456)] == ["123456"]
    assert [str(c.params["chat_id"]) for c in standin.rejected()] == ["7"]


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        "a < b",
        "A & B",
        "<b>bold",
        "<b><i>x</b></i>",
        "</i>",
        "<br>",
        "<b",
        '<span class="x">s</span>',
        '<a href="x" onclick="y">l</a>',
        "&nbsp;",
        "<!-- c -->",
    ],
)
async def test_malformed_html_is_refused(bot, standin, markup):
    standin.push_text(7, "hi")
    with pytest.raises(BadRequest, match=r"parse entities"):
        await bot.send_message(7, markup, parse_mode=ParseMode.HTML)


def test_telegram_html_visible_text():
    assert (
        parse_telegram_html('<b>粗</b> &lt;x&gt; &amp; &quot; &#128512; <a href="http://a">链</a>')
        == '粗 <x> & " 😀 链'
    )
    assert (
        parse_telegram_html(
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
            '<pre><code class="language-python">c</code></pre><blockquote>q</blockquote>'
        )
        == "stcq"
    )
    with pytest.raises(EntityParseError):
        parse_telegram_html("<b>x</B")


async def test_callback_data_over_64_bytes_is_refused(bot, standin):
    standin.push_text(7, "hi")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="x" * 64)]])
    await bot.send_message(7, "可以", reply_markup=ok)
    too_long = InlineKeyboardMarkup(
        [[InlineKeyboardButton("长", callback_data="政" * 22)]]
    )  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(7, "不行", reply_markup=too_long)


async def test_button_press_and_callback_answer(bot, standin):
    standin.push_text(7, "hi")
    await bot.get_updates(timeout=0)
    sent = await bot.send_message(
        7,
        "选一个",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("甲", callback_data="a"),
                    InlineKeyboardButton("乙", callback_data="b"),
                ]
            ]
        ),
    )
    with pytest.raises(LookupError):
        standin.press_button(7, sent.message_id, "c")  # no such button on screen
    query_id = standin.press_button(7, sent.message_id, "b")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert (
        query.data == "b" and query.message.message_id == sent.message_id and query.id == query_id
    )
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query.id, "长" * 201)
    assert await bot.answer_callback_query(query.id, "好的")
    assert standin.callback_answers[query_id]["text"] == "好的"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)


async def test_edit_message_text_and_markup(bot, standin):
    standin.push_text(7, "hi")
    sent = await bot.send_message(
        7,
        "原来",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("甲", callback_data="a")]]),
    )
    await bot.edit_message_text("改了", chat_id=7, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"not modified"):
        await bot.edit_message_text("改了", chat_id=7, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"not found"):
        await bot.edit_message_text("改了", chat_id=7, message_id=999)
    with pytest.raises(BadRequest, match=r"can't be edited"):
        await bot.edit_message_text("别人的", chat_id=7, message_id=1)
    await bot.edit_message_reply_markup(
        chat_id=7,
        message_id=sent.message_id,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("乙", callback_data="b")]]),
    )
    replies = standin.drain(7)
    assert [r.method for r in replies] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert replies[1].text == "改了" and replies[1].buttons == []
    assert replies[2].button_texts == ["乙"]


async def test_commands_menu_round_trip(bot, standin):
    from telegram import BotCommand

    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_documents_both_ways(bot, standin):
    standin.push_document(
        7, "政策.txt", "第一条 补助500元".encode(), mime_type="text/plain", caption="新文件"
    )
    (update,) = await bot.get_updates(timeout=0)
    document = update.message.document
    assert document.file_name == "政策.txt" and update.message.caption == "新文件"
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == "第一条 补助500元".encode()

    sent = await bot.send_document(
        7, b"report,1\n", filename="report.csv", caption="<b>统计</b>", parse_mode=ParseMode.HTML
    )
    assert sent.document.file_name == "report.csv"
    assert standin.file_content(sent.document.file_id) == b"report,1\n"
    reply = await standin.pop_reply(7, timeout=1)
    assert reply.method == "sendDocument" and reply.text == "统计"


async def test_injected_429_carries_retry_after(bot, standin):
    standin.push_text(7, "hi")
    standin.fail_next(2, status=429, retry_after=3, methods={"sendMessage"})
    await bot.get_me()  # other methods are unaffected
    for _ in range(2):
        with pytest.raises(RetryAfter) as err:
            await bot.send_message(7, "稍等")
        assert "Retry in 3" in str(err.value)
    await bot.send_message(7, "好了")
    assert [c.status for c in standin.calls_to("sendMessage")] == [429, 429, 200]


async def test_injected_server_error(bot, standin):
    standin.push_text(7, "hi")
    standin.fail_next(1, status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(7, "坏了")
    await bot.send_message(7, "好了")


async def test_many_chats_at_once(bot, standin):
    for user in range(1, 51):
        standin.push_text(user, f"问题{user}")
    await bot.get_updates(timeout=0)
    await asyncio.gather(*(bot.send_message(user, f"回答{user}") for user in range(1, 51)))
    for user in range(1, 51):
        reply = await standin.pop_reply(user, timeout=1)
        assert reply.text == f"回答{user}" and reply.message_id == 2


async def test_webhook_delivers_updates_in_order_with_the_secret(bot, standin):
    from aiohttp import web
    from telegram.error import Conflict

    received: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=200 if len(received) > 1 else 500)  # the first try fails

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        assert (await bot.get_webhook_info()).url.endswith("/hook")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        standin.push_text(7, "一")
        standin.push_text(7, "二")
        for _ in range(100):
            if len(received) >= 3:
                break
            await asyncio.sleep(0.05)
        assert [u["message"]["text"] for u, _ in received] == [
            "一",
            "一",
            "二",
        ]  # redelivered after the 500
        assert {secret for _, secret in received} == {"s3cret"}
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_text_that_looks_like_json_stays_text(bot, standin):
    standin.push_text(7, "hi")
    sent = await bot.send_message(7, "[1, 2]")
    assert sent.text == "[1, 2]"
    assert (await bot.send_message(7, '{"a": 1}')).text == '{"a": 1}'


async def test_html_becomes_entities_counted_in_utf16(bot, standin):
    standin.push_text(7, "hi")
    sent = await bot.send_message(
        7,
        '😀<b>粗</b> <a href="https://example.org">链接</a> <pre><code class="language-python">x=1</code></pre>',
        parse_mode=ParseMode.HTML,
    )
    assert sent.text == "😀粗 链接 x=1"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 2, 1),
        ("text_link", 4, 2),
        ("pre", 7, 3),
    ]
    assert sent.entities[1].url == "https://example.org" and sent.entities[2].language == "python"
    assert sent.text_html.startswith("😀<b>粗</b>")


async def test_a_second_poller_terminates_the_first(bot, standin):
    from telegram.error import Conflict

    first = asyncio.create_task(bot.get_updates(timeout=5))
    await standin.poll_waiting()
    async with Bot(standin.token, base_url=standin.base_url) as second:
        second_poll = asyncio.create_task(second.get_updates(timeout=0.5))
        with pytest.raises(Conflict, match=r"(?i)only one bot instance"):
            await first
        assert await second_poll == ()
