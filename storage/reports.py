"""Statistics and exports over the complaints, for supervisors and admins.

Counts are aggregated in SQL (portable SQLite/PostgreSQL, no JSON or date functions beyond
SQLAlchemy's own), and the rates are read from the append-only event log, not from mutable
columns, so that they say what actually happened:

- 响应率 (responded): cases with at least one action by staff or a supervisor (accepted,
  in_progress, transferred, rejected, duplicate, reply, resolved) ÷ all cases.
- 解决率 (resolved): cases whose latest status event is resolved or closed (a reopened case
  no longer counts until it is resolved again) ÷ cases whose latest status is not rejected or
  duplicate.
- 满意率 (satisfied): cases whose latest 回访 (feedback) rating is satisfied or basically
  satisfied ÷ cases with a rating.

A case is overdue when its pending deadline has passed: the accept deadline while it waits to
be accepted (submitted, transferred), the resolve deadline while it is worked on (accepted,
in_progress, reopened).

Exports never read the filer's identity columns, and stream in id order, a batch at a time,
so memory stays bounded however many cases match.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    distinct,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage import lifecycle
from storage.complaints import BASICALLY_SATISFIED, FEEDBACK, REPLY, SATISFIED
from storage.db import Database
from storage.models import (
    ActorKind,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    ComplaintUnit,
    Unit,
)

S = ComplaintStatus
RESPONSE_ACTIONS = frozenset(
    {
        S.ACCEPTED.value,
        S.IN_PROGRESS.value,
        S.TRANSFERRED.value,
        S.REJECTED.value,
        S.DUPLICATE.value,
        S.RESOLVED.value,
        REPLY,
    }
)
RESPONDERS = (ActorKind.STAFF, ActorKind.SUPERVISOR)
SOLVED = frozenset({S.RESOLVED.value, S.CLOSED.value})
NOT_TO_SOLVE = frozenset({S.REJECTED.value, S.DUPLICATE.value})
GOOD_RATINGS = frozenset({SATISFIED, BASICALLY_SATISFIED})
EXPORT_BATCH = 500

_Key = TypeVar("_Key")
_Columns = TypeVarTuple("_Columns")


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a report covers. `scope` None means every region (admins)."""

    scope: tuple[str, ...] | None = (
        None  # supervised regions: a case matches "/<region>/" in its path
    )
    region: str | None = None
    since: datetime | None = None  # filed at or after
    until: datetime | None = None  # filed before
    statuses: frozenset[ComplaintStatus] = frozenset()
    unit: str | None = None  # one of the assigned units
    category: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.scope is not None:
            where.append(
                or_(*(_in_region(r) for r in self.scope)) if self.scope else Complaint.id.is_(None)
            )
        if self.region:
            where.append(_in_region(self.region))
        if self.since is not None:
            where.append(Complaint.created_at >= self.since)
        if self.until is not None:
            where.append(Complaint.created_at < self.until)
        if self.statuses:
            where.append(Complaint.status.in_(sorted(self.statuses)))
        if self.category:
            where.append(Complaint.category == self.category)
        if self.unit:
            # Aliases, so that the subquery does not correlate with a query joining the primary unit.
            assigned, unit = aliased(ComplaintUnit), aliased(Unit)
            where.append(
                exists().where(
                    assigned.complaint_id == Complaint.id,
                    assigned.unit_id == unit.id,
                    unit.name == self.unit,
                )
            )
        return where


def _in_region(region: str) -> ColumnElement[bool]:
    return Complaint.region_path.contains(f"/{region}/", autoescape=True)


@dataclass(frozen=True)
class Rate:
    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else 100.0 * self.count / self.total


@dataclass(frozen=True)
class UnitCount:
    name: str | None  # None: no unit assigned
    region: str | None
    count: int


@dataclass(frozen=True)
class OverdueCase:
    ticket: str
    unit: str | None
    deadline: str  # "accept" | "resolve"
    due: datetime


