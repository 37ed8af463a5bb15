"""Deadlines through the running bot: a clock the tests move, both databases.

After each move of the clock a test runs the check itself (`tick`), as the bot's timer would; no
test waits for the timer. What staff, supervisors and filers see is read from the Bot API
stand-in, what was done from the event log. The timer itself (the check runs at start, and again
every DEADLINE_CHECK_SECONDS) is tested once, across a restart.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cases.deadlines import DeadlineCheck
from handlers import deadline_texts
from storage.complaints import ESCALATE, FEEDBACK, REMIND, Actor
from storage.models import ActorKind, ComplaintStatus, Role
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot, file_case
from tests.telegram_harness import BotHarness, Clock

ADMIN = 4000
STAFF = 4001  # 县住建局
OTHER_STAFF = 4002  # 县民政局
SUPERVISOR = 4003  # 福州市, the region above 闽清县
FILER = 3001
UNIT, OTHER_UNIT = "县住建局", "县民政局"
REGION = "闽清县"
STORY = "我家的危房改造补助款到现在一分钱都没发，村里说还要等。"
CHECK = {"deadline_job": False}
# Everyone here opened the bot long ago: Telegram keeps those chats across the bot's restarts,
# which a fresh stand-in would not (the first check runs before any test step).
PEOPLE = (STAFF, OTHER_STAFF, SUPERVISOR, FILER, 3002)


def cst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA_TZ)


def shown(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


async def staff_and_supervisor(h: BotHarness, *, supervisor: bool = True) -> None:
    roles = h.storage.cases.access.roles
    await roles.grant(STAFF, Role.STAFF, unit=UNIT, region=REGION, granted_by=ADMIN)
    await roles.grant(OTHER_STAFF, Role.STAFF, unit=OTHER_UNIT, region=REGION, granted_by=ADMIN)
    if supervisor:
        await roles.grant(SUPERVISOR, Role.SUPERVISOR, region="福州市", granted_by=ADMIN)


async def tick(h: BotHarness) -> None:
    """One run of the deadline check, as the timer would make it; what it sends has been sent
    when it returns."""
    await DeadlineCheck(h.storage.cases).run()


async def silent(h: BotHarness, *users: int) -> None:
    """Nobody of `users` hears anything from a check now."""
    await tick(h)
    for user in users:
        assert h.standin.drain(user) == [], f"user {user} was told something"


async def deadline_events(
    h: BotHarness, ticket: str
) -> list[tuple[str, ActorKind, dict[str, Any]]]:
    complaint = await h.storage.cases.repo.get(ticket)
    return [
        (e.action, e.actor_kind, {k: v for k, v in e.payload.items() if k != "notified"})
        for e in complaint.events
        if e.action in (REMIND, ESCALATE)
    ]


async def recorded(h: BotHarness, ticket: str, count: int, within: float = 5.0) -> None:
    """Wait until the case's event log holds `count` reminders and escalations."""
    deadline = asyncio.get_running_loop().time() + within
    while len(await deadline_events(h, ticket)) < count:
        assert asyncio.get_running_loop().time() < deadline, f"{ticket}: the check recorded nothing"
        await asyncio.sleep(0.01)


