"""The complaint repository: filing, looking up, history, duplicates, events and status changes.

Rules kept here, whatever calls it:
- A complaint and its first event are committed in one transaction before a ticket is returned;
  a database failure raises StorageUnavailable and nothing has been filed.
- Anonymous complaints store no identity: no resident id, no contact, no actor id in events.
- A filer sees a complaint only as its owner (same Telegram user) or with ticket + query code;
  every other case is the same "not found" (None), wrong ticket or wrong code alike.
- The event log is only ever appended to; status changes follow storage.lifecycle.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from rapidfuzz import fuzz
from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.db import Database, upsert
from storage.lifecycle import ALLOWED_TRANSITIONS
from storage.models import (
    TICKET_SEQUENCE,
    ActorKind,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    ComplaintUnit,
    Resident,
    TicketCounter,
    Unit,
    utcnow,
)

S = ComplaintStatus

# Events that are not status changes (a status change's action is the new status).
REPLY = "reply"  # staff answered the filer: payload {"public": text}
FEEDBACK = "feedback"  # 回访 answer: payload {"rating": one of RATINGS}
REMIND = "remind"  # a deadline is near: payload {"deadline": "accept" | "resolve", "due": iso}
ESCALATE = "escalate"  # sent to the supervisor: payload {"reason": "overdue_accept" | "overdue_resolve" | "unsatisfied"}
REVEAL = "reveal_identity"  # a supervisor saw who filed
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"
RATINGS = (SATISFIED, BASICALLY_SATISFIED, UNSATISFIED)

# Events a filer is shown in their history; other actions (notes, identity reveals,
# reminders) are for staff. Text meant for the filer goes in payload["public"].
RESIDENT_VISIBLE_ACTIONS = frozenset({*(s.value for s in ComplaintStatus), REPLY, FEEDBACK})

CHINA_TZ = timezone(timedelta(hours=8), "CST")
_TICKET_RE = re.compile(r"^FP([0-9]{8})-?([0-9]{6,9})$")
_TICKET_IN_TEXT_RE = re.compile(r"(?<![A-Z0-9])FP[0-9]{8}[-—]?[0-9]{6,9}(?![0-9])")
_QUERY_CODE_DIGITS = 8
_HASH_ITERATIONS = 10_000  # ~3 ms: the code is 8 digits, so this only slows an offline guesser
_IGNORED_FOR_DUPLICATES = re.compile(r"[\s\W_]+", re.UNICODE)


class InvalidTransition(ValueError):
    """A status change that the lifecycle does not allow (e.g. closed → accepted)."""

    def __init__(self, ticket: str, current: ComplaintStatus, wanted: ComplaintStatus) -> None:
        super().__init__(f"{ticket}: cannot go from {current} to {wanted}")
        self.ticket, self.current, self.wanted = ticket, current, wanted


class ComplaintNotFound(LookupError):
    """No complaint with this ticket (for staff-side operations, which check roles elsewhere)."""


@dataclass(frozen=True)
class Actor:
    """Who did something: a kind and, except for anonymous filers and the system, a user id."""

    kind: ActorKind
    id: int | None = None


SYSTEM = Actor(ActorKind.SYSTEM)


@dataclass
class ComplaintDraft:
    """What the intake conversation collected; plain data so it can live in user_data."""

    category: str
    region: str
    description: str
    telegram_user_id: int | None = None  # the filer; never stored when anonymous
    display_name: str | None = None
    anonymous: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None
    region_parents: Sequence[str] = ()  # nearest first: 浏阳市 → (长沙市, 湖南省)
    township: str | None = None
    village: str | None = None
    units: Sequence[str] = ()  # responsible units, primary first
    attachments: Sequence[str] = ()  # Telegram file ids of photos
    accept_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    routing: dict[str, Any] = field(
        default_factory=dict
    )  # why these units; kept in the first event
    filing_key: str | None = (
        None  # the draft's random key: filing it again returns the first ticket
    )


class Filed(NamedTuple):
    ticket: str
    query_code: str  # shown once to the filer; only its hash is stored
    again: bool = False  # the draft had been filed before: this is that ticket, with a new code


@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    public: str | None  # text meant for the filer, if any


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as its filer may see it: no staff identities, no internal notes."""

    ticket: str
    status: ComplaintStatus
    category: str
    region: str
    township: str | None
    village: str | None
    description: str
    anonymous: bool
    units: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    history: tuple[EventView, ...]


