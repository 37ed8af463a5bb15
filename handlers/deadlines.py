"""The deadline check (cases.deadlines) on PTB's JobQueue: every `check_every`, the first time as
soon as the bot starts."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes

from cases.deadlines import DeadlineCheck
from cases.service import CaseService

JOB_NAME = "deadline_check"


def register(application: Application[Any, Any, Any, Any, Any, Any], service: CaseService) -> None:
    if application.job_queue is None:
        raise RuntimeError("the deadline check needs PTB's JobQueue: install python-telegram-bot[job-queue]")
    check = DeadlineCheck(service)

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        await check.run()

    application.job_queue.run_repeating(run, interval=service.policy.check_every, first=0, name=JOB_NAME)
