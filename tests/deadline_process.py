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

from bot.app import category_labels
from bot.services import BotStorage
from cases.deadlines import DeadlineCheck
from handlers.case_notices import TelegramNotifier
from storage.workdays import DeadlinePolicy
from tests.telegram_harness import shared_router


async def main(url: str, base_url: str, token: str, now: str) -> None:
    moment = datetime.fromisoformat(now)
    storage = BotStorage.open(
        url, router=shared_router(), deadlines=DeadlinePolicy(), clock=lambda: moment
    )
    cases = storage.cases
    check = DeadlineCheck(cases)
    try:
        async with Bot(token, base_url=base_url) as bot:
            cases.notifier = TelegramNotifier(
                bot, category_labels(cases), cases.policy.feedback_window
            )
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            await check.run()
            print("done", flush=True)
    finally:
        await storage.db.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
