"""The bot's database side: conversation persistence and the complaint services on one Database.

Migrations run before the Application is built (PTB loads persistence in `initialize()`, so the
tables must exist by then): `asyncio.run(upgrade(url))` in the runner, `await upgrade(url)` in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.persistence import DatabasePersistence
from bot.settings import DeadlineSettings
from cases.access import Access
from cases.service import CaseService
from knowledge.complaint_cues import ComplaintCues
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.routing import Router
from storage.complaints import ComplaintRepository
from storage.conversations import KeyValueStore
from storage.db import Database
from storage.models import utcnow
from storage.roles import RoleRepository
from storage.workdays import DEFAULT_HOLIDAYS_FILE, DeadlinePolicy, WorkCalendar


def deadline_policy(deadlines: DeadlineSettings) -> DeadlinePolicy:
    """The complaint deadlines the deadline settings (working days, holidays, reminders) describe."""
    calendar = WorkCalendar.from_file(
        deadlines.holidays_file or DEFAULT_HOLIDAYS_FILE,
        holidays=deadlines.holidays,
        makeup_workdays=deadlines.makeup_workdays,
    )
    return DeadlinePolicy(
        calendar=calendar,
        accept_days=deadlines.accept_working_days,
        transfer_days=deadlines.transfer_working_days,
        resolve_days=deadlines.resolve_working_days,
        resolve_days_by_category=dict(deadlines.resolve_working_days_by_category),
        accept_reminder=timedelta(hours=deadlines.accept_reminder_hours),
        resolve_reminder=timedelta(hours=deadlines.resolve_reminder_hours),
        feedback_window=timedelta(days=deadlines.feedback_window_days),
        check_every=timedelta(seconds=deadlines.check_seconds),
    )


@dataclass
class BotStorage:
    db: Database
    persistence: DatabasePersistence
    cases: CaseService
    cues: ComplaintCues

    @classmethod
    def open(
        cls,
        url: str,
        *,
        corpus_dir: Path | None = None,
        library_dir: Path | None = None,
        router: Router | None = None,
        admin_ids: Iterable[int] = (),
        deadlines: DeadlinePolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        **engine_options: Any,
    ) -> BotStorage:
        """Everything on the (already migrated) database at `url`; routing from `corpus_dir`
        and the documents admins added in `library_dir`.

        `clock` is the one clock of the complaint side (filing times, deadlines, reminders),
        so that tests can move time forward.
        """
        db = Database(url, **engine_options)
        router = router or Router.from_corpus(corpus_dir or DEFAULT_CORPUS, library_dir)
        cases = CaseService(
            ComplaintRepository(db, clock),
            Access(RoleRepository(db, clock), admin_ids),
            router,
            deadlines or DeadlinePolicy(),
        )
        return cls(db, DatabasePersistence(KeyValueStore(db)), cases, ComplaintCues())

    def application_options(self) -> dict[str, Any]:
        """Keyword arguments for `build_application`."""
        return {"persistence": self.persistence, "cases": self.cases, "cues": self.cues}
