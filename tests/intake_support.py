"""A resident's way through the complaint intake, for the tests that file complaints as residents do.

async with case_bot(policy_kb, url) as h:
    summary = await to_summary(h, RESIDENT, anonymous=False)
    ticket, query_code = await confirm(h, RESIDENT, summary)
"""

from __future__ import annotations

from typing import Any

from handlers import texts
from tests.telegram_harness import BotHarness

RESIDENT = 2001
NEIGHBOUR = 2002
CATEGORY = texts.CATEGORY_BUTTONS["housing_renovation"]
REGION = "闽清县"
PLACE = "坂东镇 湖头村"
STORY = "我家是建档立卡贫困户，去年申请了危房改造，房子已经验收了，补助款到现在一分钱都没发。"
NAME = "张大山"
PHONE = "138 1234 5678"


async def to_description(h: BotHarness, user: int) -> Any:
    intro = await h.ask(user, "/complain")
    assert texts.ASK_CATEGORY.split("</b>")[1][:8] in intro.text
    region_prompt = await h.click(user, intro, CATEGORY)
    township_prompt = await h.click(user, region_prompt, REGION)
    assert REGION in township_prompt.text
    return await h.ask(user, PLACE)


async def to_summary(h: BotHarness, user: int, *, anonymous: bool, story: str = STORY) -> Any:
    await to_description(h, user)
    contact = await h.ask(user, story)
    if anonymous:
        return await h.click(user, contact, texts.BUTTON_ANONYMOUS)
    await h.click(user, contact, texts.BUTTON_NAMED)
    await h.ask(user, NAME)
    return await h.ask(user, PHONE)


async def confirm(h: BotHarness, user: int, summary: Any) -> tuple[str, str]:
    """Press 确认提交; returns (ticket, query code) from the two messages shown."""
    filed = await h.click(user, summary, texts.BUTTON_CONFIRM)
    code = await h.reply(user)
    ticket = filed.text.split("投诉编号：")[1].split()[0]
    query_code = code.text.split("查询码：")[1].split()[0]
    return ticket, query_code
