"""Deadlines that are kept: remind the unit before, escalate when overdue, close after 回访.

A job on PTB's JobQueue runs every `DeadlinePolicy.check_every`, the first time at start.
Each run recomputes everything from the database at that moment: which cases are near or
past a deadline, and — from the REMIND / ESCALATE / closed events — what was already done
about them. Nothing lives in memory, so a restart loses no reminder (what came due while
the bot was down is sent on the first run) and sends none twice. "Now" is the repository's
clock, the same one that stamped the deadlines (tests move it).

Order within a case: people are told first, then the event is recorded. A crash between the
two can repeat one message, but never lose one. A message that could not be sent for a
passing reason (network) fails the case, which is retried on the next run; a recipient who
blocked the bot is skipped by handlers.notify.send_to. An escalation with no supervisor
registered for the region (or above) is still recorded, with "notified": 0 and a warning in
the log, so admins can see it in the statistics; staff are told it is on record.
One failing case never stops the others.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.ext import Application, ContextTypes

from handlers import deadline_texts as texts
from handlers import texts as resident_texts
from handlers.formatting import china_time, escape
from handlers.notify import send_to, supervisors, tell_filer, unit_staff
from storage.complaints import ESCALATE, REMIND, SYSTEM, InvalidTransition
from storage.db import StorageUnavailable
from storage.deadlines import (
    ACCEPT,
    DEFAULT_LIMIT,
    RESOLVE,
    DeadlineQueries,
    DueCase,
    ExpiredFeedback,
    overdue_reason,
)
from storage.models import Complaint, ComplaintStatus

if TYPE_CHECKING:
    from handlers.complaints import ComplaintServices

log = logging.getLogger(__name__)
JOB_NAME = "deadline_check"


def duration(span: timedelta) -> str:
    """A span in words, to the hour: 约 2 天 5 小时."""
    hours = int(span.total_seconds() // 3600)
    if hours < 1:
        return texts.LESS_THAN_AN_HOUR
    days, hours = divmod(hours, 24)
    if not days:
        return texts.HOURS.format(hours=hours)
    return texts.DAYS_HOURS.format(days=days, hours=hours) if hours else texts.DAYS.format(days=days)


class DeadlineCheck:
    """One check over all open cases; called by the JobQueue, or directly with a bot."""

    def __init__(self, services: ComplaintServices, *, batch: int = DEFAULT_LIMIT) -> None:
        if services.access is None:
            raise ValueError("the deadline check needs the role repository (services.access)")
        self.repo = services.repository
        self.roles = services.access.roles
        self.policy = services.deadlines
        self.queries = DeadlineQueries(self.repo.db)
        self.batch = batch  # cases per kind per run; the rest wait for the next run
        self.labels = {name: resident_texts.CATEGORY_BUTTONS.get(name, category.label)
                       for name, category in services.router.lexicon.categories.items()}

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run(context.bot)

    async def run(self, bot: Bot) -> None:
        """One check, in one process at a time: when another bot or web process sharing the
        database is checking right now, this tick does nothing, so no reminder goes out twice."""
        try:
            async with self.repo.db.exclusive("deadline_check") as mine:
                if not mine:
                    log.debug("deadline check skipped: another process is running it")
                    return
                now = self.repo.clock()
                try:
                    reminders = await self.queries.reminders_due(
                        now, {ACCEPT: self.policy.accept_reminder, RESOLVE: self.policy.resolve_reminder},
                        limit=self.batch)
                    overdue = await self.queries.overdue(now, limit=self.batch)
                    expired = await self.queries.feedback_expired(now, self.policy.feedback_window, limit=self.batch)
                except StorageUnavailable as exc:
                    log.warning("deadline check skipped, database unavailable (next run retries): %s", exc)
                    return
                for case in reminders:
                    await self._each(case.complaint, self._remind, bot, case, now)
                for case in overdue:
                    await self._each(case.complaint, self._escalate, bot, case, now)
                for item in expired:
                    await self._each(item.complaint, self._close, bot, item)
                if reminders or overdue or expired:
                    log.info("deadline check: %d reminders, %d escalations, %d closed after 回访",
                             len(reminders), len(overdue), len(expired))
        except StorageUnavailable as exc:
            log.warning("deadline check skipped, database unavailable (next run retries): %s", exc)

    @staticmethod
    async def _each(complaint: Complaint, step: Any, *args: Any) -> None:
        try:
            await step(*args)
        except InvalidTransition as exc:  # someone acted on the case meanwhile
            log.info("deadline check: %s changed meanwhile: %s", complaint.ticket, exc)
        except Exception:
            log.exception("deadline check failed for %s; the next run retries it", complaint.ticket)

    def _facts(self, case: DueCase) -> dict[str, str]:
        complaint = case.complaint
        return {
            "ticket": escape(complaint.ticket),
            "category": escape(self.labels.get(complaint.category, complaint.category)),
            "region": escape(complaint.region),
            "units": escape("、".join(a.unit.name for a in complaint.assignments) or texts.NO_UNIT),
            "deadline": texts.DEADLINE_NAMES[case.deadline],
            "due": china_time(case.due),
        }

    async def _remind(self, bot: Bot, case: DueCase, now: datetime) -> None:
        staff = await unit_staff(self.roles, case.complaint)
        text = texts.REMINDER.format(**self._facts(case), left=duration(case.due - now),
                                     todo=texts.DEADLINE_TODO[case.deadline])
        reached = await send_to(bot, staff, text)
        if not reached:
            log.warning("reminder for %s (%s due %s) reached no staff", case.complaint.ticket, case.deadline, case.due)
        await self.repo.append_event(case.complaint.ticket, SYSTEM, REMIND, {
            "deadline": case.deadline, "due": case.due.isoformat(), "notified": len(reached)})

    async def _escalate(self, bot: Bot, case: DueCase, now: datetime) -> None:
        facts = {**self._facts(case), "over": duration(now - case.due)}
        reached = await send_to(bot, await supervisors(self.roles, case.complaint), texts.ESCALATION.format(**facts))
        if not reached:
            log.warning("escalation of %s (%s overdue) reached no supervisor of %s; recorded for the statistics",
                        case.complaint.ticket, case.deadline, case.complaint.region_path)
        to_staff = texts.ESCALATED_TO_STAFF if reached else texts.ESCALATED_TO_STAFF_NO_SUPERVISOR
        await send_to(bot, await unit_staff(self.roles, case.complaint), to_staff.format(**facts))
        await self.repo.append_event(case.complaint.ticket, SYSTEM, ESCALATE, {
            "reason": overdue_reason(case.deadline), "due": case.due.isoformat(), "notified": len(reached)})

    async def _close(self, bot: Bot, item: ExpiredFeedback) -> None:
        public = texts.CLOSED_PUBLIC_RATED if item.rated else texts.CLOSED_PUBLIC_UNRATED
        complaint = await self.repo.transition(item.complaint.ticket, ComplaintStatus.CLOSED, SYSTEM,
                                               payload={"public": public})
        told = texts.CLOSED_TO_FILER_RATED if item.rated else texts.CLOSED_TO_FILER_UNRATED
        await tell_filer(bot, complaint, told.format(ticket=escape(complaint.ticket)))


def register(application: Application[Any, Any, Any, Any, Any, Any], services: ComplaintServices) -> None:
    """Run the deadline check every `check_every`, the first time as soon as the bot starts."""
    if application.job_queue is None:
        raise RuntimeError("the deadline check needs PTB's JobQueue: install python-telegram-bot[job-queue]")
    application.job_queue.run_repeating(DeadlineCheck(services), interval=services.deadlines.check_every,
                                        first=0, name=JOB_NAME)
