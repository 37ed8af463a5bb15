"""What a use case can refuse, so that each adapter can say it in its own words."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from storage.complaints import ComplaintNotFound

if TYPE_CHECKING:
    from cases.views import CaseView


# No case with this ticket: the repository's own error, raised through the service unchanged.
CaseNotFound = ComplaintNotFound


class NotAllowed(Exception):
    """The user may not do this (to this case); logged by the service with user and action."""

    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


class StaleCase(Exception):
    """The case is no longer in a state where this step makes sense (a double press, an old
    card or page, someone else was quicker). Nothing changed; `case` is how it is now."""

    def __init__(self, case: CaseView) -> None:
        super().__init__(case.ticket)
        self.case = case


class TransferWindowClosed(Exception):
    """Staff may transfer a misrouted case only within the transfer window of its arrival."""

    def __init__(self, due: datetime | None) -> None:
        super().__init__("transfer window closed")
        self.due = due


class UnknownUnit(ValueError):
    """A transfer to a unit that is not one of the case's region."""


class BadInput(ValueError):
    """Typed text that cannot be taken: `reason` is "empty" or "too_long" (with `length`)."""

    def __init__(self, reason: str, length: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.length = length


class NothingToReveal(Exception):
    """An anonymous case keeps no identity."""


class RatingClosed(Exception):
    """The 回访 is over for this case: `why` is "done" (rated or closed) or "late"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
