"""One bot process's deadline check, for tests/test_two_processes.py:

    python -m tests.deadline_process DATABASE_URL BOT_API_BASE_URL TOKEN NOW_ISO

Sets up, prints "ready", waits for a line on stdin, runs one check with the clock at NOW, and
prints "done". Two of these at once share one database and one Bot API stand-in.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from telegram import Bot

from bot.services import BotStorage
from handlers.deadlines import DeadlineCheck
from storage.workdays import DeadlinePolicy
from tests.casework_support import shared_router


async def main(url: str, base_url: str, token: str, now: str) -> None:
    moment = datetime.fromisoformat(now)
    storage = BotStorage.open(url, router=shared_router(), deadlines=DeadlinePolicy(), clock=lambda: moment)
    check = DeadlineCheck(storage.complaints)
    try:
        async with Bot(token, base_url=base_url) as bot:
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            await check.run(bot)
            print("done", flush=True)
    finally:
        await storage.db.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
