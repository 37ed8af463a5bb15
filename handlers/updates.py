"""What an update is known to carry, typed as such.

PTB types `update.effective_user`, `update.callback_query`, `context.user_data` and the like as
optional because some update kinds lack them (a channel post has no user, an inline query no
chat). Each handler here is registered for updates that do carry them, so a missing one is a
wiring mistake: these accessors say so with an error (the error handler then answers the
resident politely) instead of an AttributeError on None somewhere further down.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import CallbackQuery, Chat, Document, Message, Update, User
from telegram.ext import ContextTypes

T = TypeVar("T")


class MissingPart(RuntimeError):
    """A handler got an update without something its registration promised."""


def _present(part: T | None, missing: str) -> T:
    if part is None:
        raise MissingPart(missing)
    return part


def user_of(update: Update) -> User:
    return _present(update.effective_user, f"update {update.update_id} has no user")


def chat_of(update: Update) -> Chat:
    return _present(update.effective_chat, f"update {update.update_id} has no chat")


def message_of(update: Update) -> Message:
    return _present(update.effective_message, f"update {update.update_id} has no message")


def document_of(update: Update) -> Document:
    return _present(message_of(update).document, f"update {update.update_id} carries no file")


def query_of(update: Update) -> CallbackQuery:
    return _present(update.callback_query, f"update {update.update_id} is no button press")


def query_data(update: Update) -> str:
    """The pressed button's callback data (this bot's buttons all carry a string)."""
    return _present(query_of(update).data, f"update {update.update_id}: the button carries no data")


def user_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    return _present(context.user_data, "the update has no user, so no user_data")


def chat_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    return _present(context.chat_data, "the update has no chat, so no chat_data")