async def test_a_friday_case_is_due_monday_reminded_once_and_escalated_once(
    policy_kb, migrated_url
):
    clock = Clock(cst(11, 20, 10))  # Friday
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h)
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        due = (await h.storage.cases.repo.get(ticket)).accept_due_at
        assert shown(due) == "2026-11-23 10:00"  # Monday: the weekend does not count

        for moment in (cst(11, 21, 9), cst(11, 22, 23), cst(11, 23, 5, 59)):
            clock.set(moment)
            await silent(h, STAFF, SUPERVISOR, FILER)

        clock.set(cst(11, 23, 7))  # within the 4 hours before the deadline
        await tick(h)
        reminder = await h.reply(STAFF)
        assert "办理期限提醒" in reminder.text and ticket in reminder.text
        assert "受理期限：2026-11-23 10:00（北京时间），还剩约 3 小时" in reminder.text
        assert "危房改造、盖房子" in reminder.text and REGION in reminder.text
        assert f"/case {ticket}" in reminder.text
        clock.set(cst(11, 23, 9, 59))
        await silent(h, STAFF, OTHER_STAFF, SUPERVISOR, FILER)

        clock.set(cst(11, 23, 12, 30))  # two and a half hours overdue
        await tick(h)
        escalation = await h.reply(SUPERVISOR)
        assert "超期督办" in escalation.text and ticket in escalation.text
        assert f"承办单位：{UNIT}" in escalation.text
        assert "受理期限：2026-11-23 10:00（北京时间），已超期约 2 小时" in escalation.text
        notice = await h.reply(STAFF)
        assert ticket in notice.text and "已报送督办人员" in notice.text
        clock.advance(timedelta(days=1))
        await silent(h, STAFF, OTHER_STAFF, SUPERVISOR, FILER)

        assert await deadline_events(h, ticket) == [
            (REMIND, ActorKind.SYSTEM, {"deadline": "accept", "due": due.isoformat()}),
            (ESCALATE, ActorKind.SYSTEM, {"reason": "overdue_accept", "due": due.isoformat()}),
        ]


async def test_a_configured_holiday_does_not_count(policy_kb, migrated_url):
    clock = Clock(cst(11, 20, 10))  # Friday; Monday is made a holiday in settings
    async with case_bot(
        policy_kb,
        migrated_url,
        clock=clock,
        admin_ids=[ADMIN],
        open_chats=PEOPLE,
        holidays=[date(2026, 11, 23)],
        **CHECK,
    ) as h:
        await staff_and_supervisor(h)
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        clock.set(cst(11, 23, 12))
        await silent(h, STAFF, SUPERVISOR)
        clock.set(cst(11, 24, 8))
        await tick(h)
        reminder = await h.reply(STAFF)
        assert ticket in reminder.text and "受理期限：2026-11-24 10:00" in reminder.text


async def test_a_restart_sends_nothing_twice_and_what_came_due_meanwhile(policy_kb, migrated_url):
    clock = Clock(cst(11, 23, 9))  # Monday
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h)
        first = await file_case(h.storage, description=STORY, units=[UNIT])  # due Tuesday 09:00
        clock.set(cst(11, 23, 11))
        await tick(h)
        second = await file_case(
            h.storage, description=STORY + "（第二件）", units=[UNIT]
        )  # due Tuesday 11:00
        clock.set(cst(11, 24, 6))
        await tick(h)
        reminder = await h.reply(STAFF)
        assert first in reminder.text and "2026-11-24 09:00" in reminder.text
        await silent(h, STAFF, SUPERVISOR)

    # Down while the first case went overdue and the second came within its reminder window.
    # Started again with its timer, whose first run at start sends what is owed.
    clock.set(cst(11, 24, 9, 30))
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE
    ) as h:
        told = [(await h.reply(STAFF)).text for _ in range(2)]
        escalation = await h.reply(SUPERVISOR)
        assert first in escalation.text and "已超期不到 1 小时" in escalation.text
        assert any(second in t and "办理期限提醒" in t and "2026-11-24 11:00" in t for t in told)
        assert any(first in t and "已报送督办人员" in t for t in told)
        await recorded(h, first, 2)  # the timer's run has finished: told, then recorded
        await silent(h, STAFF, OTHER_STAFF, SUPERVISOR)
        assert [e[0] for e in await deadline_events(h, first)] == [REMIND, ESCALATE]
        assert [e[0] for e in await deadline_events(h, second)] == [REMIND]


