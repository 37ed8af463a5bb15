"""The use cases of case work, each one function: check the actor's right and the case's state at
the moment of acting, write the change and its events in one transaction, tell the people
concerned through the Notifier, and return plain views.

Every refusal is logged here (user id, action, ticket: never personal data), so no adapter can
forget a check or its log line. Both the Telegram handlers and the web console call only this.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from cases import notices as n
from cases import texts
from cases.access import Access, Permissions
from cases.errors import (
    BadInput,
    NotAllowed,
    NothingToReveal,
    RatingClosed,
    StaleCase,
    TransferWindowClosed,
    UnknownUnit,
)
from cases.notices import Notice, Notifier, Silent
from cases.views import (
    ACCEPT,
    REJECT,
    RESOLVE,
    REVEAL,
    TRANSFER,
    CasePage,
    CaseView,
    Identity,
    Outcome,
    case_view,
    summary,
    units_of,
)
from cases.views import REPLY as REPLY_ACTION
from knowledge.routing import Router
from storage import lifecycle
from storage.casework import CaseworkQueries, Scope
from storage.complaints import (
    BASICALLY_SATISFIED,
    ESCALATE,
    FEEDBACK,
    REMIND,
    REPLY,
    SATISFIED,
    SYSTEM,
    UNSATISFIED,
    Actor,
    CaseChange,
    ComplaintRepository,
    InvalidTransition,
)
from storage.complaints import (
    REVEAL as REVEAL_EVENT,
)
from storage.deadlines import overdue_reason
from storage.models import ActorKind, Complaint, ComplaintStatus, Role
from storage.reports import CaseFilter
from storage.workdays import DeadlinePolicy

log = logging.getLogger(__name__)
S = ComplaintStatus
RATINGS = (SATISFIED, BASICALLY_SATISFIED, UNSATISFIED)
MAX_TEXT = 1000  # a reason, reply or result
MIN_MEANINGFUL = 2  # letters or digits it needs, so "。。" or an emoji is not a reason


class _Stale(Exception):
    """Inside a transaction: the step no longer fits the case's state (rolled back)."""


def checked_text(text: str) -> str:
    """A reason, reply or result as typed; raises BadInput when it says nothing or is too long."""
    text = (text or "").strip()
    if sum(ch.isalnum() for ch in text) < MIN_MEANINGFUL:
        raise BadInput("empty")
    if len(text) > MAX_TEXT:
        raise BadInput("too_long", len(text))
    return text


