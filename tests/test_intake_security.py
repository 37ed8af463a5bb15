"""The complaint intake as someone careless or hostile meets it: numbers in the wrong step,
repeated filings, guessed query codes. The real Application, the stand-in, a SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.persistence import USER_DATA
from handlers import texts
from handlers.complaints import (
    CONFIRM,
    CONVERSATION_NAME,
    DRAFT_KEY,
    PENDING_GROUP,
    PENDING_TICKET_KEY,
    PHONE,
    PURGE_JOB,
    SEND_ATTEMPTS,
)
from storage.conversations import KeyValueStore, conversation_namespace
from storage.db import Database
from storage.models import Complaint
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.intake_support import (
    CATEGORY,
    NEIGHBOUR,
    PLACE,
    REGION,
    RESIDENT,
    STORY,
    confirm,
    to_summary,
)
from tests.telegram_harness import Clock, shared_router


async def _to_township(h, user: int):
    intro = await h.ask(user, "/complain")
    region_prompt = await h.click(user, intro, CATEGORY)
    return await h.click(user, region_prompt, REGION)


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "坂东镇 138 1234 5678",
        "湖头村（138）1234-5678",
        "坂东镇 350124 19700101 1234",
    ],
)
async def test_a_phone_or_id_typed_as_the_place_is_refused_and_not_kept(
    policy_kb,
    database,
    typed,
):
    async with case_bot(policy_kb, database) as h:
        await _to_township(h, RESIDENT)
        again = await h.ask(RESIDENT, typed)
        assert again.text.startswith(texts.BAD_TOWNSHIP_NUMBER.split("\n")[0])
        assert "第 2 步" in again.text  # the same step, asked again
        draft = h.app.user_data[RESIDENT][DRAFT_KEY]
        assert "township" not in draft and "village" not in draft
        described = await h.ask(RESIDENT, PLACE)
        assert h.app.user_data[RESIDENT][DRAFT_KEY]["township"] == "坂东镇"
        assert "第 3 步" in described.text


# ---------------------------------------------------- the ticket message that did not arrive

STAFF = 7701


@pytest.fixture
async def case_database(migrated_url: str) -> str:
    return migrated_url


async def test_a_ticket_whose_message_fails_reaches_the_resident_with_their_next_message(
    policy_kb, case_database
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    unit = shared_router().route(STORY, REGION, category="housing_renovation").units[0]
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        await h.storage.cases.access.roles.grant(
            STAFF, "staff", unit=unit, region=REGION, granted_by=1
        )
        await h.ask(STAFF, "/start")  # staff have opened a chat with the bot
        summary = await to_summary(h, RESIDENT, anonymous=True)
        h.standin.fail_next(
            SEND_ATTEMPTS, status=502, methods={"sendMessage"}
        )  # every try of the ticket fails
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        notice = await h.reply(STAFF, timeout=15)  # the staff notice started regardless
        assert "FP" in notice.text
        assert not h.standin.drain(RESIDENT)
        async with h.storage.db.session() as session:
            tickets = list(await session.scalars(select(Complaint.ticket)))
        assert len(tickets) == 1

        # The resident presses 确认提交 again: the ticket arrives now, with a new query code, and the
        # press itself is answered as a finished step (no KeyError, nothing filed twice).
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        filed, code, again = await h.replies(RESIDENT, 3)
        assert (
            filed.text.startswith(texts.PENDING_TICKET_LEAD.strip())
            and f"投诉编号：{tickets[0]}" in filed.text
        )
        assert again.text == texts.STALE_STEP
        query_code = code.text.split("查询码：")[1].split()[0]
        found = await h.ask(RESIDENT, f"/status {tickets[0]} {query_code}")
        assert tickets[0] in found.text and STORY[:10] in found.text
        answer = await h.ask(RESIDENT, "看病能报销多少？")  # delivered once, not with every message
        assert "投诉编号" not in answer.text
        async with h.storage.db.session() as session:
            assert list(await session.scalars(select(Complaint.ticket))) == tickets


# ------------------------------------------------- how often one account may file, and re-sends


async def _file(h, user: int, *, anonymous: bool, story: str = STORY) -> tuple[str, str]:
    return await confirm(h, user, await to_summary(h, user, anonymous=anonymous, story=story))


async def _counter_rows(h) -> list[tuple]:
    async with h.storage.db.session() as session:
        return list((await session.execute(text("SELECT * FROM expiring_counters"))).all())


async def test_filings_per_account_and_day_are_limited_named_and_anonymous(
    policy_kb, case_database
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock, complaints_per_day=2) as h:
        await _file(h, RESIDENT, anonymous=False, story=STORY)
        await _file(
            h,
            RESIDENT,
            anonymous=True,
            story="村里的低保名额被村干部亲戚占了，真正困难的人家评不上。",
        )
        refused = await h.ask(RESIDENT, "/complain")
        assert refused.text == texts.FILING_LIMIT.format(n=2)
        async with h.storage.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 2
        clock.advance(timedelta(days=1))  # the next day (China time) counts afresh
        await _file(
            h, RESIDENT, anonymous=True, story="危房改造的补助款被乡里扣了一半，说是手续费。"
        )
        rows = await _counter_rows(h)
    assert rows and not [row for row in rows if str(RESIDENT) in " ".join(map(str, row))]


async def test_an_anonymous_resend_is_caught_without_keeping_who_sent_it(policy_kb, case_database):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        await _file(h, RESIDENT, anonymous=True)
        summary = await to_summary(h, RESIDENT, anonymous=True)
        again = await h.click(RESIDENT, summary, texts.BUTTON_CONFIRM)
        assert again.text == texts.DUPLICATE_ANONYMOUS
        assert again.button_texts == [texts.BUTTON_FILE_ANYWAY, texts.BUTTON_DROP]
        assert (await h.click(RESIDENT, again, texts.BUTTON_DROP)).text == texts.COMPLAINT_CANCELLED
        # Another resident with the same story is not a re-send.
        await _file(h, NEIGHBOUR, anonymous=True)
        async with h.storage.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 2
            assert (
                await session.scalar(
                    select(func.count())
                    .select_from(Complaint)
                    .where(Complaint.resident_id.is_not(None))
                )
                == 0
            )
        rows = await _counter_rows(h)
        assert rows
        for row in rows:
            shown = " ".join(map(str, row))
            assert (
                str(RESIDENT) not in shown
                and str(NEIGHBOUR) not in shown
                and STORY[:4] not in shown
            )
            expires = row[2] if isinstance(row[2], datetime) else datetime.fromisoformat(row[2])
            assert (expires.hour, expires.minute) == (
                16,
                0,
            )  # expiry at a China midnight (UTC), not the filing time


# ------------------------------------------------------------------ guessing query codes


async def test_wrong_query_codes_lock_the_ticket_and_are_logged_without_the_code(
    policy_kb, case_database, caplog
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock, query_code_tries_per_ticket=3) as h:
        ticket, code = await _file(h, RESIDENT, anonymous=True)
        guesses = [f"{n:08d}" for n in range(11111111, 99999999, 22222222) if f"{n:08d}" != code][
            :3
        ]
        for guess in guesses:
            assert (
                await h.ask(NEIGHBOUR, f"/status {ticket} {guess}")
            ).text == texts.STATUS_NOT_FOUND
        assert (await h.ask(NEIGHBOUR, f"/status {ticket} {code}")).text == texts.STATUS_LOCKED
        assert (await h.ask(RESIDENT, f"/status {ticket} {code}")).text == texts.STATUS_LOCKED
        clock.advance(timedelta(days=1, hours=1))  # the lock ends
        assert ticket in (await h.ask(RESIDENT, f"/status {ticket} {code}")).text
    failed = [r for r in caplog.records if "query code" in r.getMessage()]
    assert len(failed) >= 3 and all(ticket in r.getMessage() for r in failed)
    assert not [r for r in caplog.records if any(g in r.getMessage() for g in guesses)]


async def test_an_account_guessing_across_tickets_is_stopped(policy_kb, case_database):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock, query_code_tries_per_account=4) as h:
        ticket, code = await _file(h, RESIDENT, anonymous=True)
        number = int(ticket.rsplit("-", 1)[1])
        for n in range(4):
            guess = f"{ticket[:-6]}{number + 1 + n:06d}"
            assert (
                await h.ask(NEIGHBOUR, f"/status {guess} 12345678")
            ).text == texts.STATUS_NOT_FOUND
        assert (await h.ask(NEIGHBOUR, f"/status {ticket} {code}")).text == texts.STATUS_LOCKED
        assert (
            ticket in (await h.ask(RESIDENT, f"/status {ticket} {code}")).text
        )  # others are not locked out


# ------------------------------------------------------------------- abandoned drafts


async def _run_purge(h) -> None:
    (job,) = h.app.job_queue.get_jobs_by_name(PURGE_JOB)
    await job.run(h.app)


async def _named_draft_up_to_the_phone(h, user: int) -> None:
    await _to_township(h, user)
    await h.ask(user, PLACE)
    contact = await h.ask(user, STORY)
    await h.click(user, contact, texts.BUTTON_NAMED)
    await h.ask(user, "张大山")


async def test_an_abandoned_draft_is_purged_after_the_retention_time(policy_kb, case_database):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock, draft_retention_hours=48) as h:
        await _named_draft_up_to_the_phone(h, RESIDENT)
        clock.advance(timedelta(hours=47))
        await _run_purge(h)
        assert h.app.user_data[RESIDENT][DRAFT_KEY]["description"] == STORY  # not yet
        clock.advance(timedelta(hours=2))
        await _run_purge(h)
        kept = json.dumps(dict(h.app.user_data), ensure_ascii=False)
        assert STORY[:10] not in kept and "张大山" not in kept
        await h.app.update_persistence()
        async with h.storage.db.session() as session:
            stored = json.dumps(
                [row for row in (await session.execute(text("SELECT value FROM kv_store"))).all()],
                ensure_ascii=False,
                default=str,
            )
        assert STORY[:10] not in stored and "张大山" not in stored
        # The resident comes back and types the phone the old step asked for: told, nothing filed.
        told = await h.ask(RESIDENT, "13812345678")
        assert told.text == texts.DRAFT_EXPIRED.format(hours=48)
        assert (await h.ask(RESIDENT, "/complain")).text.startswith("反映问题")  # a fresh start
        async with h.storage.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 0


async def test_a_draft_left_too_long_is_not_continued_even_before_the_purge_runs(
    policy_kb, case_database
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock, draft_retention_hours=48) as h:
        await _named_draft_up_to_the_phone(h, RESIDENT)
        clock.advance(timedelta(hours=49))
        told = await h.ask(RESIDENT, "13812345678")
        assert told.text == texts.DRAFT_EXPIRED.format(hours=48)
        assert DRAFT_KEY not in h.app.user_data[RESIDENT]


# ------------------------------------------------------------ filing the same draft twice


async def test_the_same_draft_filed_again_after_a_crash_returns_the_first_ticket(
    policy_kb, case_database
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        saved = json.loads(
            json.dumps(h.app.user_data[RESIDENT][DRAFT_KEY])
        )  # as persisted before filing
        ticket, first_code = await confirm(h, RESIDENT, summary)
        await h.quiet(RESIDENT, 0.5)  # the filing has finished
        # A crash lost the last write: after the restart the draft is back, waiting at 确认提交.
        h.app.user_data[RESIDENT][DRAFT_KEY] = saved
        # Its old summary's button cannot work without the conversation: the resident is told how
        # to go on (instead of being shown the same summary again and again).
        assert (
            await h.click(RESIDENT, summary, texts.BUTTON_CONFIRM)
        ).text == texts.CONTINUE_WITH_COMPLAIN
        resumed = await h.ask(RESIDENT, "/complain")
        again_ticket, new_code = await confirm(h, RESIDENT, resumed)
        assert again_ticket == ticket
        async with h.storage.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 1
        repo = h.storage.cases.repo
        assert (await repo.lookup(ticket, query_code=new_code)) is not None
        assert new_code == first_code or (await repo.lookup(ticket, query_code=first_code)) is None
        assert len((await repo.get(ticket)).events) == 1


async def test_an_anonymous_ticket_is_not_left_in_the_stored_conversation_data(
    policy_kb, case_database
):
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        ticket, code = await confirm(h, RESIDENT, await to_summary(h, RESIDENT, anonymous=True))

        async def stored() -> str:
            async with h.storage.db.session() as session:
                rows = (await session.execute(text("SELECT value FROM kv_store"))).all()
            return json.dumps(rows, ensure_ascii=False, default=str)

        # The bot drops the pending ticket right after the messages are out; well before the
        # periodic persistence write (every 2 s), nothing of the filing is left.
        deadline = asyncio.get_running_loop().time() + 1.0
        # The database has no event to wait on: poll it.
        while ticket in await stored() and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        left = await stored()
        assert ticket not in left and code not in left and STORY[:10] not in left


async def test_the_summary_is_on_disk_before_its_confirm_button_is_shown(policy_kb, case_database):
    """A crash right after the summary must not leave 确认提交 without its draft: the draft and
    the step are written before the summary is sent, not at the next persistence interval."""
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        assert texts.BUTTON_CONFIRM in summary.button_texts
        store = KeyValueStore(h.storage.db)  # read at once, as a restarted bot would
        data = await store.get(USER_DATA, str(RESIDENT))
        state = await store.get(
            conversation_namespace(CONVERSATION_NAME), json.dumps([RESIDENT, RESIDENT])
        )
        assert state == CONFIRM
        assert data[DRAFT_KEY]["description"] == STORY and data[DRAFT_KEY]["anonymous"] is True


async def test_the_filed_ticket_replaces_the_draft_before_anything_else_is_awaited(
    policy_kb, case_database
):
    """Between filing and sending the ticket the bot awaits other writes (the daily count); a
    persistence write then, followed by a crash, must store the pending ticket, not a user data
    with neither the draft nor the ticket (found by tests/test_crash_recovery.py on PostgreSQL:
    the case was on file and its filer was told 这一步已经结束了)."""
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        (pending_handler,) = [
            handler
            for handler in h.app.handlers[PENDING_GROUP]
            if getattr(handler.callback, "__name__", "") == "deliver_pending"
        ]
        intake = pending_handler.callback.__self__
        seen: list[dict] = []
        count = intake.counters.add

        async def counting(*args, **kwargs):
            seen.append(json.loads(json.dumps(h.app.user_data[RESIDENT])))
            return await count(*args, **kwargs)

        intake.counters.add = counting
        ticket, _ = await confirm(h, RESIDENT, await to_summary(h, RESIDENT, anonymous=True))
        assert seen
        assert all(data.get(PENDING_TICKET_KEY, {}).get("ticket") == ticket for data in seen)


async def test_a_button_press_too_old_to_answer_still_files_the_complaint(policy_kb, case_database):
    """After a restart Telegram delivers again the presses the dead process had taken; answering
    one is refused as too old (400), and the press must still do its step (found by
    tests/test_crash_recovery.py: the intake stopped at the answer and the complaint waited)."""
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        query = await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        h.standin.pending_callbacks.pop(query)  # expired before the bot answers it
        filed, code_message = await h.replies(RESIDENT, 2)
        ticket = filed.text.split("投诉编号：")[1].split()[0]
        code = code_message.text.split("查询码：")[1].split()[0]
        assert (await h.storage.cases.repo.lookup(ticket, query_code=code)) is not None
        (refused,) = h.standin.rejected()  # Telegram's "query is too old", and nothing else
        assert refused.method == "answerCallbackQuery"
        h.standin.calls.remove(refused)


# ------------------------------------------------- a draft and a step that disagree after a crash


async def test_a_step_whose_earlier_answers_were_lost_asks_for_them_again(policy_kb, case_database):
    """After a crash the stored step (phone) can be ahead of the stored draft (no description)."""
    store = KeyValueStore(Database(case_database))
    await store.write(
        {
            (conversation_namespace(CONVERSATION_NAME), json.dumps([RESIDENT, RESIDENT])): PHONE,
            (USER_DATA, str(RESIDENT)): {
                DRAFT_KEY: {
                    "step": PHONE,
                    "category": "housing_renovation",
                    "region": REGION,
                    "anonymous": False,
                    "contact_name": "张大山",
                }
            },
        }
    )
    await store.db.dispose()
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, case_database, clock=clock) as h:
        asked = await h.ask(RESIDENT, "13812345678")
        assert "第 3 步" in asked.text  # the description it never got, instead of an error
        contact = await h.ask(RESIDENT, STORY)
        assert (
            "第 4 步" in contact.text
            or texts.BUTTON_NAMED in contact.button_texts
            or "确认" in contact.text
        )
