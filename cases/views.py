"""What staff, supervisors and admins read about cases: plain frozen data, with the filer's
identity and every number in free text already masked (the person complained about may sit
next to the reader). Adapters render these; they never see a database row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cases.masking import mask_name, mask_phone, mask_text
from storage import lifecycle
from storage.complaints import ESCALATE, FEEDBACK
from storage.models import ActorKind, Complaint, ComplaintEvent, ComplaintStatus

S = ComplaintStatus
# What a viewer may do, as CaseView.actions holds it.
ACCEPT, TRANSFER, REPLY, RESOLVE, REJECT, REVEAL = (
    "accept",
    "transfer",
    "reply",
    "resolve",
    "reject",
    "reveal",
)


@dataclass(frozen=True)
class CaseSummary:
    ticket: str
    status: ComplaintStatus
    category: str
    region: str
    place: str  # region, 乡镇, 村 — masked, since residents type phone numbers anywhere
    units: tuple[str, ...]
    pending: str | None  # "accept" | "resolve": the deadline the case waits on, if any
    due: datetime | None
    overdue: bool
    created_at: datetime


@dataclass(frozen=True)
class EventLine:
    at: datetime
    actor_kind: ActorKind
    action: str  # a status value, or reply / feedback / remind / escalate / reveal_identity
    text: str = ""  # the reason, reply or result, masked
    units: tuple[str, ...] = ()  # where a transfer sent the case
    code: str = ""  # a 回访 rating, or an escalation reason


@dataclass(frozen=True)
class CaseView(CaseSummary):
    description: str = ""
    filer: str | None = None  # "张** 138****5678"; None when anonymous
    anonymous: bool = False
    accept_due: datetime | None = None
    resolve_due: datetime | None = None
    resolved_at: datetime | None = None
    transfer_due: datetime | None = None  # staff may transfer until then
    attachments: tuple[str, ...] = ()  # Telegram file ids of the photos
    events: tuple[EventLine, ...] = ()
    actions: frozenset[str] = field(default_factory=frozenset)  # what the viewer may do now


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    total: int
    page: int  # 0-based
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Outcome:
    """After an action: the case as it is now, whether its filer was told in Telegram, and
    whether the actor may still see it (a unit that transferred a case away may not)."""

    case: CaseView
    filer_reached: bool
    still_visible: bool = True


@dataclass(frozen=True)
class Identity:
    name: str | None
    phone: str | None
    revealed_at: datetime


def _place(complaint: Complaint) -> str:
    return mask_text(
        " ".join(p for p in (complaint.region, complaint.township, complaint.village) if p)
    )


def summary(complaint: Complaint, now: datetime) -> CaseSummary:
    pending = lifecycle.pending_deadline(
        complaint.status, complaint.accept_due_at, complaint.resolve_due_at
    )
    due = pending[1] if pending else None
    return CaseSummary(
        ticket=complaint.ticket,
        status=S(complaint.status),
        category=complaint.category,
        region=complaint.region,
        place=_place(complaint),
        units=units_of(complaint),
        pending=pending[0] if pending else None,
        due=due,
        overdue=due is not None and due < now,
        created_at=complaint.created_at,
    )


def units_of(complaint: Complaint) -> tuple[str, ...]:
    return tuple(a.unit.name for a in complaint.assignments)


def _filer(complaint: Complaint) -> str | None:
    if complaint.anonymous:
        return None
    name = mask_name(complaint.contact_name) if complaint.contact_name else ""
    phone = mask_phone(complaint.contact_phone) if complaint.contact_phone else ""
    return f"{name} {phone}".strip()


def _event(event: ComplaintEvent) -> EventLine:
    payload = event.payload or {}
    text = payload.get("reason") if event.action == S.TRANSFERRED.value else payload.get("public")
    code = (
        payload.get("rating")
        if event.action == FEEDBACK
        else payload.get("reason")
        if event.action == ESCALATE
        else ""
    )
    units = tuple(payload.get("units", ())) if event.action == S.TRANSFERRED.value else ()
    return EventLine(
        at=event.created_at,
        actor_kind=ActorKind(event.actor_kind),
        action=event.action,
        text=mask_text(str(text or "")),
        units=units,
        code=str(code or ""),
    )


def case_view(
    complaint: Complaint,
    now: datetime,
    *,
    actions: frozenset[str] = frozenset(),
    transfer_due: datetime | None = None,
) -> CaseView:
    """`complaint` with its events and units loaded, as staff may read it."""
    base = summary(complaint, now)
    return CaseView(
        **base.__dict__,
        description=mask_text(complaint.description),
        filer=_filer(complaint),
        anonymous=complaint.anonymous,
        accept_due=complaint.accept_due_at,
        resolve_due=complaint.resolve_due_at,
        resolved_at=complaint.resolved_at,
        transfer_due=transfer_due,
        attachments=tuple(complaint.attachments or ()),
        events=tuple(_event(e) for e in complaint.events),
        actions=actions,
    )
