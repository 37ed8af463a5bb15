"""The case service without Telegram: rights and state checked at the moment of acting, one
transaction per use case, masked views, and whom each action tells. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import pytest

from cases import notices as n
from cases.access import Access
from cases.errors import (
    BadInput,
    CaseNotFound,
    NotAllowed,
    NothingToReveal,
    RatingClosed,
    StaleCase,
    TransferWindowClosed,
    UnknownUnit,
)
from cases.notices import Notice
from cases.service import CaseService
from knowledge.routing import Router
from storage.complaints import ComplaintDraft, ComplaintRepository
from storage.db import Database
from storage.models import ActorKind, ComplaintStatus
from storage.roles import RoleRepository
from storage.workdays import CHINA_TZ, DeadlinePolicy

S = ComplaintStatus
ADMIN, FILER, STAFF, OTHER_STAFF, SUPERVISOR, RESIDENT = 9001, 3001, 4001, 4002, 5001, 2001
UNIT, OTHER_UNIT, REGION = "县住建局", "县民政局", "闽清县"
STORY = (
    "危房改造补助款去年就该发了，到现在没收到。村主任电话 139 0591 7264，会计 138.1234.5678，"
    "身份证 350124 19700101 1234。"
)


@lru_cache(maxsize=1)
def router() -> Router:
    return Router.from_corpus()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """A Notifier that keeps what it was asked to send; everyone is reachable."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    async def deliver(self, notice: Notice) -> tuple[int, ...]:
        self.sent.append(notice)
        return notice.to

    def kinds(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(x.kind, x.to) for x in self.sent]


@dataclass
class World:
    service: CaseService
    clock: Clock
    told: Recorder

    async def file(self, *, anonymous: bool = False, township: str | None = "坂东镇") -> str:
        repo, policy, now = self.service.repo, self.service.policy, self.clock()
        filed = await repo.create(
            ComplaintDraft(
                category="housing_renovation",
                region=REGION,
                description=STORY,
                telegram_user_id=None if anonymous else FILER,
                anonymous=anonymous,
                contact_name=None if anonymous else "张大山",
                contact_phone=None if anonymous else "13812345678",
                region_parents=("福州市", "福建省"),
                township=township,
                units=[UNIT],
                accept_due_at=policy.accept_due(now),
                resolve_due_at=policy.resolve_due(now, "housing_renovation"),
            )
        )
        return filed.ticket

    async def events(self, ticket: str) -> list[tuple[str, ActorKind, int | None]]:
        record = await self.service.repo.get(ticket)
        return [(e.action, e.actor_kind, e.actor_id) for e in record.events]


@asynccontextmanager
async def world(url: str) -> AsyncIterator[World]:
    db = Database(url)
    clock, told = Clock(), Recorder()
    roles = RoleRepository(db, clock)
    service = CaseService(
        ComplaintRepository(db, clock), Access(roles, [ADMIN]), router(), DeadlinePolicy(), told
    )
    await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
    await roles.grant(OTHER_STAFF, "staff", unit=OTHER_UNIT, region=REGION, granted_by=ADMIN)
    await roles.grant(SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN)
    try:
        yield World(service, clock, told)
    finally:
        await db.dispose()


