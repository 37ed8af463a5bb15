"""The bot with its database, as staff, supervisors, admins and filers meet it, and cases on file.

clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
    await h.storage.cases.access.roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
    ticket = await file_case(h.storage, description="…", units=["县住建局"])
    clock.advance(timedelta(days=1))
    ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any

from bot.services import BotStorage
from storage.complaints import ComplaintDraft
from storage.workdays import CHINA_TZ
from tests.telegram_harness import BotHarness, Clock, bot_harness


def case_bot(
    kb: Any,
    url: str,
    *,
    clock: Clock | None = None,
    admin_ids: Sequence[int] = (),
    **options: Any,
) -> AbstractAsyncContextManager[BotHarness]:
    """`bot_harness` on the migrated database `url`, with flood control off (tests type fast).

    `options` go to `bot_harness` (Settings fields, `deadline_job=False`, `open_chats`, ...).
    """
    return bot_harness(
        kb,
        storage_url=url,
        clock=clock,
        admin_ids=admin_ids,
        **{"flood_max_messages": 0, **options},
    )


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


# -- one county's casework: a unit with its staff, a supervisor over the county, an admin ----------

ADMIN, FILER, STAFF, SUPERVISOR, RESIDENT = 9001, 3001, 4001, 5001, 2001
UNIT, REGION = "县住建局", "闽清县"
STORY = "危房改造补助款去年就该发了，到现在一分钱都没收到，村里也不给说法。"


def start_clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))


@asynccontextmanager
async def staff_bot(
    kb: Any, url: str, clock: Clock, *, with_staff: bool = True
) -> AsyncIterator[BotHarness]:
    """The bot with STAFF in UNIT and SUPERVISOR over the county, everyone having opened it once."""
    async with case_bot(kb, url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        if with_staff:
            await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN)
        await h.meet(FILER, STAFF, SUPERVISOR, RESIDENT)
        yield h


async def actions(h: BotHarness, ticket: str) -> list[tuple[str, str, int | None]]:
    """The case's event log as (action, actor kind, actor id)."""
    record = await h.storage.cases.repo.get(ticket)
    return [(e.action, e.actor_kind.value, e.actor_id) for e in record.events]
