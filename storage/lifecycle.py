"""The complaint lifecycle, once: which status may follow which, and which deadline a case owes.

Everything that asks "is this case open", "may it go to X" or "which deadline is it waiting on"
(the case service, the staff queue, the deadline check, the statistics) reads it from here,
in Python or as the same rule in SQL.

A case waits on its 受理 (accept) deadline until a unit accepts it; from acceptance, and again
after a dissatisfied filer reopens it (which sets a new 办结 deadline), it waits on its 办结
(resolve) deadline. Resolved, closed, rejected and duplicate cases wait on nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, null, or_
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Complaint, ComplaintStatus

S = ComplaintStatus
ALLOWED_TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.TRANSFERRED, S.REJECTED, S.DUPLICATE}),
    S.TRANSFERRED: frozenset({S.ACCEPTED, S.TRANSFERRED, S.REJECTED, S.DUPLICATE}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.TRANSFERRED, S.RESOLVED, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.TRANSFERRED, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.TRANSFERRED, S.RESOLVED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset({S.REOPENED}),
    S.DUPLICATE: frozenset({S.REOPENED}),
}
OPEN_STATUSES = frozenset({S.SUBMITTED, S.TRANSFERRED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED})

ACCEPT, RESOLVE = "accept", "resolve"
# Which deadline an open case is waiting on, by status.
WAITING_ON: dict[str, frozenset[ComplaintStatus]] = {
    ACCEPT: frozenset({S.SUBMITTED, S.TRANSFERRED}),
    RESOLVE: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}),
}


def may_become(status: ComplaintStatus | str, wanted: ComplaintStatus) -> bool:
    return wanted in ALLOWED_TRANSITIONS[S(status)]


def pending_deadline(
    status: ComplaintStatus | str, accept_due: datetime | None, resolve_due: datetime | None
) -> tuple[str, datetime | None] | None:
    """("accept" | "resolve", due) for an open case; None for a case that waits on nothing."""
    status = S(status)
    if status in WAITING_ON[ACCEPT]:
        return ACCEPT, accept_due
    if status in WAITING_ON[RESOLVE]:
        return RESOLVE, resolve_due
    return None


def due_column(deadline: str) -> InstrumentedAttribute[datetime | None]:
    return Complaint.accept_due_at if deadline == ACCEPT else Complaint.resolve_due_at


def waiting_on(deadline: str) -> ColumnElement[bool]:
    """SQL: the case is waiting on `deadline` now."""
    return Complaint.status.in_(sorted(s.value for s in WAITING_ON[deadline]))


def pending_due() -> ColumnElement[datetime]:
    """SQL: the due moment of the deadline the case is waiting on (NULL when none)."""
    return case(
        (waiting_on(ACCEPT), Complaint.accept_due_at),
        (waiting_on(RESOLVE), Complaint.resolve_due_at),
        else_=null(),
    )


def overdue(now: datetime) -> ColumnElement[bool]:
    """SQL: the deadline the case is waiting on has passed at `now`."""
    return or_(*(and_(waiting_on(d), due_column(d) < now) for d in (ACCEPT, RESOLVE)))
