"""A case from filing to reopening, through the real bot, as the resident, two units and the supervisor see it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from cases.times import china_time
from handlers import case_texts as t
from handlers import texts
from storage.models import ComplaintEvent
from storage.workdays import CHINA_TZ
from tests import intake_support as intake
from tests.casework_support import case_bot
from tests.telegram_harness import Clock, shared_router

ADMIN, RESIDENT, STAFF_A, STAFF_B, SUPERVISOR = 9001, 2001, 4001, 4002, 5001
REGION = "闽清县"
TARGET = "县财政局"
STORY = (
    "我家是建档立卡贫困户，去年申请了危房改造，房子已经验收了，补助款到现在一分钱都没发。"
    "村里说钱打到我的卡6222 0212 3456 7890了，我电话13912345678。"
)


def shown(template: str, **values: object) -> str:
    """A message as the reader sees it: the template filled in, without its HTML tags."""
    return re.sub(r"<[^>]+>", "", template.format(**values))


async def events_of(h, ticket: str) -> list[tuple[str, str, int | None]]:
    record = await h.storage.cases.repo.get(ticket)
    async with h.storage.db.session() as session:
        rows = await session.scalars(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == record.id)
            .order_by(ComplaintEvent.id)
        )
        return [(e.action, e.actor_kind.value, e.actor_id, e.payload) for e in rows]


async def test_a_case_from_filing_to_reopening(policy_kb, migrated_url):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))  # a Monday
    routed = shared_router().route(STORY, REGION, category="housing_renovation").units[0]
    assert routed != TARGET
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF_A, "staff", unit=routed, region=REGION, granted_by=ADMIN)
        await roles.grant(STAFF_B, "staff", unit=TARGET, region=REGION, granted_by=ADMIN)
        await roles.grant(SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN)
        for user in (STAFF_A, STAFF_B, SUPERVISOR):
            assert (await h.ask(user, "/queue")).text == t.QUEUE_EMPTY

        # The resident files through the intake buttons.
        summary = await intake.to_summary(h, RESIDENT, anonymous=False, story=STORY)
        ticket, _ = await intake.confirm(h, RESIDENT, summary)

        # The routed unit's staff get the notice, masked; nobody else does.
        notice = await h.reply(STAFF_A)
        record = await h.storage.cases.repo.get(ticket)
        for part in (
            "新案件待受理",
            ticket,
            "危房改造",
            "闽清县 坂东镇 湖头村",
            f"受理时限：{china_time(record.accept_due_at)}（北京时间）",
            "2026-11-24 09:00",
        ):
            assert part in notice.text, part
        assert "13912345678" not in notice.text and "139****5678" in notice.text
        assert await h.quiet(STAFF_B) == [] and await h.quiet(SUPERVISOR) == []

        # The card: identity and numbers masked; what a unit may do with a new case.
        card = await h.click(STAFF_A, notice, t.BUTTON_OPEN)
        assert "张** 138****5678" in card.text and "张大山" not in card.text
        assert "************7890" in card.text and "6222 0212" not in card.text
        assert card.button_texts == [
            t.BUTTON_ACCEPT,
            t.BUTTON_TRANSFER,
            t.BUTTON_REPLY,
            t.BUTTON_REJECT,
        ]

        # 受理: the resident hears when to expect the result.
        done = await h.click(STAFF_A, card, t.BUTTON_ACCEPT)
        resolve_due = china_time(record.resolve_due_at)
        assert done.text == shown(t.DONE_ACCEPTED, ticket=ticket, resolve_due=resolve_due)
        card = await h.reply(STAFF_A)
        assert "状态：已受理" in card.text and t.BUTTON_ACCEPT not in card.button_texts
        told = await h.reply(RESIDENT)
        assert told.text == shown(
            t.TO_FILER_ACCEPTED, ticket=ticket, who=routed, resolve_due=resolve_due
        )

        # 转办 to another unit of the county, with a reason; the new unit's staff are told.
        clock.advance(timedelta(hours=3))
        picker = await h.click(STAFF_A, card, t.BUTTON_TRANSFER)
        assigned = [a.unit.name for a in record.assignments]  # the primary unit and those copied in
        assert not set(assigned) & set(picker.button_texts) and TARGET in picker.button_texts
        prompt = await h.click(STAFF_A, picker, TARGET)
        assert TARGET in prompt.text and "转办理由" in prompt.text
        reason = "补助款由财政局拨付，请财政局核实"
        assert (await h.ask(STAFF_A, reason)).text == shown(
            t.DONE_TRANSFERRED, ticket=ticket, unit=TARGET
        )
        assert await h.quiet(STAFF_A) == []  # the case is no longer theirs: no card
        told = await h.reply(RESIDENT)
        assert told.text == shown(t.TO_FILER_TRANSFERRED, ticket=ticket, unit=TARGET, reason=reason)
        notice = await h.reply(STAFF_B)
        assert "转办案件待受理" in notice.text and routed in notice.text and reason in notice.text
        record = await h.storage.cases.repo.get(ticket)
        assert [a.unit.name for a in record.assignments] == [TARGET]
        assert record.accept_due_at == h.storage.cases.policy.accept_due(clock())
        assert china_time(record.resolve_due_at) == resolve_due  # the resolve deadline is kept

        # The new unit accepts, replies, resolves.
        card = await h.click(STAFF_B, notice, t.BUTTON_OPEN)
        await h.click(STAFF_B, card, t.BUTTON_ACCEPT)
        card = await h.reply(STAFF_B)
        assert (await h.reply(RESIDENT)).text.startswith(
            f"您反映的问题（编号 {ticket}）已由 {TARGET} 受理"
        )
        prompt = await h.click(STAFF_B, card, t.BUTTON_REPLY)
        assert prompt.text == shown(t.ASK_REPLY, n=1000)
        answer = "您好，补助款已查到，本周内打到您的一卡通。"
        assert (await h.ask(STAFF_B, answer)).text == shown(t.DONE_REPLIED, ticket=ticket)
        card = await h.reply(STAFF_B)
        assert (await h.reply(RESIDENT)).text == shown(
            t.TO_FILER_REPLY, ticket=ticket, who=TARGET, text=answer
        )
        await h.click(STAFF_B, card, t.BUTTON_RESOLVE)
        result = "补助款 15000 元已于今天打到户主一卡通。"
        assert (await h.ask(STAFF_B, result)).text == shown(t.DONE_RESOLVED, ticket=ticket)
        card = await h.reply(STAFF_B)
        assert "状态：已办结" in card.text and card.button_texts == []
        resolved = await h.reply(RESIDENT)
        assert "已办结" in resolved.text and result in resolved.text
        assert resolved.button_texts == ["满意", "基本满意", "不满意"]

        # 回访: not satisfied two days later → reopened, the supervisor and the unit are told.
        clock.advance(timedelta(days=2))
        thanks = await h.click(RESIDENT, resolved, "不满意")
        record = await h.storage.cases.repo.get(ticket)
        new_due = china_time(record.resolve_due_at)
        assert thanks.text == shown(t.THANKS_UNSATISFIED, resolve_due=new_due)
        assert record.status == "reopened" and record.resolve_due_at > clock() + timedelta(days=14)
        for user in (SUPERVISOR, STAFF_B):
            escalated = await h.reply(user)
            assert (
                "群众不满意" in escalated.text
                and ticket in escalated.text
                and new_due in escalated.text
            )
        assert await h.quiet(STAFF_A) == []
        status = await h.ask(RESIDENT, f"/status {ticket}")
        assert (
            texts.STATUS_LABELS["reopened"] in status.text
            and result in status.text
            and answer in status.text
        )

        events = await events_of(h, ticket)
        assert [e[:3] for e in events] == [
            ("submitted", "resident", RESIDENT),
            ("accepted", "staff", STAFF_A),
            ("transferred", "staff", STAFF_A),
            ("accepted", "staff", STAFF_B),
            ("reply", "staff", STAFF_B),
            ("resolved", "staff", STAFF_B),
            ("feedback", "resident", RESIDENT),
            ("reopened", "resident", RESIDENT),
            ("escalate", "system", None),
        ]
        payloads = [e[3] for e in events]
        assert payloads[2]["units"] == [TARGET] and payloads[2]["reason"] == reason
        assert payloads[4] == {"public": answer} and payloads[5] == {"public": result}
        assert payloads[6] == {"rating": "unsatisfied"} and payloads[8] == {"reason": "unsatisfied"}

        # The reopened case is back in the unit's queue, ordered by its new deadline.
        queue = await h.ask(STAFF_B, "/queue")
        assert ticket in queue.text and f"办结时限：{new_due}" in queue.text
