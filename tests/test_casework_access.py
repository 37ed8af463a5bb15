"""Who may see and work a case: other units, residents and revoked staff are refused and change nothing;
staff see the filer masked, supervisors may reveal and each reveal is logged."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import case_texts as t
from handlers import texts
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot, file_case
from tests.telegram_harness import Clock

ADMIN, FILER, STAFF, OTHER, REVOKED, SUPERVISOR, RESIDENT = 9001, 3001, 4001, 4002, 4003, 5001, 2001
UNIT, OTHER_UNIT, REGION = "县住建局", "县教育局", "闽清县"
STORY = (
    "危房改造补助没发到位，村干部让我先交两千块。我电话138 1234 5678，身份证350124197001011234。"
)


def start_clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))


async def snapshot(h, ticket: str) -> tuple[str, int, list[str]]:
    record = await h.storage.cases.repo.get(ticket)
    return record.status, len(record.events), [a.unit.name for a in record.assignments]


async def refused_press(h, user: int, card, label: str) -> None:
    answer = await h.wait_answered(await h.press(user, card, label))
    assert answer.get("text") == texts.REFUSED and answer.get("show_alert")


async def test_other_unit_resident_and_revoked_staff_are_refused_and_nothing_changes(
    policy_kb, migrated_url
):
    clock = start_clock()
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(REVOKED, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(OTHER, "staff", unit=OTHER_UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN)
        await h.meet(FILER, STAFF, REVOKED, OTHER, SUPERVISOR, RESIDENT)
        ticket = await file_case(h.storage, description=STORY, units=[OTHER_UNIT])

        # The other unit had the case and kept its card; a supervisor sends the case on to UNIT.
        old_card = await h.ask(OTHER, f"/case {ticket}")
        supervisor_card = await h.ask(SUPERVISOR, f"/case {ticket}")
        picker = await h.click(SUPERVISOR, supervisor_card, t.BUTTON_TRANSFER)
        await h.click(SUPERVISOR, picker, UNIT)
        await h.ask(SUPERVISOR, "应由住建局办理")
        assert (await snapshot(h, ticket))[2] == [UNIT]
        # A staff member of the unit opens the case from the transfer notice, then loses the role.
        revoked_card = await h.click(REVOKED, await h.reply(REVOKED), t.BUTTON_OPEN)
        assert t.BUTTON_ACCEPT in revoked_card.button_texts
        await roles.revoke(REVOKED, "staff", revoked_by=ADMIN)
        for user in (STAFF, FILER, SUPERVISOR):
            h.standin.drain(user)
        before = await snapshot(h, ticket)

        for user, card in ((OTHER, old_card), (REVOKED, revoked_card)):
            for label in (t.BUTTON_ACCEPT, t.BUTTON_TRANSFER, t.BUTTON_REPLY, t.BUTTON_REJECT):
                await refused_press(h, user, card, label)
        for data in (f"cw:acc:{ticket}", f"cw:open:{ticket}", f"cw:rev:{ticket}", "cw:q:0"):
            answer = await h.wait_answered(h.forge_press(RESIDENT, data))
            assert answer.get("text") == texts.REFUSED
        for user in (OTHER, REVOKED, RESIDENT):
            assert (await h.ask(user, f"/case {ticket}")).text == texts.REFUSED
        for user in (REVOKED, RESIDENT):
            assert (await h.ask(user, "/queue")).text == texts.REFUSED
        # The other unit's own queue is simply empty: the case is no longer theirs.
        assert (await h.ask(OTHER, "/queue")).text == t.QUEUE_EMPTY
        # A resident cannot tell a wrong ticket from someone else's case; staff are told what went wrong.
        assert (await h.ask(RESIDENT, "/case FP20260101-999999")).text == texts.REFUSED
        assert (await h.ask(STAFF, "/case FP20260101-999999")).text == t.CASE_NOT_FOUND
        assert (await h.ask(STAFF, "/case <b>")).text == t.CASE_NOT_FOUND
        assert (await h.ask(STAFF, "/case")).text == t.CASE_USAGE

        assert await snapshot(h, ticket) == before
        for user in (OTHER, REVOKED, RESIDENT, STAFF, FILER, SUPERVISOR):
            assert await h.quiet(user, 0.1) == []


async def test_a_revoke_between_the_button_and_the_typed_text_bites(policy_kb, migrated_url):
    async with case_bot(policy_kb, migrated_url, clock=start_clock(), admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        prompt = await h.click(STAFF, card, t.BUTTON_REJECT)
        assert "不予受理的理由" in prompt.text
        before = await snapshot(h, ticket)
        await roles.revoke(STAFF, "staff", revoked_by=ADMIN)
        assert (await h.ask(STAFF, "不属于本单位职责")).text == texts.REFUSED
        assert await snapshot(h, ticket) == before
        # The pending step is gone: the next message is an ordinary question again.
        assert (await h.ask(STAFF, "/cancel")).text == texts.CANCELLED


async def test_staff_see_the_filer_masked_and_a_supervisor_reveal_is_logged(
    policy_kb, migrated_url
):
    clock = start_clock()
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(
            SUPERVISOR, "supervisor", region="福州市", granted_by=ADMIN
        )  # a region above
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])

        staff_card = await h.ask(STAFF, f"/case {ticket}")
        supervisor_card = await h.ask(SUPERVISOR, f"/case {ticket}")
        for card in (staff_card, supervisor_card):
            assert "反映人：张** 138****5678" in card.text
            for secret in ("张大山", "13812345678", "138 1234 5678", "197001011234"):
                assert secret not in card.text
            assert "138****5678，身份证350***********1234" in card.text
        assert t.BUTTON_REVEAL not in staff_card.button_texts
        assert (
            t.BUTTON_REVEAL in supervisor_card.button_texts
            and t.BUTTON_ACCEPT in supervisor_card.button_texts
        )

        # Staff cannot reveal, even with a forged button; nothing is logged.
        answer = await h.wait_answered(h.forge_press(STAFF, f"cw:rev:{ticket}"))
        assert answer.get("text") == texts.REFUSED
        clock.advance(timedelta(minutes=30))
        revealed = await h.click(SUPERVISOR, supervisor_card, t.BUTTON_REVEAL)
        assert "姓名：张大山" in revealed.text and "电话：13812345678" in revealed.text
        assert "2026-11-23 09:30" in revealed.text
        await h.click(SUPERVISOR, supervisor_card, t.BUTTON_REVEAL)
        record = await h.storage.cases.repo.get(ticket)
        reveals = [e for e in record.events if e.action == "reveal_identity"]
        assert [(e.actor_kind.value, e.actor_id, e.created_at) for e in reveals] == [
            ("supervisor", SUPERVISOR, clock()),
            ("supervisor", SUPERVISOR, clock()),
        ]
        assert record.status == "submitted"
        # The card's history shows that the identity was looked at, not by whom.
        assert "查看投诉人身份" in (await h.ask(STAFF, f"/case {ticket}")).text


async def test_an_anonymous_case_has_no_identity_to_reveal(policy_kb, migrated_url):
    async with case_bot(policy_kb, migrated_url, clock=start_clock(), admin_ids=[ADMIN]) as h:
        await h.storage.cases.access.roles.grant(
            SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN
        )
        ticket = await file_case(h.storage, description=STORY, units=[UNIT], resident=None)
        card = await h.ask(SUPERVISOR, f"/case {ticket}")
        assert "反映人：匿名，未留身份" in card.text
        revealed = await h.click(SUPERVISOR, card, t.BUTTON_REVEAL)
        assert "匿名" in revealed.text and "没有保存" in revealed.text
        record = await h.storage.cases.repo.get(ticket)
        assert [e.action for e in record.events] == ["submitted"]
