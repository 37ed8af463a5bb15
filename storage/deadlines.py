"""Which complaints the deadline check must act on now, read afresh from the database each time.

Nothing is kept in memory between checks: what was already done is in the event log (a REMIND
or ESCALATE event names the deadline it was about, and its value), so after a restart the next
check finds exactly what is still owed, including what came due while the bot was down.
Every query returns at most `limit` cases, earliest deadline first: a large backlog is worked
off over several checks instead of holding one up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Select, and_, cast, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from storage.complaints import ESCALATE, FEEDBACK, REMIND
from storage.db import Database
from storage.lifecycle import ACCEPT, RESOLVE, due_column, waiting_on
from storage.models import Complaint, ComplaintEvent, ComplaintStatus, ComplaintUnit

S = ComplaintStatus
DEFAULT_LIMIT = 200


def overdue_reason(deadline: str) -> str:
    """The ESCALATE reason for a missed deadline ("overdue_accept", "overdue_resolve")."""
    return f"overdue_{deadline}"


class _Moment(FunctionElement[datetime]):
    """A timestamp or an ISO text as a comparable moment, on PostgreSQL as on SQLite.

    The event payload keeps the deadline as ISO text; the complaint keeps it as a timestamp.
    PostgreSQL casts both to timestamptz; SQLite's datetime() turns both into UTC text.
    """

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(_Moment)
def _moment_default(element: _Moment, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(cast(next(iter(element.clauses)), DateTime(timezone=True)), **kw)


@compiles(_Moment, "sqlite")
def _moment_sqlite(element: _Moment, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.datetime(next(iter(element.clauses))), **kw)


@dataclass(frozen=True)
class DueCase:
    """An open case and the deadline it is about; `complaint.assignments` are loaded."""

    complaint: Complaint
    deadline: str  # ACCEPT or RESOLVE
    due: datetime


@dataclass(frozen=True)
class ExpiredFeedback:
    """A resolved case whose 回访 window has passed; `rated` if the filer answered since resolving."""

    complaint: Complaint
    rated: bool


def _already(action: str, key: str, value: str, due: Any) -> ColumnElement[bool]:
    """An event `action` with payload[key] == value was recorded for this value of the deadline."""
    return exists().where(
        ComplaintEvent.complaint_id == Complaint.id,
        ComplaintEvent.action == action,
        ComplaintEvent.payload[key].as_string() == value,
        _Moment(ComplaintEvent.payload["due"].as_string()) == _Moment(due),
    )


def _with_units() -> Select[Complaint]:
    return select(Complaint).options(
        selectinload(Complaint.assignments).joinedload(ComplaintUnit.unit)
    )


class DeadlineQueries:
    """The deadline check's reads; writes go through ComplaintRepository (events, transitions)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def reminders_due(
        self, now: datetime, windows: dict[str, timedelta], *, limit: int = DEFAULT_LIMIT
    ) -> list[DueCase]:
        """Open cases whose pending deadline falls within its reminder window and is not yet
        past, and that were not reminded of this deadline value."""
        found = []
        for deadline, window in windows.items():
            due = due_column(deadline)
            found += await self._pending(
                deadline,
                and_(due > now, due <= now + window),
                _already(REMIND, "deadline", deadline, due),
                limit,
            )
        return found

    async def overdue(self, now: datetime, *, limit: int = DEFAULT_LIMIT) -> list[DueCase]:
        """Open cases past their pending deadline that were not escalated for this deadline value."""
        found = []
        for deadline in (ACCEPT, RESOLVE):
            due = due_column(deadline)
            found += await self._pending(
                deadline,
                due <= now,
                _already(ESCALATE, "reason", overdue_reason(deadline), due),
                limit,
            )
        return found

    async def _pending(
        self, deadline: str, when: ColumnElement[bool], done: ColumnElement[bool], limit: int
    ) -> list[DueCase]:
        due = due_column(deadline)
        query = (
            _with_units()
            .where(waiting_on(deadline), due.is_not(None), when, ~done)
            .order_by(due, Complaint.id)
            .limit(limit)
        )
        async with self.db.session() as session:
            rows = list(await session.scalars(query))
        return [DueCase(c, deadline, getattr(c, due.key)) for c in rows]

    async def feedback_expired(
        self, now: datetime, window: timedelta, *, limit: int = DEFAULT_LIMIT
    ) -> list[ExpiredFeedback]:
        """Resolved cases whose 回访 window (from resolution) has passed, oldest first."""
        rated = exists().where(
            ComplaintEvent.complaint_id == Complaint.id,
            ComplaintEvent.action == FEEDBACK,
            ComplaintEvent.created_at >= Complaint.resolved_at,
        )
        query = (
            _with_units()
            .add_columns(rated)
            .where(Complaint.status == S.RESOLVED, Complaint.resolved_at <= now - window)
            .order_by(Complaint.resolved_at, Complaint.id)
            .limit(limit)
        )
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        return [ExpiredFeedback(complaint, bool(was_rated)) for complaint, was_rated in rows]
