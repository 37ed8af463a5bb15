"""What `python -m bot` runs: the bot on Telegram, or a local chat in the terminal without a token."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from bot.logs import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


def _configure_logging(settings: Settings, quiet: bool) -> None:
    """Logs as configured; in the terminal chat only warnings, so they do not bury the chat."""
    configure_logging(logging.WARNING if quiet else settings.log_level)


def _open_knowledge(settings: Settings) -> Any:
    from knowledge.service import KnowledgeBase

    return KnowledgeBase.open(settings.knowledge.data_dir, settings.knowledge.corpus_dir)


def _open_storage(settings: Settings) -> Any:
    """Migrate the database (before any event loop: PTB reads persistence in initialize()) and open it."""
    from bot.services import BotStorage, deadline_policy
    from knowledge.service import LIBRARY_DIR
    from storage.migrate import upgrade

    url = settings.database.effective_url
    asyncio.run(upgrade(url))
    deadlines = deadline_policy(settings.deadlines)
    year = datetime.now().year
    if not deadlines.calendar.covers(year):
        log.warning(
            "no public holidays known for %d: deadlines count only weekends as days off; "
            "add the year's schedule to HOLIDAYS_FILE or HOLIDAYS",
            year,
        )
    return BotStorage.open(
        url,
        corpus_dir=settings.knowledge.corpus_dir,
        library_dir=settings.knowledge.data_dir / LIBRARY_DIR,
        admin_ids=settings.telegram.admin_ids,
        deadlines=deadlines,
    )


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while the bot is being set up.

    Setting up allocates a few hundred thousand objects that live as long as the bot (modules,
    passages, tables); the collector, run every 700 allocations, would look at all of them
    again and again for nothing (~0.3 s of start). Objects are freed by their count as usual.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every update; a fresh random one when WEBHOOK_SECRET is unset.

    Without it anyone who can reach the listener could post an update "from" an admin. The
    generated secret is registered with setWebhook at every start, so it needs no storing.
    """
    configured = settings.webhook.secret.get_secret_value() if settings.webhook.secret else ""
    if configured:
        return configured
    log.warning("WEBHOOK_SECRET is not set: registering a random secret token for this run")
    return secrets.token_urlsafe(48)


def main(settings: Settings) -> int:
    """Serve Telegram (polling, or a webhook if WEBHOOK_URL is set), or chat in the terminal."""
    local = (
        settings.telegram.bot_token is None or not settings.telegram.bot_token.get_secret_value()
    )
    _configure_logging(settings, quiet=local)
    if local:
        from bot.console import LOCAL_ADMIN_ID, local_console
        from bot.terminal import chat

        if (
            not settings.telegram.admin_ids
        ):  # someone must be able to open the console's admin pages
            settings = settings.replace(admin_ids=[LOCAL_ADMIN_ID])
        print("正在加载政策文件……", flush=True)
        with few_collections():
            kb = _open_knowledge(settings)
            storage = _open_storage(settings)

        def console(live: Settings, application: Any, say: Any) -> Any:
            return local_console(live, kb, storage, application, say)

        try:
            return asyncio.run(
                chat(
                    settings,
                    kb,
                    beside=console if settings.web.enabled else None,
                    **storage.application_options(),
                )
            )
        except KeyboardInterrupt:
            return 0

    with few_collections():
        from bot.app import build_application

        kb = _open_knowledge(settings)
        storage = _open_storage(settings)
        application = build_application(settings, kb, **storage.application_options())
        application.post_shutdown = lambda _application: storage.db.dispose()
        if settings.web.enabled:
            from bot.console import attach_console

            attach_console(application, settings, kb, storage)
    if settings.webhook.url:
        secret = webhook_secret(settings)
        log.info(
            "serving webhook %s on %s:%s",
            settings.webhook.url,
            settings.webhook.listen,
            settings.webhook.port,
        )
        application.run_webhook(
            listen=settings.webhook.listen,
            port=settings.webhook.port,
            url_path=urlparse(settings.webhook.url).path.lstrip("/"),
            webhook_url=settings.webhook.url,
            secret_token=secret,
        )
    else:
        log.info("polling %s", settings.telegram.base_url)
        application.run_polling(timeout=int(settings.telegram.poll_timeout))
    return 0


def serve_console(settings: Settings) -> int:
    """`python -m bot web`: the console alone, against the same database as the bot."""
    from aiohttp import web as aioweb

    from bot.console import build_console
    from web.app import create_app

    _configure_logging(settings, quiet=False)
    kb = _open_knowledge(settings)
    storage = _open_storage(settings)
    bot = None
    if settings.telegram.bot_token and settings.telegram.bot_token.get_secret_value():
        from telegram import Bot

        bot = Bot(
            settings.telegram.bot_token.get_secret_value(),
            base_url=settings.telegram.base_url,
            base_file_url=settings.telegram.base_file_url,
        )
        from bot.app import category_labels
        from handlers.case_notices import TelegramNotifier

        # Actions taken here reach residents and staff in Telegram, as from the bot itself.
        storage.cases.notifier = TelegramNotifier(
            bot, category_labels(storage.cases), storage.cases.policy.feedback_window
        )

    async def app() -> aioweb.Application:
        username = None
        if bot is not None:
            await bot.initialize()
            username = bot.username
        application = create_app(
            build_console(settings, kb, storage, bot_username=username, bot=bot)
        )

        async def close(_app: aioweb.Application) -> None:
            if bot is not None:
                await bot.shutdown()
            await storage.db.dispose()

        application.on_cleanup.append(close)
        return application

    log.info(
        "web console alone on %s:%s (%s)",
        settings.web.host,
        settings.web.port,
        settings.web.effective_base_url,
    )
    aioweb.run_app(
        app(), host=settings.web.host, port=settings.web.port, access_log=None, print=None
    )
    return 0
