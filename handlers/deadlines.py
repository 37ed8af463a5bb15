"""The deadline check (cases.deadlines) on PTB's JobQueue: as soon as the bot starts, then every
`check_every`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes

from cases.deadlines import DeadlineCheck
from cases.service import CaseService

JOB_NAME = "deadline_check"


def register(application: Application[Any, Any, Any, Any, Any, Any], service: CaseService) -> None:
    if application.job_queue is None:
        raise RuntimeError(
            "the deadline check needs PTB's JobQueue: install python-telegram-bot[job-queue]"
        )
    check = DeadlineCheck(service)

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        await check.run()

    # Jobs are added when the bot is built and the scheduler starts later: a repeating job's first
    # run would then fall a whole interval after start, and a one-off run "now" would be dropped
    # as a misfire after APScheduler's default second of grace. So the run at start is its own
    # one-off job that is never too late, and the repeating one begins an interval after it.
    late_is_fine = {"misfire_grace_time": None, "coalesce": True}
    application.job_queue.run_once(run, when=0, name=JOB_NAME, job_kwargs=late_is_fine)
    application.job_queue.run_repeating(
        run,
        interval=service.policy.check_every,
        first=service.policy.check_every,
        name=JOB_NAME,
        job_kwargs=late_is_fine,
    )
