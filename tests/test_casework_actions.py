"""Case actions at their edges: 回访 answers, double presses and stale cards, rejection, typed input,
anonymous filers, and a unit without staff."""

from __future__ import annotations

import re
from datetime import timedelta

from handlers import case_texts as t
from handlers import texts
from storage.complaints import Actor
from storage.models import ActorKind
from tests import intake_support as intake
from tests.casework_support import (
    FILER,
    RESIDENT,
    STAFF,
    STORY,
    SUPERVISOR,
    UNIT,
    actions,
    file_case,
    staff_bot,
    start_clock,
)


def shown(template: str, **values: object) -> str:
    return re.sub(r"<[^>]+>", "", template.format(**values))


async def resolved_case(h, result: str = "补助款已发放到户。") -> tuple[str, object]:
    """A case accepted and resolved by STAFF; returns its ticket and the filer's 回访 message."""
    ticket = await file_case(h.storage, description=STORY, units=[UNIT])
    await h.storage.cases.repo.transition(ticket, "accepted", Actor(ActorKind.STAFF, STAFF))
    card = await h.ask(STAFF, f"/case {ticket}")
    await h.click(STAFF, card, t.BUTTON_RESOLVE)
    assert (await h.ask(STAFF, result)).text.startswith(f"案件 {ticket} 已办结")
    await h.reply(STAFF)  # the updated card
    return ticket, await h.reply(FILER)


async def test_satisfied_closes_the_case_and_a_second_answer_changes_nothing(
    policy_kb, migrated_url
):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket, survey = await resolved_case(h)
        assert survey.button_texts == ["满意", "基本满意", "不满意"]
        answer = await h.wait_answered(h.forge_press(RESIDENT, f"cw:fb:{ticket}:u"))
        assert answer.get("text") == t.RATING_ONLY_FILER

        thanks = await h.click(FILER, survey, "满意")
        assert thanks.text == shown(t.THANKS_SATISFIED, rating="满意")
        record = await h.storage.cases.repo.get(ticket)
        assert record.status == "closed"
        assert (await actions(h, ticket))[-2:] == [
            ("feedback", "resident", FILER),
            ("closed", "resident", FILER),
        ]
        assert record.events[-2].payload == {"rating": "satisfied"}

        again = await h.click(FILER, survey, "不满意")
        assert again.text == shown(t.RATING_DONE, ticket=ticket)
        assert len((await h.storage.cases.repo.get(ticket)).events) == len(record.events)
        assert await h.quiet(SUPERVISOR) == [] and await h.quiet(STAFF) == []


async def test_basically_satisfied_closes_too_but_not_after_the_window(policy_kb, migrated_url):
    clock = start_clock()
    async with staff_bot(policy_kb, migrated_url, clock) as h:
        ticket, survey = await resolved_case(h)
        late, late_survey = await resolved_case(h)
        thanks = await h.click(FILER, survey, "基本满意")
        assert thanks.text == shown(t.THANKS_SATISFIED, rating="基本满意")
        assert (await h.storage.cases.repo.get(ticket)).status == "closed"

        clock.advance(timedelta(days=5, minutes=1))
        before = await actions(h, late)
        refused = await h.click(FILER, late_survey, "不满意")
        assert refused.text == shown(t.RATING_TOO_LATE, days=5)
        assert await actions(h, late) == before
        assert (await h.storage.cases.repo.get(late)).status == "resolved"
        assert await h.quiet(SUPERVISOR) == []


