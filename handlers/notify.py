"""Messages the bot starts itself (notices, relayed replies). A recipient who never opened the
bot or blocked it cannot be reached; that is logged and the others are still told."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

log = logging.getLogger(__name__)


async def send_to(
    bot: Bot, user_ids: Iterable[int], text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> list[int]:
    """Send `text` (Telegram HTML) to each user once; returns those reached."""
    reached = []
    for user_id in dict.fromkeys(user_ids):
        try:
            await bot.send_message(
                user_id, text, parse_mode=ParseMode.HTML, reply_markup=reply_markup
            )
        except (Forbidden, BadRequest) as exc:
            log.warning("could not notify user %s: %s", user_id, exc)
            continue
        reached.append(user_id)
    return reached