async def test_a_transfer_brings_a_fresh_reminder_to_the_new_unit(policy_kb, migrated_url):
    clock = Clock(cst(11, 23, 9))
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h)
        services = h.storage.cases
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        clock.set(cst(11, 24, 6))
        await tick(h)
        assert ticket in (await h.reply(STAFF)).text

        clock.set(cst(11, 24, 6, 30))
        await tick(h)
        new_due = services.policy.accept_due(clock())
        await services.repo.transition(
            ticket,
            ComplaintStatus.TRANSFERRED,
            Actor(ActorKind.STAFF, STAFF),
            payload={"reason": "属于民政部门职责"},
            units=[OTHER_UNIT],
            accept_due_at=new_due,
        )
        clock.set(cst(11, 24, 9, 30))  # the first unit's deadline has passed, the new one has not
        await silent(h, STAFF, OTHER_STAFF, SUPERVISOR)

        clock.set(cst(11, 25, 3))
        await tick(h)
        reminder = await h.reply(OTHER_STAFF)
        assert ticket in reminder.text and "受理期限：2026-11-25 06:30" in reminder.text
        await silent(h, STAFF, OTHER_STAFF, SUPERVISOR)
        assert await deadline_events(h, ticket) == [
            (
                REMIND,
                ActorKind.SYSTEM,
                {"deadline": "accept", "due": cst(11, 24, 9).astimezone(UTC).isoformat()},
            ),
            (REMIND, ActorKind.SYSTEM, {"deadline": "accept", "due": new_due.isoformat()}),
        ]


async def test_an_unrated_resolved_case_is_closed_when_the_feedback_window_ends(
    policy_kb, migrated_url
):
    clock = Clock(cst(11, 23, 9))
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h)
        repository = h.storage.cases.repo
        staff = Actor(ActorKind.STAFF, STAFF)
        named = await file_case(h.storage, description=STORY, units=[UNIT])
        anonymous = await file_case(
            h.storage, description=STORY + "（匿名）", units=[UNIT], resident=None
        )
        rated = await file_case(
            h.storage, description=STORY + "（已评价）", units=[UNIT], resident=3002
        )
        for ticket in (named, anonymous, rated):
            await repository.transition(ticket, ComplaintStatus.ACCEPTED, staff)
            await repository.transition(
                ticket, ComplaintStatus.RESOLVED, staff, payload={"public": "补助款已发放。"}
            )
        await repository.append_event(
            rated, Actor(ActorKind.RESIDENT, 3002), FEEDBACK, {"rating": "basically_satisfied"}
        )

        clock.set(cst(11, 28, 8, 59))  # 回访 window: 5 days from resolution
        await silent(h, FILER, 3002, STAFF)
        assert (await repository.get(named)).status is ComplaintStatus.RESOLVED

        clock.set(cst(11, 28, 9, 1))
        await tick(h)
        told = await h.reply(FILER)
        assert named in told.text and "自动办结" in told.text and "/complain" in told.text
        assert "感谢您的评价" in (await h.reply(3002)).text
        await silent(h, FILER, 3002, STAFF)
        for ticket, public in (
            (named, deadline_texts.CLOSED_PUBLIC_UNRATED),
            (anonymous, deadline_texts.CLOSED_PUBLIC_UNRATED),
            (rated, deadline_texts.CLOSED_PUBLIC_RATED),
        ):
            complaint = await repository.get(ticket)
            assert complaint.status is ComplaintStatus.CLOSED
            last = complaint.events[-1]
            assert (last.action, last.actor_kind, last.payload) == (
                "closed",
                ActorKind.SYSTEM,
                {"public": public},
            )
        assert "回访期满，自动办结" in deadline_texts.CLOSED_PUBLIC_UNRATED


