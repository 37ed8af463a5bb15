"""The complaint intake as someone careless or hostile meets it: numbers in the wrong step,
repeated filings, guessed query codes. The real Application, the stand-in, a SQLite file."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers import texts
from handlers.complaints import DRAFT_KEY, SEND_ATTEMPTS
from storage.migrate import upgrade
from storage.models import Complaint
from storage.workdays import CHINA_TZ
from tests.casework_support import Clock, case_bot, shared_router
from tests.test_complaint_intake import (CATEGORY, PLACE, REGION, RESIDENT, STORY, complaint_bot,  # noqa: F401
                                         router, to_summary)


@pytest.fixture
async def database(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    return url


async def _to_township(h, user: int):
    intro = await h.ask(user, "/complain")
    region_prompt = await h.click(user, intro, CATEGORY)
    return await h.click(user, region_prompt, REGION)


@pytest.mark.parametrize("typed", ["13812345678", "坂东镇 138 1234 5678", "湖头村（138）1234-5678",
                                   "坂东镇 350124 19700101 1234"])
async def test_a_phone_or_id_typed_as_the_place_is_refused_and_not_kept(policy_kb, database, router, typed):
    async with complaint_bot(policy_kb, database, router) as h:
        await _to_township(h, RESIDENT)
        again = await h.ask(RESIDENT, typed)
        assert again.text.startswith(texts.BAD_TOWNSHIP_NUMBER.split("\n")[0])
        assert "第 2 步" in again.text  # the same step, asked again
        draft = h.app.user_data[RESIDENT][DRAFT_KEY]
        assert "township" not in draft and "village" not in draft
        described = await h.ask(RESIDENT, PLACE)
        assert h.app.user_data[RESIDENT][DRAFT_KEY]["township"] == "坂东镇"
        assert "第 3 步" in described.text


# ---------------------------------------------------- the ticket message that did not arrive

STAFF = 7701


@pytest.fixture
async def case_database(migrated_url: str) -> str:
    return migrated_url


async def test_a_ticket_whose_message_fails_reaches_the_resident_with_their_next_message(policy_kb, case_database):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    unit = shared_router().route(STORY, REGION, category="housing_renovation").units[0]
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        await h.storage.complaints.access.roles.grant(STAFF, "staff", unit=unit, region=REGION, granted_by=1)
        await h.ask(STAFF, "/start")  # staff have opened a chat with the bot
        summary = await to_summary(h, RESIDENT, anonymous=True)
        h.standin.fail_next(SEND_ATTEMPTS, status=502, methods={"sendMessage"})  # every try of the ticket fails
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        notice = await h.reply(STAFF, timeout=15)  # the staff notice started regardless
        assert "FP" in notice.text
        assert not h.standin.drain(RESIDENT)
        async with h.storage.db.session() as session:
            tickets = list(await session.scalars(select(Complaint.ticket)))
        assert len(tickets) == 1

        # The resident presses 确认提交 again: the ticket arrives now, with a new query code, and the
        # press itself is answered as a finished step (no KeyError, nothing filed twice).
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        filed, code, again = await h.replies(RESIDENT, 3)
        assert filed.text.startswith(texts.PENDING_TICKET_LEAD.strip()) and f"投诉编号：{tickets[0]}" in filed.text
        assert again.text == texts.STALE_STEP
        query_code = code.text.split("查询码：")[1].split()[0]
        found = await h.ask(RESIDENT, f"/status {tickets[0]} {query_code}")
        assert tickets[0] in found.text and STORY[:10] in found.text
        answer = await h.ask(RESIDENT, "看病能报销多少？")  # delivered once, not with every message
        assert "投诉编号" not in answer.text
        async with h.storage.db.session() as session:
            assert list(await session.scalars(select(Complaint.ticket))) == tickets