async def test_staff_accept_and_the_filer_is_told(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        outcome = await w.service.accept(STAFF, ticket)
        assert outcome.case.status is S.ACCEPTED and outcome.filer_reached
        assert w.told.kinds() == [(n.ACCEPTED, (FILER,))]
        assert w.told.sent[0].extra == {"who": UNIT}
        assert (await w.events(ticket))[-1] == ("accepted", ActorKind.STAFF, STAFF)


async def test_a_second_accept_is_stale_and_changes_nothing(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        await w.service.accept(STAFF, ticket)
        with pytest.raises(StaleCase) as stale:
            await w.service.accept(SUPERVISOR, ticket)
        assert stale.value.case.status is S.ACCEPTED
        assert [a for a, _, _ in await w.events(ticket)] == ["submitted", "accepted"]


@pytest.mark.parametrize("who", [OTHER_STAFF, RESIDENT, ADMIN])
async def test_who_may_not_act_is_refused_and_nothing_changes(migrated_url, who):
    async with world(migrated_url) as w:
        ticket = await w.file()
        for act in (
            lambda: w.service.accept(who, ticket),
            lambda: w.service.reply(who, ticket, "我们会处理"),
            lambda: w.service.resolve(who, ticket, "已处理完毕"),
            lambda: w.service.reveal(who, ticket),
        ):
            with pytest.raises(NotAllowed):
                await act()
        assert [a for a, _, _ in await w.events(ticket)] == ["submitted"]
        assert w.told.sent == []


async def test_a_resident_cannot_tell_a_missing_ticket_from_someone_elses(migrated_url):
    async with world(migrated_url) as w:
        await w.file()
        with pytest.raises(NotAllowed):
            await w.service.case(RESIDENT, "FP20260101-999999")
        with pytest.raises(CaseNotFound):
            await w.service.case(STAFF, "FP20260101-999999")


async def test_a_revoke_bites_at_the_next_action(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        await w.service.case(STAFF, ticket)
        await w.service.access.roles.revoke(STAFF, "staff", revoked_by=ADMIN)
        with pytest.raises(NotAllowed):
            await w.service.accept(STAFF, ticket)


async def test_views_mask_the_filer_and_numbers_in_every_free_text(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file(township="13812345678")  # a phone typed where the town was asked
        view = await w.service.case(STAFF, ticket)
        assert view.filer == "张** 138****5678"
        everything = " ".join([view.place, view.description, *(e.text for e in view.events)])
        for secret in ("13812345678", "0591 7264", "1234.5678", "19700101"):
            assert secret not in everything
        page = await w.service.queue(STAFF)
        assert "13812345678" not in page.items[0].place


async def test_a_transfer_reason_typed_after_the_window_does_not_transfer(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        assert "transfer" in (await w.service.prepare(STAFF, ticket, "transfer")).actions
        w.clock.now += timedelta(days=10)  # the reason arrives ten days after the button
        with pytest.raises(TransferWindowClosed):
            await w.service.transfer(STAFF, ticket, OTHER_UNIT, "这件事归民政局管")
        assert (await w.service.case(STAFF, ticket)).units == (UNIT,)
        outcome = await w.service.transfer(SUPERVISOR, ticket, OTHER_UNIT, "督办改派民政局")
        assert outcome.case.units == (OTHER_UNIT,)


async def test_a_transfer_tells_the_filer_and_the_new_unit_and_leaves_the_old_one_out(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        outcome = await w.service.transfer(STAFF, ticket, OTHER_UNIT, "属于民政部门职责")
        assert not outcome.still_visible
        assert w.told.kinds() == [(n.TRANSFERRED, (FILER,)), (n.TRANSFERRED_IN, (OTHER_STAFF,))]
        assert w.told.sent[1].extra["from_units"] == UNIT
        with pytest.raises(NotAllowed):
            await w.service.case(STAFF, ticket)


async def test_a_transfer_only_to_a_unit_of_the_region(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        with pytest.raises(UnknownUnit):
            await w.service.transfer(STAFF, ticket, "不存在的单位", "随便转一下试试")
        assert (await w.service.case(STAFF, ticket)).status is S.SUBMITTED


async def test_typed_text_that_says_nothing_is_refused_before_anything_is_written(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        with pytest.raises(BadInput):
            await w.service.reply(STAFF, ticket, "。。 ")
        with pytest.raises(BadInput):
            await w.service.resolve(STAFF, ticket, "好" * 1001)
        assert [a for a, _, _ in await w.events(ticket)] == ["submitted"]


async def test_unsatisfied_reopens_escalates_and_tells_supervisors_and_unit_in_one_go(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        await w.service.accept(STAFF, ticket)
        await w.service.resolve(STAFF, ticket, "补助款已发放到户")
        with pytest.raises(NotAllowed):
            await w.service.rate(RESIDENT, ticket, "satisfied")
        w.told.sent.clear()
        view = await w.service.rate(FILER, ticket, "unsatisfied")
        assert view.status is S.REOPENED and view.resolve_due > w.clock()
        assert [a for a, _, _ in await w.events(ticket)][-3:] == [
            "feedback",
            "reopened",
            "escalate",
        ]
        assert w.told.kinds() == [(n.UNSATISFIED, (SUPERVISOR, STAFF))]
        with pytest.raises(RatingClosed):
            await w.service.rate(FILER, ticket, "satisfied")


async def test_a_late_rating_is_not_taken(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        await w.service.accept(STAFF, ticket)
        await w.service.resolve(STAFF, ticket, "补助款已发放到户")
        w.clock.now += timedelta(days=6)
        with pytest.raises(RatingClosed) as closed:
            await w.service.rate(FILER, ticket, "satisfied")
        assert closed.value.why == "late"
        assert (await w.service.case(STAFF, ticket)).status is S.RESOLVED


async def test_reveal_is_recorded_and_anonymous_cases_have_nothing(migrated_url):
    async with world(migrated_url) as w:
        ticket = await w.file()
        identity = await w.service.reveal(SUPERVISOR, ticket)
        assert (identity.name, identity.phone) == ("张大山", "13812345678")
        assert (await w.events(ticket))[-1] == ("reveal_identity", ActorKind.SUPERVISOR, SUPERVISOR)
        anonymous = await w.file(anonymous=True)
        with pytest.raises(NothingToReveal):
            await w.service.reveal(SUPERVISOR, anonymous)
        assert [a for a, _, _ in await w.events(anonymous)] == ["submitted"]


async def test_the_queue_is_scoped_and_filtered(migrated_url):
    async with world(migrated_url) as w:
        first = await w.file()
        second = await w.file()
        await w.service.transfer(STAFF, second, OTHER_UNIT, "属于民政部门职责")
        assert [c.ticket for c in (await w.service.queue(STAFF)).items] == [first]
        assert [c.ticket for c in (await w.service.queue(OTHER_STAFF)).items] == [second]
        assert {c.ticket for c in (await w.service.queue(SUPERVISOR)).items} == {first, second}
        assert (await w.service.queue(ADMIN, text=second)).total == 1
        assert (await w.service.queue(ADMIN, overdue=True)).total == 0
        w.clock.now += timedelta(days=30)
        assert (await w.service.queue(ADMIN, overdue=True)).total == 2
        with pytest.raises(NotAllowed):
            await w.service.queue(RESIDENT)
