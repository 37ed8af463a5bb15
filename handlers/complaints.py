"""Complaints on Telegram: the intake conversation, /status, and the offer to file.

Intake follows the 12317 hotline: category → place (region, then 乡镇/村 as text) → what
happened (photos optional) → anonymous or name + phone → summary to confirm or edit → ticket
and a separate query code. The draft lives in `user_data` as plain JSON, so the database
persistence keeps it across restarts; the ticket and query code are never kept there.
Every step answers bad input politely and asks again; /cancel ends it at any step.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from cases.masking import mask_text
from cases.times import china_time
from handlers import texts
from handlers.formatting import clean_input, escape, parse_number
from handlers.presses import answer_press
from handlers.resident import (
    COMPLAIN_CALLBACK,
    COMPLAIN_CATEGORY_PREFIX,
    PRIVATE,
    REGION_KEY,
    send_html,
)
from handlers.updates import chat_of, document_of, message_of, query_data, user_data, user_of
from knowledge.complaint_cues import ComplaintCues
from storage.complaints import ComplaintDraft, ComplaintNotFound, ComplaintView, similarity_text
from storage.counters import ExpiringCounters
from storage.db import StorageUnavailable
from storage.workdays import CHINA_TZ

if TYPE_CHECKING:
    from cases.service import CaseService
    from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

CONVERSATION_NAME = "complaint_intake"
DRAFT_KEY = "complaint_draft"
# A filed complaint whose ticket message did not reach the filer: {"ticket", "units"} (no code).
PENDING_TICKET_KEY = "pending_ticket"
# The place named in the last grievance offered the intake: {"n", "region", "township", "village"}
# (names only, never the message), so that its 我要投诉 offers that place first.
GRIEVANCE_PLACE_KEY = "grievance_place"
PENDING_GROUP = -8  # after flood control, before everything else: the ticket comes first
PURGE_JOB = "purge_intake_drafts"
PREPARE_JOB = "prepare_routing"
# The residents waiting when the bot starts are answered first; a complaint takes minutes to
# reach its routing step, so the plans are ready long before (or prepared then, if not).
PREPARE_AFTER_SECONDS = 10
PURGE_EVERY_SECONDS = 3600
SEND_ATTEMPTS = 3
SEND_RETRY_SECONDS = 0.5
PREFIX = "cp:"
MIN_DESCRIPTION, MAX_DESCRIPTION = 10, 2000
MIN_MEANINGFUL = 5  # letters or digits a description needs, so emoji or dots alone do not pass
MAX_PLACE = 50
MAX_NAME = 20
MAX_PHOTOS = 5
SUMMARY_DESCRIPTION_CHARS = 1500

# Conversation states: strings, so that persisted states keep their meaning if steps are added.
CATEGORY, REGION, TOWNSHIP, DESCRIPTION = "category", "region", "township", "description"
CONTACT, NAME, PHONE, CONFIRM, DUPLICATE = "contact", "name", "phone", "confirm", "duplicate"

_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—_.()（）]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_TOWNSHIP = re.compile(r"\S+?(?:乡|镇|街道|苏木)")
_VILLAGE = re.compile(r"\S+?(?:村|社区|居委会|组)")
_PHOTO = filters.PHOTO | filters.Document.IMAGE


@dataclass(frozen=True)
class IntakeLimits:
    """What one account may do: filings per China day, anonymous re-sends caught for
    `duplicate_days`, wrong query codes per ticket and per account before a lock of `lock_hours`;
    an intake draft untouched for `draft_hours` is deleted. `key` keys the hashes the counts are
    kept under (not stored in the database)."""

    per_day: int = 5
    duplicate_days: int = 30
    code_tries_per_ticket: int = 5
    code_tries_per_account: int = 20
    lock_hours: float = 24.0
    draft_hours: float = 72.0
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)


def china_day_end(now: datetime, days: int = 0) -> datetime:
    """The China midnight that ends `now`'s day, `days` later: counts expire on whole days,
    so an expiry time does not tell when someone filed."""
    local = now.astimezone(CHINA_TZ)
    midnight = datetime(local.year, local.month, local.day, tzinfo=CHINA_TZ) + timedelta(
        days=1 + days
    )
    return midnight.astimezone(now.tzinfo)


# --------------------------------------------------------------------- validation


def normalize_phone(text: str) -> str | None:
    """An 11-digit mainland mobile number from what was typed (spaces, dashes, +86, full-width), or None."""
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
    if len(compact) == 13 and compact.startswith("86"):
        compact = compact[2:]
    return compact if _MOBILE.fullmatch(compact) else None


def _meaningful(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def split_place(text: str) -> tuple[str | None, str | None]:
    """(乡镇, 村) from what the resident typed; all of it is the 乡镇 when neither is named."""
    compact = text.replace(" ", "")
    township = _TOWNSHIP.search(compact)
    rest = compact[township.end() :] if township else compact
    village = _VILLAGE.search(rest)
    if township is None and village is None:
        return text, None
    return (township.group(0) if township else None), (village.group(0) if village else None)


def units_text(units: list[str]) -> str:
    """The responsible units as the filer reads them: the primary one, and who gets copies."""
    if not units:
        return texts.UNITS_UNKNOWN
    if len(units) == 1:
        return escape(units[0])
    return texts.UNITS_WITH_COPIES.format(
        primary=escape(units[0]), others=escape("、".join(units[1:]))
    )


# ------------------------------------------------------------------------ handlers


class ComplaintHandlers:
    def __init__(
        self,
        kb: KnowledgeBase,
        cases: CaseService,
        cues: ComplaintCues,
        limits: IntakeLimits | None = None,
    ) -> None:
        self.kb = kb
        self.cases = cases
        self.repo = cases.repo
        self.limits = limits or IntakeLimits()
        self.counters = ExpiringCounters(cases.repo.db, self.limits.key, cases.repo.clock)
        self.router = cases.router
        self.cues = cues
        self._submitting: set[int] = (
            set()
        )  # residents whose 确认提交 is being handled (in memory only)
        self._delivering: set[int] = set()  # residents whose pending ticket is being sent
        self._user_data: Any = None  # the Application's user_data, once registered
        self.labels = {
            name: texts.CATEGORY_BUTTONS.get(name, category.label)
            for name, category in self.router.lexicon.categories.items()
        }

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
        draft: dict[str, Any] = user_data(context).setdefault(DRAFT_KEY, {})
        return draft

    @staticmethod
    def _keyboard(buttons: list[tuple[str, str]], per_row: int = 2) -> InlineKeyboardMarkup:
        cells = [
            InlineKeyboardButton(label, callback_data=PREFIX + data) for label, data in buttons
        ]
        return InlineKeyboardMarkup([cells[i : i + per_row] for i in range(0, len(cells), per_row)])

    async def _say(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        await send_html(update, context, [text], markup)

    def _place_named(self, text: str) -> dict[str, Any] | None:
        """The plan region a place named in `text` falls in (a town or village sets its county),
        with the town and village when one is named; None when no covered place is named."""
        place = self.router.gazetteer.find(text)
        if place is None or place.region not in self.kb.regions:
            return None
        if place.name == place.region:
            return {"region": place.region, "township": None, "village": None}
        chain = self.kb.region_chain(place.name, places=True) or ()
        if chain[1:2] != (place.region,):  # a parent (福州市): it names no one county
            return None
        township, village = split_place(place.name)
        return {"region": place.region, "township": township, "village": village}

    def _known_place(self, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any] | None:
        """The place the resident already told the bot: named in the grievance, else chosen with
        /start. None while the place itself is being changed from the summary."""
        draft = self._draft(context)
        if draft.get("editing"):
            return None
        named = draft.get("named")
        if isinstance(named, dict) and named.get("region") in self.kb.regions:
            return named
        region = user_data(context).get(REGION_KEY)
        return (
            {"region": region, "township": None, "village": None}
            if region in self.kb.regions
            else None
        )

    @staticmethod
    def _known_label(known: dict[str, Any]) -> str:
        parts = [known.get("township"), known.get("village")]
        place = " ".join(p for p in parts if p)
        return texts.BUTTON_KNOWN_PLACE.format(
            place=f"{place}（{known['region']}）" if place else known["region"]
        )

    def _place(self, draft: dict[str, Any]) -> str:
        parts = [draft.get("region"), draft.get("township"), draft.get("village")]
        return " ".join(p for p in parts if p)

    # -- prompts: each shows a step and returns its state --------------------------

    @staticmethod
    def _first_missing(draft: dict[str, Any], step: str) -> str:
        """`step`, or an earlier step whose answer the draft lacks: after a crash the stored step
        can be ahead of the stored draft, and no step may go on without the answers before it."""
        named = draft.get("anonymous") is False
        needed = [
            (CATEGORY, "category" in draft),
            (REGION, "region" in draft),
            (DESCRIPTION, "description" in draft),
            (CONTACT, "anonymous" in draft),
            (NAME, not named or "contact_name" in draft),
            (PHONE, not named or "contact_phone" in draft),
        ]
        order = [CATEGORY, REGION, TOWNSHIP, DESCRIPTION, CONTACT, NAME, PHONE, CONFIRM, DUPLICATE]
        for earlier, present in needed:
            if order.index(earlier) < order.index(step) and not present:
                return earlier
        return step

    async def _prompt(
        self, step: str, update: Update, context: ContextTypes.DEFAULT_TYPE, lead: str = ""
    ) -> str:
        draft = self._draft(context)
        step = self._first_missing(draft, step)
        draft["step"] = step
        draft["touched"] = self.repo.clock().isoformat()
        if step == CATEGORY:
            buttons = [(label, f"cat:{name}") for name, label in self.labels.items()]
            await self._say(update, context, lead + texts.ASK_CATEGORY, self._keyboard(buttons))
        elif step == REGION:
            known = None if draft.get("all_regions") else self._known_place(context)
            if known is not None:
                draft["known"] = known
                buttons = [
                    (self._known_label(known), "rg:known"),
                    (texts.BUTTON_OTHER_PLACE, "rg:other"),
                ]
                await self._say(
                    update,
                    context,
                    lead + texts.ASK_REGION_KNOWN,
                    self._keyboard(buttons, per_row=1),
                )
                return step
            draft.pop("known", None)
            regions = list(dict.fromkeys(self.kb.regions))
            draft["regions"] = regions
            buttons = [(name, f"rg:{i}") for i, name in enumerate(regions)]
            await self._say(update, context, lead + texts.ASK_REGION, self._keyboard(buttons))
        elif step == TOWNSHIP:
            await self._say(
                update, context, lead + texts.ASK_TOWNSHIP.format(region=escape(draft["region"]))
            )
        elif step == DESCRIPTION:
            await self._say(update, context, lead + texts.ASK_DESCRIPTION)
        elif step == CONTACT:
            buttons = [(texts.BUTTON_ANONYMOUS, "anon"), (texts.BUTTON_NAMED, "named")]
            await self._say(update, context, lead + texts.ASK_CONTACT, self._keyboard(buttons))
        elif step == NAME:
            await self._say(update, context, lead + texts.ASK_NAME)
        elif step == PHONE:
            await self._say(update, context, lead + texts.ASK_PHONE)
        elif step == CONFIRM:
            # 确认提交 must find its draft after a crash, so the draft and the step are written
            # now, before the summary shows the button, not at the next persistence interval.
            try:
                await self._save_now(update, context, CONFIRM)
            except StorageUnavailable:
                log.warning("could not save a draft before its summary; persistence retries it")
            await self._summary(update, context, lead)
        elif step == DUPLICATE:
            return await self._prompt(CONFIRM, update, context, lead)
        return step

    async def _next(self, update: Update, context: ContextTypes.DEFAULT_TYPE, step: str) -> str:
        """Go on to `step`, or back to the summary when the resident was changing one answer."""
        draft = self._draft(context)
        if draft.get("editing") and step not in (TOWNSHIP, NAME, PHONE):
            draft.pop("editing", None)
            step = CONFIRM
        return await self._prompt(step, update, context)

    async def _again(self, update: Update, context: ContextTypes.DEFAULT_TYPE, problem: str) -> str:
        """Politely say what was wrong and show the same step again."""
        step = self._draft(context).get("step", CATEGORY)
        return await self._prompt(step, update, context, lead=problem + "\n\n")

    # -- entry, cancel, stale buttons ----------------------------------------------

    async def start(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        category: str | None = None,
        named: dict[str, Any] | None = None,
    ) -> str | int:
        await answer_press(update)
        try:
            at_limit = await self._at_daily_limit(user_of(update).id)
        except StorageUnavailable:
            at_limit = False  # 确认提交 checks again
        if at_limit:
            await self._say(update, context, texts.FILING_LIMIT.format(n=self.limits.per_day))
            return ConversationHandler.END
        draft = user_data(context).get(DRAFT_KEY)
        if draft and draft.get("step") and not self._expired(draft):
            return await self._prompt(draft["step"], update, context, lead=texts.COMPLAINT_RESUME)
        # The key makes filing idempotent: 确认提交 of the same draft after a crash files nothing twice.
        user_data(context)[DRAFT_KEY] = {"step": CATEGORY, "key": secrets.token_hex(16)}
        if category is not None:  # chosen on the grievance offer: straight to the place
            user_data(context)[DRAFT_KEY].update(category=category, named=named)
            lead = texts.COMPLAINT_INTRO + texts.CATEGORY_CHOSEN.format(
                category=escape(self.labels[category])
            )
            return await self._prompt(REGION, update, context, lead=lead)
        return await self._prompt(CATEGORY, update, context, lead=texts.COMPLAINT_INTRO)

    async def start_with_category(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> str | int:
        """我要投诉 under a grievance: the category is chosen already, so the intake starts at the
        place, offering the place the grievance named. An unfinished draft is resumed as with
        /complain; a forged category is refused like a stale button and changes nothing."""
        name, _, number = query_data(update).removeprefix(COMPLAIN_CATEGORY_PREFIX).partition(":")
        if name not in self.labels:
            return await self.stale_button(update, context) or ConversationHandler.END
        offered = user_data(context).pop(GRIEVANCE_PLACE_KEY, None)
        named = None
        if (
            isinstance(offered, dict)
            and str(offered.get("n")) == number
            and offered.get("region") in self.kb.regions
        ):
            named = {key: offered.get(key) for key in ("region", "township", "village")}
        return await self.start(update, context, category=name, named=named)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await answer_press(update)
        user_data(context).pop(DRAFT_KEY, None)
        await self._say(update, context, texts.COMPLAINT_CANCELLED)
        return ConversationHandler.END

    async def stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        """A button of an earlier step: say so and show the current step again."""
        await answer_press(update, texts.STALE_STEP_TOAST)
        draft = user_data(context).get(DRAFT_KEY)
        if draft and draft.get("step"):
            return await self._prompt(draft["step"], update, context)
        await self._say(update, context, texts.STALE_STEP)
        return None

    async def button_outside(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An intake button while no intake runs (finished, or its state was lost in a crash):
        with a draft left, /complain takes it up again; its buttons here cannot."""
        await answer_press(update, texts.STALE_STEP_TOAST)
        draft = user_data(context).get(DRAFT_KEY)
        resumable = draft and draft.get("step") and not self._expired(draft)
        await self._say(
            update, context, texts.CONTINUE_WITH_COMPLAIN if resumable else texts.STALE_STEP
        )

    async def press_a_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        """Something typed or sent where a button is expected; typed places are understood."""
        draft = self._draft(context)
        text = update.effective_message.text if update.effective_message else None
        if draft.get("step") == REGION and text:
            named = self._place_named(clean_input(text))
            region = named["region"] if named else self.router.region_of(clean_input(text))
            if named and (
                named["township"] or named["village"]
            ):  # a town or village sets its county
                draft.pop("known", None)
                draft.update(named)
                return await self._next(update, context, DESCRIPTION)
            if region:
                draft["region"] = region
                return await self._prompt(TOWNSHIP, update, context)
        return await self._again(update, context, texts.PRESS_A_BUTTON)

    async def text_expected(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        return await self._again(update, context, texts.BAD_TEXT_EXPECTED)

    # -- abandoned drafts ------------------------------------------------------------

    def _expired(self, draft: dict[str, Any] | None) -> bool:
        """A draft purged (only the mark is left) or untouched for longer than the retention."""
        if not draft:
            return False
        if draft.get("expired"):
            return True
        touched = draft.get("touched")
        if not touched:
            return False
        age = self.repo.clock() - datetime.fromisoformat(touched)
        return age > timedelta(hours=self.limits.draft_hours)

    def draft_expired(self, update: object) -> bool:
        """For ExpiredDraft: whether this update's sender has an expired draft."""
        user = update.effective_user if isinstance(update, Update) else None
        data = (
            self._user_data.get(user.id)
            if user is not None and self._user_data is not None
            else None
        )
        if not data:
            return False
        return self._expired(data.get(DRAFT_KEY))

    async def end_expired(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """The resident came back to a draft that was deleted: say so; the conversation ends."""
        await answer_press(update)
        user_data(context).pop(DRAFT_KEY, None)
        await self._say(
            update, context, texts.DRAFT_EXPIRED.format(hours=f"{self.limits.draft_hours:g}")
        )
        return ConversationHandler.END

    async def prepare_routing(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Job soon after start: prepare the plans' unit lists off the event loop (~0.25 s), so
        that the first complaint routed does not hold up every other resident's reply."""
        await asyncio.to_thread(lambda: self.router.plans)

    async def purge(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Job: replace every expired draft (name, phone, story) by a mark without personal data,
        so the resident is told when they come back; and forget expired counts."""
        application = context.application
        purged = []
        for user_id, data in list(application.user_data.items()):
            draft = data.get(DRAFT_KEY)
            if draft and not draft.get("expired") and self._expired(draft):
                data[DRAFT_KEY] = {"expired": True}
                purged.append(user_id)
        if purged:
            application.mark_data_for_update_persistence(user_ids=purged)
            log.info(
                "purged %d intake drafts untouched for %g hours",
                len(purged),
                self.limits.draft_hours,
            )
        try:
            await self.counters.purge()
        except StorageUnavailable:
            log.warning("could not purge expired counters; the next run retries")

    # -- the steps -------------------------------------------------------------------

    async def choose_category(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        name = query_data(update).removeprefix(PREFIX + "cat:")
        if name not in self.labels:
            return await self.stale_button(update, context) or CATEGORY
        await answer_press(update)
        self._draft(context)["category"] = name
        return await self._next(update, context, REGION)

    async def choose_region(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        draft = self._draft(context)
        choice = query_data(update).removeprefix(PREFIX + "rg:")
        if choice in ("known", "other"):
            return await self._choose_known(update, context, choice == "known")
        index = parse_number(choice)
        shown = draft.get("regions") or []
        if index is None or index >= len(shown):
            return await self.stale_button(update, context) or REGION
        await answer_press(update)
        draft["region"] = shown[index]
        return await self._prompt(TOWNSHIP, update, context)

    async def _choose_known(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, confirmed: bool
    ) -> str:
        """The place offered first: confirmed in one tap, or 其他地方 for the whole list."""
        draft = self._draft(context)
        known = draft.pop("known", None)
        if not isinstance(known, dict) or draft.get("step") != REGION:
            return await self.stale_button(update, context) or REGION
        await answer_press(update)
        if not confirmed:
            draft["all_regions"] = True
            return await self._prompt(REGION, update, context)
        draft["region"] = known["region"]
        if known.get("township") or known.get("village"):
            draft["township"], draft["village"] = known.get("township"), known.get("village")
            return await self._next(update, context, DESCRIPTION)
        return await self._prompt(TOWNSHIP, update, context)

    async def township(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        text = clean_input(message_of(update).text or "")
        if not text:
            return await self._again(update, context, texts.BAD_EMPTY)
        if _meaningful(text) == 0:
            return await self._again(update, context, texts.BAD_NOT_WORDS)
        if _meaningful(text) < 2 or len(text) > MAX_PLACE:
            return await self._again(update, context, texts.BAD_TOWNSHIP)
        if mask_text(text) != text:  # a phone or ID number here would reach staff as the place
            return await self._again(update, context, texts.BAD_TOWNSHIP_NUMBER)
        draft = self._draft(context)
        draft["township"], draft["village"] = split_place(text)
        return await self._next(update, context, DESCRIPTION)

    async def description(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        text = clean_input(message_of(update).text or "")
        if not text:
            return await self._again(update, context, texts.BAD_EMPTY)
        if _meaningful(text) == 0:
            return await self._again(update, context, texts.BAD_NOT_WORDS)
        if len(text) > MAX_DESCRIPTION:
            return await self._again(
                update, context, texts.BAD_DESCRIPTION_LONG.format(n=len(text))
            )
        if len(text) < MIN_DESCRIPTION or _meaningful(text) < MIN_MEANINGFUL:
            return await self._again(update, context, texts.BAD_DESCRIPTION_SHORT)
        self._draft(context)["description"] = text
        return await self._next(update, context, CONTACT)

    async def photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        """A photo for the description step; its caption, if any, is taken as the description."""
        message = message_of(update)
        draft = self._draft(context)
        photos: list[str] = draft.setdefault("photos", [])
        if len(photos) >= MAX_PHOTOS:
            return await self._again(update, context, texts.PHOTO_LIMIT.format(n=MAX_PHOTOS))
        photos.append(message.photo[-1].file_id if message.photo else document_of(update).file_id)
        caption = clean_input(message.caption or "")
        if (
            MIN_DESCRIPTION <= len(caption) <= MAX_DESCRIPTION
            and _meaningful(caption) >= MIN_MEANINGFUL
        ):
            draft["description"] = caption
            await self._say(update, context, texts.PHOTO_RECEIVED_DONE.format(n=len(photos)))
            return await self._next(update, context, CONTACT)
        await self._say(update, context, texts.PHOTO_RECEIVED.format(n=len(photos)))
        return DESCRIPTION

    async def choose_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        await answer_press(update)
        draft = self._draft(context)
        if query_data(update) == PREFIX + "anon":
            draft["anonymous"] = True
            draft.pop("contact_name", None)
            draft.pop("contact_phone", None)
            draft.pop("editing", None)
            return await self._prompt(CONFIRM, update, context)
        draft["anonymous"] = False
        return await self._prompt(NAME, update, context)

    async def name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        text = clean_input(message_of(update).text or "")
        if not text:
            return await self._again(update, context, texts.BAD_EMPTY)
        if _meaningful(text) == 0:
            return await self._again(update, context, texts.BAD_NOT_WORDS)
        if len(text) > MAX_NAME or any(ch.isdigit() for ch in text):
            return await self._again(update, context, texts.BAD_NAME)
        self._draft(context)["contact_name"] = text
        return await self._prompt(PHONE, update, context)

    async def phone(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        text = clean_input(message_of(update).text or "")
        if not text:
            return await self._again(update, context, texts.BAD_EMPTY)
        phone = normalize_phone(text)
        if phone is None:
            return await self._again(update, context, texts.BAD_PHONE)
        draft = self._draft(context)
        draft["contact_phone"] = phone
        draft.pop("editing", None)
        return await self._prompt(CONFIRM, update, context)

    # -- summary, edit, duplicates, filing ------------------------------------------

    def _route(self, draft: dict[str, Any]) -> None:
        """Units for the draft, primary first; the region's dispatcher when the plan names none."""
        routing = self.router.route(
            draft["description"], draft["region"], category=draft["category"]
        )
        units = list(routing.units)
        plan = self.router.plans.get(routing.region or draft["region"])
        if not units and plan is not None:
            units = [plan.dispatcher]
        draft["units"] = units
        draft["routing"] = {
            "category": routing.category,
            "region": routing.region,
            "evidence": routing.evidence[:500],
            "section_path": list(routing.section_path or ()),
            "dispatcher_fallback": routing.dispatcher_fallback or not routing.units,
        }

    async def _summary(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, lead: str = ""
    ) -> None:
        draft = self._draft(context)
        self._route(draft)
        description = draft["description"]
        if len(description) > SUMMARY_DESCRIPTION_CHARS:
            description = description[:SUMMARY_DESCRIPTION_CHARS] + "……"
        photos = len(draft.get("photos") or [])
        contact = (
            texts.SUMMARY_ANONYMOUS
            if draft.get("anonymous")
            else texts.SUMMARY_NAMED.format(
                name=escape(draft["contact_name"]), phone=escape(draft["contact_phone"])
            )
        )
        text = texts.SUMMARY.format(
            category=escape(self.labels.get(draft["category"], draft["category"])),
            place=escape(self._place(draft)),
            description=escape(description),
            photos=texts.SUMMARY_PHOTOS.format(n=photos) if photos else texts.SUMMARY_NO_PHOTOS,
            contact=contact,
            units=units_text(draft["units"]),
        )
        buttons = [
            (texts.BUTTON_CONFIRM, "ok"),
            (texts.BUTTON_EDIT, "edit"),
            (texts.BUTTON_CANCEL, "cancel"),
        ]
        await self._say(update, context, lead + text, self._keyboard(buttons, per_row=3))

    async def edit_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        await answer_press(update)
        buttons = [
            (texts.BUTTON_EDIT_CATEGORY, "edit:category"),
            (texts.BUTTON_EDIT_PLACE, "edit:place"),
            (texts.BUTTON_EDIT_DESCRIPTION, "edit:description"),
            (texts.BUTTON_EDIT_CONTACT, "edit:contact"),
            (texts.BUTTON_BACK, "edit:back"),
        ]
        await self._say(update, context, texts.ASK_WHAT_TO_EDIT, self._keyboard(buttons))
        return CONFIRM

    async def edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        await answer_press(update)
        what = query_data(update).removeprefix(PREFIX + "edit:")
        step = {
            "category": CATEGORY,
            "place": REGION,
            "description": DESCRIPTION,
            "contact": CONTACT,
        }.get(what)
        draft = self._draft(context)
        if step is None:
            return await self._prompt(CONFIRM, update, context)
        draft["editing"] = True
        return await self._prompt(step, update, context)

    async def confirm(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int | None:
        """确认提交 (or 重试). A second tap while the first is being filed files nothing more."""
        user_id = user_of(update).id
        if user_id in self._submitting:
            await answer_press(update, texts.SUBMITTING_TOAST)
            return None  # the first tap decides the state
        self._submitting.add(user_id)
        try:
            return await self._confirm(update, context)
        finally:
            self._submitting.discard(user_id)

    async def _confirm(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> str | int | None:
        draft = user_data(context).get(DRAFT_KEY) or {}
        if not draft.get("description"):  # filed already, or the draft is gone: nothing to file
            user_data(context).pop(DRAFT_KEY, None)
            await self.stale_button(update, context)
            return ConversationHandler.END
        await answer_press(update)
        if (missing := self._first_missing(draft, CONFIRM)) != CONFIRM:  # answers lost in a crash
            return await self._prompt(missing, update, context)
        user_id = user_of(update).id
        try:
            if draft.get("key") and await self.repo.filed_with_key(draft["key"]):
                return await self._file(
                    update, context
                )  # filed before a crash: the same ticket again
            if await self._at_daily_limit(user_id):
                await self._say(update, context, texts.FILING_LIMIT.format(n=self.limits.per_day))
                return CONFIRM  # the draft stays; 确认提交 works again tomorrow
            if not draft.get("duplicate_ok"):
                if draft.get("anonymous"):
                    if await self.counters.get(
                        "anonymous", user_id, similarity_text(draft["description"])
                    ):
                        return await self._duplicate(update, context, None)
                elif (
                    earlier := await self.repo.find_recent_duplicate(user_id, draft["description"])
                ) is not None:
                    return await self._duplicate(update, context, earlier)
        except StorageUnavailable:
            return await self._unavailable(update, context)
        return await self._file(update, context)

    async def _at_daily_limit(self, user_id: int) -> bool:
        today = self.repo.clock().astimezone(CHINA_TZ).date().isoformat()
        return await self.counters.get("filed", user_id, today) >= self.limits.per_day

    async def _count_filing(self, user_id: int, description: str, anonymous: bool) -> None:
        """Count the filing towards today's limit and, when anonymous, remember its text as a
        keyed hash so that a re-send is caught; nothing says who filed which complaint."""
        now = self.repo.clock()
        try:
            await self.counters.add(
                "filed",
                user_id,
                now.astimezone(CHINA_TZ).date().isoformat(),
                expires_at=china_day_end(now),
            )
            if anonymous:
                await self.counters.add(
                    "anonymous",
                    user_id,
                    similarity_text(description),
                    expires_at=china_day_end(now, self.limits.duplicate_days),
                )
        except StorageUnavailable:
            log.warning(
                "could not count a filing towards the daily limit; the database is unavailable"
            )

    async def _duplicate(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, earlier: ComplaintView | None
    ) -> str:
        """Ask before filing a re-send: of `earlier`, or of an anonymous complaint (None: no ticket known)."""
        self._draft(context)["step"] = DUPLICATE
        text = (
            texts.DUPLICATE_ANONYMOUS
            if earlier is None
            else texts.DUPLICATE_FOUND.format(
                date=china_time(earlier.created_at)[:10],
                ticket=escape(earlier.ticket),
                status=texts.STATUS_LABELS.get(earlier.status.value, earlier.status),
            )
        )
        buttons = [(texts.BUTTON_FILE_ANYWAY, "dup:file"), (texts.BUTTON_DROP, "cancel")]
        await self._say(update, context, text, self._keyboard(buttons))
        return DUPLICATE

    async def file_anyway(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> str | int | None:
        draft = self._draft(context)
        draft["duplicate_ok"] = True
        draft["step"] = CONFIRM
        return await self.confirm(update, context)

    async def _unavailable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        draft = self._draft(context)
        draft["step"] = CONFIRM
        await self._say(
            update, context, texts.STORAGE_UNAVAILABLE, self._keyboard([(texts.BUTTON_RETRY, "ok")])
        )
        return CONFIRM

    async def _file(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
        draft = self._draft(context)
        if "units" not in draft:
            self._route(draft)
        user = user_of(update)
        anonymous = bool(draft.get("anonymous"))
        parents = next((d.parents for d in self.kb.documents if d.region == draft["region"]), ())
        now = self.repo.clock()
        complaint = ComplaintDraft(
            category=draft["category"],
            region=draft["region"],
            description=draft["description"],
            telegram_user_id=None if anonymous else user.id,
            display_name=None if anonymous else user.full_name,
            anonymous=anonymous,
            contact_name=None if anonymous else draft.get("contact_name"),
            contact_phone=None if anonymous else draft.get("contact_phone"),
            region_parents=tuple(parents),
            township=draft.get("township"),
            village=draft.get("village"),
            units=tuple(draft["units"]),
            attachments=tuple(draft.get("photos") or ()),
            routing=draft.get("routing") or {},
            filing_key=draft.get("key"),
            accept_due_at=self.cases.policy.accept_due(now),
            resolve_due_at=self.cases.policy.resolve_due(now, draft["category"]),
        )
        try:
            await self._save_now(
                update, context, CONFIRM
            )  # the draft and its key survive a crash from here on
            filed = await self.repo.create(complaint)
        except StorageUnavailable:
            return await self._unavailable(update, context)
        # Until the ticket message is out it is pending, on disk: a crash while sending loses nothing.
        # It replaces the draft at once, so that no write of the user data in between (the
        # persistence's, every 2 s) can store neither: after a crash the ticket would be lost.
        pending = {"ticket": filed.ticket, "units": list(draft["units"]), "anonymous": anonymous}
        user_data(context).pop(DRAFT_KEY, None)
        user_data(context)[PENDING_TICKET_KEY] = pending
        self._submitting.discard(user.id)  # filed: another tap of 确认提交 is a finished step now
        if not filed.again:
            await self._count_filing(user.id, draft["description"], anonymous)
        try:
            await self._save_now(update, context, None)
        except StorageUnavailable:
            log.warning("could not save that %s is pending; sending it now", filed.ticket)
        if await self._send_ticket(context.bot, chat_of(update).id, pending, filed.query_code):
            user_data(context).pop(PENDING_TICKET_KEY, None)
            # An anonymous filer's ticket leaves their stored data at once, beside this handler.
            context.application.create_task(self._forget_pending(user_of(update).id, context))
        else:
            log.warning(
                "the ticket message of %s did not arrive; it goes with the filer's next message",
                filed.ticket,
            )
        # Staff hear of the case whatever became of the message to the resident.
        context.application.create_task(self._announce(filed.ticket))
        return ConversationHandler.END

    async def _announce(self, ticket: str) -> None:
        """Tell the units beside the filing, which it never fails or delays: the case is in their
        queue whatever happens here, so problems are only logged."""
        try:
            await self.cases.announce(ticket)
        except (StorageUnavailable, ComplaintNotFound, TelegramError):
            log.exception("could not announce case %s", ticket)

    @staticmethod
    async def _save_now(
        update: Update, context: ContextTypes.DEFAULT_TYPE, state: str | None
    ) -> None:
        """Write the resident's data and conversation `state` (None: ended) to the database now,
        not at the next persistence interval, around the moment a complaint is filed; both
        together, so that after a crash the draft and the step it is at agree."""
        persistence = context.application.persistence
        if persistence is not None:
            await persistence.update_user_data(user_of(update).id, user_data(context))
            await persistence.update_conversation(
                CONVERSATION_NAME, (chat_of(update).id, user_of(update).id), state
            )

    @staticmethod
    async def _forget_pending(user_id: int, context: ContextTypes.DEFAULT_TYPE) -> None:
        persistence = context.application.persistence
        try:
            if persistence is not None:
                await persistence.update_user_data(user_id, user_data(context))
        except StorageUnavailable:
            pass  # the next persistence write removes it

    async def _send_ticket(
        self, bot: Bot, chat_id: int, pending: dict[str, Any], code: str, lead: str = ""
    ) -> bool:
        """The ticket and its query code, tried SEND_ATTEMPTS times; False when they did not arrive."""
        ticket = escape(pending["ticket"])
        note = (
            texts.QUERY_CODE_ANONYMOUS_NOTE
            if pending.get("anonymous")
            else texts.QUERY_CODE_NAMED_NOTE
        )
        messages = [
            lead + texts.FILED.format(ticket=ticket, units=units_text(list(pending["units"]))),
            texts.QUERY_CODE.format(code=code, ticket=ticket, anonymous_note=note),
        ]
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                while messages:
                    await bot.send_message(chat_id, messages[0], parse_mode=ParseMode.HTML)
                    messages = messages[1:]
                return True
            except (BadRequest, Forbidden):  # blocked, or chat gone: no retry helps now
                return False
            except (NetworkError, RetryAfter):  # the rate limiter has already waited out 429s
                if attempt < SEND_ATTEMPTS:
                    await asyncio.sleep(SEND_RETRY_SECONDS * attempt)
        return False

    async def deliver_pending(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any update from a filer whose ticket message did not arrive: send it now, with a new
        query code (the old one was never kept), once. The update is then handled as usual."""
        user, chat = update.effective_user, update.effective_chat
        if (
            user is None
            or chat is None
            or chat.type != ChatType.PRIVATE
            or user.id in self._delivering
        ):
            return
        pending = (
            context.user_data.get(PENDING_TICKET_KEY) if context.user_data is not None else None
        )
        if not pending:
            return
        self._delivering.add(user.id)
        try:
            code = await self.repo.renew_query_code(pending["ticket"])
            if await self._send_ticket(
                context.bot, chat.id, pending, code, lead=texts.PENDING_TICKET_LEAD
            ):
                user_data(context).pop(PENDING_TICKET_KEY, None)
        except ComplaintNotFound:
            user_data(context).pop(PENDING_TICKET_KEY, None)
        except StorageUnavailable:
            pass  # the next update tries again
        finally:
            self._delivering.discard(user.id)

    async def private_only(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/complain or /status in a group: complaints and their progress are not for the group."""
        await self._say(update, context, texts.COMPLAINTS_PRIVATE_ONLY)

    # -- the offer to file -----------------------------------------------------------

    def grievance(self, text: str, user_data: dict[str, Any]) -> tuple[str, str] | None:
        """(我要投诉 callback with the category chosen, the category's label) for a chat message
        that reads like a complaint; None for an ordinary question. The place it names is kept
        so the intake offers it first; the number in the callback tells this offer from older ones."""
        text = clean_input(text)
        if not text or self.cues.cue_in(text) is None:
            return None
        category = self.router.classify(text)
        if not self.cues.reads_like_complaint(text, category):
            return None
        earlier = user_data.get(GRIEVANCE_PLACE_KEY)
        number = (parse_number(str(earlier.get("n"))) or 0) + 1 if isinstance(earlier, dict) else 1
        user_data[GRIEVANCE_PLACE_KEY] = {"n": number % 10000, **(self._place_named(text) or {})}
        return f"{COMPLAIN_CATEGORY_PREFIX}{category}:{number % 10000}", self.labels.get(
            category, category
        )


class ExpiredDraft(BaseHandler[Update, Any, Any]):
    """First handler of every intake step: takes the update when the sender's draft expired,
    so no step ever continues a draft whose answers were deleted."""

    def __init__(self, handlers: ComplaintHandlers) -> None:
        super().__init__(handlers.end_expired)
        self.handlers = handlers

    def check_update(self, update: object) -> bool:
        return self.handlers.draft_expired(update)


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    kb: KnowledgeBase,
    cases: CaseService,
    cues: ComplaintCues,
    group: int = 0,
    limits: IntakeLimits | None = None,
) -> ComplaintHandlers:
    """Add the intake conversation and the stale-button reply to `group` (before the
    resident handlers). Returns the handlers, whose `grievance` the resident's answers use to
    carry the offer to file in the same reply."""
    h = ComplaintHandlers(kb, cases, cues, limits)
    h._user_data = application.user_data
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            h.purge, interval=PURGE_EVERY_SECONDS, first=60, name=PURGE_JOB
        )
        application.job_queue.run_once(
            h.prepare_routing,
            when=PREPARE_AFTER_SECONDS,
            name=PREPARE_JOB,
            job_kwargs={"misfire_grace_time": None},
        )
    with warnings.catch_warnings():
        # Deliberate: one conversation per resident across many messages, not per message.
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        conversation = _conversation(h, application.persistence is not None)
    application.add_handler(TypeHandler(Update, h.deliver_pending), group=PENDING_GROUP)
    application.add_handlers(
        [
            conversation,
            CommandHandler(["complain", "status"], h.private_only, ~filters.ChatType.PRIVATE),
            CallbackQueryHandler(h.button_outside, pattern=r"^cp:"),
        ],
        group=group,
    )
    return h


def _conversation(h: ComplaintHandlers, persistent: bool) -> ConversationHandler[Any]:
    text = PRIVATE & filters.TEXT & ~filters.COMMAND
    not_text = PRIVATE & ~filters.TEXT & ~filters.COMMAND
    button_step = [MessageHandler(text | not_text, h.press_a_button)]
    text_step = [MessageHandler(not_text, h.text_expected)]
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        CATEGORY: [CallbackQueryHandler(h.choose_category, pattern=r"^cp:cat:"), *button_step],
        REGION: [CallbackQueryHandler(h.choose_region, pattern=r"^cp:rg:"), *button_step],
        TOWNSHIP: [MessageHandler(text, h.township), *text_step],
        DESCRIPTION: [
            MessageHandler(text, h.description),
            MessageHandler(PRIVATE & _PHOTO, h.photo),
            *text_step,
        ],
        CONTACT: [
            CallbackQueryHandler(h.choose_contact, pattern=r"^cp:(anon|named)$"),
            *button_step,
        ],
        NAME: [MessageHandler(text, h.name), *text_step],
        PHONE: [MessageHandler(text, h.phone), *text_step],
        CONFIRM: [
            CallbackQueryHandler(h.confirm, pattern=r"^cp:ok$"),
            CallbackQueryHandler(h.edit_menu, pattern=r"^cp:edit$"),
            CallbackQueryHandler(h.edit, pattern=r"^cp:edit:"),
            *button_step,
        ],
        DUPLICATE: [CallbackQueryHandler(h.file_anyway, pattern=r"^cp:dup:file$"), *button_step],
    }
    expired = ExpiredDraft(h)
    return ConversationHandler(
        entry_points=[
            CommandHandler("complain", h.start, filters.ChatType.PRIVATE),
            CallbackQueryHandler(h.start, pattern=rf"^{COMPLAIN_CALLBACK}$"),
            CallbackQueryHandler(h.start_with_category, pattern=rf"^{COMPLAIN_CATEGORY_PREFIX}"),
        ],
        states={state: [expired, *handlers] for state, handlers in states.items()},
        fallbacks=[
            CommandHandler("cancel", h.cancel),
            CallbackQueryHandler(h.cancel, pattern=r"^cp:cancel$"),
            CallbackQueryHandler(h.stale_button, pattern=r"^cp:"),
        ],
        name=CONVERSATION_NAME,
        persistent=persistent,
        allow_reentry=True,
    )