async def test_resolution_days_per_category_come_from_settings(policy_kb, migrated_url):
    clock = Clock(cst(11, 23, 9))
    async with case_bot(
        policy_kb,
        migrated_url,
        clock=clock,
        admin_ids=[ADMIN],
        open_chats=PEOPLE,
        resolve_working_days_by_category={"housing_renovation": 3},
        **CHECK,
    ) as h:
        await staff_and_supervisor(h)
        repository = h.storage.cases.repo
        housing = await file_case(h.storage, description=STORY, units=[UNIT])
        school = await file_case(
            h.storage,
            description="孩子上学的补助今年没发下来，学校说没有名额。",
            units=[UNIT],
            category="education_subsidy",
        )
        for ticket in (housing, school):
            await repository.transition(
                ticket, ComplaintStatus.ACCEPTED, Actor(ActorKind.STAFF, STAFF)
            )
        assert shown((await repository.get(housing)).resolve_due_at) == "2026-11-26 09:00"
        assert shown((await repository.get(school)).resolve_due_at) == "2026-12-14 09:00"

        clock.set(cst(11, 25, 10))  # within 48 hours of the housing case's deadline only
        await tick(h)
        reminder = await h.reply(STAFF)
        assert housing in reminder.text
        assert "办结期限：2026-11-26 09:00（北京时间），还剩约 23 小时" in reminder.text
        await silent(h, STAFF, SUPERVISOR)
        assert await deadline_events(h, school) == []


async def test_one_failing_case_does_not_stop_the_others(policy_kb, migrated_url):
    clock = Clock(cst(11, 23, 9))
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h, supervisor=False)
        first = await file_case(h.storage, description=STORY, units=[UNIT])
        second = await file_case(h.storage, description=STORY + "（第二件）", units=[UNIT])
        h.standin.fail_next(1, status=500, methods={"sendMessage"})  # the first notice fails once
        clock.set(cst(11, 24, 10))
        await tick(h)
        told = [(await h.reply(STAFF)).text]  # the other case was still done
        await tick(h)  # the next run retries the case that failed
        told.append((await h.reply(STAFF)).text)
        await silent(h, STAFF)
        # Nobody supervises the region: the escalation is on record and staff are told so.
        assert all("已记入超期督办记录" in t for t in told)
        assert sorted(ticket for ticket in (first, second) for t in told if ticket in t) == sorted(
            [first, second]
        )
        for ticket in (first, second):
            complaint = await h.storage.cases.repo.get(ticket)
            escalations = [e.payload for e in complaint.events if e.action == ESCALATE]
            assert escalations == [
                {
                    "reason": "overdue_accept",
                    "due": complaint.accept_due_at.isoformat(),
                    "notified": 0,
                }
            ]


async def test_a_reopened_case_owes_only_the_deadlines_set_when_it_was_reopened(
    policy_kb, migrated_url
):
    clock = Clock(cst(11, 23, 9))
    async with case_bot(
        policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN], open_chats=PEOPLE, **CHECK
    ) as h:
        await staff_and_supervisor(h)
        services = h.storage.cases
        staff = Actor(ActorKind.STAFF, STAFF)
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        await services.repo.transition(ticket, ComplaintStatus.ACCEPTED, staff)
        await services.repo.transition(
            ticket, ComplaintStatus.RESOLVED, staff, payload={"public": "已处理。"}
        )
        clock.set(cst(11, 25, 9))  # unsatisfied: reopened with a new resolution deadline
        await tick(h)
        new_due = services.policy.resolve_due(clock(), "housing_renovation")
        await services.repo.transition(
            ticket,
            ComplaintStatus.REOPENED,
            Actor(ActorKind.RESIDENT, FILER),
            resolve_due_at=new_due,
        )
        await silent(
            h, STAFF, SUPERVISOR
        )  # the first round's acceptance deadline is not owed again

        clock.set(new_due - timedelta(hours=47))
        await tick(h)
        reminder = await h.reply(STAFF)
        assert ticket in reminder.text and f"办结期限：{shown(new_due)}" in reminder.text
        clock.set(new_due + timedelta(hours=1))
        await tick(h)
        assert "已超期约 1 小时" in (await h.reply(SUPERVISOR)).text
        await h.reply(STAFF)
        await silent(h, STAFF, SUPERVISOR)
        assert await deadline_events(h, ticket) == [
            (REMIND, ActorKind.SYSTEM, {"deadline": "resolve", "due": new_due.isoformat()}),
            (ESCALATE, ActorKind.SYSTEM, {"reason": "overdue_resolve", "due": new_due.isoformat()}),
        ]