async def test_double_presses_and_stale_cards_change_nothing(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        await h.press(STAFF, card, t.BUTTON_ACCEPT)
        await h.press(STAFF, card, t.BUTTON_ACCEPT)
        seen = await h.replies(STAFF, 4)
        assert sum(r.text.startswith(f"已受理案件 {ticket}") for r in seen) == 1
        assert sum(r.text == shown(t.STALE_ACTION, status="已受理") for r in seen) == 1
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted", "accepted"]
        assert len(h.standin.drain(FILER)) == 1  # told once

        # Resolved from one card, the buttons of both older cards are stale.
        accepted_card = next(r for r in seen if t.BUTTON_RESOLVE in r.button_texts)
        await h.click(STAFF, accepted_card, t.BUTTON_RESOLVE)
        await h.ask(STAFF, "已核实并发放补助。")
        await h.replies(STAFF, 1)
        for old_card, label in (
            (card, t.BUTTON_ACCEPT),
            (card, t.BUTTON_REJECT),
            (accepted_card, t.BUTTON_REPLY),
            (accepted_card, t.BUTTON_RESOLVE),
            (accepted_card, t.BUTTON_TRANSFER),
        ):
            stale = await h.click(STAFF, old_card, label)
            assert stale.text == shown(t.STALE_ACTION, status=t.STATUS["resolved"])
            assert (
                await h.reply(STAFF)
            ).button_texts == []  # the case as it is now: nothing left to do
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted", "accepted", "resolved"]


async def test_rejecting_tells_the_filer_the_reason_and_where_to_turn(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        await h.click(STAFF, card, t.BUTTON_REJECT)
        reason = "经核实，该户已于 2025 年领取危房改造补助，不能重复享受。"
        assert (await h.ask(STAFF, reason)).text == shown(t.DONE_REJECTED, ticket=ticket)
        told = await h.reply(FILER)
        assert told.text == shown(t.TO_FILER_REJECTED, ticket=ticket, who=UNIT, reason=reason)
        assert "12317" in told.text
        record = await h.storage.cases.repo.get(ticket)
        assert record.status == "rejected" and record.events[-1].payload == {"public": reason}
        assert (record.events[-1].actor_kind.value, record.events[-1].actor_id) == ("staff", STAFF)


async def test_typed_input_is_checked_and_cancel_leaves_residents_alone(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        assert (await h.ask(RESIDENT, "/cancel")).text == texts.CANCELLED
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        await h.click(STAFF, card, t.BUTTON_REPLY)
        assert (await h.ask(STAFF, "。。。")).text == t.INPUT_EMPTY
        assert (await h.ask(STAFF, "好" * 1001)).text == shown(t.INPUT_TOO_LONG, n=1001, limit=1000)
        h.standin.push_document(STAFF, "回复.txt", "您好".encode())
        assert (await h.reply(STAFF)).text == t.INPUT_NOT_TEXT
        assert (await h.ask(STAFF, "/cancel")).text == t.INPUT_CANCELLED
        # Nothing is pending any more: a message is a question again, and /cancel is the residents'.
        answer = await h.ask(STAFF, "看病能报销多少？")
        assert answer.text != t.INPUT_EMPTY and "回复已转告" not in answer.text
        await h.quiet(STAFF)
        assert (await h.ask(STAFF, "/cancel")).text == texts.CANCELLED
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted"]
        assert await h.quiet(FILER) == []


async def test_an_anonymous_filer_is_not_messaged_and_staff_are_told_so(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT], resident=None)
        card = await h.ask(STAFF, f"/case {ticket}")
        await h.click(STAFF, card, t.BUTTON_REPLY)
        done = await h.ask(STAFF, "已联系村委会核实，请您凭查询码查看进度。")
        assert done.text == shown(t.DONE_REPLIED + t.FILER_NOT_REACHED, ticket=ticket)
        record = await h.storage.cases.repo.get(ticket)
        assert record.events[-1].action == "reply" and record.events[-1].actor_id == STAFF


async def test_a_unit_without_staff_sends_the_notice_to_the_supervisors(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock(), with_staff=False) as h:
        summary = await intake.to_summary(h, RESIDENT, anonymous=True, story=STORY)
        ticket, _ = await intake.confirm(h, RESIDENT, summary)
        record = await h.storage.cases.repo.get(ticket)
        units = "、".join(a.unit.name for a in record.assignments)
        notice = await h.reply(SUPERVISOR)
        assert notice.text.startswith(f"新案件待分派\n{units} 还没有登记工作人员")
        assert ticket in notice.text and "受理时限：2026-11-24 09:00" in notice.text
        card = await h.click(SUPERVISOR, notice, t.BUTTON_OPEN)
        assert t.BUTTON_TRANSFER in card.button_texts and t.BUTTON_REVEAL in card.button_texts
        assert await h.quiet(STAFF) == []


async def test_after_the_transfer_window_staff_handle_the_case_and_only_a_supervisor_moves_it(
    policy_kb, migrated_url
):
    clock = start_clock()  # Monday 09:00: the unit may send it on until Wednesday 09:00
    async with staff_bot(policy_kb, migrated_url, clock) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        early_card = await h.ask(STAFF, f"/case {ticket}")
        assert t.BUTTON_TRANSFER in early_card.button_texts

        clock.advance(timedelta(days=2, minutes=1))
        late_card = await h.ask(STAFF, f"/case {ticket}")
        assert (
            t.BUTTON_TRANSFER not in late_card.button_texts
            and t.BUTTON_ACCEPT in late_card.button_texts
        )
        answer = await h.wait_answered(await h.press(STAFF, early_card, t.BUTTON_TRANSFER))
        assert answer["show_alert"] and answer["text"] == t.TRANSFER_TOO_LATE.format(
            due="2026-11-25 09:00"
        )
        assert await h.quiet(STAFF, 0.2) == []

        supervisor_card = await h.ask(SUPERVISOR, f"/case {ticket}")
        assert t.BUTTON_TRANSFER in supervisor_card.button_texts
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted"]


async def test_a_press_too_old_to_answer_still_accepts_the_case(policy_kb, migrated_url):
    """After a restart Telegram delivers again the presses the dead process had taken; answering
    one is refused as too old, and the case work must happen all the same."""
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        query = await h.press(STAFF, card, t.BUTTON_ACCEPT)
        h.standin.pending_callbacks.pop(query)  # expired before the bot answers it
        done = await h.reply(STAFF)
        assert done.text.startswith(f"已受理案件 {ticket}")
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted", "accepted"]
        (refused,) = h.standin.rejected()  # Telegram's "query is too old", and nothing else
        assert refused.method == "answerCallbackQuery"
        h.standin.calls.remove(refused)
