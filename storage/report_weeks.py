"""Cases per week, for the dashboard's chart: filed, resolved, and due but not resolved in time.

Weeks run Monday to Sunday in China time. China keeps no daylight saving time, so a week is
the half-open span between two Mondays' midnights. One query scans the cases once, gives each
the week of each of its three moments (a CASE over those bounds, with no date functions, which
SQLite and PostgreSQL spell differently) and counts the combinations; the few rows back are
summed here. Reading every timestamp back and bucketing it in Python took two to three
times as long at 20,000 cases.

- filed: cases created in the week;
- resolved: cases whose resolved_at falls in the week (the latest resolution of a case);
- overdue: cases whose resolve deadline fell in the week (and has passed), that were not
  resolved by it, rejected and duplicate cases left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

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
        bounds = [datetime.combine(monday, time(0), CHINA_TZ) for monday in mondays]
        bounds.append(bounds[-1] + timedelta(days=7))
        where = case_filter.conditions()
        missed = and_(
            Complaint.resolve_due_at < now,
            Complaint.status.not_in(NOT_TO_SOLVE),
            or_(
                Complaint.resolved_at.is_(None),
                Complaint.resolved_at > Complaint.resolve_due_at,
            ),
        )

        def week_of(
            moment: InstrumentedAttribute[datetime | None], *also: ColumnElement[bool]
        ) -> ColumnElement[int]:
            """The index of the week `moment` falls in; NULL outside the weeks or if not `also`."""
            week = case(*((moment < high, i) for i, high in enumerate(bounds[1:])))
            return case((and_(moment >= bounds[0], moment < bounds[-1], *also), week))

        moments = (
            select(
                week_of(Complaint.created_at).label("filed"),
                week_of(Complaint.resolved_at).label("resolved"),
                week_of(Complaint.resolve_due_at, missed).label("overdue"),
            )
            .where(
                *where,
                or_(
                    Complaint.created_at >= bounds[0],
                    Complaint.resolved_at >= bounds[0],
                    Complaint.resolve_due_at >= bounds[0],
                ),
            )
            .subquery()
        )
        counts = [[0, 0, 0] for _ in mondays]
        async with self.db.session() as session:
            for *indexes, n in await session.execute(
                select(
                    moments.c.filed, moments.c.resolved, moments.c.overdue, func.count()
                ).group_by(moments.c.filed, moments.c.resolved, moments.c.overdue)
            ):
                for series, week in enumerate(indexes):
                    if week is not None:
                        counts[week][series] += n
        return [Week(monday, *counts[i]) for i, monday in enumerate(mondays)]
