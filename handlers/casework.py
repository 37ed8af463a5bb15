"""Case work on Telegram: /queue, /case, the case card's buttons, typed reasons, and the filer's
回访 buttons. Each handler parses the update, calls the case service (which checks rights and
state at the moment of acting, writes, and tells the people concerned) and renders the result.

A reason, reply or result is typed after pressing its button: the pending step waits in
user_data and the next text message (in STAFF_GROUP, before residents' handlers) completes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from cases.errors import (
    BadInput,
    CaseNotFound,
    NotAllowed,
    NothingToReveal,
    RatingClosed,
    StaleCase,
    TransferWindowClosed,
    UnknownUnit,
)
from cases.service import MAX_TEXT, CaseService, checked_text
from cases.times import china_time
from cases.views import TRANSFER, CaseView, Outcome
from handlers import case_cards
from handlers import case_texts as t
from handlers.access import STAFF_GROUP, tell_refused
from handlers.case_notices import PREFIX, RATING_CODES, due
from handlers.formatting import clean_input, escape, parse_number
from handlers.presses import answer_press
from handlers.resident import PRIVATE
from handlers.updates import chat_of, message_of, query_data, query_of, user_data, user_of
from storage.db import StorageUnavailable

log = logging.getLogger(__name__)

PENDING_KEY = "casework_pending"  # {"op": reply|resolve|reject|transfer, "ticket": …, "unit": …}
PICK_KEY = "casework_units"  # {"ticket": …, "units": [...]}: the transfer targets shown, by index
QUEUE_PAGE_SIZE = 5
UNITS_PAGE_SIZE = 8
TYPED_PROMPTS = {"reply": t.ASK_REPLY, "resolve": t.ASK_RESOLVE, "reject": t.ASK_REJECT}
DONE = {
    "accept": t.DONE_ACCEPTED,
    "reply": t.DONE_REPLIED,
    "resolve": t.DONE_RESOLVED,
    "reject": t.DONE_REJECTED,
    "transfer": t.DONE_TRANSFERRED,
}


class _WhilePending:
    """Matches only updates from someone the bot awaits typed input from, so other handlers of
    the same group (admins' pending documents …) still see everything else."""

    user_data: Mapping[int, Any]

    def check_update(self, update: object) -> Any:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None or PENDING_KEY not in (self.user_data.get(user.id) or {}):
            return False
        # A mixin: super() is the PTB handler class it is mixed into, which mypy cannot see.
        return super().check_update(update)  # type: ignore[misc]


class _PendingMessage(_WhilePending, MessageHandler[Any, Any]):
    pass


class _PendingCancel(_WhilePending, CommandHandler[Any, Any]):
    pass


class Casework:
    def __init__(self, service: CaseService, category_labels: Mapping[str, str]) -> None:
        self.service = service
        self.labels = category_labels

    # -- saying things ------------------------------------------------------------------

    @staticmethod
    async def _say(
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        await context.bot.send_message(
            chat_of(update).id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    @staticmethod
    async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await query_of(update).edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def _card(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        case: CaseView,
        lead: str | None = None,
    ) -> None:
        if lead:
            await self._say(update, context, lead)
        await self._say(update, context, *case_cards.card(case, self.labels))

    async def _stale(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, case: CaseView
    ) -> None:
        """A button pressed twice or on an old card: say so, change nothing, show the case as it is."""
        await answer_press(update)
        await self._card(
            update,
            context,
            case,
            t.STALE_ACTION.format(status=case_cards.status_label(case.status)),
        )

    async def _not_found(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await answer_press(update, t.CASE_NOT_FOUND, alert=True)
        else:
            await self._say(update, context, t.CASE_NOT_FOUND)

    async def _run(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        action: str,
        call: Callable[[], Awaitable[None]],
    ) -> None:
        """Run a step, answering each refusal the service can give in the reader's words."""
        try:
            await call()
        except CaseNotFound:
            await self._not_found(update, context)
        except NotAllowed:
            await tell_refused(update, context)
        except StaleCase as stale:
            await self._stale(update, context, stale.case)
        except TransferWindowClosed as closed:
            if update.callback_query is not None:
                await answer_press(update, case_cards.transfer_too_late(closed.due), alert=True)
            else:
                await self._say(update, context, case_cards.transfer_too_late(closed.due))
        except UnknownUnit:
            await answer_press(update)
            await self._say(update, context, t.BUTTON_EXPIRED)
        except StorageUnavailable:
            await answer_press(update)
            await self._say(update, context, t.UNAVAILABLE)

    # -- /queue ---------------------------------------------------------------------------

    async def queue_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        page = parse_number(args[0]) if len(args) == 1 else (1 if not args else None)
        if page is None:
            await self._say(update, context, t.QUEUE_USAGE)
            return

        async def show() -> None:
            found = await self.service.queue(
                user_of(update).id, page=max(page - 1, 0), per_page=QUEUE_PAGE_SIZE
            )
            await self._say(update, context, *case_cards.queue(found, self.labels))

        await self._run(update, context, "queue", show)

    async def queue_page(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, page: str
    ) -> None:
        async def show() -> None:
            found = await self.service.queue(
                user_of(update).id, page=parse_number(page) or 0, per_page=QUEUE_PAGE_SIZE
            )
            await answer_press(update)
            await self._edit(update, *case_cards.queue(found, self.labels))

        await self._run(update, context, "queue", show)

    # -- /case and the card's buttons -------------------------------------------------------

    async def case_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        if len(args) != 1:
            if not (await self.service.permissions(user_of(update).id)).has_role:
                await tell_refused(update, context)
                return
            await self._say(update, context, t.CASE_USAGE)
            return

        async def show() -> None:
            await self._card(update, context, await self.service.case(user_of(update).id, args[0]))

        await self._run(update, context, "case", show)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every cw: button; the service checks rights against the case as it is now."""
        op, *args = query_data(update).removeprefix(PREFIX).split(":")
        user_id = user_of(update).id
        steps: dict[str, Callable[[], Awaitable[None]]] = {}
        if op == "q" and len(args) == 1:
            steps[op] = lambda: self.queue_page(update, context, args[0])
        elif op == "fb" and len(args) == 2:
            steps[op] = lambda: self.rate(update, context, args[0], args[1])
        elif op == "x":
            steps[op] = lambda: self.cancel_pending(update, context, raise_stop=False)
        elif args:
            ticket = args[0]
            steps = {
                "open": lambda: self.open_case(update, context, ticket),
                "acc": lambda: self.accept(update, context, ticket),
                "tr": lambda: self.pick_unit(update, context, ticket, 0, fresh=True),
                "tp": lambda: self.pick_unit(
                    update, context, ticket, parse_number(args[1]) if len(args) > 1 else 0
                ),
                "tu": lambda: self.chose_unit(
                    update, context, ticket, args[1] if len(args) > 1 else ""
                ),
                "reply": lambda: self.ask_text(update, context, "reply", ticket),
                "resolve": lambda: self.ask_text(update, context, "resolve", ticket),
                "reject": lambda: self.ask_text(update, context, "reject", ticket),
                "rev": lambda: self.reveal(update, context, ticket),
            }
        step = steps.get(op)
        if step is None:
            log.info("expired or unknown case button from user %s", user_id)
            await answer_press(update, t.BUTTON_EXPIRED, alert=True)
            return
        await step()

    async def open_case(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str
    ) -> None:
        async def show() -> None:
            case = await self.service.case(user_of(update).id, ticket)
            await answer_press(update)
            await self._card(update, context, case)

        await self._run(update, context, "open", show)

    async def _done(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        action: str,
        outcome: Outcome,
        **values: str,
    ) -> None:
        case = outcome.case
        lead = DONE[action].format(
            ticket=escape(case.ticket), resolve_due=due(case.resolve_due), **values
        )
        lead += "" if outcome.filer_reached else t.FILER_NOT_REACHED
        await answer_press(update)
        if outcome.still_visible:
            await self._card(update, context, case, lead)
        else:
            await self._say(update, context, lead)

    async def accept(self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str) -> None:
        async def act() -> None:
            await self._done(
                update,
                context,
                "accept",
                await self.service.accept(user_of(update).id, ticket),
            )

        await self._run(update, context, "accept", act)

    # -- typed steps: reply, resolve, reject, and the reason of a transfer --------------

    async def ask_text(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, op: str, ticket: str
    ) -> None:
        """Ask for the text of a step the case allows now; the step itself is checked again when
        the text arrives."""

        async def ask() -> None:
            case = await self.service.prepare(user_of(update).id, ticket, op)
            await answer_press(update)
            user_data(context).pop(PICK_KEY, None)
            user_data(context)[PENDING_KEY] = {"op": op, "ticket": case.ticket}
            await self._say(update, context, TYPED_PROMPTS[op].format(n=MAX_TEXT))

        await self._run(update, context, op, ask)

    async def pick_unit(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        ticket: str,
        page: int | None,
        fresh: bool = False,
    ) -> None:
        """转办: the region's units, by button, a page at a time."""
        user_id = user_of(update).id

        async def show() -> None:
            case = await self.service.prepare(user_id, ticket, TRANSFER)
            picked = user_data(context).get(PICK_KEY) or {}
            if not fresh and picked.get("ticket") == case.ticket:
                units = picked["units"]  # the list the shown buttons index into
            else:
                units = await self.service.transfer_targets(user_id, ticket)
                user_data(context)[PICK_KEY] = {"ticket": case.ticket, "units": units}
            await answer_press(update)
            if not units:
                await self._say(update, context, t.NO_UNITS_TO_TRANSFER)
                return
            pages = -(-len(units) // UNITS_PAGE_SIZE)
            shown = min(page or 0, pages - 1)
            first = shown * UNITS_PAGE_SIZE
            cells = [
                InlineKeyboardButton(name, callback_data=f"{PREFIX}tu:{case.ticket}:{i}")
                for i, name in enumerate(units[first : first + UNITS_PAGE_SIZE], start=first)
            ]
            rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
            nav = []
            if shown > 0:
                nav.append(
                    InlineKeyboardButton(
                        t.BUTTON_PREVIOUS, callback_data=f"{PREFIX}tp:{case.ticket}:{shown - 1}"
                    )
                )
            if shown + 1 < pages:
                nav.append(
                    InlineKeyboardButton(
                        t.BUTTON_NEXT, callback_data=f"{PREFIX}tp:{case.ticket}:{shown + 1}"
                    )
                )
            rows.append([*nav, InlineKeyboardButton(t.BUTTON_CANCEL, callback_data=f"{PREFIX}x")])
            text = t.ASK_TRANSFER_UNIT.format(
                ticket=escape(case.ticket), page=shown + 1, pages=pages
            )
            if fresh:
                await self._say(update, context, text, InlineKeyboardMarkup(rows))
            else:
                await self._edit(update, text, InlineKeyboardMarkup(rows))

        await self._run(update, context, "transfer", show)

    async def chose_unit(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str, index: str
    ) -> None:
        picked = user_data(context).get(PICK_KEY) or {}
        units = picked.get("units") or []
        chosen = parse_number(index)
        if picked.get("ticket") != ticket or chosen is None or chosen >= len(units):
            await answer_press(update, t.BUTTON_EXPIRED, alert=True)
            return
        unit = units[chosen]

        async def ask() -> None:
            case = await self.service.prepare(user_of(update).id, ticket, TRANSFER)
            await answer_press(update)
            user_data(context).pop(PICK_KEY, None)
            user_data(context)[PENDING_KEY] = {
                "op": "transfer",
                "ticket": case.ticket,
                "unit": unit,
            }
            await self._say(
                update, context, t.ASK_TRANSFER_REASON.format(unit=escape(unit), n=MAX_TEXT)
            )

        await self._run(update, context, "transfer", ask)

    async def typed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The text a pending step waits for; anything else is asked for again."""
        pending = user_data(context).get(PENDING_KEY)
        if not pending:
            return
        message = message_of(update)
        if message.text is None:
            await self._say(update, context, t.INPUT_NOT_TEXT)
            raise ApplicationHandlerStop
        try:
            text = checked_text(clean_input(message.text))
        except BadInput as bad:
            await self._say(
                update,
                context,
                t.INPUT_EMPTY
                if bad.reason == "empty"
                else t.INPUT_TOO_LONG.format(n=bad.length, limit=MAX_TEXT),
            )
            raise ApplicationHandlerStop from None
        # Taken before acting: whatever happens, the same text must not act twice.
        user_data(context).pop(PENDING_KEY, None)
        op, ticket, user_id = pending["op"], pending["ticket"], user_of(update).id

        async def act() -> None:
            if op == "transfer":
                outcome = await self.service.transfer(user_id, ticket, pending["unit"], text)
                await self._done(update, context, op, outcome, unit=escape(pending["unit"]))
            else:
                call = {
                    "reply": self.service.reply,
                    "resolve": self.service.resolve,
                    "reject": self.service.reject,
                }
                await self._done(update, context, op, await call[op](user_id, ticket, text))

        await self._run(update, context, op, act)
        raise ApplicationHandlerStop

    async def cancel_pending(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, raise_stop: bool = True
    ) -> None:
        """/cancel (or 取消) while a reason, reply or result is awaited; otherwise residents' /cancel runs."""
        await answer_press(update)
        had = user_data(context).pop(PENDING_KEY, None) or user_data(context).pop(PICK_KEY, None)
        if not had:
            return
        await self._say(update, context, t.INPUT_CANCELLED)
        if raise_stop:
            raise ApplicationHandlerStop

    # -- identity -------------------------------------------------------------------------

    async def reveal(self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str) -> None:
        """Supervisors only; the service records each reveal before anything is shown."""
        user = user_of(update)

        async def show() -> None:
            try:
                identity = await self.service.reveal(user.id, ticket)
            except NothingToReveal:
                await answer_press(update)
                await self._say(update, context, t.REVEAL_ANONYMOUS.format(ticket=escape(ticket)))
                return
            await answer_press(update)
            await self._say(
                update,
                context,
                t.REVEAL.format(
                    ticket=escape(ticket),
                    name=escape(identity.name or t.FILER_NO_NAME),
                    phone=escape(identity.phone or "—"),
                    who=escape(user.full_name or str(user.id)),
                    when=china_time(identity.revealed_at),
                ),
            )

        await self._run(update, context, "reveal", show)

    # -- 回访 ------------------------------------------------------------------------------

    async def rate(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ticket: str, code: str
    ) -> None:
        """The filer's 满意 / 基本满意 / 不满意 under the resolution message."""
        rating = RATING_CODES.get(code)
        if rating is None:
            await answer_press(update, t.BUTTON_EXPIRED, alert=True)
            return
        try:
            case = await self.service.rate(user_of(update).id, ticket, rating)
        except CaseNotFound:
            await answer_press(update, t.BUTTON_EXPIRED, alert=True)
            return
        except NotAllowed:
            await answer_press(update, t.RATING_ONLY_FILER, alert=True)
            return
        except RatingClosed as closed:
            await answer_press(update)
            days = round(self.service.policy.feedback_window.total_seconds() / 86400)
            await self._say(
                update,
                context,
                t.RATING_DONE.format(ticket=escape(ticket))
                if closed.why == "done"
                else t.RATING_TOO_LATE.format(days=days),
            )
            return
        except StorageUnavailable:
            await answer_press(update)
            await self._say(update, context, t.UNAVAILABLE)
            return
        await answer_press(update)
        if rating == "unsatisfied":
            await self._say(
                update, context, t.THANKS_UNSATISFIED.format(resolve_due=due(case.resolve_due))
            )
        else:
            await self._say(update, context, t.THANKS_SATISFIED.format(rating=t.RATINGS[rating]))


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    service: CaseService,
    category_labels: Mapping[str, str],
    group: int = 0,
) -> None:
    """/queue, /case and the cw: buttons in `group`; typed reasons/replies/results and their /cancel
    in STAFF_GROUP, where they match only while something is awaited."""
    casework = Casework(service, category_labels)
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("queue", casework.queue_command, private),
            CommandHandler("case", casework.case_command, private),
            CallbackQueryHandler(casework.button, pattern=rf"^{PREFIX}"),
        ],
        group=group,
    )
    typed = _PendingMessage(PRIVATE & ~filters.COMMAND, casework.typed)
    cancel = _PendingCancel("cancel", casework.cancel_pending, private)
    for handler in (typed, cancel):
        handler.user_data = application.user_data
    application.add_handlers([typed, cancel], group=STAFF_GROUP)
