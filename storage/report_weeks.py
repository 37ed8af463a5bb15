"""Cases per week, for the dashboard's chart: filed, resolved, and due but not resolved in time.

Weeks run Monday to Sunday in China time. Only the timestamps of the weeks shown are read
(three narrow queries on indexed-or-small columns), and bucketed here rather than with
date functions that SQLite and PostgreSQL spell differently.

- filed: cases created in the week;
- resolved: cases whose resolved_at falls in the week (the latest resolution of a case);
- overdue: cases whose resolve deadline fell in the week (and has passed), that were not
  resolved by it, rejected and duplicate cases left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from storage.db import Database
from storage.models import Complaint, ComplaintStatus
from storage.reports import CaseFilter
from storage.workdays import CHINA_TZ

NOT_TO_SOLVE = (ComplaintStatus.REJECTED, ComplaintStatus.DUPLICATE)


@dataclass(frozen=True)
class Week:
    start: date  # the Monday
    filed: int
    resolved: int
    overdue: int


class WeeklyCounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def weeks(self, case_filter: CaseFilter, now: datetime, count: int = 12) -> list[Week]:
        """The last `count` weeks up to the one containing `now`, oldest first."""
        today = now.astimezone(CHINA_TZ).date()
        mondays = [today - timedelta(days=today.weekday() + 7 * i) for i in reversed(range(count))]
        start = datetime.combine(mondays[0], time(0), CHINA_TZ)
        where = case_filter.conditions()
        async with self.db.session() as session:
            filed = list(
                await session.scalars(
                    select(Complaint.created_at).where(*where, Complaint.created_at >= start)
                )
            )
            resolved = list(
                await session.scalars(
                    select(Complaint.resolved_at).where(*where, Complaint.resolved_at >= start)
                )
            )
            due = (
                await session.execute(
                    select(Complaint.resolve_due_at, Complaint.resolved_at).where(
                        *where,
                        Complaint.resolve_due_at >= start,
                        Complaint.resolve_due_at < now,
                        Complaint.status.not_in(NOT_TO_SOLVE),
                        or_(
                            Complaint.resolved_at.is_(None),
                            Complaint.resolved_at > Complaint.resolve_due_at,
                        ),
                    )
                )
            ).all()
        counts = {monday: [0, 0, 0] for monday in mondays}

        def bucket(moment: datetime | None, column: int) -> None:
            if moment is None:  # nullable column; the queries' comparisons already skip NULL
                return
            day = moment.astimezone(CHINA_TZ).date()
            monday = day - timedelta(days=day.weekday())
            if monday in counts:
                counts[monday][column] += 1

        for filed_at in filed:
            bucket(filed_at, 0)
        for resolved_at in resolved:
            bucket(resolved_at, 1)
        for due_at, _ in due:
            bucket(due_at, 2)
        return [Week(monday, *counts[monday]) for monday in mondays]
