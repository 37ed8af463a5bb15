"""The bot as staff, supervisors and admins meet it: roles, a clock tests can move, cases on file.

clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
    await h.storage.cases.access.roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
    ticket = await file_case(h.storage, description="…", units=["县住建局"])
    clock.advance(timedelta(days=1))
    ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application, polling
from bot.services import BotStorage, deadline_policy
from bot.settings import Settings
from bot.terminal import settings_for_standin
from knowledge.routing import Router
from standin import BotAPIStandIn
from storage.complaints import ComplaintDraft
from tests.telegram_harness import TEST_POLL_TIMEOUT, BotHarness


class Clock:
    """A clock that stands still until a test moves it; always timezone-aware UTC."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment.astimezone(UTC)
        return self.now


_ROUTER: Router | None = None


def shared_router() -> Router:
    """The router over the shipped corpus, built once per test process (it takes a moment)."""
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = Router.from_corpus()
    return _ROUTER


@asynccontextmanager
async def case_bot(
    kb: Any,
    url: str,
    *,
    clock: Clock,
    admin_ids: Sequence[int] = (),
    settings: Settings | None = None,
    deadline_job: bool = True,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """The bot as the runner builds it on the migrated database `url`, polling a fresh stand-in.

    `h.storage` is the BotStorage (repository, roles via `h.storage.cases.access.roles`).
    `overrides` are Settings fields (deadline settings included); flood control is off. Without
    `deadline_job` the deadline check runs only when a test calls it (cases.deadlines.DeadlineCheck).
    """
    base = settings or Settings.load(None)
    configured = base.replace(admin_ids=list(admin_ids), flood_max_messages=0, **overrides)
    storage = BotStorage.open(
        url,
        router=shared_router(),
        admin_ids=configured.telegram.admin_ids,
        deadlines=deadline_policy(configured.deadlines),
        clock=clock,
    )
    try:
        async with BotAPIStandIn() as standin:
            live = settings_for_standin(
                configured, standin, telegram_poll_timeout=TEST_POLL_TIMEOUT
            )
            application = build_application(live, kb, **storage.application_options())
            if not deadline_job:
                for job in application.job_queue.jobs():
                    job.schedule_removal()
            async with polling(application, live.telegram.poll_timeout):
                harness = BotHarness(standin, application, live)
                harness.storage = storage  # type: ignore[attr-defined]
                yield harness
            harness.assert_nothing_rejected()
    finally:
        await storage.db.dispose()


async def file_case(
    storage: BotStorage,
    *,
    description: str,
    units: Sequence[str],
    region: str = "闽清县",
    category: str = "housing_renovation",
    resident: int | None = 3001,
    contact_name: str | None = "张大山",
    contact_phone: str | None = "13812345678",
    parents: Sequence[str] = ("福州市", "福建省"),
    attachments: Sequence[str] = (),
) -> str:
    """File a complaint straight into storage, with the deadlines the intake would set; its ticket."""
    services = storage.cases
    now = services.repo.clock()
    filed = await services.repo.create(
        ComplaintDraft(
            category=category,
            region=region,
            description=description,
            telegram_user_id=resident,
            display_name=None if resident is None else "居民",
            anonymous=resident is None,
            contact_name=contact_name if resident else None,
            contact_phone=contact_phone if resident else None,
            region_parents=parents,
            units=units,
            attachments=attachments,
            accept_due_at=services.policy.accept_due(now),
            resolve_due_at=services.policy.resolve_due(now, category),
        )
    )
    return filed.ticket
