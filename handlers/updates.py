"""What an update is known to carry, typed as such.

PTB types `update.effective_user`, `update.callback_query`, `context.user_data` and the like as
optional because some update kinds lack them (a channel post has no user, an inline query no
chat). Each handler here is registered for updates that do carry them, so a missing one is a
wiring mistake: these accessors say so with an error (the error handler then answers the
resident politely) instead of an AttributeError on None somewhere further down.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Chat, Document, Message, Update, User
from telegram.ext import ContextTypes


class MissingPart(RuntimeError):
    """A handler got an update without something its registration promised."""


def user_of(update: Update) -> User:
    if update.effective_user is None:
        raise MissingPart(f"update {update.update_id} has no user")
    return update.effective_user


def chat_of(update: Update) -> Chat:
    if update.effective_chat is None:
        raise MissingPart(f"update {update.update_id} has no chat")
    return update.effective_chat


def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise MissingPart(f"update {update.update_id} has no message")
    return update.effective_message


def document_of(update: Update) -> Document:
    document = message_of(update).document
    if document is None:
        raise MissingPart(f"update {update.update_id} carries no file")
    return document


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise MissingPart(f"update {update.update_id} is no button press")
    return update.callback_query


def query_data(update: Update) -> str:
    """The pressed button's callback data (this bot's buttons all carry a string)."""
    data = query_of(update).data
    if data is None:
        raise MissingPart(f"update {update.update_id}: the button carries no data")
    return data


def user_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    if context.user_data is None:
        raise MissingPart("the update has no user, so no user_data")
    return context.user_data


def chat_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    if context.chat_data is None:
        raise MissingPart("the update has no chat, so no chat_data")
    return context.chat_data