@dataclass(frozen=True)
class Statistics:
    total: int
    by_status: list[tuple[ComplaintStatus, int]]
    by_unit: list[UnitCount]
    by_category: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    overdue_accept: int
    overdue_resolve: int
    most_overdue: list[OverdueCase]
    responded: Rate
    resolved: Rate
    satisfied: Rate
    ratings: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRow:
    """One case as exported: no name, phone or Telegram id of the filer."""

    ticket: str
    status: ComplaintStatus
    category: str
    region: str
    township: str | None
    village: str | None
    units: tuple[str, ...]  # primary first
    anonymous: bool
    description: str
    created_at: datetime
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    resolved_at: datetime | None
    rating: str | None  # latest 回访 rating


class CaseReports:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def statistics(
        self, case_filter: CaseFilter, now: datetime, *, overdue_listed: int = 10
    ) -> Statistics:
        where = case_filter.conditions()
        scoped_ids = select(Complaint.id).where(*where)
        async with self.db.session() as session:
            by_status = await _counts(
                session,
                select(Complaint.status, func.count()).where(*where).group_by(Complaint.status),
            )
            by_category = await _counts(
                session,
                select(Complaint.category, func.count()).where(*where).group_by(Complaint.category),
            )
            by_region = await _counts(
                session,
                select(Complaint.region, func.count()).where(*where).group_by(Complaint.region),
            )
            unit_rows = await session.execute(
                _with_primary_unit(select(Unit.name, Unit.region, func.count()))
                .where(*where)
                .group_by(Unit.name, Unit.region)
            )
            by_unit = sorted(
                (UnitCount(name, region, n) for name, region, n in unit_rows),
                key=lambda u: (-u.count, u.name is None, u.name or "", u.region or ""),
            )
            overdue_rows = (
                await session.execute(
                    _with_primary_unit(
                        select(
                            Complaint.ticket,
                            Complaint.status,
                            Complaint.accept_due_at,
                            Complaint.resolve_due_at,
                            Unit.name,
                        )
                    ).where(*where, lifecycle.overdue(now))
                )
            ).all()
            responded = await session.scalar(
                select(func.count(distinct(ComplaintEvent.complaint_id))).where(
                    ComplaintEvent.complaint_id.in_(scoped_ids),
                    ComplaintEvent.action.in_(sorted(RESPONSE_ACTIONS)),
                    ComplaintEvent.actor_kind.in_(RESPONDERS),
                )
            )
            last_status = await _counts(
                session,
                _latest(
                    scoped_ids, ComplaintEvent.to_status.is_not(None), ComplaintEvent.to_status
                ),
            )
            ratings = await _counts(
                session,
                _latest(
                    scoped_ids,
                    ComplaintEvent.action == FEEDBACK,
                    ComplaintEvent.payload["rating"].as_string(),
                ),
            )
        total = sum(n for _, n in by_status)
        overdue = []
        for ticket, status, accept_due, resolve_due, unit in overdue_rows:
            pending = lifecycle.pending_deadline(status, accept_due, resolve_due)
            # The query kept only cases whose pending due moment has passed, so it is set.
            if pending is not None and pending[1] is not None:
                overdue.append(OverdueCase(ticket, unit, pending[0], pending[1]))
        overdue.sort(key=lambda c: (c.due, c.ticket))
        statuses = dict(last_status)
        return Statistics(
            total=total,
            by_status=[(ComplaintStatus(s), n) for s, n in by_status],
            by_unit=by_unit,
            by_category=by_category,
            by_region=by_region,
            overdue_accept=sum(c.deadline == "accept" for c in overdue),
            overdue_resolve=sum(c.deadline == "resolve" for c in overdue),
            most_overdue=overdue[:overdue_listed],
            responded=Rate(responded or 0, total),
            resolved=Rate(
                sum(n for s, n in statuses.items() if s in SOLVED),
                sum(n for s, n in statuses.items() if s not in NOT_TO_SOLVE),
            ),
            satisfied=Rate(
                sum(n for r, n in ratings if r in GOOD_RATINGS), sum(n for _, n in ratings)
            ),
            ratings={r: n for r, n in ratings if r is not None},
        )

    async def case_rows(
        self, case_filter: CaseFilter, *, batch: int = EXPORT_BATCH
    ) -> AsyncIterator[CaseRow]:
        """Every matching case in filing (id) order, fetched `batch` at a time (keyset paging)."""
        where = case_filter.conditions()
        after = 0
        while True:
            async with self.db.session() as session:
                rows = (
                    await session.execute(
                        select(
                            Complaint.id,
                            Complaint.ticket,
                            Complaint.status,
                            Complaint.category,
                            Complaint.region,
                            Complaint.township,
                            Complaint.village,
                            Complaint.anonymous,
                            Complaint.description,
                            Complaint.created_at,
                            Complaint.accept_due_at,
                            Complaint.resolve_due_at,
                            Complaint.resolved_at,
                        )
                        .where(*where, Complaint.id > after)
                        .order_by(Complaint.id)
                        .limit(batch)
                    )
                ).all()
                if not rows:
                    return
                ids = [row.id for row in rows]
                units: dict[int, list[str]] = {}
                for complaint_id, name in await session.execute(
                    select(ComplaintUnit.complaint_id, Unit.name)
                    .join(Unit, Unit.id == ComplaintUnit.unit_id)
                    .where(ComplaintUnit.complaint_id.in_(ids))
                    .order_by(ComplaintUnit.complaint_id, ComplaintUnit.position)
                ):
                    units.setdefault(complaint_id, []).append(name)
                latest_feedback = (
                    select(func.max(ComplaintEvent.id))
                    .where(
                        ComplaintEvent.complaint_id.in_(ids),
                        ComplaintEvent.action == FEEDBACK,
                    )
                    .group_by(ComplaintEvent.complaint_id)
                )
                ratings: dict[int, str] = dict(
                    (
                        await session.execute(
                            select(
                                ComplaintEvent.complaint_id,
                                ComplaintEvent.payload["rating"].as_string(),
                            ).where(ComplaintEvent.id.in_(latest_feedback))
                        )
                    ).all()
                )
            for row in rows:
                yield CaseRow(
                    row.ticket,
                    ComplaintStatus(row.status),
                    row.category,
                    row.region,
                    row.township,
                    row.village,
                    tuple(units.get(row.id, ())),
                    row.anonymous,
                    row.description,
                    row.created_at,
                    row.accept_due_at,
                    row.resolve_due_at,
                    row.resolved_at,
                    ratings.get(row.id),
                )
            after = ids[-1]


