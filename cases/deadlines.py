"""Deadlines that are kept: remind the unit before, escalate when overdue, close after 回访.

Each run recomputes everything from the database at that moment: which cases are near or past a
deadline, and — from the REMIND / ESCALATE / closed events — what was already done about them.
Nothing lives in memory, so a restart loses no reminder (what came due while the bot was down is
sent on the first run) and sends none twice. "Now" is the service's clock, the same one that
stamped the deadlines (tests move it).

Order within a case: people are told first, then the event is recorded. A crash between the two
can repeat one message, but never lose one. An escalation with no supervisor registered for the
region (or above) is still recorded, with "notified": 0 and a warning in the log, so admins see it
in the statistics. One failing case never stops the others. Processes sharing a database (the bot and
`python -m bot web`, or two bots) take turns: a tick that finds another process checking does
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from cases.service import CaseService
from storage.complaints import InvalidTransition
from storage.db import StorageUnavailable
from storage.deadlines import DEFAULT_LIMIT, DeadlineQueries
from storage.lifecycle import ACCEPT, RESOLVE
from storage.models import Complaint

log = logging.getLogger(__name__)


class DeadlineCheck:
    """One check over all open cases; the bot runs it on a timer, tests call `run()` directly."""

    def __init__(self, service: CaseService, *, batch: int = DEFAULT_LIMIT) -> None:
        self.service = service
        self.policy = service.policy
        self.queries = DeadlineQueries(service.repo.db)
        self.batch = batch  # cases per kind per run; the rest wait for the next run

    async def run(self) -> None:
        """One check, in one process at a time: when another bot or web process sharing the
        database is checking right now, this tick does nothing, so no reminder goes out twice."""
        try:
            async with self.service.repo.db.exclusive("deadline_check") as mine:
                if not mine:
                    log.debug("deadline check skipped: another process is running it")
                    return
                await self._check()
        except StorageUnavailable as exc:
            log.warning("deadline check skipped, database unavailable (next run retries): %s", exc)

    async def _check(self) -> None:
        now = self.service.now()
        reminders = await self.queries.reminders_due(
            now,
            {ACCEPT: self.policy.accept_reminder, RESOLVE: self.policy.resolve_reminder},
            limit=self.batch,
        )
        overdue = await self.queries.overdue(now, limit=self.batch)
        expired = await self.queries.feedback_expired(
            now, self.policy.feedback_window, limit=self.batch
        )
        for case in reminders:
            await _each(
                case.complaint,
                partial(self.service.remind, case.complaint, case.deadline, case.due),
            )
        for case in overdue:
            await _each(
                case.complaint,
                partial(self.service.escalate, case.complaint, case.deadline, case.due),
            )
        for item in expired:
            await _each(
                item.complaint,
                partial(self.service.close_after_feedback, item.complaint, item.rated),
            )
        if reminders or overdue or expired:
            log.info(
                "deadline check: %d reminders, %d escalations, %d closed after 回访",
                len(reminders),
                len(overdue),
                len(expired),
            )


async def _each(complaint: Complaint, step: Callable[[], Awaitable[object]]) -> None:
    try:
        await step()
    except InvalidTransition as exc:  # someone acted on the case meanwhile
        log.info("deadline check: %s changed meanwhile: %s", complaint.ticket, exc)
    except Exception:
        log.exception("deadline check failed for %s; the next run retries it", complaint.ticket)
