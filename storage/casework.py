"""What staff and supervisors work from: the open cases of their units or regions, most urgent first.

A case is ordered by the deadline it is waiting on now:
- not yet accepted (submitted, transferred): the 受理 deadline;
- accepted or in progress: the 办结 deadline;
- reopened (the filer was not satisfied): the new 办结 deadline set when it was reopened. The unit
  accepted the case once already; what is owed now is a better result, on time.
Cases without a deadline come last. Role checks are the caller's; this only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from storage.complaints import OPEN_STATUSES
from storage.db import Database
from storage.models import Complaint, ComplaintStatus, ComplaintUnit, Unit

AWAITING_ACCEPTANCE = frozenset({ComplaintStatus.SUBMITTED, ComplaintStatus.TRANSFERRED})
ACCEPT, RESOLVE = "accept", "resolve"


def pending_deadline(complaint: Complaint) -> tuple[str, datetime | None]:
    """Which deadline the case is waiting on ("accept" or "resolve") and when it falls."""
    if ComplaintStatus(complaint.status) in AWAITING_ACCEPTANCE:
        return ACCEPT, complaint.accept_due_at
    return RESOLVE, complaint.resolve_due_at


def _pending_due() -> ColumnElement[datetime]:
    """pending_deadline() in SQL, so the database sorts and pages."""
    return case(
        (Complaint.status.in_([s.value for s in AWAITING_ACCEPTANCE]), Complaint.accept_due_at),
        else_=Complaint.resolve_due_at,
    )


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

    async def queue(self, *, unit_ids: Sequence[int] = (), regions: Sequence[str] = (),
                    page: int = 0, per_page: int = 5) -> QueuePage:
        """Open cases assigned to any of `unit_ids` or filed in (or below) any of `regions`."""
        scopes = []
        if unit_ids:
            scopes.append(Complaint.id.in_(
                select(ComplaintUnit.complaint_id).where(ComplaintUnit.unit_id.in_(list(unit_ids)))))
        scopes.extend(Complaint.region_path.contains(f"/{region}/", autoescape=True) for region in regions)
        if not scopes:
            return QueuePage([], 0, 0, per_page)
        where = (Complaint.status.in_([s.value for s in OPEN_STATUSES]), or_(*scopes))
        due = _pending_due()
        async with self.db.session() as session:
            total = await session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0
            page = max(0, min(page, -(-total // per_page) - 1))
            query: Select[tuple[Complaint]] = (
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
            rows = await session.scalars(select(Unit.name).where(Unit.region == region).order_by(Unit.name))
            return list(rows)
