"""The complaint intake as someone careless or hostile meets it: numbers in the wrong step,
repeated filings, guessed query codes. The real Application, the stand-in, a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import texts
from handlers.complaints import DRAFT_KEY
from storage.migrate import upgrade
from tests.test_complaint_intake import CATEGORY, PLACE, REGION, RESIDENT, complaint_bot, router  # noqa: F401


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
