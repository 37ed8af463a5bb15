"""Complaint intake, /status and the offer to file: the real Application, the stand-in, a SQLite file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers import texts
from handlers.complaints import DRAFT_KEY, normalize_phone, split_place
from storage.models import Complaint
from tests.casework_support import case_bot
from tests.intake_support import (
    CATEGORY,
    NAME,
    NEIGHBOUR,
    PLACE,
    REGION,
    RESIDENT,
    STORY,
    confirm,
    to_description,
    to_summary,
)
from tests.storage_support import lock_sqlite
from tests.telegram_harness import BotHarness


def persisted_text(h: BotHarness, user: int) -> str:
    return json.dumps(
        [h.app.user_data.get(user, {}), h.app.chat_data.get(user, {})], ensure_ascii=False
    )


# ------------------------------------------------------------------------- whole intake


async def test_named_complaint_is_filed_routed_and_shown_in_status(policy_kb, database, router):
    async with case_bot(policy_kb, database) as h:
        await to_description(h, RESIDENT)
        h.standin.push_photo(RESIDENT)
        assert (await h.reply(RESIDENT)).text == texts.PHOTO_RECEIVED.format(n=1)
        contact = await h.ask(RESIDENT, STORY)
        await h.click(RESIDENT, contact, texts.BUTTON_NAMED)
        await h.ask(RESIDENT, NAME)
        summary = await h.ask(
            RESIDENT, "１３８－１２３４－５６７８"
        )  # full-width digits and dashes
        expected = router.route(STORY, REGION, category="housing_renovation").units
        assert all(
            part in summary.text
            for part in (
                CATEGORY,
                REGION,
                "坂东镇 湖头村",
                STORY,
                "1 张",
                NAME,
                "13812345678",
                expected[0],
            )
        )
        assert summary.button_texts == [
            texts.BUTTON_CONFIRM,
            texts.BUTTON_EDIT,
            texts.BUTTON_CANCEL,
        ]

        ticket, code = await confirm(h, RESIDENT, summary)
        assert ticket.startswith("FP") and len(code) == 8
        assert DRAFT_KEY not in h.app.user_data[RESIDENT]
        assert ticket not in persisted_text(h, RESIDENT) and code not in persisted_text(h, RESIDENT)

        view = await h.storage.cases.repo.lookup(ticket, telegram_user_id=RESIDENT)
        assert (
            view.units[0] == expected[0] and view.township == "坂东镇" and view.village == "湖头村"
        )
        record = await h.storage.cases.repo.get(ticket)
        assert record.contact_phone == "13812345678" and len(record.attachments) == 1

        listing = await h.ask(RESIDENT, "/status")
        assert ticket in listing.text and texts.STATUS_LABELS["submitted"] in listing.text
        detail = await h.ask(RESIDENT, f"/status {ticket.lower()}")
        assert ticket in detail.text and expected[0] in detail.text and "办理记录" in detail.text
        assert {"complain", "status"} <= {c["command"] for c in h.standin.commands}


async def test_anonymous_complaint_keeps_no_identity_and_needs_the_query_code(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        assert texts.SUMMARY_ANONYMOUS in summary.text
        ticket, code = await confirm(h, RESIDENT, summary)
        assert ticket not in persisted_text(h, RESIDENT) and code not in persisted_text(h, RESIDENT)
        record = await h.storage.cases.repo.get(ticket)
        assert record.resident_id is None and record.contact_phone is None

        assert (await h.ask(RESIDENT, "/status")).text == texts.STATUS_NONE
        assert (await h.ask(RESIDENT, f"/status {ticket}")).text == texts.STATUS_NOT_FOUND
        wrong = "00000000" if code != "00000000" else "11111111"
        assert (await h.ask(RESIDENT, f"/status {ticket} {wrong}")).text == texts.STATUS_NOT_FOUND
        found = await h.ask(RESIDENT, f"/status {ticket} {code[:4]} {code[4:]}")
        assert ticket in found.text and STORY[:10] in found.text


async def test_another_resident_guessing_a_ticket_gets_not_found(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        ticket, _ = await confirm(h, RESIDENT, await to_summary(h, RESIDENT, anonymous=False))
        number = int(ticket.rsplit("-", 1)[1])
        for guess in (
            f"/status {ticket}",
            f"/status {ticket} 12345678",
            f"/status {ticket[:-6]}{number + 1:06d}",
            "/status FP1",
            "/status",
        ):
            reply = await h.ask(NEIGHBOUR, guess)
            assert ticket not in reply.text and STORY[:10] not in reply.text
            assert reply.text in (texts.STATUS_NOT_FOUND, texts.STATUS_NONE)


# ---------------------------------------------------------------------- cancel, bad input


async def test_cancel_works_at_every_step(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        steps = [
            [],
            [("click", CATEGORY)],
            [("click", CATEGORY), ("click", REGION)],
            [("click", CATEGORY), ("click", REGION), ("ask", PLACE)],
            [("click", CATEGORY), ("click", REGION), ("ask", PLACE), ("ask", STORY)],
            [
                ("click", CATEGORY),
                ("click", REGION),
                ("ask", PLACE),
                ("ask", STORY),
                ("click", texts.BUTTON_NAMED),
            ],
            [
                ("click", CATEGORY),
                ("click", REGION),
                ("ask", PLACE),
                ("ask", STORY),
                ("click", texts.BUTTON_NAMED),
                ("ask", NAME),
            ],
            [
                ("click", CATEGORY),
                ("click", REGION),
                ("ask", PLACE),
                ("ask", STORY),
                ("click", texts.BUTTON_ANONYMOUS),
            ],
        ]
        for path in steps:
            reply = await h.ask(RESIDENT, "/complain")
            for how, what in path:
                reply = await (
                    h.click(RESIDENT, reply, what) if how == "click" else h.ask(RESIDENT, what)
                )
            assert (await h.ask(RESIDENT, "/cancel")).text == texts.COMPLAINT_CANCELLED, path
            assert DRAFT_KEY not in h.app.user_data[RESIDENT]
        # The 取消 button of the summary too; afterwards a message is a question again.
        summary = await to_summary(h, RESIDENT, anonymous=True)
        assert (
            await h.click(RESIDENT, summary, texts.BUTTON_CANCEL)
        ).text == texts.COMPLAINT_CANCELLED
        answer = await h.ask(RESIDENT, "看病能报销多少？")  # answered, or first asked for the place
        assert texts.BUTTON_SOURCE in answer.button_texts or answer.text == texts.ASK_PLACE
        assert await h.storage.cases.repo.list_for_resident(RESIDENT) == []


async def test_bad_input_at_every_step_gets_a_polite_reply_and_the_same_step(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        intro = await h.ask(RESIDENT, "/complain")
        again = await h.ask(RESIDENT, "随便说点什么")
        assert again.text.startswith(texts.PRESS_A_BUTTON) and CATEGORY in again.button_texts
        region_prompt = await h.click(RESIDENT, intro, CATEGORY)
        again = await h.ask(RESIDENT, "😀😀😀")
        assert again.text.startswith(texts.PRESS_A_BUTTON) and REGION in again.button_texts
        await h.click(RESIDENT, region_prompt, REGION)

        township_bad = [
            ("\u200b", texts.BAD_EMPTY),
            ("😀😀", texts.BAD_NOT_WORDS),
            ("镇" * 60, texts.BAD_TOWNSHIP),
        ]
        for text, problem in township_bad:
            reply = await h.ask(RESIDENT, text)
            assert reply.text.startswith(problem) and "哪个乡镇" in reply.text, text
        h.standin.push_photo(RESIDENT)
        assert (await h.reply(RESIDENT)).text.startswith(texts.BAD_TEXT_EXPECTED)
        await h.ask(RESIDENT, PLACE)

        description_bad = [
            ("补助没发", texts.BAD_DESCRIPTION_SHORT),
            ("。。。。。。。。。。。。", texts.BAD_NOT_WORDS),
            ("😡" * 20, texts.BAD_NOT_WORDS),
            ("没" * 2001, texts.BAD_DESCRIPTION_LONG.format(n=2001)),
        ]
        for text, problem in description_bad:
            reply = await h.ask(RESIDENT, text)
            assert reply.text.startswith(problem) and "发生了什么" in reply.text, text[:10]
        h.standin.push_document(RESIDENT, "说明.pdf", b"%PDF", mime_type="application/pdf")
        assert (await h.reply(RESIDENT)).text.startswith(texts.BAD_TEXT_EXPECTED)
        contact = await h.ask(RESIDENT, STORY)
        again = await h.ask(RESIDENT, "匿名")
        assert (
            again.text.startswith(texts.PRESS_A_BUTTON)
            and texts.BUTTON_ANONYMOUS in again.button_texts
        )
        await h.click(RESIDENT, contact, texts.BUTTON_NAMED)

        for text, problem in [
            ("😀", texts.BAD_NOT_WORDS),
            ("张三123", texts.BAD_NAME),
            ("名" * 21, texts.BAD_NAME),
        ]:
            reply = await h.ask(RESIDENT, text)
            assert reply.text.startswith(problem) and texts.ASK_NAME in reply.text, text
        await h.ask(RESIDENT, NAME)
        for text in ["12345", "138123456789", "23812345678", "电话是多少", "😀"]:
            reply = await h.ask(RESIDENT, text)
            assert reply.text.startswith(texts.BAD_PHONE) and texts.ASK_PHONE in reply.text, text
        h.standin.push_photo(RESIDENT)
        assert (await h.reply(RESIDENT)).text.startswith(texts.BAD_TEXT_EXPECTED)
        summary = await h.ask(RESIDENT, "+86 139-8765-4321")
        assert "13987654321" in summary.text
        again = await h.ask(RESIDENT, "好的")
        assert (
            again.text.startswith(texts.PRESS_A_BUTTON)
            and texts.BUTTON_CONFIRM in again.button_texts
        )


async def test_editing_from_the_summary_changes_one_answer(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        menu = await h.click(RESIDENT, summary, texts.BUTTON_EDIT)
        await h.click(RESIDENT, menu, texts.BUTTON_EDIT_DESCRIPTION)
        changed = await h.ask(
            RESIDENT, "村里修路的钱被挪用了，路修了一半就停了，坑坑洼洼的没法走。"
        )
        assert "修路" in changed.text and texts.BUTTON_CONFIRM in changed.button_texts
        assert PLACE in changed.text  # the other answers are kept


# ------------------------------------------------------------ restart, duplicates, outage


async def test_a_draft_survives_a_restart_of_the_bot(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        prompt = await to_description(h, RESIDENT)
        assert "发生了什么" in prompt.text
    async with case_bot(policy_kb, database) as h:
        contact = await h.ask(RESIDENT, STORY)
        assert texts.BUTTON_ANONYMOUS in contact.button_texts
        summary = await h.click(RESIDENT, contact, texts.BUTTON_ANONYMOUS)
        assert PLACE in summary.text and CATEGORY in summary.text
        ticket, _ = await confirm(h, RESIDENT, summary)
        assert (await h.storage.cases.repo.get(ticket)).township == "坂东镇"


async def test_the_same_complaint_again_is_recognised(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        first, _ = await confirm(h, RESIDENT, await to_summary(h, RESIDENT, anonymous=False))
        summary = await to_summary(h, RESIDENT, anonymous=False, story=STORY + "！")
        duplicate = await h.click(RESIDENT, summary, texts.BUTTON_CONFIRM)
        assert first in duplicate.text and duplicate.button_texts == [
            texts.BUTTON_FILE_ANYWAY,
            texts.BUTTON_DROP,
        ]
        dropped = await h.click(RESIDENT, duplicate, texts.BUTTON_DROP)
        assert dropped.text == texts.COMPLAINT_CANCELLED

        summary = await to_summary(h, RESIDENT, anonymous=False, story=STORY + "！")
        duplicate = await h.click(RESIDENT, summary, texts.BUTTON_CONFIRM)
        filed = await h.click(RESIDENT, duplicate, texts.BUTTON_FILE_ANYWAY)
        await h.reply(RESIDENT)  # the query code
        second = filed.text.split("投诉编号：")[1].split()[0]
        assert second != first
        assert len(await h.storage.cases.repo.list_for_resident(RESIDENT)) == 2


async def test_database_outage_at_submission_keeps_the_draft_for_a_retry(policy_kb, database):
    async with case_bot(policy_kb, database, engine_options={"sqlite_busy_timeout_ms": 100}) as h:
        summary = await to_summary(h, RESIDENT, anonymous=False)
        lock = lock_sqlite(database)
        try:
            failed = await h.click(RESIDENT, summary, texts.BUTTON_CONFIRM)
            assert failed.text == texts.STORAGE_UNAVAILABLE.replace("<b>", "").replace("</b>", "")
            assert failed.button_texts == [texts.BUTTON_RETRY]
            assert h.app.user_data[RESIDENT][DRAFT_KEY]["description"] == STORY
        finally:
            lock.rollback()
            lock.close()
        filed = await h.click(RESIDENT, failed, texts.BUTTON_RETRY)
        assert "投诉编号" in filed.text
        await h.reply(RESIDENT)
        async with h.storage.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Complaint)) == 1


async def test_buttons_of_a_finished_complaint_are_refused_politely(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        summary = await to_summary(h, RESIDENT, anonymous=True)
        await confirm(h, RESIDENT, summary)
        query = await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        assert (await h.reply(RESIDENT)).text == texts.STALE_STEP
        assert (await h.wait_answered(query)).get("text") == texts.STALE_STEP_TOAST
        assert len(await h.quiet(RESIDENT, 0.2)) == 0


async def test_a_double_tap_on_confirm_files_once(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        summary = await to_summary(h, RESIDENT, anonymous=False)
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        await h.press(RESIDENT, summary, texts.BUTTON_CONFIRM)
        shown = [await h.reply(RESIDENT), *await h.quiet(RESIDENT, 0.5)]
        assert sum("投诉编号" in r.text for r in shown) == 1
        assert len(await h.storage.cases.repo.list_for_resident(RESIDENT)) == 1


async def test_complaints_stay_out_of_group_chats(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        ticket, _ = await confirm(h, RESIDENT, await to_summary(h, RESIDENT, anonymous=False))
        group = -3001
        for command in ("/status", f"/status {ticket}", "/complain"):
            h.standin.push_text(RESIDENT, command, chat_id=group)
            reply = await h.reply(group)
            assert reply.text == texts.COMPLAINTS_PRIVATE_ONLY and ticket not in reply.text


# ----------------------------------------------------------- the grievance offer, known places


GRIEVANCE = "我家危房改造的补助到现在还没发，村干部说要送礼才给"
TOWN_GRIEVANCE = "坂东镇的低保被村干部克扣了，我要举报"
TOWN_STORY = "坂东镇的低保金被村干部克扣了，每个月少发两百块，问了也不给说法。"


async def offer_of(h: BotHarness, user: int, message: str) -> Any:
    """Send a grievance; its one reply (nothing else follows) carries the offer to file."""
    reply = await h.ask(user, message)
    assert await h.quiet(user, 0.5) == []
    return reply


async def test_a_grievance_gets_one_reply_whose_button_starts_the_intake_at_the_place(
    policy_kb, database
):
    async with case_bot(policy_kb, database) as h:
        reply = await offer_of(h, RESIDENT, GRIEVANCE)
        assert texts.GRIEVANCE_ACK.format(category=CATEGORY).strip() in reply.text
        assert "没有找到" not in reply.text
        data = reply.button(texts.BUTTON_COMPLAIN)["callback_data"]
        assert data.startswith("complain:cat:housing_renovation:") and len(data.encode()) <= 64

        place_prompt = await h.click(RESIDENT, reply, texts.BUTTON_COMPLAIN)
        assert CATEGORY in place_prompt.text and "问题发生在哪里" in place_prompt.text
        assert REGION in place_prompt.button_texts and CATEGORY not in place_prompt.button_texts
        await h.click(RESIDENT, place_prompt, REGION)
        await h.ask(RESIDENT, PLACE)
        contact = await h.ask(RESIDENT, STORY)
        summary = await h.click(RESIDENT, contact, texts.BUTTON_ANONYMOUS)
        assert CATEGORY in summary.text and PLACE in summary.text
        ticket, _ = await confirm(h, RESIDENT, summary)
        assert (await h.storage.cases.repo.get(ticket)).category == "housing_renovation"

        question = await offer_of(
            h, RESIDENT, "娃上大学有什么补助？"
        )  # a question, not a grievance
        assert "不公平" not in question.text
        assert all(
            not b["callback_data"].startswith("complain:cat:")
            for row in question.buttons
            for b in row
        )


async def test_the_intake_offers_the_place_chosen_with_start_first(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        await h.click(RESIDENT, await h.ask(RESIDENT, "/start"), REGION)
        intro = await h.ask(RESIDENT, "/complain")
        place_prompt = await h.click(RESIDENT, intro, CATEGORY)
        assert place_prompt.button_texts == [
            texts.BUTTON_KNOWN_PLACE.format(place=REGION),
            texts.BUTTON_OTHER_PLACE,
        ]
        township_prompt = await h.click(
            RESIDENT, place_prompt, texts.BUTTON_KNOWN_PLACE.format(place=REGION)
        )
        assert REGION in township_prompt.text and "哪个乡镇" in township_prompt.text
        await h.ask(RESIDENT, PLACE)
        contact = await h.ask(RESIDENT, STORY)
        summary = await h.click(RESIDENT, contact, texts.BUTTON_ANONYMOUS)
        assert f"{REGION} {PLACE}" in summary.text

        # 其他地方 shows every place; the one chosen there is the complaint's.
        await h.ask(RESIDENT, "/cancel")
        place_prompt = await h.click(RESIDENT, await h.ask(RESIDENT, "/complain"), CATEGORY)
        full_list = await h.click(RESIDENT, place_prompt, texts.BUTTON_OTHER_PLACE)
        assert {REGION, "淮安区", "湖北省"} <= set(full_list.button_texts)
        assert "淮安区" in (await h.click(RESIDENT, full_list, "淮安区")).text


async def test_a_town_named_in_the_grievance_is_offered_and_sets_the_county(
    policy_kb, database, router
):
    async with case_bot(policy_kb, database) as h:
        await h.click(
            RESIDENT, await h.ask(RESIDENT, "/start"), "淮安区"
        )  # the story's town is more specific
        reply = await offer_of(h, RESIDENT, TOWN_GRIEVANCE)
        place_prompt = await h.click(RESIDENT, reply, texts.BUTTON_COMPLAIN)
        known = texts.BUTTON_KNOWN_PLACE.format(place="坂东镇（闽清县）")
        assert place_prompt.button_texts == [known, texts.BUTTON_OTHER_PLACE]
        description_prompt = await h.click(RESIDENT, place_prompt, known)
        assert "发生了什么" in description_prompt.text  # the town is known: not asked again
        contact = await h.ask(RESIDENT, TOWN_STORY)
        summary = await h.click(RESIDENT, contact, texts.BUTTON_ANONYMOUS)
        category = reply.button(texts.BUTTON_COMPLAIN)["callback_data"].split(":")[2]
        expected = router.route(TOWN_STORY, REGION, category=category).units
        assert "闽清县 坂东镇" in summary.text and expected[0] in summary.text
        ticket, _ = await confirm(h, RESIDENT, summary)
        record = await h.storage.cases.repo.get(ticket)
        assert (record.region, record.township) == (REGION, "坂东镇")
        assert record.assignments[0].unit.name == expected[0]

        # A town typed at the place step sets its county too, and is not asked again.
        place_prompt = await h.click(NEIGHBOUR, await h.ask(NEIGHBOUR, "/complain"), CATEGORY)
        assert REGION in place_prompt.button_texts
        assert "发生了什么" in (await h.ask(NEIGHBOUR, "在坂东镇")).text
        contact = await h.ask(NEIGHBOUR, STORY)
        summary = await h.click(NEIGHBOUR, contact, texts.BUTTON_ANONYMOUS)
        assert "闽清县 坂东镇" in summary.text


async def test_bad_presses_on_the_offer_and_place_buttons_change_nothing(policy_kb, database):
    async with case_bot(policy_kb, database) as h:
        await h.ask(RESIDENT, "/help")
        for data in (
            "complain:cat:no_such_category:1",
            "complain:cat:" + "x" * 40,
            "complain:cat:",
        ):
            query = h.forge_press(RESIDENT, data)
            assert (await h.reply(RESIDENT)).text == texts.STALE_STEP
            assert (await h.wait_answered(query)).get("text") == texts.STALE_STEP_TOAST
            assert DRAFT_KEY not in h.app.user_data.get(RESIDENT, {})

        # An older offer's button still starts the intake, but not with a later message's place.
        first = await offer_of(h, RESIDENT, TOWN_GRIEVANCE)
        await offer_of(h, RESIDENT, GRIEVANCE)
        place_prompt = await h.click(RESIDENT, first, texts.BUTTON_COMPLAIN)
        assert (
            REGION in place_prompt.button_texts
            and texts.BUTTON_OTHER_PLACE not in place_prompt.button_texts
        )

        # A forged 是/其他地方 where no place was offered: the current step again, nothing set.
        for data in ("cp:rg:known", "cp:rg:other"):
            query = h.forge_press(RESIDENT, data)
            again = await h.reply(RESIDENT)
            assert REGION in again.button_texts
            assert (await h.wait_answered(query)).get("text") == texts.STALE_STEP_TOAST
            assert "region" not in h.app.user_data[RESIDENT][DRAFT_KEY]

        # The offer pressed in the middle of an intake resumes it; nothing is lost or changed.
        await h.click(RESIDENT, again, REGION)
        await h.ask(RESIDENT, PLACE)
        resumed = await h.click(RESIDENT, first, texts.BUTTON_COMPLAIN)
        assert (
            resumed.text.startswith(texts.COMPLAINT_RESUME.strip()) and "发生了什么" in resumed.text
        )
        draft = h.app.user_data[RESIDENT][DRAFT_KEY]
        assert (draft["region"], draft["township"]) == (REGION, "坂东镇")

        # The 是 button of a place prompt already answered is stale.
        await h.ask(RESIDENT, "/cancel")
        offer = await offer_of(h, RESIDENT, TOWN_GRIEVANCE)
        place_prompt = await h.click(RESIDENT, offer, texts.BUTTON_COMPLAIN)
        await h.click(RESIDENT, place_prompt, texts.BUTTON_OTHER_PLACE)
        query = await h.press(
            RESIDENT, place_prompt, texts.BUTTON_KNOWN_PLACE.format(place="坂东镇（闽清县）")
        )
        again = await h.reply(RESIDENT)
        assert (await h.wait_answered(query)).get("text") == texts.STALE_STEP_TOAST
        assert REGION in again.button_texts and "region" not in h.app.user_data[RESIDENT][DRAFT_KEY]


# ---------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("12812345678", None),
        ("1381234567", None),
        ("138123456789", None),
        ("0591-1234567", None),
        ("", None),
    ],
)
def test_mobile_numbers(typed, expected):
    assert normalize_phone(typed) == expected


def test_place_is_split_into_township_and_village():
    assert split_place("坂东镇 湖头村") == ("坂东镇", "湖头村")
    assert split_place("湖头村") == (None, "湖头村")
    assert split_place("街上") == ("街上", None)


def test_every_category_fits_in_the_offer_callback(router):
    """我要投诉 under a grievance carries the category key and an offer number; Telegram takes 64 bytes."""
    from handlers.resident import COMPLAIN_CATEGORY_PREFIX

    for name in router.lexicon.categories:
        assert len(f"{COMPLAIN_CATEGORY_PREFIX}{name}:9999".encode()) <= 64, name


async def test_the_plans_are_prepared_off_the_event_loop_after_start(
    policy_kb, database, monkeypatch
):
    """The bot answers before the plans' unit lists are prepared, and a job prepares them in a
    worker thread, so the first complaint routed holds up no one's reply."""
    import threading

    from handlers.complaints import PREPARE_JOB
    from knowledge.routing import Router

    on_loop_thread = []
    original = Router._plan

    def recording(self, doc, raw):
        on_loop_thread.append(threading.current_thread() is threading.main_thread())
        return original(self, doc, raw)

    monkeypatch.setattr(Router, "_plan", recording)
    router = Router.from_corpus()
    async with case_bot(policy_kb, database, router=router) as h:
        assert (await h.ask(RESIDENT, "低保怎么申请")).text
        assert on_loop_thread == []
        (job,) = h.app.job_queue.get_jobs_by_name(PREPARE_JOB)
        await job.run(h.app)
        assert on_loop_thread and not any(on_loop_thread)