def normalize_ticket(text: str) -> str | None:
    """The canonical ticket for what a resident typed (full-width, lower case, spaces), or None."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper().replace("—", "-")
    match = _TICKET_RE.match(compact)
    return f"FP{match[1]}-{match[2]}" if match else None


def ticket_in(text: str) -> str | None:
    """A ticket written somewhere in a resident's message (FP20261123-000001 怎么样了), or None."""
    match = _TICKET_IN_TEXT_RE.search(unicodedata.normalize("NFKC", text).upper())
    return normalize_ticket(match[0]) if match else None


def normalize_query_code(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")


def hash_query_code(code: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), _HASH_ITERATIONS)
    return f"pbkdf2_sha256${_HASH_ITERATIONS}${salt}${digest.hex()}"


def verify_query_code(code: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


_DUMMY_HASH = hash_query_code("00000000")


def region_path(region: str, parents: Sequence[str]) -> str:
    """'/湖南省/长沙市/浏阳市/' from a region and its parents (nearest first)."""
    names = [*reversed([p for p in parents if p]), region]
    return "/" + "/".join(names) + "/"


def similarity_text(text: str) -> str:
    """The text as re-sends are compared: without spaces and punctuation, NFKC, lower case."""
    return _IGNORED_FOR_DUPLICATES.sub("", unicodedata.normalize("NFKC", text)).lower()


def _view(complaint: Complaint) -> ComplaintView:
    return ComplaintView(
        ticket=complaint.ticket,
        status=ComplaintStatus(complaint.status),
        category=complaint.category,
        region=complaint.region,
        township=complaint.township,
        village=complaint.village,
        description=complaint.description,
        anonymous=complaint.anonymous,
        units=tuple(a.unit.name for a in complaint.assignments),
        created_at=complaint.created_at,
        updated_at=complaint.updated_at,
        accept_due_at=complaint.accept_due_at,
        resolve_due_at=complaint.resolve_due_at,
        history=tuple(
            EventView(
                at=e.created_at,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                public=(e.payload or {}).get("public"),
            )
            for e in complaint.events
            if e.action in RESIDENT_VISIBLE_ACTIONS
        ),
    )


def _with_details() -> Select[Complaint]:
    return (
        select(Complaint)
        .options(
            selectinload(Complaint.events),
            selectinload(Complaint.assignments).joinedload(ComplaintUnit.unit),
        )
        .execution_options(populate_existing=True)
    )


class ComplaintRepository:
    """All reads and writes of complaints. One per process, sharing the Database."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock
        # Committed facts that never change, to save round trips on every filing.
        self._unit_ids: dict[tuple[str, str], int] = {}
        self._residents: dict[int, str | None] = {}

    # -- filing -------------------------------------------------------------------------

    async def create(self, draft: ComplaintDraft) -> Filed:
        """File a complaint. Returns only after the complaint and its first event are committed.

        A draft with a `filing_key` is filed once: filing it again (after a crash, say) returns
        the first ticket, with a new query code, since the first one may never have been seen.

        Raises StorageUnavailable when the database fails (nothing filed: tell the resident to
        try again and keep the draft), ValueError when the draft is incomplete.
        """
        description = draft.description.strip()
        if not (draft.category and draft.region and description):
            raise ValueError("a complaint needs a category, a region and a description")
        if not draft.anonymous and draft.telegram_user_id is None:
            raise ValueError("a named complaint needs the filer's telegram_user_id")
        if (
            draft.filing_key
            and (earlier := await self.filed_with_key(draft.filing_key)) is not None
        ):
            return Filed(earlier, await self.renew_query_code(earlier), again=True)
        query_code = f"{secrets.randbelow(10**_QUERY_CODE_DIGITS):0{_QUERY_CODE_DIGITS}d}"
        code_hash = await asyncio.to_thread(hash_query_code, query_code)
        now = self.clock()
        owner = None if draft.anonymous else draft.telegram_user_id

        known_resident = owner in self._residents and self._residents[owner] == draft.display_name
        try:
            async with self.db.transaction() as session:
                if owner is not None and not known_resident:
                    await upsert(
                        session,
                        Resident,
                        {
                            "telegram_user_id": owner,
                            "display_name": draft.display_name,
                            "created_at": now,
                            "updated_at": now,
                        },
                        keys=["telegram_user_id"],
                        update=["display_name", "updated_at"] if draft.display_name else [],
                    )
                units = await self._units(session, draft.units, draft.region)
                # Last, because on SQLite the counter row stays locked until COMMIT.
                ticket = await self._next_ticket(session, now)
                complaint = Complaint(
                    ticket=ticket,
                    query_code_hash=code_hash,
                    filing_key=draft.filing_key or None,
                    category=draft.category,
                    region=draft.region,
                    region_path=region_path(draft.region, draft.region_parents),
                    township=draft.township or None,
                    village=draft.village or None,
                    description=description,
                    attachments=list(draft.attachments),
                    anonymous=draft.anonymous,
                    resident_id=owner,
                    contact_name=None if draft.anonymous else draft.contact_name,
                    contact_phone=None if draft.anonymous else draft.contact_phone,
                    status=ComplaintStatus.SUBMITTED,
                    accept_due_at=draft.accept_due_at,
                    resolve_due_at=draft.resolve_due_at,
                    created_at=now,
                    updated_at=now,
                )
                complaint.assignments = [
                    ComplaintUnit(unit_id=unit_id, position=i, assigned_at=now)
                    for i, (_, unit_id) in enumerate(units)
                ]
                complaint.events = [
                    ComplaintEvent(
                        actor_kind=ActorKind.RESIDENT,
                        actor_id=owner,
                        action=ComplaintStatus.SUBMITTED.value,
                        from_status=None,
                        to_status=ComplaintStatus.SUBMITTED.value,
                        payload={
                            "units": [name for name, _ in units],
                            "routing": draft.routing,
                            "channel": "telegram",
                        },
                        created_at=now,
                    )
                ]
                session.add(complaint)
        except IntegrityError:
            # The same draft filed at the same moment elsewhere: the first filing stands.
            if (
                draft.filing_key
                and (earlier := await self.filed_with_key(draft.filing_key)) is not None
            ):
                return Filed(earlier, await self.renew_query_code(earlier), again=True)
            raise
        self._remember(units, draft.region)
        if owner is not None:
            self._residents[owner] = draft.display_name
        return Filed(ticket, query_code)

    async def filed_with_key(self, filing_key: str) -> str | None:
        """The ticket of the complaint filed from the draft with this key, if there is one."""
        async with self.db.session() as session:
            return await session.scalar(
                select(Complaint.ticket).where(Complaint.filing_key == filing_key)
            )

    async def renew_query_code(self, ticket: str) -> str:
        """A new query code for `ticket`, replacing the old one, for a filer who never saw it.

        The code is shown once and only its hash is stored; when the message carrying it did not
        arrive, a new one is made instead of keeping the old one anywhere in plain text.
        """
        query_code = f"{secrets.randbelow(10**_QUERY_CODE_DIGITS):0{_QUERY_CODE_DIGITS}d}"
        code_hash = await asyncio.to_thread(hash_query_code, query_code)
        async with self.db.transaction() as session:
            complaint = await session.scalar(select(Complaint).where(Complaint.ticket == ticket))
            if complaint is None:
                raise ComplaintNotFound(ticket)
            complaint.query_code_hash = code_hash
        return query_code

    async def _next_ticket(self, session: AsyncSession, now: datetime) -> str:
        """FPyyyymmdd-nnnnnn: the filing day in China time and a running number.

        The number alone is unique (it never restarts), so tickets stay unique whatever the
        clock says; the date is there for people reading it.
        """
        day = now.astimezone(CHINA_TZ).strftime("%Y%m%d")
        if self.db.is_sqlite:
            number = await upsert(
                session,
                TicketCounter,
                {"name": "ticket", "last_number": 1},
                keys=["name"],
                update={"last_number": TicketCounter.last_number + 1},
                returning=TicketCounter.last_number,
            )
        else:
            number = await session.scalar(select(TICKET_SEQUENCE.next_value()))
        return f"FP{day}-{number:06d}"

    async def _units(
        self, session: AsyncSession, names: Sequence[str], region: str
    ) -> list[tuple[str, int]]:
        """(name, id) of each named unit of the region, created on first mention, order kept."""
        result = []
        for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
            unit_id = self._unit_ids.get((name, region))
            if unit_id is None:
                await upsert(
                    session, Unit, {"name": name, "region": region}, keys=["name", "region"]
                )
                unit_id = (
                    await session.scalars(
                        select(Unit.id).where(Unit.name == name, Unit.region == region)
                    )
                ).one()
            result.append((name, unit_id))
        return result

    def _remember(self, units: list[tuple[str, int]], region: str) -> None:
        """Cache unit ids once the transaction that may have created them has committed."""
        for name, unit_id in units:
            self._unit_ids[(name, region)] = unit_id

    # -- what a filer may see -----------------------------------------------------------

    async def lookup(
        self, ticket: str, *, telegram_user_id: int | None = None, query_code: str | None = None
    ) -> ComplaintView | None:
        """The complaint if the asker filed it (same Telegram user) or holds its query code.

        None in every other case, so a guesser cannot tell a wrong ticket from a wrong code.
        """
        canonical = normalize_ticket(ticket)
        code = normalize_query_code(query_code or "")
        complaint = None
        if canonical:
            async with self.db.session() as session:
                complaint = await session.scalar(
                    _with_details().where(Complaint.ticket == canonical)
                )
        if (
            complaint is not None
            and telegram_user_id is not None
            and complaint.resident_id == telegram_user_id
        ):
            return _view(complaint)
        if code:
            stored = complaint.query_code_hash if complaint is not None else _DUMMY_HASH
            if await asyncio.to_thread(verify_query_code, code, stored) and complaint is not None:
                return _view(complaint)
        return None

    async def list_for_resident(
        self, telegram_user_id: int, *, limit: int = 20
    ) -> list[ComplaintView]:
        """The resident's own named complaints, newest first, each with its history."""
        async with self.db.session() as session:
            rows = await session.scalars(
                _with_details()
                .where(Complaint.resident_id == telegram_user_id)
                .order_by(Complaint.created_at.desc(), Complaint.id.desc())
                .limit(limit)
            )
            return [_view(c) for c in rows]

    async def find_recent_duplicate(
        self,
        telegram_user_id: int,
        description: str,
        *,
        within: timedelta = timedelta(days=30),
        threshold: float = 85.0,
    ) -> ComplaintView | None:
        """The same resident's most similar complaint of the last `within`, if it is a re-send.

        Similarity is rapidfuzz's ratio on the text without spaces and punctuation. Anonymous
        complaints are never matched: they carry no identity to match on.
        """
        wanted = similarity_text(description)
        if not wanted:
            return None
        since = self.clock() - within
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(Complaint.ticket, Complaint.description).where(
                        Complaint.resident_id == telegram_user_id, Complaint.created_at >= since
                    )
                )
            ).all()
        best_ticket, best_score = None, threshold
        for ticket, text in rows:
            score = fuzz.ratio(wanted, similarity_text(text))
            if score >= best_score:
                best_ticket, best_score = ticket, score
        if best_ticket is None:
            return None
        return await self.lookup(best_ticket, telegram_user_id=telegram_user_id)

    # -- staff side (role checks are the caller's) ------------------------------------

    async def get(self, ticket: str) -> Complaint:
        """The full record with events and units, for staff views. Raises ComplaintNotFound."""
        canonical = normalize_ticket(ticket)
        async with self.db.session() as session:
            complaint = await session.scalar(
                _with_details().where(Complaint.ticket == (canonical or ""))
            )
        if complaint is None:
            raise ComplaintNotFound(ticket)
        return complaint

    @asynccontextmanager
    async def change(self, ticket: str) -> AsyncIterator[CaseChange]:
        """The case locked for writing, with its units loaded, for one transaction.

        Whatever the block does through the CaseChange is committed together when it ends, or
        not at all if it raises; so a use case checks the case as it is now and writes all its
        steps at once. Raises ComplaintNotFound.
        """
        async with self.db.transaction() as session:
            complaint = await self._locked(session, ticket)
            change = CaseChange(self, session, complaint)
            yield change
        for units, region in change.assigned:
            self._remember(units, region)

    async def append_event(
        self, ticket: str, actor: Actor, action: str, payload: dict[str, Any] | None = None
    ) -> ComplaintEvent:
        """Record something that happened without changing the status (reply, note, reveal …)."""
        async with self.change(ticket) as change:
            return change.event(actor, action, payload)

    async def transition(
        self, ticket: str, to_status: ComplaintStatus | str, actor: Actor, **changes: Any
    ) -> Complaint:
        """Change the status and append the event, atomically (see CaseChange.transition);
        raises InvalidTransition. Returns the updated record."""
        async with self.change(ticket) as change:
            await change.transition(to_status, actor, **changes)
        return await self.get(change.complaint.ticket)

    async def _locked(self, session: AsyncSession, ticket: str) -> Complaint:
        canonical = normalize_ticket(ticket) or ""
        complaint = await session.scalar(
            select(Complaint)
            .where(Complaint.ticket == canonical)
            .options(selectinload(Complaint.assignments).joinedload(ComplaintUnit.unit))
            .with_for_update()
        )
        if complaint is None:
            raise ComplaintNotFound(ticket)
        return complaint

    def _event(
        self,
        complaint: Complaint,
        actor: Actor,
        action: str,
        from_status: str | None,
        to_status: str | None,
        payload: dict[str, Any] | None,
    ) -> ComplaintEvent:
        # The filer of an anonymous complaint stays anonymous in the log too.
        anonymous_filer = complaint.anonymous and actor.kind is ActorKind.RESIDENT
        return ComplaintEvent(
            complaint_id=complaint.id,
            actor_kind=actor.kind,
            actor_id=None if anonymous_filer else actor.id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            payload=dict(payload or {}),
            created_at=self.clock(),
        )


