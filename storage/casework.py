"""What staff and supervisors work from: the cases in their scope, most urgent first.

A case is ordered by the deadline it is waiting on now (storage.lifecycle); cases waiting on
none come last. The scope is the caller's decision (units of staff, regions of supervisors,
everything for admins); this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from storage import lifecycle
from storage.complaints import normalize_ticket
from storage.db import Database
from storage.models import Complaint, ComplaintUnit, Unit
from storage.reports import CaseFilter


@dataclass(frozen=True)
class Scope:
    """Whose cases: assigned to any of `unit_ids`, or filed in or below any of `regions`;
    `everything` for admins."""

    unit_ids: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    everything: bool = False

    def condition(self) -> ColumnElement[bool]:
        if self.everything:
            return Complaint.id.is_not(None)
        parts: list[ColumnElement[bool]] = []
        if self.unit_ids:
            parts.append(
                Complaint.id.in_(
                    select(ComplaintUnit.complaint_id).where(
                        ComplaintUnit.unit_id.in_(list(self.unit_ids))
                    )
                )
            )
        parts.extend(
            Complaint.region_path.contains(f"/{region}/", autoescape=True)
            for region in self.regions
        )
        return or_(*parts) if parts else false()


@dataclass(frozen=True)
class QueuePage:
    cases: list[Complaint]  # with units loaded
    total: int
    page: int  # 0-based, clamped to the last page
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class CaseworkQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def queue(
        self,
        scope: Scope,
        *,
        filter: CaseFilter | None = None,
        overdue_at: datetime | None = None,
        text: str | None = None,
        page: int = 0,
        per_page: int = 5,
    ) -> QueuePage:
        """Cases in `scope` matching `filter` (open cases when it names no status), only those
        overdue at `overdue_at` if given, and only those whose ticket is `text` or whose
        description contains it."""
        filter = filter or CaseFilter(statuses=lifecycle.OPEN_STATUSES)
        where = [scope.condition(), *filter.conditions()]
        if overdue_at is not None:
            where.append(lifecycle.overdue(overdue_at))
        if text and text.strip():
            ticket = normalize_ticket(text)
            where.append(
                Complaint.ticket == ticket
                if ticket
                else Complaint.description.contains(text.strip(), autoescape=True)
            )
        due = lifecycle.pending_due()
        async with self.db.session() as session:
            total = (
                await session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
            )
            page = max(0, min(page, -(-total // per_page) - 1))
            query: Select[Complaint] = (
                select(Complaint)
                .where(*where)
                .options(selectinload(Complaint.assignments).joinedload(ComplaintUnit.unit))
                .order_by(due.is_(None), due, Complaint.created_at, Complaint.id)
                .offset(page * per_page)
                .limit(per_page)
            )
            cases = list(await session.scalars(query))
        return QueuePage(cases, total, page, per_page)

    async def region_units(self, region: str) -> list[str]:
        """Names of the units on record for `region` (assigned a case or given staff), by name."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Unit.name).where(Unit.region == region).order_by(Unit.name)
            )
            return list(rows)
