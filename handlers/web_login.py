"""/web: a one-time link that signs the person in to the staff web console as themselves.

Only people with a role get a link (the console refuses everyone else anyway). The token is
made by storage.web_access, which keeps only its hash; the message turns off the link
preview, so Telegram's preview fetcher never sees the page.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from cases.access import Access
from handlers import web_texts as texts
from handlers.formatting import escape
from handlers.updates import chat_of, user_of
from storage.db import StorageUnavailable
from storage.web_access import WebAccessStore

log = logging.getLogger(__name__)


class WebLogin:
    def __init__(
        self, access: Access, store: WebAccessStore, base_url: str, valid_for: timedelta
    ) -> None:
        self.access = access
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.valid_for = valid_for

    async def web(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user_id = user_of(update).id
        try:
            if not (await self.access.of(user_id)).has_role:
                text = texts.WEB_NO_ROLE
            else:
                token = await self.store.issue_link(user_id, self.valid_for)
                log.info("web sign-in link issued to user %s", user_id)
                text = texts.WEB_LINK.format(
                    link=escape(f"{self.base_url}/login/link/{token}"),
                    minutes=int(self.valid_for.total_seconds() // 60),
                )
        except StorageUnavailable:
            text = texts.WEB_STORAGE_DOWN
        await context.bot.send_message(
            chat_of(update).id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    access: Access,
    store: WebAccessStore,
    base_url: str,
    valid_for: timedelta,
) -> None:
    handler = WebLogin(access, store, base_url, valid_for)
    application.add_handler(CommandHandler("web", handler.web, filters.ChatType.PRIVATE))
