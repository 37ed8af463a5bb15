"""An edited message is not a new request: editing /grant must not grant again, editing a
question must not answer again. The sender is told, politely, to send it anew."""

from __future__ import annotations

from datetime import datetime

from handlers import texts
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.telegram_harness import Clock

ADMIN = 8801
NEWCOMER = 8802
OTHER = 8803


async def test_editing_a_command_does_not_run_it_again(policy_kb, migrated_url):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        for user in (NEWCOMER, OTHER):  # both have opened a chat with the bot
            await h.ask(user, "/start")
        sent = await h.send(ADMIN, f"/grant {NEWCOMER} 管理员")
        await h.reply(ADMIN)
        assert len(await roles.active(NEWCOMER)) == 1

        h.standin.push_edit(sent, f"/grant {OTHER} 管理员")
        told = await h.reply(ADMIN)
        assert told.text == texts.EDIT_NOT_HANDLED
        assert await h.quiet(ADMIN) == []
        assert await roles.active(OTHER) == []
        assert len(await roles.active(NEWCOMER)) == 1


async def test_editing_a_question_is_not_answered_again(telegram_bot):
    h = telegram_bot
    sent = await h.send(NEWCOMER, "看病能报销多少？")
    await h.reply(NEWCOMER)
    h.standin.push_edit(sent, "娃上大学有什么补助？")
    assert (await h.reply(NEWCOMER)).text == texts.EDIT_NOT_HANDLED
    assert await h.quiet(NEWCOMER) == []
