"""Refusals on Telegram. Who may do what is decided in cases.access, at the moment of acting;
this tells the user, politely, and logs who tried what where the case service did not."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers import texts
from handlers.presses import answer_press

log = logging.getLogger(__name__)
# Handlers for input staff and admins owe the bot (a typed reason, a document) and their /help run
# in this group, before the residents' (group 0); they stop the update only when they took it.
STAFF_GROUP = -5


async def refuse(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, reason: str = "no role"
) -> None:
    """Tell the user they may not do `action`, and log who tried what."""
    user = update.effective_user
    log.warning("refused %s to user %s: %s", action, user.id if user else None, reason)
    await tell_refused(update, context)


async def tell_refused(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user they may not do that (the case service has logged it already)."""
    if update.callback_query is not None:
        await answer_press(update, texts.REFUSED, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id, texts.REFUSED, parse_mode=ParseMode.HTML
        )