def _with_primary_unit(query: Select[*_Columns]) -> Select[*_Columns]:
    """`query` over complaints, outer-joined to their primary (position 0) unit."""
    return (
        query.select_from(Complaint)
        .outerjoin(
            ComplaintUnit,
            and_(ComplaintUnit.complaint_id == Complaint.id, ComplaintUnit.position == 0),
        )
        .outerjoin(Unit, Unit.id == ComplaintUnit.unit_id)
    )


def _latest(
    scoped_ids: Select[int], kind: ColumnElement[bool], value: SQLColumnExpression[_Key]
) -> Select[_Key, int]:
    """How many cases have each `value` on their latest event of `kind`."""
    last = (
        select(func.max(ComplaintEvent.id).label("id"))
        .where(ComplaintEvent.complaint_id.in_(scoped_ids), kind)
        .group_by(ComplaintEvent.complaint_id)
        .subquery()
    )
    return (
        select(value, func.count())
        .select_from(ComplaintEvent)
        .join(last, ComplaintEvent.id == last.c.id)
        .group_by(value)
    )


async def _counts(session: AsyncSession, query: Select[_Key, int]) -> list[tuple[_Key, int]]:
    """(key, count) rows, largest count first, then by key."""
    rows = [(key, int(n)) for key, n in await session.execute(query)]
    return sorted(rows, key=lambda r: (-r[1], str(r[0])))
