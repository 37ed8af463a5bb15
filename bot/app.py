"""The python-telegram-bot Application factory: one place where the bot is wired together."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BasePersistence,
    TypeHandler,
)

from bot.counter_key import counter_key
from bot.http import AiohttpRequest
from bot.settings import Settings
from handlers import resident, texts
from handlers.guards import FloodGuard, ignore_edits, reply_on_error

if TYPE_CHECKING:
    from cases.service import CaseService
    from knowledge.complaint_cues import ComplaintCues
    from knowledge.service import KnowledgeBase

Registrar = Callable[[Application[Any, Any, Any, Any, Any, Any]], None]
# Handler groups, run in this order: edited messages are stopped; flood control; handlers.access.STAFF_GROUP (typed input
# staff and admins owe the bot, their /help), which stops an update only when it takes it;
# then residents and the complaint intake (group 0).
EDIT_GROUP = -11
FLOOD_GROUP = -10


async def _register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await application.bot.set_my_commands([BotCommand(name, desc) for name, desc in texts.COMMANDS])


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    *,
    extra_handlers: Iterable[Registrar] = (),
    persistence: BasePersistence[Any, Any, Any] | None = None,
    cases: CaseService | None = None,
    cues: ComplaintCues | None = None,
    resident_clock: Callable[[], float] = time.time,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot for `settings` (token, Bot API base URL, limits) answering from `kb`.

    `extra_handlers` register more specific handlers (e.g. the complaint conversation); they
    run before the resident handlers, whose catch-alls take whatever is left. `persistence`
    keeps user/chat data and conversation states across restarts. `cases` (the case service) and
    `cues` enable complaint intake, /status and case work; without them 我要投诉 points to the
    hotline. The case service's notices go out through this application's bot.
    `resident_clock` (seconds) dates the residents' conversations; tests move it.
    """
    if settings.telegram.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram.bot_token.get_secret_value())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.telegram.overall_rate,
                max_retries=settings.telegram.max_retries,
            )
        )
        .concurrent_updates(settings.telegram.concurrent_updates)
        .request(AiohttpRequest(max(8, settings.telegram.concurrent_updates)))
        .get_updates_request(AiohttpRequest(1, read_timeout=5.0))
        .post_init(_register_commands)
    )
    if persistence is not None:
        builder = builder.persistence(persistence)
    application = builder.build()
    application.add_handler(TypeHandler(Update, ignore_edits), group=EDIT_GROUP)
    application.add_handler(
        TypeHandler(
            Update,
            FloodGuard(
                settings.telegram.flood_max_messages, settings.telegram.flood_window_seconds
            ),
        ),
        group=FLOOD_GROUP,
    )
    for register in extra_handlers:
        register(application)
    grievance = None
    if cases is not None:
        from handlers import complaint_status
        from handlers import complaints as complaint_handlers
        from knowledge.complaint_cues import ComplaintCues

        limits = _intake_limits(settings)  # one key for every count kept, whoever keeps it
        intake = complaint_handlers.register(
            application, kb, cases, cues or ComplaintCues(), limits=limits
        )
        grievance = intake.grievance
        complaint_status.register(application, cases, category_labels(cases), limits)
        _register_casework(application, kb, cases, settings)
    resident.register(application, kb, clock=resident_clock, grievance=grievance)
    application.add_error_handler(reply_on_error)
    return application


def _intake_limits(settings: Settings) -> Any:
    from handlers.complaints import IntakeLimits

    key = counter_key(settings.intake.counter_key, settings.knowledge.data_dir)
    return IntakeLimits(
        per_day=settings.intake.complaints_per_day,
        duplicate_days=settings.intake.anonymous_duplicate_days,
        code_tries_per_ticket=settings.intake.query_code_tries_per_ticket,
        code_tries_per_account=settings.intake.query_code_tries_per_account,
        lock_hours=settings.intake.query_code_lock_hours,
        draft_hours=settings.intake.draft_retention_hours,
        key=key,
    )


def _register_casework(
    application: Application[Any, Any, Any, Any, Any, Any],
    kb: KnowledgeBase,
    cases: CaseService,
    settings: Settings,
) -> None:
    """Staff, supervisors and admins: case work, deadlines, reports, roles, the knowledge base and
    /web (the sign-in link to the web console); the case service tells people through this bot."""
    from datetime import timedelta

    from handlers import (
        admin_knowledge,
        admin_roles,
        casework,
        deadlines,
        reports,
        staff_help,
        web_login,
    )
    from handlers.case_notices import TelegramNotifier
    from storage.web_access import WebAccessStore

    labels = category_labels(cases)
    cases.notifier = TelegramNotifier(application.bot, labels, cases.policy.feedback_window)
    staff_help.register(application, cases.access)
    casework.register(application, cases, labels)
    deadlines.register(application, cases)
    reports.register(application, cases)
    admin_roles.register(application, kb, cases)
    admin_knowledge.register(application, kb, cases)
    web_login.register(
        application,
        cases.access,
        WebAccessStore(cases.repo.db, cases.repo.clock),
        settings.web.effective_base_url,
        timedelta(minutes=settings.web.link_minutes),
    )


def category_labels(cases: CaseService) -> dict[str, str]:
    """Each complaint category's name as staff and residents read it."""
    return {
        name: texts.CATEGORY_BUTTONS.get(name, category.label)
        for name, category in cases.router.lexicon.categories.items()
    }


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any], poll_timeout: float
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run `application` with long polling inside an event loop someone else owns.

    What `run_polling` does, for the terminal chat and tests that share the loop with the stand-in.
    """
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    updater = application.updater
    if updater is None:
        raise RuntimeError("polling needs an Application built with an Updater")
    await updater.start_polling(
        timeout=timedelta(seconds=poll_timeout), poll_interval=0, bootstrap_retries=3
    )
    await application.start()
    try:
        yield application
    finally:
        await updater.stop()
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