class CaseService:
    def __init__(
        self,
        repo: ComplaintRepository,
        access: Access,
        router: Router,
        policy: DeadlinePolicy | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.repo = repo
        self.access = access
        self.router = router
        self.policy = policy or DeadlinePolicy()
        self.queries = CaseworkQueries(repo.db)
        # Set by the composition root once the Telegram bot exists.
        self.notifier: Notifier = notifier or Silent()

    def now(self) -> datetime:
        return self.repo.clock()

    async def permissions(self, user_id: int) -> Permissions:
        return await self.access.of(user_id)

    # -- reading -----------------------------------------------------------------------

    async def queue(
        self,
        user_id: int,
        filter: CaseFilter | None = None,
        *,
        overdue: bool = False,
        text: str | None = None,
        page: int = 0,
        per_page: int = 20,
    ) -> CasePage:
        """The cases in the user's scope (staff: their units; supervisors: their regions;
        admins: all, to read), most urgent first; open ones unless `filter` names statuses."""
        perms = await self._staff(user_id, "queue")
        scope = Scope(perms.unit_ids, perms.regions, everything=perms.is_admin)
        now = self.now()
        found = await self.queries.queue(
            scope,
            filter=filter,
            overdue_at=now if overdue else None,
            text=text,
            page=page,
            per_page=per_page,
        )
        return CasePage(
            [summary(c, now) for c in found.cases], found.total, found.page, found.per_page
        )

    async def case(self, user_id: int, ticket: str) -> CaseView:
        perms = await self._staff(user_id, "view")
        complaint = await self.repo.get(ticket)
        if not perms.may_view(complaint):
            raise self._refuse(perms, "view", complaint.ticket)
        return self._view(complaint, perms)

    async def prepare(self, user_id: int, ticket: str, action: str) -> CaseView:
        """The case, if the user may start `action` on it now (before asking for the reason, the
        unit or the text, which the action itself checks again). Raises NotAllowed, StaleCase,
        or TransferWindowClosed."""
        perms = await self._staff(user_id, action)
        complaint = await self.repo.get(ticket)
        allowed = perms.may_reveal if action == REVEAL else perms.may_act
        if not allowed(complaint):
            raise self._refuse(perms, action, complaint.ticket)
        view = self._view(complaint, perms)
        if action not in view.actions:
            if action == TRANSFER and lifecycle.may_become(complaint.status, S.TRANSFERRED):
                raise TransferWindowClosed(view.transfer_due)
            raise StaleCase(view)
        return view

    async def transfer_targets(self, user_id: int, ticket: str) -> list[str]:
        """Units the case may go to: its region's plan's dispatcher and listed units, then any
        other unit on record there; not the ones it is with now."""
        perms = await self._staff(user_id, TRANSFER)
        complaint = await self.repo.get(ticket)
        if not perms.may_act(complaint):
            raise self._refuse(perms, "transfer", complaint.ticket)
        return await self._targets(complaint)

    # -- acting ------------------------------------------------------------------------

    async def accept(self, user_id: int, ticket: str) -> Outcome:
        async def step(change: CaseChange, perms: Permissions) -> dict[str, str | None]:
            who = self._who(perms, change.complaint)
            await change.transition(S.ACCEPTED, self._actor(perms, change.complaint))
            return {"who": who}

        return await self._act(user_id, ticket, ACCEPT, step, n.ACCEPTED)

    async def transfer(self, user_id: int, ticket: str, unit: str, reason: str) -> Outcome:
        """Send the case to `unit` of its region. Staff may do so only within the transfer
        window of the case's arrival; after that only a supervisor can move it."""
        reason = checked_text(reason)

        async def step(change: CaseChange, perms: Permissions) -> dict[str, str | None]:
            complaint = change.complaint
            if not lifecycle.may_become(complaint.status, S.TRANSFERRED):
                raise _Stale
            if not self._may_transfer(complaint, perms):
                raise TransferWindowClosed(self._transfer_due(complaint))
            if unit not in await self._targets(complaint):
                raise UnknownUnit(unit)
            from_units = "、".join(units_of(complaint))
            await change.transition(
                S.TRANSFERRED,
                self._actor(perms, complaint),
                units=[unit],
                payload={
                    "reason": reason,
                    "public": texts.TRANSFER_PUBLIC.format(unit=unit, reason=reason),
                },
                accept_due_at=self.policy.accept_due(self.now()),
            )
            return {"unit": unit, "reason": reason, "from_units": from_units}

        return await self._act(user_id, ticket, TRANSFER, step, n.TRANSFERRED)

    async def reply(self, user_id: int, ticket: str, text: str) -> Outcome:
        text = checked_text(text)

        async def step(change: CaseChange, perms: Permissions) -> dict[str, str | None]:
            if S(change.complaint.status) not in lifecycle.OPEN_STATUSES:
                raise _Stale
            change.event(self._actor(perms, change.complaint), REPLY, {"public": text})
            return {"who": self._who(perms, change.complaint), "text": text}

        return await self._act(user_id, ticket, REPLY_ACTION, step, n.REPLIED)

    async def resolve(self, user_id: int, ticket: str, result: str) -> Outcome:
        result = checked_text(result)

        async def step(change: CaseChange, perms: Permissions) -> dict[str, str | None]:
            await change.transition(
                S.RESOLVED, self._actor(perms, change.complaint), payload={"public": result}
            )
            return {"result": result}

        return await self._act(user_id, ticket, RESOLVE, step, n.RESOLVED)

    async def reject(self, user_id: int, ticket: str, reason: str) -> Outcome:
        reason = checked_text(reason)

        async def step(change: CaseChange, perms: Permissions) -> dict[str, str | None]:
            who = self._who(perms, change.complaint)
            await change.transition(
                S.REJECTED, self._actor(perms, change.complaint), payload={"public": reason}
            )
            return {"who": who, "reason": reason}

        return await self._act(user_id, ticket, REJECT, step, n.REJECTED)

    async def reveal(self, user_id: int, ticket: str) -> Identity:
        """Who filed the case, for a supervisor of its region; the reveal is recorded first."""
        perms = await self._staff(user_id, REVEAL)
        async with self.repo.change(ticket) as change:
            complaint = change.complaint
            if not perms.may_reveal(complaint):
                raise self._refuse(perms, REVEAL, complaint.ticket)
            if complaint.anonymous:
                raise NothingToReveal
            event = change.event(Actor(ActorKind.SUPERVISOR, perms.user_id), REVEAL_EVENT)
            name, phone = complaint.contact_name, complaint.contact_phone
        log.info("user %s revealed the filer of %s", perms.user_id, change.complaint.ticket)
        return Identity(name, phone, event.created_at)

    async def rate(self, user_id: int, ticket: str, rating: str) -> CaseView:
        """The filer's 回访: 满意 / 基本满意 close the case; 不满意 within the window reopens it
        with a new 办结 deadline and escalates it, all in one transaction."""
        if rating not in RATINGS:
            raise ValueError(rating)
        now = self.now()
        async with self.repo.change(ticket) as change:
            complaint = change.complaint
            if complaint.resident_id is None or complaint.resident_id != user_id:
                log.warning(
                    "refused rating %s to user %s: not the filer", complaint.ticket, user_id
                )
                raise NotAllowed("rate")
            if complaint.status != S.RESOLVED:
                raise RatingClosed("done")
            if (
                complaint.resolved_at is None
                or now > complaint.resolved_at + self.policy.feedback_window
            ):
                raise RatingClosed("late")
            filer = Actor(ActorKind.RESIDENT, complaint.resident_id)
            change.event(filer, FEEDBACK, {"rating": rating})
            if rating == UNSATISFIED:
                await change.transition(
                    S.REOPENED,
                    filer,
                    payload={"reason": UNSATISFIED, "public": texts.REOPENED_PUBLIC},
                    resolve_due_at=self.policy.resolve_due(now, complaint.category),
                )
                change.event(SYSTEM, ESCALATE, {"reason": UNSATISFIED})
            else:
                await change.transition(S.CLOSED, filer)
        updated = await self.repo.get(ticket)
        view = self._view(updated, None)
        if rating == UNSATISFIED:
            to = (*await self.supervisors(updated), *await self.unit_staff(updated))
            await self.notifier.deliver(Notice(n.UNSATISFIED, tuple(dict.fromkeys(to)), view))
        return view

    # -- filing and deadlines (the system acting) ----------------------------------------

    async def announce(self, ticket: str) -> None:
        """Tell whoever must accept a newly filed case: its units' staff, or, when none are
        on record, the region's supervisors (the fallback dispatcher)."""
        complaint = await self.repo.get(ticket)
        await self._to_units(complaint, n.NEW_CASE, n.NEW_CASE_NO_STAFF, {})

    async def remind(self, complaint: Complaint, deadline: str, due: datetime) -> int:
        """Remind the unit of a coming deadline; recorded once per deadline value."""
        view = self._view(await self.repo.get(complaint.ticket), None)
        reached = await self.notifier.deliver(
            Notice(
                n.REMINDER,
                tuple(await self.unit_staff(complaint)),
                view,
                {"deadline": deadline, "due": due, "now": self.now()},
            )
        )
        if not reached:
            log.warning(
                "reminder for %s (%s due %s) reached no staff", complaint.ticket, deadline, due
            )
        await self.repo.append_event(
            complaint.ticket,
            SYSTEM,
            REMIND,
            {"deadline": deadline, "due": due.isoformat(), "notified": len(reached)},
        )
        return len(reached)

    async def escalate(self, complaint: Complaint, deadline: str, due: datetime) -> int:
        """Report an overdue case to the supervisors of its region and above, and tell its unit."""
        view = self._view(await self.repo.get(complaint.ticket), None)
        extra = {"deadline": deadline, "due": due, "now": self.now()}
        reached = await self.notifier.deliver(
            Notice(n.ESCALATION, tuple(await self.supervisors(complaint)), view, extra)
        )
        if not reached:
            log.warning(
                "escalation of %s (%s overdue) reached no supervisor; recorded for the statistics",
                complaint.ticket,
                deadline,
            )
        await self.notifier.deliver(
            Notice(
                n.ESCALATED_TO_STAFF,
                tuple(await self.unit_staff(complaint)),
                view,
                {**extra, "supervisor_told": bool(reached)},
            )
        )
        await self.repo.append_event(
            complaint.ticket,
            SYSTEM,
            ESCALATE,
            {"reason": overdue_reason(deadline), "due": due.isoformat(), "notified": len(reached)},
        )
        return len(reached)

    async def close_after_feedback(self, complaint: Complaint, rated: bool) -> None:
        """The 回访 window is over: close the case and tell the filer."""
        public = texts.CLOSED_PUBLIC_RATED if rated else texts.CLOSED_PUBLIC_UNRATED
        updated = await self.repo.transition(
            complaint.ticket, S.CLOSED, SYSTEM, payload={"public": public}
        )
        if updated.resident_id is not None:
            await self.notifier.deliver(
                Notice(
                    n.CLOSED, (updated.resident_id,), self._view(updated, None), {"rated": rated}
                )
            )

    # -- who to tell ---------------------------------------------------------------------

    async def unit_staff(self, complaint: Complaint) -> list[int]:
        """Staff of the units the case is assigned to now."""
        unit_ids = [a.unit_id for a in complaint.assignments]
        return await self.access.roles.holders(Role.STAFF, unit_ids=unit_ids) if unit_ids else []

    async def supervisors(self, complaint: Complaint) -> list[int]:
        """Supervisors of the case's region or of a region above it."""
        chain = [part for part in complaint.region_path.split("/") if part]
        return await self.access.roles.holders(Role.SUPERVISOR, regions=chain)

    async def _to_units(
        self, complaint: Complaint, kind: str, kind_no_staff: str, extra: dict[str, Any]
    ) -> None:
        view = self._view(complaint, None)
        staff = await self.unit_staff(complaint)
        if staff:
            await self.notifier.deliver(Notice(kind, tuple(staff), view, extra))
        else:
            await self.notifier.deliver(
                Notice(kind_no_staff, tuple(await self.supervisors(complaint)), view, extra)
            )

    # -- the machinery -------------------------------------------------------------------

    async def _act(
        self,
        user_id: int,
        ticket: str,
        action: str,
        step: Callable[[CaseChange, Permissions], Awaitable[dict[str, str | None]]],
        notice: str,
    ) -> Outcome:
        """Run `step` on the case locked for writing, if the user may act on it; then tell the
        filer (and, for a transfer, the new unit) and return the case as it is now."""
        perms = await self._staff(user_id, action)
        try:
            async with self.repo.change(ticket) as change:
                if not perms.may_act(change.complaint):
                    raise self._refuse(perms, action, change.complaint.ticket)
                extra = await step(change, perms)
        except (_Stale, InvalidTransition):
            raise StaleCase(self._view(await self.repo.get(ticket), perms)) from None
        updated = await self.repo.get(ticket)
        view = self._view(updated, perms)
        reached = False
        if updated.resident_id is not None:
            reached = bool(
                await self.notifier.deliver(Notice(notice, (updated.resident_id,), view, extra))
            )
        if action == TRANSFER:
            await self._to_units(updated, n.TRANSFERRED_IN, n.TRANSFERRED_IN_NO_STAFF, extra)
        return Outcome(view, reached, perms.may_view(updated))

    async def _staff(self, user_id: int, action: str) -> Permissions:
        """The user's permissions, if they hold any staff, supervisor or admin role: someone
        without one is refused before the ticket is even looked up, so a resident cannot tell a
        wrong ticket from someone else's case."""
        perms = await self.access.of(user_id)
        if not perms.has_role:
            raise self._refuse(perms, action)
        return perms

    @staticmethod
    def _refuse(perms: Permissions, action: str, ticket: str = "") -> NotAllowed:
        log.warning("refused %s %s to user %s", action, ticket or "-", perms.user_id)
        return NotAllowed(action)

    @staticmethod
    def _actor(perms: Permissions, complaint: Complaint) -> Actor:
        kind = ActorKind.STAFF if perms.handles(complaint) else ActorKind.SUPERVISOR
        return Actor(kind, perms.user_id)

    @staticmethod
    def _who(perms: Permissions, complaint: Complaint) -> str | None:
        """The acting unit, as the filer hears of it; None for a supervisor."""
        mine = [a.unit.name for a in complaint.assignments if a.unit_id in perms.unit_ids]
        return mine[0] if mine else None

    def _transfer_due(self, complaint: Complaint) -> datetime | None:
        arrived = min((a.assigned_at for a in complaint.assignments), default=None)
        return self.policy.transfer_due(arrived) if arrived else None

    def _may_transfer(self, complaint: Complaint, perms: Permissions) -> bool:
        """A unit sends a misrouted case on within the transfer window from its arrival, as
        hotline units must; after that it handles the case, and only a supervisor can move it."""
        due = self._transfer_due(complaint)
        return perms.supervises(complaint) or due is None or self.now() <= due

    async def _targets(self, complaint: Complaint) -> list[str]:
        plan = self.router.plans.get(complaint.region)
        from_plan = [plan.dispatcher, *(u for b in plan.blocks for u in b.units)] if plan else []
        on_record = await self.queries.region_units(complaint.region)
        current = set(units_of(complaint))
        return [u for u in dict.fromkeys([*from_plan, *on_record]) if u not in current]

    def _view(self, complaint: Complaint, perms: Permissions | None) -> CaseView:
        return case_view(
            complaint,
            self.now(),
            actions=self._actions(complaint, perms) if perms else frozenset(),
            transfer_due=self._transfer_due(complaint),
        )

    def _actions(self, complaint: Complaint, perms: Permissions) -> frozenset[str]:
        status = complaint.status
        actions = set()
        if perms.may_act(complaint):
            if lifecycle.may_become(status, S.ACCEPTED):
                actions.add(ACCEPT)
            if lifecycle.may_become(status, S.TRANSFERRED) and self._may_transfer(complaint, perms):
                actions.add(TRANSFER)
            if S(status) in lifecycle.OPEN_STATUSES:
                actions.add(REPLY_ACTION)
            if lifecycle.may_become(status, S.RESOLVED):
                actions.add(RESOLVE)
            if lifecycle.may_become(status, S.REJECTED):
                actions.add(REJECT)
        if perms.may_reveal(complaint):
            actions.add(REVEAL)
        return frozenset(actions)
