"""The resident's side of the bot: welcome, place, questions and the buttons under answers.

Handlers stay thin: they read the update, call the knowledge base off the event loop, and
turn the result into escaped HTML. Callback data is always a short key (well under Telegram's
64 bytes); what it points to is kept server-side in `chat_data`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import texts
from handlers.formatting import clean_input, escape, html_messages, parse_number, utf16_len
from handlers.presses import answer_press
from handlers.updates import chat_data, chat_of, message_of, query_data, query_of, user_data
from knowledge.conversation import Context, differs_by_region
from knowledge.models import NOT_STATED, SUGGEST, UNCOVERED, Answer
from storage.complaints import ticket_in

if TYPE_CHECKING:
    from knowledge.service import KnowledgeBase

REGION_KEY = "region"
REGION_CHOICES_KEY = "region_choices"
REGION_PROMPTS_ANSWERED_KEY = "region_prompts_answered"
ANSWERS_KEY = "answers"
ANSWER_COUNTER_KEY = "answer_counter"
# What the chat's last answers were about (knowledge.conversation.Context as JSON).
CONVERSATION_KEY = "conversation"
# A question held back while the resident is asked for their place: {"text", "context"}.
PENDING_QUESTION_KEY = "pending_question"
# Set once the resident was asked for their place: they are not asked again.
PLACE_ASKED_KEY = "place_asked"
# Questions whose suggestions are still shown, by answer key: the button answers them.
SUGGESTED_KEY = "suggested"
SUGGESTIONS_SHOWN = 3
SUGGESTION_LABEL_CHARS = 24
# How many past answers per chat keep working buttons.
ANSWERS_KEPT = 30
# Longest question handed to search; the rest of a pasted essay only slows search down.
MAX_QUESTION_CHARS = 500
RELATED_SHOWN = 3
SNIPPET_CHARS = 120
COMPLAIN_CALLBACK = "complain:start"
# 我要投诉 with the category chosen: complain:cat:<category key>:<offer number>.
COMPLAIN_CATEGORY_PREFIX = "complain:cat:"
# Whether a message reads like a grievance: (我要投诉 callback, category label), or None.
Grievance = Callable[[str, dict[str, Any]], "tuple[str, str] | None"]
PRIVATE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE


async def send_html(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    messages: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send HTML messages to the update's chat; the keyboard goes under the last one."""
    chat_id = chat_of(update).id
    for i, text in enumerate(messages):
        last = i == len(messages) - 1
        await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


def region_keyboard(regions: list[str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(name, callback_data=f"rg:{i}") for i, name in enumerate(regions)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(texts.REGION_ALL, callback_data="rg:all")])
    return InlineKeyboardMarkup(rows)


# ------------------------------------------------------------------ commands


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(update, context, [texts.HELP])


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(update, context, [texts.CANCELLED])


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(update, context, [texts.UNKNOWN_COMMAND])


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(update, context, [texts.NOT_TEXT])


# ----------------------------------------------------------------- questions


def _remember(context: ContextTypes.DEFAULT_TYPE, passage_ids: list[str]) -> str:
    """Keep an answer's passages under a short per-chat key; old answers expire.

    Plain JSON (a dict in insertion order, str keys) so that persistence can store it.
    """
    answers: dict[str, list[str]] = chat_data(context).setdefault(ANSWERS_KEY, {})
    counter = int(chat_data(context).get(ANSWER_COUNTER_KEY, 0)) + 1
    chat_data(context)[ANSWER_COUNTER_KEY] = counter
    key = format(counter, "x")
    answers[key] = passage_ids
    while len(answers) > ANSWERS_KEPT:
        del answers[next(iter(answers))]
    return key


def _recall(context: ContextTypes.DEFAULT_TYPE, key: str) -> list[str] | None:
    answers: dict[str, list[str]] = chat_data(context).get(ANSWERS_KEY, {})
    return answers.get(key)


def answer_keyboard(
    key: str | None, related: bool, complain_data: str = COMPLAIN_CALLBACK
) -> InlineKeyboardMarkup:
    complain = InlineKeyboardButton(texts.BUTTON_COMPLAIN, callback_data=complain_data)
    if key is None:
        return InlineKeyboardMarkup([[complain]])
    first_row = [InlineKeyboardButton(texts.BUTTON_SOURCE, callback_data=f"src:{key}:0")]
    if related:
        first_row.append(InlineKeyboardButton(texts.BUTTON_RELATED, callback_data=f"rel:{key}"))
    return InlineKeyboardMarkup([first_row, [complain]])


