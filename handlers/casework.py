"""Case work on Telegram, as a 12317/12345 hotline unit works a case: notice → accept → handle or
transfer → reply → resolve → 回访.

- When a case is filed or transferred, the staff of its units get a notice; a unit without staff
  on record sends it to the region's supervisors, the fallback dispatcher.
- /queue lists the open cases of one's units (staff) or regions (supervisors), most urgent first;
  /case <ticket> and the buttons show a case card with what the reader's role may do.
- Staff see the filer masked (张**, 138****5678) and numbers in the text masked; supervisors may
  reveal the filer, and every reveal is an event.
- Each action is a status change or event with its actor, and the filer is told in plain Chinese.
  A reason, reply or result is typed after pressing the button: the pending action waits in
  user_data and the next text message in group -5 completes it.
- Roles are read again at every press and message, so a revoke bites at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import case_texts as t
from handlers.access import STAFF_GROUP, Permissions
from handlers.formatting import china_time, clean_input, escape
from handlers.masking import mask_name, mask_phone, mask_text
from handlers.notify import send_to, supervisors, tell_filer, unit_staff
from handlers.resident import PRIVATE
from storage.casework import ACCEPT, RESOLVE, CaseworkQueries, pending_deadline
from storage.complaints import (
    ALLOWED_TRANSITIONS,
    BASICALLY_SATISFIED,
    ESCALATE,
    FEEDBACK,
    OPEN_STATUSES,
    REPLY,
    REVEAL,
    SATISFIED,
    SYSTEM,
    UNSATISFIED,
    Actor,
    ComplaintNotFound,
    InvalidTransition,
)
from storage.db import StorageUnavailable
from storage.models import ActorKind, Complaint, ComplaintStatus

if TYPE_CHECKING:
    from handlers.complaints import ComplaintServices

log = logging.getLogger(__name__)

PREFIX = "cw:"
PENDING_KEY = "casework_pending"  # {"op": reply|resolve|reject|transfer, "ticket": …, "unit": …}
PICK_KEY = "casework_units"  # {"ticket": …, "units": [...]}: the transfer targets shown, by index
QUEUE_PAGE_SIZE = 5
UNITS_PAGE_SIZE = 8
MAX_INPUT = 1000
MIN_MEANINGFUL = 2
HISTORY_SHOWN = 10
NOTICE_DESCRIPTION_CHARS = 120
CARD_DESCRIPTION_CHARS = 1500
HISTORY_DETAIL_CHARS = 60

S = ComplaintStatus
RATING_CODES = {"s": SATISFIED, "b": BASICALLY_SATISFIED, "u": UNSATISFIED}
# Typed steps: what the prompt asks, and which status change (if any) the text completes.
TYPED = {"reply": (t.ASK_REPLY, None), "resolve": (t.ASK_RESOLVE, S.RESOLVED), "reject": (t.ASK_REJECT, S.REJECTED)}


def _due(value: datetime | None) -> str:
    return china_time(value, t.NO_DEADLINE)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def _place(complaint: Complaint) -> str:
    return " ".join(p for p in (complaint.region, complaint.township, complaint.village) if p)


def _units(complaint: Complaint) -> list[str]:
    return [a.unit.name for a in complaint.assignments]


def _open_button(ticket: str, label: str = t.BUTTON_OPEN) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"{PREFIX}open:{ticket}")


def _category(services: ComplaintServices, name: str) -> str:
    category = services.router.lexicon.categories.get(name)
    return category.label if category else name


def _overdue(complaint: Complaint, deadline: str, now: datetime) -> bool:
    waiting_on, due = pending_deadline(complaint)
    return waiting_on == deadline and due is not None and due < now and complaint.status in OPEN_STATUSES


# ---------------------------------------------------------------------------------- notices


async def _notify_units(bot: Bot, services: ComplaintServices, complaint: Complaint,
                        lead: str, lead_no_staff: str) -> None:
    """The case's unit staff get `lead` + the case; without any, the region's supervisors get
    `lead_no_staff` (the region's 扶贫办/纪委 dispatches what no unit can take)."""
    roles = services.access.roles
    body = t.NOTICE_BODY.format(
        ticket=escape(complaint.ticket), category=escape(_category(services, complaint.category)),
        place=escape(_place(complaint)), accept_due=_due(complaint.accept_due_at),
        description=escape(_short(mask_text(complaint.description), NOTICE_DESCRIPTION_CHARS)))
    markup = InlineKeyboardMarkup([[_open_button(complaint.ticket)]])
    staff = await unit_staff(roles, complaint)
    if staff:
        await send_to(bot, staff, lead + body, markup)
        return
    await send_to(bot, await supervisors(roles, complaint), lead_no_staff + body, markup)


async def announce_filed(bot: Bot, services: ComplaintServices, ticket: str) -> None:
    """Tell whoever must accept a newly filed case. Run as a task beside the filing, which it never
    fails or delays: the case is in the queue whatever happens here, so problems are logged only."""
    if services.access is None:
        return
    try:
        complaint = await services.repository.get(ticket)
        units = escape("、".join(_units(complaint)) or t.UNITS_NONE)
        await _notify_units(bot, services, complaint, t.NOTICE_FILED, t.NOTICE_FILED_NO_STAFF.format(units=units))
    except (StorageUnavailable, ComplaintNotFound, TelegramError):
        log.exception("could not announce case %s", ticket)


async def announce_transferred(bot: Bot, services: ComplaintServices, complaint: Complaint,
                               from_units: list[str], reason: str) -> None:
    values = {"from_units": escape("、".join(from_units) or t.UNITS_NONE), "reason": escape(reason),
              "units": escape("、".join(_units(complaint)) or t.UNITS_NONE)}
    await _notify_units(bot, services, complaint, t.NOTICE_TRANSFERRED.format(**values),
                        t.NOTICE_TRANSFERRED_NO_STAFF.format(**values))


# ---------------------------------------------------------------------------------- handlers


class _WhilePending:
    """Matches only updates from someone the bot awaits typed input from, so other handlers of
    the same group (admins' pending documents …) still see everything else."""

    user_data: Mapping[int, Any]

    def check_update(self, update: object) -> Any:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None or PENDING_KEY not in (self.user_data.get(user.id) or {}):
            return False
        return super().check_update(update)  # type: ignore[misc]


class _PendingMessage(_WhilePending, MessageHandler[Any, Any]):
    pass


class _PendingCancel(_WhilePending, CommandHandler[Any, Any]):
    pass


class Casework:
    def __init__(self, services: ComplaintServices) -> None:
        assert services.access is not None
        self.services = services
        self.repo = services.repository
        self.access = services.access
        self.queries = CaseworkQueries(services.repository.db)
        self._rating: set[str] = set()  # tickets whose 回访 answer is being recorded (in memory only)

    # -- small helpers ------------------------------------------------------------

    @staticmethod
    async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                   markup: InlineKeyboardMarkup | None = None) -> None:
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML,
                                       reply_markup=markup)

    @staticmethod
    async def _answer(update: Update, text: str | None = None, alert: bool = False) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=alert)

    @staticmethod
    async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    def _actor(self, perms: Permissions, complaint: Complaint) -> Actor:
        kind = ActorKind.STAFF if perms.handles(complaint) else ActorKind.SUPERVISOR
        return Actor(kind, perms.user_id)

    @staticmethod
    def _who(perms: Permissions, complaint: Complaint) -> str:
        """How the filer hears of the one acting: their unit, or the supervising office."""
        mine = [a.unit.name for a in complaint.assignments if a.unit_id in perms.unit_ids]
        return escape(mine[0]) if mine else t.SUPERVISOR_NAME

    # -- the card -----------------------------------------------------------------

    def _history(self, complaint: Complaint) -> str:
        events = complaint.events
        lines = [t.CARD_HISTORY_MORE.format(n=len(events) - HISTORY_SHOWN)] if len(events) > HISTORY_SHOWN else []
        for event in events[-HISTORY_SHOWN:]:
            payload = event.payload or {}
            if event.action == S.TRANSFERRED.value:
                detail = f"→{'、'.join(payload.get('units', []))}：{payload.get('reason', '')}"
            elif event.action == FEEDBACK:
                detail = t.RATINGS.get(payload.get("rating"), "")
            elif event.action == ESCALATE:
                detail = t.ESCALATION_REASONS.get(payload.get("reason"), "")
            else:
                detail = payload.get("public") or ""
            detail = escape(_short(mask_text(detail), HISTORY_DETAIL_CHARS))
            lines.append(t.CARD_HISTORY_ITEM.format(
                date=china_time(event.created_at), actor=t.ACTORS.get(event.actor_kind, ""),
                action=t.ACTIONS.get(event.action, escape(event.action)), detail="：" + detail if detail else ""))
        return "".join(lines)

    def _filer(self, complaint: Complaint) -> str:
        if complaint.anonymous:
            return t.FILER_ANONYMOUS
        name = mask_name(complaint.contact_name) if complaint.contact_name else t.FILER_NO_NAME
        phone = mask_phone(complaint.contact_phone) if complaint.contact_phone else ""
        return escape(f"{name} {phone}".strip())

    def card(self, complaint: Complaint, perms: Permissions) -> tuple[str, InlineKeyboardMarkup | None]:
        now = self.repo.clock()
        text = t.CARD.format(
            ticket=escape(complaint.ticket), status=t.STATUS.get(complaint.status, complaint.status),
            category=escape(_category(self.services, complaint.category)), place=escape(_place(complaint)),
            units=escape("、".join(_units(complaint)) or t.UNITS_NONE), filed=china_time(complaint.created_at),
            accept_due=_due(complaint.accept_due_at),
            accept_overdue=t.OVERDUE if _overdue(complaint, ACCEPT, now) else "",
            resolve_due=_due(complaint.resolve_due_at),
            resolve_overdue=t.OVERDUE if _overdue(complaint, RESOLVE, now) else "",
            filer=self._filer(complaint),
            description=escape(_short(mask_text(complaint.description), CARD_DESCRIPTION_CHARS)),
            history=self._history(complaint))
        return text, self._card_buttons(complaint, perms)

    def _card_buttons(self, complaint: Complaint, perms: Permissions) -> InlineKeyboardMarkup | None:
        ticket = complaint.ticket
        allowed = ALLOWED_TRANSITIONS[S(complaint.status)]
        buttons: list[tuple[str, str]] = []
        if perms.may_act(complaint):
            if S.ACCEPTED in allowed:
                buttons.append((t.BUTTON_ACCEPT, "acc"))
            if S.TRANSFERRED in allowed and self._may_transfer(complaint, perms):
                buttons.append((t.BUTTON_TRANSFER, "tr"))
            if complaint.status in OPEN_STATUSES:
                buttons.append((t.BUTTON_REPLY, "reply"))
            if S.RESOLVED in allowed:
                buttons.append((t.BUTTON_RESOLVE, "resolve"))
            if S.REJECTED in allowed:
                buttons.append((t.BUTTON_REJECT, "reject"))
        if perms.may_reveal(complaint):
            buttons.append((t.BUTTON_REVEAL, "rev"))
        if not buttons:
            return None
        cells = [InlineKeyboardButton(label, callback_data=f"{PREFIX}{op}:{ticket}") for label, op in buttons]
        return InlineKeyboardMarkup([cells[i:i + 3] for i in range(0, len(cells), 3)])

    async def _show_card(self, update: Update, context: ContextTypes.DEFAULT_TYPE, complaint: Complaint,
                         perms: Permissions, lead: str | None = None) -> None:
        if lead:
            await self._say(update, context, lead)
        if perms.may_view(complaint):
            await self._say(update, context, *self.card(complaint, perms))

    # -- /queue -------------------------------------------------------------------

    async def queue_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        perms = await self.access.of(update.effective_user.id)
        if not (perms.is_staff or perms.is_supervisor):
            await self.access.refuse(update, context, "queue")
            return
        args = context.args or []
        if len(args) > 1 or (args and not args[0].isdigit()):
            await self._say(update, context, t.QUEUE_USAGE)
            return
        page = int(args[0]) - 1 if args else 0
        text, markup = await self._queue(perms, max(page, 0))
        await self._say(update, context, text, markup)

    async def queue_page(self, update: Update, context: ContextTypes.DEFAULT_TYPE, page: str) -> None:
        perms = await self.access.of(update.effective_user.id)
        if not (perms.is_staff or perms.is_supervisor):
            await self.access.refuse(update, context, "queue")
            return
        await self._answer(update)
        text, markup = await self._queue(perms, int(page) if page.isdigit() else 0)
        await self._edit(update, text, markup)

    async def _queue(self, perms: Permissions, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
        found = await self.queries.queue(unit_ids=perms.unit_ids, regions=perms.regions,
                                         page=page, per_page=QUEUE_PAGE_SIZE)
        if not found.cases:
            return t.QUEUE_EMPTY, None
        now = self.repo.clock()
        first = found.page * found.per_page
        items, rows = [], []
        for n, complaint in enumerate(found.cases, start=first + 1):
            deadline, due = pending_deadline(complaint)
            items.append(t.QUEUE_ITEM.format(
                n=n, ticket=escape(complaint.ticket), status=t.STATUS.get(complaint.status, complaint.status),
                category=escape(_category(self.services, complaint.category)), place=escape(_place(complaint)),
                deadline=t.DEADLINE_NAMES[deadline], due=_due(due),
                overdue=t.OVERDUE if due is not None and due < now else ""))
            rows.append([_open_button(complaint.ticket, f"{n}. {complaint.ticket}")])
        nav = []
        if found.page > 0:
            nav.append(InlineKeyboardButton(t.BUTTON_PREVIOUS, callback_data=f"{PREFIX}q:{found.page - 1}"))
        if found.page + 1 < found.pages:
            nav.append(InlineKeyboardButton(t.BUTTON_NEXT, callback_data=f"{PREFIX}q:{found.page + 1}"))
        if nav:
            rows.append(nav)
        header = t.QUEUE_HEADER.format(total=found.total, page=found.page + 1, pages=found.pages)
        return header + "".join(items), InlineKeyboardMarkup(rows)

    # -- /case and the buttons ------------------------------------------------------

    async def _case(self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str,
                    allowed: Callable[[Complaint], bool], action: str) -> Complaint | None:
        """The case as it is now if `allowed` for this user; otherwise say why (an alert under a
        button, a message otherwise) and return None."""
        try:
            complaint = await self.repo.get(ticket)
        except ComplaintNotFound:
            if update.callback_query is not None:
                await self._answer(update, t.CASE_NOT_FOUND, alert=True)
            else:
                await self._say(update, context, t.CASE_NOT_FOUND)
            return None
        if not allowed(complaint):
            await self.access.refuse(update, context, f"{action} {complaint.ticket}", "not this user's case")
            return None
        return complaint

    async def case_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        perms = await self.access.of(update.effective_user.id)
        if not (perms.is_staff or perms.is_supervisor or perms.is_admin):
            await self.access.refuse(update, context, "case")
            return
        if len(context.args or []) != 1:
            await self._say(update, context, t.CASE_USAGE)
            return
        complaint = await self._case(update, context, context.args[0], perms.may_view, "case")
        if complaint is not None:
            await self._say(update, context, *self.card(complaint, perms))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every cw: button: roles are checked against the case as it is now, not as it was shown."""
        op, *args = update.callback_query.data.removeprefix(PREFIX).split(":")
        try:
            if op == "q" and len(args) == 1:
                await self.queue_page(update, context, args[0])
            elif op == "fb" and len(args) == 2:
                await self.rate(update, context, args[0], args[1])
            elif op == "x":
                await self._answer(update)
                await self.cancel_pending(update, context, raise_stop=False)
            elif args:
                await self._case_button(update, context, op, args)
            else:
                await self._answer(update, t.BUTTON_EXPIRED, alert=True)
        except StorageUnavailable:
            await self._answer(update)
            await self._say(update, context, t.UNAVAILABLE)

    async def _case_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                           args: list[str]) -> None:
        handlers = {"open": self.open_case, "acc": self.accept, "tr": self.pick_unit, "tp": self.pick_unit,
                    "tu": self.chose_unit, "reply": self.ask_text, "resolve": self.ask_text,
                    "reject": self.ask_text, "rev": self.reveal}
        handler = handlers.get(op)
        if handler is None:
            await self._answer(update, t.BUTTON_EXPIRED, alert=True)
            return
        perms = await self.access.of(update.effective_user.id)
        if not (perms.is_staff or perms.is_supervisor or perms.is_admin):
            await self.access.refuse(update, context, f"{op} {args[0]}")
            return
        allowed = {"open": perms.may_view, "rev": perms.may_reveal}.get(op, perms.may_act)
        complaint = await self._case(update, context, args[0], allowed, op)
        if complaint is None:
            return
        await handler(update, context, op, complaint, perms, args[1:])

    async def open_case(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                        complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        await self._answer(update)
        await self._say(update, context, *self.card(complaint, perms))

    @staticmethod
    def _stale_lead(complaint: Complaint) -> str:
        return t.STALE_ACTION.format(status=t.STATUS.get(complaint.status, complaint.status))

    async def _stale(self, update: Update, context: ContextTypes.DEFAULT_TYPE, complaint: Complaint,
                     perms: Permissions) -> None:
        """A button pressed twice or on an old card: say so, change nothing, show the case as it is."""
        await self._answer(update)
        await self._show_card(update, context, complaint, perms, self._stale_lead(complaint))

    # -- accept -------------------------------------------------------------------

    async def accept(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                     complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        try:
            updated = await self.repo.transition(complaint.ticket, S.ACCEPTED, self._actor(perms, complaint))
        except InvalidTransition:
            await self._stale(update, context, await self.repo.get(complaint.ticket), perms)
            return
        await self._answer(update)
        reached = await tell_filer(context.bot, updated, t.TO_FILER_ACCEPTED.format(
            ticket=escape(updated.ticket), who=self._who(perms, updated),
            resolve_due=_due(updated.resolve_due_at)))
        done = t.DONE_ACCEPTED.format(ticket=escape(updated.ticket), resolve_due=_due(updated.resolve_due_at))
        await self._show_card(update, context, updated, perms, done + ("" if reached else t.FILER_NOT_REACHED))

    # -- typed steps: reply, resolve, reject, and the reason of a transfer ----------

    async def ask_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                       complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        prompt, to_status = TYPED[op]
        if not self._can(complaint, to_status):
            await self._stale(update, context, complaint, perms)
            return
        await self._answer(update)
        context.user_data.pop(PICK_KEY, None)
        context.user_data[PENDING_KEY] = {"op": op, "ticket": complaint.ticket}
        await self._say(update, context, prompt.format(n=MAX_INPUT))

    @staticmethod
    def _can(complaint: Complaint, to_status: ComplaintStatus | None) -> bool:
        """Whether the step is still possible; None is a reply, possible while the case is open."""
        if to_status is None:
            return complaint.status in OPEN_STATUSES
        return to_status in ALLOWED_TRANSITIONS[S(complaint.status)]

    def _transfer_due(self, complaint: Complaint) -> datetime | None:
        arrived = min((a.assigned_at for a in complaint.assignments), default=None)
        return self.services.deadlines.transfer_due(arrived) if arrived else None

    def _may_transfer(self, complaint: Complaint, perms: Permissions) -> bool:
        """A unit sends a misrouted case on within the transfer window from its arrival, as hotline
        units must; after that it handles the case, and only a supervisor can still move it."""
        due = self._transfer_due(complaint)
        return perms.supervises(complaint) or due is None or self.repo.clock() <= due

    async def _too_late_to_transfer(self, update: Update, complaint: Complaint, perms: Permissions) -> bool:
        if self._may_transfer(complaint, perms):
            return False
        await self._answer(update, t.TRANSFER_TOO_LATE.format(due=_due(self._transfer_due(complaint))), alert=True)
        return True

    async def pick_unit(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                        complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        """转办: the region's units (from its plan and from the units on record), by button."""
        if not self._can(complaint, S.TRANSFERRED):
            await self._stale(update, context, complaint, perms)
            return
        if await self._too_late_to_transfer(update, complaint, perms):
            return
        await self._answer(update)
        picked = context.user_data.get(PICK_KEY) or {}
        page = int(args[0]) if op == "tp" and args and args[0].isdigit() else 0
        if op == "tp" and picked.get("ticket") == complaint.ticket:
            units = picked["units"]  # the list the shown buttons index into
        else:
            units = await self._transfer_targets(complaint)
            context.user_data[PICK_KEY] = {"ticket": complaint.ticket, "units": units}
        if not units:
            await self._say(update, context, t.NO_UNITS_TO_TRANSFER)
            return
        pages = -(-len(units) // UNITS_PAGE_SIZE)
        page = min(page, pages - 1)
        first = page * UNITS_PAGE_SIZE
        cells = [InlineKeyboardButton(name, callback_data=f"{PREFIX}tu:{complaint.ticket}:{i}")
                 for i, name in enumerate(units[first:first + UNITS_PAGE_SIZE], start=first)]
        rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton(t.BUTTON_PREVIOUS, callback_data=f"{PREFIX}tp:{complaint.ticket}:{page - 1}"))
        if page + 1 < pages:
            nav.append(InlineKeyboardButton(t.BUTTON_NEXT, callback_data=f"{PREFIX}tp:{complaint.ticket}:{page + 1}"))
        rows.append([*nav, InlineKeyboardButton(t.BUTTON_CANCEL, callback_data=f"{PREFIX}x")])
        text = t.ASK_TRANSFER_UNIT.format(ticket=escape(complaint.ticket), page=page + 1, pages=pages)
        if op == "tp":
            await self._edit(update, text, InlineKeyboardMarkup(rows))
        else:
            await self._say(update, context, text, InlineKeyboardMarkup(rows))

    async def _transfer_targets(self, complaint: Complaint) -> list[str]:
        """Units of the case's region: its plan's dispatcher and listed units first, then any other
        unit on record there; the units it is assigned to now are left out."""
        plan = self.services.router.plans.get(complaint.region)
        from_plan = [plan.dispatcher, *(u for b in plan.blocks for u in b.units)] if plan else []
        on_record = await self.queries.region_units(complaint.region)
        current = set(_units(complaint))
        return [u for u in dict.fromkeys([*from_plan, *on_record]) if u not in current]

    async def chose_unit(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                         complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        picked = context.user_data.get(PICK_KEY) or {}
        units = picked.get("units") or []
        if picked.get("ticket") != complaint.ticket or not args or not args[0].isdigit() \
                or int(args[0]) >= len(units):
            await self._answer(update, t.BUTTON_EXPIRED, alert=True)
            return
        if not self._can(complaint, S.TRANSFERRED):
            await self._stale(update, context, complaint, perms)
            return
        if await self._too_late_to_transfer(update, complaint, perms):
            return
        await self._answer(update)
        unit = units[int(args[0])]
        context.user_data.pop(PICK_KEY, None)
        context.user_data[PENDING_KEY] = {"op": "transfer", "ticket": complaint.ticket, "unit": unit}
        await self._say(update, context, t.ASK_TRANSFER_REASON.format(unit=escape(unit), n=MAX_INPUT))

    async def typed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The text a pending action waits for; anything else is asked for again."""
        pending = context.user_data.get(PENDING_KEY)
        if not pending:
            return
        message = update.effective_message
        if message.text is None:
            await self._say(update, context, t.INPUT_NOT_TEXT)
            raise ApplicationHandlerStop
        text = clean_input(message.text)
        if sum(ch.isalnum() for ch in text) < MIN_MEANINGFUL:
            await self._say(update, context, t.INPUT_EMPTY)
            raise ApplicationHandlerStop
        if len(text) > MAX_INPUT:
            await self._say(update, context, t.INPUT_TOO_LONG.format(n=len(text), limit=MAX_INPUT))
            raise ApplicationHandlerStop
        # Taken before acting: whatever happens, the same text must not act twice.
        context.user_data.pop(PENDING_KEY, None)
        try:
            await self._complete(update, context, pending, text)
        except StorageUnavailable:
            await self._say(update, context, t.UNAVAILABLE)
        raise ApplicationHandlerStop

    async def _complete(self, update: Update, context: ContextTypes.DEFAULT_TYPE, pending: dict[str, Any],
                        text: str) -> None:
        perms = await self.access.of(update.effective_user.id)
        complaint = await self._case(update, context, pending["ticket"], perms.may_act, pending["op"])
        if complaint is None:
            return
        op = pending["op"]
        actor = self._actor(perms, complaint)
        who = self._who(perms, complaint)
        ticket = escape(complaint.ticket)
        if not self._can(complaint, S.TRANSFERRED if op == "transfer" else TYPED[op][1]):
            await self._show_card(update, context, complaint, perms, self._stale_lead(complaint))
            return
        try:
            if op == "reply":
                await self.repo.append_event(complaint.ticket, actor, REPLY, {"public": text})
                updated = await self.repo.get(complaint.ticket)
                to_filer = t.TO_FILER_REPLY.format(ticket=ticket, who=who, text=escape(text))
                done, markup = t.DONE_REPLIED.format(ticket=ticket), None
            elif op == "transfer":
                unit = pending["unit"]
                updated = await self.repo.transition(
                    complaint.ticket, S.TRANSFERRED, actor, units=[unit],
                    payload={"reason": text, "public": t.TRANSFER_PUBLIC.format(unit=unit, reason=text)},
                    accept_due_at=self.services.deadlines.accept_due(self.repo.clock()))
                to_filer = t.TO_FILER_TRANSFERRED.format(ticket=ticket, unit=escape(unit), reason=escape(text))
                done, markup = t.DONE_TRANSFERRED.format(ticket=ticket, unit=escape(unit)), None
                try:
                    await announce_transferred(context.bot, self.services, updated, _units(complaint), text)
                except (StorageUnavailable, TelegramError):  # the case is in the new unit's queue anyway
                    log.exception("could not announce the transfer of %s", updated.ticket)
            elif op == "resolve":
                updated = await self.repo.transition(complaint.ticket, S.RESOLVED, actor, payload={"public": text})
                days = round(self.services.deadlines.feedback_window.total_seconds() / 86400)
                to_filer = t.TO_FILER_RESOLVED.format(ticket=ticket, result=escape(text), days=days)
                done, markup = t.DONE_RESOLVED.format(ticket=ticket), self._rating_buttons(complaint.ticket)
            else:
                updated = await self.repo.transition(complaint.ticket, S.REJECTED, actor, payload={"public": text})
                to_filer = t.TO_FILER_REJECTED.format(ticket=ticket, who=who, reason=escape(text))
                done, markup = t.DONE_REJECTED.format(ticket=ticket), None
        except InvalidTransition:  # someone else changed the case in the meantime
            current = await self.repo.get(complaint.ticket)
            await self._show_card(update, context, current, perms, self._stale_lead(current))
            return
        reached = await tell_filer(context.bot, updated, to_filer, markup)
        await self._show_card(update, context, updated, perms, done + ("" if reached else t.FILER_NOT_REACHED))

    async def cancel_pending(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                             raise_stop: bool = True) -> None:
        """/cancel (or 取消) while a reason, reply or result is awaited; otherwise residents' /cancel runs."""
        had = context.user_data.pop(PENDING_KEY, None) or context.user_data.pop(PICK_KEY, None)
        if not had:
            return
        await self._say(update, context, t.INPUT_CANCELLED)
        if raise_stop:
            raise ApplicationHandlerStop

    # -- identity -------------------------------------------------------------------

    async def reveal(self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str,
                     complaint: Complaint, perms: Permissions, args: list[str]) -> None:
        """Supervisors only; each reveal is logged with who and when, before anything is shown."""
        await self._answer(update)
        ticket = escape(complaint.ticket)
        if complaint.anonymous:
            await self._say(update, context, t.REVEAL_ANONYMOUS.format(ticket=ticket))
            return
        event = await self.repo.append_event(complaint.ticket, Actor(ActorKind.SUPERVISOR, perms.user_id), REVEAL)
        user = update.effective_user
        await self._say(update, context, t.REVEAL.format(
            ticket=ticket, name=escape(complaint.contact_name or t.FILER_NO_NAME),
            phone=escape(complaint.contact_phone or "—"), who=escape(user.full_name or str(user.id)),
            when=china_time(event.created_at)))

    # -- 回访 ----------------------------------------------------------------------

    @staticmethod
    def _rating_buttons(ticket: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[
            InlineKeyboardButton(t.RATINGS[rating], callback_data=f"{PREFIX}fb:{ticket}:{code}")
            for code, rating in RATING_CODES.items()]])

    async def rate(self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str, code: str) -> None:
        """满意 / 基本满意 close the case; 不满意 within the window reopens it and tells the supervisors."""
        rating = RATING_CODES.get(code)
        try:
            complaint = await self.repo.get(ticket)
        except ComplaintNotFound:
            complaint = None
        if rating is None or complaint is None:
            await self._answer(update, t.BUTTON_EXPIRED, alert=True)
            return
        if complaint.resident_id is None or complaint.resident_id != update.effective_user.id:
            log.warning("refused rating %s to user %s: not the filer", ticket, update.effective_user.id)
            await self._answer(update, t.RATING_ONLY_FILER, alert=True)
            return
        if complaint.ticket in self._rating:
            await self._answer(update, t.RATING_BUSY)
            return
        self._rating.add(complaint.ticket)
        try:
            await self._rate(update, context, complaint, rating)
        finally:
            self._rating.discard(complaint.ticket)

    async def _rate(self, update: Update, context: ContextTypes.DEFAULT_TYPE, complaint: Complaint,
                    rating: str) -> None:
        window = self.services.deadlines.feedback_window
        now = self.repo.clock()
        if complaint.status != S.RESOLVED:
            await self._answer(update)
            await self._say(update, context, t.RATING_DONE.format(ticket=escape(complaint.ticket)))
            return
        if complaint.resolved_at is None or now > complaint.resolved_at + window:
            await self._answer(update)
            await self._say(update, context, t.RATING_TOO_LATE.format(days=round(window.total_seconds() / 86400)))
            return
        await self._answer(update)
        filer = Actor(ActorKind.RESIDENT, complaint.resident_id)
        await self.repo.append_event(complaint.ticket, filer, FEEDBACK, {"rating": rating})
        if rating != UNSATISFIED:
            await self.repo.transition(complaint.ticket, S.CLOSED, filer)
            await self._say(update, context, t.THANKS_SATISFIED.format(rating=t.RATINGS[rating]))
            return
        updated = await self.repo.transition(
            complaint.ticket, S.REOPENED, filer, payload={"reason": UNSATISFIED, "public": t.REOPENED_PUBLIC},
            resolve_due_at=self.services.deadlines.resolve_due(now, complaint.category))
        await self.repo.append_event(complaint.ticket, SYSTEM, ESCALATE, {"reason": UNSATISFIED})
        resolve_due = _due(updated.resolve_due_at)
        await self._say(update, context, t.THANKS_UNSATISFIED.format(resolve_due=resolve_due))
        roles = self.access.roles
        notice = t.NOTICE_UNSATISFIED.format(ticket=escape(updated.ticket), resolve_due=resolve_due,
                                             units=escape("、".join(_units(updated)) or t.UNITS_NONE))
        recipients = [*await supervisors(roles, updated), *await unit_staff(roles, updated)]
        await send_to(context.bot, recipients, notice, InlineKeyboardMarkup([[_open_button(updated.ticket)]]))


def register(application: Application[Any, Any, Any, Any, Any, Any], services: ComplaintServices,
             group: int = 0) -> None:
    """/queue, /case and the cw: buttons in `group`; typed reasons/replies/results and their /cancel
    in STAFF_GROUP, where they match only while something is awaited."""
    casework = Casework(services)
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        CommandHandler("queue", casework.queue_command, private),
        CommandHandler("case", casework.case_command, private),
        CallbackQueryHandler(casework.button, pattern=rf"^{PREFIX}"),
    ], group=group)
    typed = _PendingMessage(PRIVATE & ~filters.COMMAND, casework.typed)
    cancel = _PendingCancel("cancel", casework.cancel_pending, private)
    for handler in (typed, cancel):
        handler.user_data = application.user_data
    application.add_handlers([typed, cancel], group=STAFF_GROUP)
