"""Statistics and exports over the complaints, for supervisors and admins.

Counts are aggregated in SQL (portable SQLite/PostgreSQL, no JSON or date functions beyond
SQLAlchemy's own), in few round trips: one grouped count of the cases gives the breakdowns by
status, category and region, and one pass over the events gives the three rates. The rates are
read from the append-only event log, not from mutable columns, so that they say what actually
happened:

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

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
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
        async with self.db.session() as session:
            statuses_now: Counter[str] = Counter()
            categories: Counter[str] = Counter()
            regions: Counter[str] = Counter()
            for status, category, region, n in await session.execute(
                select(Complaint.status, Complaint.category, Complaint.region, func.count())
                .where(*where)
                .group_by(Complaint.status, Complaint.category, Complaint.region)
            ):
                statuses_now[status] += n
                categories[category] += n
                regions[region] += n
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
            responded = 0
            last_status: Counter[str] = Counter()
            rated: Counter[str | None] = Counter()
            for latest, rating, cases, with_rating, acted in await session.execute(
                _event_summary(where)
            ):
                responded += int(acted or 0)
                if latest is not None:
                    last_status[latest] += cases
                if with_rating:
                    rated[rating] += with_rating
        by_status, ratings = _ranked(statuses_now), _ranked(rated)
        total = sum(n for _, n in by_status)
        overdue = []
        for ticket, status, accept_due, resolve_due, unit in overdue_rows:
            pending = lifecycle.pending_deadline(status, accept_due, resolve_due)
            # The query kept only cases whose pending due moment has passed, so it is set.
            if pending is not None and pending[1] is not None:
                overdue.append(OverdueCase(ticket, unit, pending[0], pending[1]))
        overdue.sort(key=lambda c: (c.due, c.ticket))
        return Statistics(
            total=total,
            by_status=[(ComplaintStatus(s), n) for s, n in by_status],
            by_unit=by_unit,
            by_category=_ranked(categories),
            by_region=_ranked(regions),
            overdue_accept=sum(c.deadline == "accept" for c in overdue),
            overdue_resolve=sum(c.deadline == "resolve" for c in overdue),
            most_overdue=overdue[:overdue_listed],
            responded=Rate(responded, total),
            resolved=Rate(
                sum(n for s, n in last_status.items() if s in SOLVED),
                sum(n for s, n in last_status.items() if s not in NOT_TO_SOLVE),
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


def _event_summary(
    where: list[ColumnElement[bool]],
) -> Select[str | None, str | None, int, int, int]:
    """The cases in scope counted by their latest status and latest 回访 rating, from one pass
    over their events: (latest to_status, rating, cases, cases with a 回访, cases staff or a
    supervisor responded to). The three figures were three passes over the event log before."""
    event = ComplaintEvent
    per_case = select(
        func.max(
            case(
                (
                    and_(
                        event.action.in_(sorted(RESPONSE_ACTIONS)),
                        event.actor_kind.in_(RESPONDERS),
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("responded"),
        func.max(case((event.to_status.is_not(None), event.id))).label("last_status"),
        func.max(case((event.action == FEEDBACK, event.id))).label("last_feedback"),
    )
    if where:  # every event belongs to a case, so an unfiltered scope needs no lookup
        per_case = per_case.where(event.complaint_id.in_(select(Complaint.id).where(*where)))
    cases = per_case.group_by(event.complaint_id).subquery()
    status_event, feedback_event = aliased(ComplaintEvent), aliased(ComplaintEvent)
    rating = feedback_event.payload["rating"].as_string()
    return (
        select(
            status_event.to_status,
            rating,
            func.count(),
            func.count(cases.c.last_feedback),
            func.sum(cases.c.responded),
        )
        .select_from(cases)
        # The kind repeated in each join lets PostgreSQL hash only those events, not all.
        .outerjoin(
            status_event,
            and_(status_event.id == cases.c.last_status, status_event.to_status.is_not(None)),
        )
        .outerjoin(
            feedback_event,
            and_(feedback_event.id == cases.c.last_feedback, feedback_event.action == FEEDBACK),
        )
        .group_by(status_event.to_status, rating)
    )


def _ranked(counts: Counter[_Key]) -> list[tuple[_Key, int]]:
    """(key, count) pairs, largest count first, then by key."""
    return sorted(((key, int(n)) for key, n in counts.items()), key=lambda r: (-r[1], str(r[0])))
