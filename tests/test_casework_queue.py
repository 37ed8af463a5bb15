"""/queue: the open cases of one's units (staff) or regions (supervisors), most urgent deadline first, paged."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import case_texts as t
from storage.complaints import Actor
from storage.models import ActorKind
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot, file_case
from tests.telegram_harness import Clock

ADMIN, STAFF, SUPERVISOR = 9001, 4001, 5001
UNIT, OTHER_UNIT, REGION = "县住建局", "县教育局", "闽清县"


def order_in(text: str, tickets: dict[str, str]) -> list[str]:
    """The cases' names in the order their tickets appear in `text`."""
    found = [(text.index(ticket), name) for name, ticket in tickets.items() if ticket in text]
    return [name for _, name in sorted(found)]


async def test_queue_is_ordered_by_the_pending_deadline_and_paged(policy_kb, migrated_url):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))  # Monday
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        repo = h.storage.cases.repo
        await roles.grant(STAFF, "staff", unit=UNIT, region=REGION, granted_by=ADMIN)
        await roles.grant(SUPERVISOR, "supervisor", region=REGION, granted_by=ADMIN)
        tickets = {}
        for name in "ABCDEFG":  # one an hour; G belongs to another unit of the county
            tickets[name] = await file_case(
                h.storage,
                description=f"案件{name}：危房改造补助没有发放到户。",
                units=[OTHER_UNIT if name == "G" else UNIT],
                resident=None,
            )
            clock.advance(timedelta(hours=1))
        tickets["elsewhere"] = await file_case(
            h.storage,
            description="淮安区的案件，补助没有发放。",
            units=["区住建局"],
            region="淮安区",
            parents=("淮安市", "江苏省"),
            resident=None,
        )
        tickets["rejected"] = await file_case(
            h.storage, description="已经不予受理的案件，不再显示。", units=[UNIT], resident=None
        )
        staff = Actor(ActorKind.STAFF, STAFF)
        await repo.transition(tickets["rejected"], "rejected", staff, payload={"public": "不属实"})
        await repo.transition(tickets["B"], "accepted", staff)  # now waits on the 15-day deadline
        clock.set(
            datetime(2026, 11, 25, 10, tzinfo=CHINA_TZ)
        )  # Wednesday: the 1-day deadlines have passed

        first = await h.ask(STAFF, "/queue")
        assert "共 6 件，第 1/2 页" in first.text
        assert order_in(first.text, tickets) == ["A", "C", "D", "E", "F"]
        assert first.text.count("已超期") == 5 and "受理时限：2026-11-24 09:00" in first.text
        assert first.button_texts == [
            f"{n}. {tickets[name]}" for n, name in enumerate("ACDEF", 1)
        ] + [t.BUTTON_NEXT]

        second = await h.click(STAFF, first, t.BUTTON_NEXT)
        assert second.is_edit and second.message_id == first.message_id
        assert order_in(second.text, tickets) == ["B"] and "已超期" not in second.text
        b = await repo.get(tickets["B"])
        assert f"6. {tickets['B']}" in second.text and "办结时限：" in second.text
        assert b.resolve_due_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") in second.text
        assert second.button_texts == [f"6. {tickets['B']}", t.BUTTON_PREVIOUS]
        back = await h.click(STAFF, second, t.BUTTON_PREVIOUS)
        assert order_in(back.text, tickets) == ["A", "C", "D", "E", "F"]

        assert order_in((await h.ask(STAFF, "/queue 2")).text, tickets) == ["B"]
        assert order_in((await h.ask(STAFF, "/queue 99")).text, tickets) == [
            "B"
        ]  # past the end: the last page
        assert (await h.ask(STAFF, "/queue 下一页")).text == t.QUEUE_USAGE

        card = await h.click(STAFF, back, f"2. {tickets['C']}")
        assert card.text.startswith(f"案件 {tickets['C']}") and "⚠已超期" in card.text

        # The supervisor sees the county's cases of every unit, not another county's.
        supervised = await h.ask(SUPERVISOR, "/queue")
        assert "共 7 件" in supervised.text
        rest = await h.click(SUPERVISOR, supervised, t.BUTTON_NEXT)
        assert order_in(supervised.text + rest.text, tickets) == ["A", "C", "D", "E", "F", "G", "B"]