class CaseChange:
    """One locked case inside one transaction (ComplaintRepository.change): status changes and
    events written here commit together."""

    def __init__(
        self, repo: ComplaintRepository, session: AsyncSession, complaint: Complaint
    ) -> None:
        self._repo = repo
        self._session = session
        self.complaint = complaint
        self.assigned: list[tuple[list[tuple[str, int]], str]] = []  # units to cache after commit

    def event(
        self, actor: Actor, action: str, payload: dict[str, Any] | None = None
    ) -> ComplaintEvent:
        """Record something that happened without changing the status (reply, reveal, 回访 …)."""
        if action in {s.value for s in ComplaintStatus}:
            raise ValueError(f"{action!r} is a status change; use transition()")
        event = self._repo._event(self.complaint, actor, action, None, None, payload)
        self._session.add(event)
        self.complaint.updated_at = event.created_at
        return event

    async def transition(
        self,
        to_status: ComplaintStatus | str,
        actor: Actor,
        *,
        payload: dict[str, Any] | None = None,
        units: Sequence[str] | None = None,
        unit_region: str | None = None,
        accept_due_at: datetime | None = None,
        resolve_due_at: datetime | None = None,
    ) -> ComplaintEvent:
        """Change the status and append its event; raises InvalidTransition.

        `units` replaces the assignment (a transfer); the deadlines, when given, replace the
        stored ones.
        """
        complaint = self.complaint
        wanted = ComplaintStatus(to_status)
        current = ComplaintStatus(complaint.status)
        if wanted not in ALLOWED_TRANSITIONS[current]:
            raise InvalidTransition(complaint.ticket, current, wanted)
        payload = dict(payload or {})
        event = self._repo._event(
            complaint, actor, wanted.value, current.value, wanted.value, payload
        )
        now = event.created_at
        if units is not None:
            region = unit_region or complaint.region
            assigned = await self._repo._units(self._session, units, region)
            await self._session.execute(
                delete(ComplaintUnit).where(ComplaintUnit.complaint_id == complaint.id)
            )
            self._session.add_all(
                ComplaintUnit(
                    complaint_id=complaint.id, unit_id=unit_id, position=i, assigned_at=now
                )
                for i, (_, unit_id) in enumerate(assigned)
            )
            event.payload = {**payload, "units": [name for name, _ in assigned]}
            self.assigned.append((assigned, region))
        complaint.status = wanted
        complaint.updated_at = now
        if wanted is ComplaintStatus.RESOLVED:
            complaint.resolved_at = now
        if accept_due_at is not None:
            complaint.accept_due_at = accept_due_at
        if resolve_due_at is not None:
            complaint.resolve_due_at = resolve_due_at
        self._session.add(event)
        return event