def suggestion_keyboard(
    key: str, labels: list[str], complain_data: str = COMPLAIN_CALLBACK
) -> InlineKeyboardMarkup:
    """One button per suggested passage, named by its heading, then 我要投诉: no dead end."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"sg:{key}:{i}")]
        for i, label in enumerate(labels)
    ]
    rows.append([InlineKeyboardButton(texts.BUTTON_COMPLAIN, callback_data=complain_data)])
    return InlineKeyboardMarkup(rows)


def heading_label(heading_path: tuple[str, ...], fallback: str) -> str:
    """A passage's own heading, short enough for a button."""
    label = (heading_path[-1] if heading_path else fallback).strip()
    return (
        label if len(label) <= SUGGESTION_LABEL_CHARS else label[: SUGGESTION_LABEL_CHARS - 1] + "…"
    )


# ------------------------------------------------------------------- buttons


async def _expired(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_press(update, texts.STALE_TOAST)
    await send_html(update, context, [texts.EXPIRED])


async def complain_placeholder(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Until the complaint conversation exists: point to /complain and the hotline."""
    await answer_press(update)
    await send_html(update, context, [texts.COMPLAIN_PLACEHOLDER])


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _expired(update, context)


class ResidentHandlers:
    """The handlers that need the knowledge base.

    The knowledge base is bound here rather than put in `bot_data`, which persistence stores.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        clock: Callable[[], float] = time.time,
        grievance: Grievance | None = None,
    ) -> None:
        self.kb = kb
        self.clock = clock  # seconds; tests move it to let a conversation expire
        self.grievance = grievance  # set when complaints can be filed

    def _region_keyboard(self, context: ContextTypes.DEFAULT_TYPE) -> InlineKeyboardMarkup | None:
        """Buttons for the places there are documents for; the list shown is remembered, so a
        button pressed after the corpus changed still means the place it said."""
        regions = list(dict.fromkeys(self.kb.regions))
        if not regions:
            return None
        chat_data(context)[REGION_CHOICES_KEY] = regions
        return region_keyboard(regions)

    def _residents_chain(self, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, ...]:
        """The resident's place (chosen, or named in the conversation) and the regions above it."""
        stored = Context.from_json(chat_data(context).get(CONVERSATION_KEY))
        place = user_data(context).get(REGION_KEY) or (stored.place if stored else None)
        return (self.kb.region_chain(place) or ()) if place else ()

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        name = escape(user.first_name) if user and user.first_name else "乡亲"
        text = texts.WELCOME.format(name=name)
        region = user_data(context).get(REGION_KEY)
        if region:
            text += texts.WELCOME_REGION_SET.format(region=escape(region))
        await send_html(update, context, [text], self._region_keyboard(context))

    async def region_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = self._region_keyboard(context)
        if keyboard is None:
            await send_html(update, context, [texts.NO_REGIONS])
            return
        current = user_data(context).get(REGION_KEY)
        text = (
            texts.CHOOSE_REGION_CURRENT.format(region=escape(current))
            if current
            else texts.CHOOSE_REGION
        )
        await send_html(update, context, [text], keyboard)

    async def choose_region(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A place button: remember the place, and turn the prompt into a confirmation.

        A double tap delivers two presses of a button the first edit removes; the second is
        only acknowledged, since editing to the same text again is refused by Telegram.
        """
        query = query_of(update)
        choice = query_data(update).split(":", 1)[1]
        shown = chat_data(context).get(REGION_CHOICES_KEY) or []
        if choice == "all":
            region, confirmation = None, texts.REGION_CLEARED
        elif (index := parse_number(choice)) is not None and index < len(shown):
            region = shown[index]
            confirmation = texts.REGION_SET.format(region=escape(region))
        else:
            await _expired(update, context)
            return
        if region is None:
            user_data(context).pop(REGION_KEY, None)
        else:
            user_data(context)[REGION_KEY] = region
        user_data(context)[PLACE_ASKED_KEY] = True  # 不限地方 too is an answer: not asked again
        answered: list[int] = chat_data(context).setdefault(REGION_PROMPTS_ANSWERED_KEY, [])
        prompt = query.message.message_id if query.message else None
        first_press = prompt not in answered
        if first_press and prompt is not None:
            answered.append(prompt)
            del answered[:-10]
        stored = Context.from_json(chat_data(context).get(CONVERSATION_KEY))
        if stored is not None:  # the place chosen now is the conversation's place
            stored.place = region
            chat_data(context)[CONVERSATION_KEY] = stored.to_json()
        await answer_press(
            update, texts.REGION_TOAST.format(region=region or texts.REGION_ALL)[:200]
        )
        if first_press:
            await query.edit_message_text(confirmation, parse_mode=ParseMode.HTML)
        pending = chat_data(context).pop(PENDING_QUESTION_KEY, None)
        if first_press and isinstance(pending, dict) and isinstance(pending.get("text"), str):
            answer, conversation = await asyncio.to_thread(
                self.kb.converse,
                pending["text"],
                Context.from_json(pending.get("context")),
                region,
                self.clock(),
            )
            chat_data(context)[CONVERSATION_KEY] = conversation.to_json()
            await self._send_answer(update, context, answer, pending["text"])

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text that is not a command: answer it from the policy documents, in the
        context of what the chat's last answers were about (那要找谁办 after an answer)."""
        text = clean_input(message_of(update).text or "")
        if not text:
            await send_html(update, context, [texts.EMPTY_QUESTION])
            return
        ticket = ticket_in(text)
        if ticket is not None:  # asking after a complaint, not about a policy
            await send_html(update, context, [texts.TICKET_IN_QUESTION.format(ticket=ticket)])
            return
        note = ""
        if len(text) > MAX_QUESTION_CHARS:
            text, note = text[:MAX_QUESTION_CHARS], texts.QUESTION_TRUNCATED_NOTE
        chat_data(context).pop(PENDING_QUESTION_KEY, None)  # a new message supersedes a held one
        region = user_data(context).get(REGION_KEY)
        stored = chat_data(context).get(CONVERSATION_KEY)
        answer, conversation = await asyncio.to_thread(
            self.kb.converse, text, Context.from_json(stored), region, self.clock()
        )
        grievance = (
            await asyncio.to_thread(self.grievance, text, user_data(context))
            if self.grievance
            else None
        )
        if (
            grievance is None
            and region is None
            and differs_by_region(answer)
            and not user_data(context).get(PLACE_ASKED_KEY)
        ):
            # The plans differ and the place is unknown: ask it once, then answer for it.
            keyboard = self._region_keyboard(context)
            if keyboard is not None:
                user_data(context)[PLACE_ASKED_KEY] = True
                chat_data(context)[PENDING_QUESTION_KEY] = {"text": text, "context": stored}
                await send_html(update, context, [note + texts.ASK_PLACE], keyboard)
                return
        chat_data(context)[CONVERSATION_KEY] = conversation.to_json()
        await self._send_answer(update, context, answer, text, note, grievance)

    async def _send_answer(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        answer: Answer,
        question: str,
        note: str = "",
        grievance: tuple[str, str] | None = None,
    ) -> None:
        """The reply for each kind of answer; every one has a way on (buttons or 我要投诉).
        A grievance is acknowledged first, in the same reply, and its 我要投诉 starts the
        complaint with the category chosen; "not found" is not said to it."""
        complain = COMPLAIN_CALLBACK
        if grievance is not None:
            complain, label = grievance
            note += texts.GRIEVANCE_ACK.format(category=escape(label))
            if answer.kind not in (UNCOVERED, SUGGEST) and answer.abstained:
                await send_html(
                    update, context, [note.rstrip()], answer_keyboard(None, False, complain)
                )
                return
        if answer.kind == UNCOVERED:
            regions = "、".join(dict.fromkeys(self.kb.regions))
            place = escape(answer.uncovered_place or texts.UNCOVERED_SOMEWHERE)
            await send_html(
                update,
                context,
                [note + texts.UNCOVERED.format(place=place, regions=escape(regions))],
                answer_keyboard(None, related=False, complain_data=complain),
            )
            return
        if answer.kind == SUGGEST and answer.hits:
            shown = answer.hits[:SUGGESTIONS_SHOWN]
            key = _remember(context, [h.passage.id for h in shown])
            suggested: dict[str, str] = chat_data(context).setdefault(SUGGESTED_KEY, {})
            suggested[key] = question
            while len(suggested) > ANSWERS_KEPT:
                del suggested[next(iter(suggested))]
            labels = [heading_label(h.passage.heading_path, h.passage.title) for h in shown]
            await send_html(
                update, context, [note + texts.SUGGEST], suggestion_keyboard(key, labels, complain)
            )
            return
        # A fact the plan does not state still quotes what it does say: its source can be read.
        hits = (
            answer.hits[:1]
            if answer.kind == NOT_STATED
            else []
            if answer.abstained
            else answer.hits
        )
        answer_key = _remember(context, [h.passage.id for h in hits]) if hits else None
        markup = answer_keyboard(answer_key, related=len(hits) > 1, complain_data=complain)
        await send_html(update, context, html_messages(answer.text, header_html=note), markup)

    async def choose_suggestion(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A 您问的是不是 button: answer the question from the passage chosen."""
        _, key, index = query_data(update).split(":")
        ids = _recall(context, key)
        question = chat_data(context).get(SUGGESTED_KEY, {}).get(key)
        if ids is None or question is None or int(index) >= len(ids):
            await _expired(update, context)
            return
        region = user_data(context).get(REGION_KEY)
        chosen = await asyncio.to_thread(
            self.kb.choose, question, ids[int(index)], region, self.clock()
        )
        if chosen is None:
            await _expired(update, context)
            return
        await answer_press(update)
        answer, conversation = chosen
        chat_data(context)[CONVERSATION_KEY] = conversation.to_json()
        await self._send_answer(update, context, answer, question)

    async def show_source(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """查看原文: the whole passage under its citation (title › heading path, issuer, date)."""
        _, key, number = query_data(update).split(":")
        ids, index = _recall(context, key), parse_number(number)
        passage = (
            self.kb.passage(ids[index])
            if ids is not None and index is not None and index < len(ids)
            else None
        )
        if passage is None:
            await _expired(update, context)
            return
        await answer_press(update)
        citation = self.kb.citation(passage)
        header = texts.SOURCE_HEADER.format(citation=escape(citation))
        # The plan as written: the measure, then its list of the units responsible.
        text = "\n".join(t for t in (passage.text, passage.units_text) if t)
        await send_html(
            update,
            context,
            html_messages(text, header_html=header, header_plain_len=utf16_len(citation) + 2),
        )

    async def show_related(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """相关政策: the next best passages, each with a button to read it whole."""
        key = query_data(update).split(":")[1]
        ids = _recall(context, key)
        if ids is None:
            await _expired(update, context)
            return
        await answer_press(update)
        chain = self._residents_chain(context)
        related = [
            (i, p) for i, pid in list(enumerate(ids))[1:] if (p := self.kb.passage(pid)) is not None
        ]
        # The resident's own plans first; the rest are marked as other places' rules.
        related.sort(key=lambda item: bool(chain) and item[1].region not in chain)
        items: list[str] = []
        buttons: list[InlineKeyboardButton] = []
        for index, passage in related[:RELATED_SHOWN]:
            n = len(items) + 1
            text = passage.text
            snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "……"
            other = bool(chain) and passage.region not in chain
            mark = texts.RELATED_OTHER_PLACE.format(region=escape(passage.region)) if other else ""
            items.append(
                texts.RELATED_ITEM.format(
                    n=n, citation=escape(self.kb.citation(passage)) + mark, snippet=escape(snippet)
                )
            )
            buttons.append(
                InlineKeyboardButton(
                    texts.BUTTON_SOURCE_N.format(n=n), callback_data=f"src:{key}:{index}"
                )
            )
        if not items:
            await send_html(update, context, [texts.NO_RELATED])
            return
        await send_html(
            update,
            context,
            [texts.RELATED_HEADER + "".join(items)],
            InlineKeyboardMarkup([buttons]),
        )


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    kb: KnowledgeBase,
    group: int = 0,
    clock: Callable[[], float] = time.time,
    grievance: Grievance | None = None,
) -> None:
    """Add the resident handlers. Register more specific handlers (conversations) before these."""
    resident = ResidentHandlers(kb, clock, grievance)
    application.add_handlers(
        [
            CommandHandler("start", resident.start),
            CommandHandler("help", help_command),
            CommandHandler("region", resident.region_command),
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(resident.show_source, pattern=r"^src:[0-9a-f]+:[0-9]+$"),
            CallbackQueryHandler(resident.show_related, pattern=r"^rel:[0-9a-f]+$"),
            CallbackQueryHandler(resident.choose_suggestion, pattern=r"^sg:[0-9a-f]+:[0-9]$"),
            CallbackQueryHandler(resident.choose_region, pattern=r"^rg:([0-9]+|all)$"),
            CallbackQueryHandler(
                complain_placeholder, pattern=rf"^({COMPLAIN_CALLBACK}$|{COMPLAIN_CATEGORY_PREFIX})"
            ),
            CallbackQueryHandler(unknown_button),
            # In a group the bot answers commands only, not every remark of the members.
            MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
            MessageHandler(PRIVATE & filters.TEXT, resident.question),
            MessageHandler(PRIVATE, not_text),
        ],
        group=group,
    )
