"""Whom a case action must tell, as data. The service decides who; a Notifier (the Telegram
sender, wired by the composition root) decides how it reads and sends it. So an action taken
in the web console reaches the resident in Telegram exactly as one taken in Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cases.views import CaseView

# To the filer.
ACCEPTED, TRANSFERRED, REPLIED, RESOLVED, REJECTED, CLOSED = (
    "accepted",
    "transferred",
    "replied",
    "resolved",
    "rejected",
    "closed",
)
# To the case's unit staff (or, when the unit has none, the region's supervisors).
NEW_CASE, NEW_CASE_NO_STAFF, TRANSFERRED_IN, TRANSFERRED_IN_NO_STAFF = (
    "new_case",
    "new_case_no_staff",
    "transferred_in",
    "transferred_in_no_staff",
)
# Deadlines and 回访, to staff and supervisors.
REMINDER, ESCALATION, ESCALATED_TO_STAFF, UNSATISFIED = (
    "reminder",
    "escalation",
    "escalated_to_staff",
    "unsatisfied",
)


@dataclass(frozen=True)
class Notice:
    kind: str
    to: tuple[int, ...]  # Telegram user ids
    case: CaseView
    extra: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    async def deliver(self, notice: Notice) -> tuple[int, ...]:
        """Send the notice to each recipient once; returns those reached."""
        ...


class Silent:
    """For tools that change cases without telling anyone (tests, batch jobs)."""

    async def deliver(self, notice: Notice) -> tuple[int, ...]:
        return ()
