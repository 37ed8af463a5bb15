"""Cross-cutting handlers: edits and flood control before anything else, and the last-resort error reply."""

from __future__ import annotations

import logging
import time
from collections import deque

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers import texts
from handlers.presses import answer_press

log = logging.getLogger(__name__)


class FloodGuard:
    """Let each resident through at most `limit` updates per `window` seconds.

    Over the limit, the resident gets one polite notice per window and the rest is dropped,
    so thirty pasted messages cost one reply, not thirty searches.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._last_sweep = time.monotonic()

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): whether to handle the update, and whether to send the notice."""
        now = time.monotonic() if now is None else now
        self._sweep(now)
        stamps = self._seen.setdefault(user_id, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        stamps.append(now)
        if len(stamps) <= self.limit:
            return True, False
        warned = self._warned.get(user_id)
        if warned is not None and now - warned <= self.window:
            return False, False
        self._warned[user_id] = now
        return False, True

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < 60:
            return
        self._last_sweep = now
        for user_id in [u for u, s in self._seen.items() if not s or now - s[-1] > self.window]:
            del self._seen[user_id]
            self._warned.pop(user_id, None)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None or self.limit <= 0:
            return
        allowed, warn = self.allow(user.id)
        if allowed:
            return
        if update.callback_query is not None:
            await answer_press(update, texts.FLOOD if warn else None)
        elif warn and update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id, texts.FLOOD, parse_mode=ParseMode.HTML
            )
        raise ApplicationHandlerStop


async def ignore_edits(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not a new request: no handler sees it (an admin editing /grant must
    not grant again). In a private chat the sender is told to send it anew."""
    edited = update.edited_message or update.edited_channel_post or update.edited_business_message
    if edited is None:
        return
    if edited.chat.type == ChatType.PRIVATE:
        await context.bot.send_message(
            edited.chat.id, texts.EDIT_NOT_HANDLED, parse_mode=ParseMode.HTML
        )
    raise ApplicationHandlerStop


async def reply_on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the resident, politely, to try again."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            # Already answered, too old, or the network failing: the message below still tells them.
            except TelegramError:
                pass
        if update.effective_chat is not None:
            await context.bot.send_message(
                update.effective_chat.id, texts.ERROR_RETRY, parse_mode=ParseMode.HTML
            )
    except Exception:
        log.exception("could not tell chat about the failure of update %s", update.update_id)
