"""Answering a button press, in every handler.

After a restart Telegram delivers again the presses the dead process had taken; answering one
is then refused as too old (or as answered already). The press must still do its step, or it
is lost: the refusal is logged and the handler goes on.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

log = logging.getLogger(__name__)


async def answer_press(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner, with a toast (`alert`: a box) when `text` is given."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(text, show_alert=alert)
    except BadRequest as exc:
        log.info("a button press could not be answered (%s); handled all the same", exc.message)
