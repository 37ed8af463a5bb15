"""Wiring the staff web console (web/) to the bot's storage, knowledge and Telegram bot.

By default it runs inside the bot process, in the bot's event loop, started after the
Application is initialised (so the bot's username is known for the Login Widget) and stopped
before it shuts down. `python -m bot web` runs it alone against the same database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web as aioweb

from bot.settings import Settings
from storage.report_weeks import WeeklyCounts
from storage.reports import CaseReports
from storage.web_access import WebAccessStore
from web import texts
from web.app import Console, ConsoleConfig, FileFetcher, create_app, serve

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import BotStorage

log = logging.getLogger(__name__)


def telegram_files(bot: Bot) -> FileFetcher:
    """Fetch a complaint's photo through the Bot API (getFile, then the file URL)."""

    async def fetch(file_id: str) -> tuple[bytes, str]:
        file = await bot.get_file(file_id)
        content = bytes(await file.download_as_bytearray())
        return content, _image_type(content)

    return fetch


def _image_type(content: bytes) -> str:
    """What the bytes are, from their signature (never from what the sender claimed)."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def build_console(
    settings: Settings,
    kb: Any,
    storage: BotStorage,
    *,
    bot_username: str | None = None,
    bot: Bot | None = None,
) -> Console:
    cases = storage.cases
    db, clock = cases.repo.db, cases.repo.clock
    token = settings.telegram.bot_token.get_secret_value() if settings.telegram.bot_token else None
    config = ConsoleConfig(
        base_url=settings.web.effective_base_url,
        bot_token=token or None,
        bot_username=bot_username,
        session_idle=timedelta(minutes=settings.web.session_idle_minutes),
        session_max_age=timedelta(hours=settings.web.session_max_hours),
        link_valid=timedelta(minutes=settings.web.link_minutes),
        widget_max_age_seconds=settings.web.widget_max_age_seconds,
    )
    return Console(
        store=WebAccessStore(db, clock),
        access=cases.access,
        reports=CaseReports(db),
        weeks=WeeklyCounts(db),
        roles=cases.access.roles,
        kb=kb,
        router=cases.router,
        clock=clock,
        config=config,
        files=telegram_files(bot) if bot is not None else None,
        cases=cases,
    )


async def start_console(settings: Settings, console: Console) -> aioweb.AppRunner:
    runner = await serve(create_app(console), settings.web.host, settings.web.port)
    log.info(
        "web console on %s (listening on %s:%s)",
        console.config.base_url,
        settings.web.host,
        settings.web.port,
    )
    return runner


def attach_console(application: Any, settings: Settings, kb: Any, storage: BotStorage) -> None:
    """Run the console in `application`'s event loop, from post_init to post_stop."""
    runner: aioweb.AppRunner | None = None
    previous_init, previous_stop = application.post_init, application.post_stop

    async def post_init(app: Any) -> None:
        nonlocal runner
        if previous_init:
            await previous_init(app)
        console = build_console(settings, kb, storage, bot_username=app.bot.username, bot=app.bot)
        try:
            runner = await start_console(settings, console)
        except OSError as exc:  # the residents' bot matters more than the console: keep serving it
            log.error(
                "web console not started: cannot listen on %s:%s (%s); set WEB_PORT or WEB_ENABLED=false",
                settings.web.host,
                settings.web.port,
                exc.strerror or exc,
            )

    async def post_stop(app: Any) -> None:
        if runner is not None:
            await runner.cleanup()
        if previous_stop:
            await previous_stop(app)

    application.post_init = post_init
    application.post_stop = post_stop


# The admin the local chat signs in to the console when ADMIN_IDS names none (no Telegram there).
LOCAL_ADMIN_ID = 10000


@asynccontextmanager
async def local_console(
    settings: Settings, kb: Any, storage: BotStorage, application: Any, say: Callable[[str], None]
) -> AsyncIterator[None]:
    """The console beside the terminal chat, with its address and a sign-in link printed."""
    console = build_console(settings, kb, storage, bot=application.bot)
    try:
        runner = await start_console(settings, console)
    except OSError as exc:
        say(
            texts.LOCAL_NO_CONSOLE.format(
                host=settings.web.host, port=settings.web.port, error=exc.strerror or exc
            )
        )
        yield
        return
    admin = settings.telegram.admin_ids[0] if settings.telegram.admin_ids else LOCAL_ADMIN_ID
    token = await console.store.issue_link(admin, console.config.link_valid)
    say(
        texts.LOCAL_CONSOLE.format(
            url=console.config.base_url,
            admin=admin,
            link=f"{console.config.base_url}/login/link/{token}",
            minutes=int(console.config.link_valid.total_seconds() // 60),
        )
    )
    try:
        yield
    finally:
        await runner.cleanup()
