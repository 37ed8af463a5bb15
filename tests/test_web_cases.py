"""The console's case list, case page and actions over HTTP, on SQLite and PostgreSQL, with the
real bot polling the Bot API stand-in: what staff, supervisors and admins see, what a resident
hears in Telegram after an action taken in the browser, and every refusal changing nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from storage.models import ComplaintStatus
from storage.workdays import CHINA_TZ
from tests.casework_support import file_case
from tests.telegram_harness import Clock
from tests.web_support import app_routes, console_bot
from web import texts as t
from web.app import create_app

ADMIN, STAFF, EDU_STAFF, SUPERVISOR, FAR_SUPERVISOR, RESIDENT = 1, 2001, 2002, 2101, 2102, 3001
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)  # a Monday
TICKETS = re.compile(r'<td><a href="/cases/([^"]+)">')
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


async def _roles(c) -> None:
    """Everyone's roles, and everyone has opened the bot once (so the bot may message them)."""
    for user in (RESIDENT, STAFF, EDU_STAFF, SUPERVISOR, FAR_SUPERVISOR):
        await c.bot.ask(user, "/start")
        await c.bot.quiet(user)
    roles = c.roles
    await roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
    await roles.grant(EDU_STAFF, "staff", unit="县教育局", region="闽清县", granted_by=ADMIN)
    await roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)
    await roles.grant(FAR_SUPERVISOR, "supervisor", region="淮安区", granted_by=ADMIN)


async def _status(c, ticket: str) -> tuple[ComplaintStatus, int]:
    complaint = await c.storage.cases.repo.get(ticket)
    return ComplaintStatus(complaint.status), len(complaint.events)


async def test_staff_list_their_units_cases_by_deadline_filtered_and_paged(policy_kb, migrated_url):
    clock = Clock(NOW)
    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        await _roles(c)
        first = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        clock.advance(timedelta(days=2))
        second = await file_case(
            c.storage,
            description="房子漏雨申请改造，没人来看。",
            units=["县住建局"],
            category="identification_unfair",
        )
        school = await file_case(
            c.storage, description="孩子上学的补助没有发下来。", units=["县教育局"]
        )
        far = await file_case(
            c.storage,
            description="低保评定不公平，村干部亲戚都评上了。",
            units=["区民政局"],
            region="淮安区",
            parents=("淮安市", "江苏省"),
        )
        staff = await c.signed_in(STAFF)

        page = await staff.get("/cases")
        assert page.status == 200 and TICKETS.findall(page.text) == [first, second]
        assert t.COUNTS.format(total=2, overdue=1) in page.text
        first_row = page.text.split(f'href="/cases/{first}"')[1].split("</tr>")[0]
        assert t.OVERDUE_MARK in first_row
        assert t.OVERDUE_MARK not in page.text.split(f'href="/cases/{second}"')[1].split("</tr>")[0]

        assert TICKETS.findall((await staff.get("/cases", overdue="1")).text) == [first]
        assert TICKETS.findall((await staff.get("/cases", q=second)).text) == [second]
        assert TICKETS.findall((await staff.get("/cases", q="漏雨")).text) == [second]
        assert TICKETS.findall(
            (await staff.get("/cases", category="identification_unfair")).text
        ) == [second]
        day = (NOW + timedelta(days=2)).date().isoformat()
        assert TICKETS.findall((await staff.get("/cases", since=day, until=day)).text) == [second]
        bad = await staff.get("/cases", since="2026-13-45")
        assert t.FILTER_BAD_DATE in bad.text and TICKETS.findall(bad.text) == [first, second]
        assert TICKETS.findall((await staff.get("/cases", q="<b>'\"%_")).text) == []

        supervisor = await (await c.signed_in(SUPERVISOR)).get("/cases")
        assert TICKETS.findall(supervisor.text) == [first, second, school]
        everything = await (await c.signed_in(ADMIN)).get("/cases", region="淮安区")
        assert TICKETS.findall(everything.text) == [far]

        for _ in range(22):
            await file_case(
                c.storage, description="危房改造的钱被村里扣了一部分。", units=["县住建局"]
            )
        one = await staff.get("/cases")
        assert (
            len(TICKETS.findall(one.text)) == 20 and t.PAGE_OF.format(page=1, pages=2) in one.text
        )
        two = await staff.get("/cases", page="2")
        assert len(TICKETS.findall(two.text)) == 4 and t.PREVIOUS in two.text
        assert not set(TICKETS.findall(one.text)) & set(TICKETS.findall(two.text))


async def test_the_case_page_masks_the_filer_escapes_markup_and_shows_photos(
    policy_kb, migrated_url
):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _roles(c)
        sent = c.bot.standin.push_photo(
            RESIDENT, JPEG
        )  # the resident's photo, as the intake keeps its file id
        photo = sent["photo"][-1]["file_id"]
        await c.bot.quiet(RESIDENT)
        ticket = await file_case(
            c.storage,
            units=["县住建局"],
            attachments=[photo],
            description='村干部<script>alert("x")</script>把补助扣了，我电话13912345678，身份证350124198001011234。',
        )
        staff = await c.signed_in(STAFF)
        page = await staff.get(f"/cases/{ticket}")
        assert page.status == 200
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
            and "<script>" not in page.text
        )
        assert "139****5678" in page.text and "13912345678" not in page.text
        assert "350124198001011234" not in page.text
        assert (
            "张** 138****5678" in page.text
            and "张大山" not in page.text
            and "13812345678" not in page.text
        )
        assert t.EVENTS["submitted"] in page.text and t.ACTION_ACCEPT in page.text
        # The deadlines under the names the bot, the statistics and the spreadsheet use.
        assert "<dt>受理时限</dt>" in page.text and "<dt>办结时限</dt>" in page.text

        image = await staff.get(f"/cases/{ticket}/photos/1")
        assert (
            image.status == 200
            and image.headers["Content-Type"] == "image/jpeg"
            and image.body == JPEG
        )
        assert (await staff.get(f"/cases/{ticket}/photos/2")).status == 404
        stranger = await c.signed_in(EDU_STAFF)
        assert (await stranger.get(f"/cases/{ticket}/photos/1")).status == 403
        assert (await staff.get("/cases/FP-NOSUCH")).status == 404


async def test_accept_in_the_browser_tells_the_resident_in_telegram(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _roles(c)
        ticket = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        staff = await c.signed_in(STAFF)
        csrf = (await staff.get(f"/cases/{ticket}")).csrf

        done = await staff.post(f"/cases/{ticket}/accept", {"csrf": csrf})
        assert done.status == 303 and done.location == f"/cases/{ticket}?done=accept&told=1"
        told = await c.bot.reply(RESIDENT)
        assert f"您反映的问题（编号 {ticket}）已由 县住建局 受理" in told.text
        page = await staff.get(done.location)
        assert t.DONE["accept"] in page.text and t.FILER_TOLD in page.text
        assert await _status(c, ticket) == (ComplaintStatus.ACCEPTED, 2)

        replied = await staff.post(
            f"/cases/{ticket}/reply", {"csrf": csrf, "text": "我们下周二上门核实<b>情况</b>"}
        )
        assert replied.status == 303 and replied.location == f"/cases/{ticket}?done=reply&told=1"
        assert (
            "我们下周二上门核实<b>情况</b>" in (await c.bot.reply(RESIDENT)).text
        )  # as typed, markup and all
        assert await _status(c, ticket) == (ComplaintStatus.ACCEPTED, 3)

        again = await staff.post(
            f"/cases/{ticket}/accept", {"csrf": csrf}
        )  # an old page, a second click
        assert again.status == 409 and t.STALE.format(status="已受理") in again.text
        assert await _status(c, ticket) == (ComplaintStatus.ACCEPTED, 3)
        assert await c.bot.quiet(RESIDENT) == []


async def test_transfer_resolve_reject_and_reveal_from_the_browser(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _roles(c)
        ticket = await file_case(
            c.storage, description="孩子上学的补助没有发下来。", units=["县住建局"]
        )
        staff = await c.signed_in(STAFF)
        csrf = (await staff.get(f"/cases/{ticket}")).csrf

        empty = await staff.post(
            f"/cases/{ticket}/transfer", {"csrf": csrf, "unit": "县教育局", "reason": "。。"}
        )
        assert empty.status == 422 and t.TEXT_EMPTY in empty.text
        nowhere = await staff.post(
            f"/cases/{ticket}/transfer", {"csrf": csrf, "unit": "火星局", "reason": "不归我们管"}
        )
        assert (
            nowhere.status == 422 and t.TRANSFER_UNKNOWN_UNIT.format(unit="火星局") in nowhere.text
        )
        assert await _status(c, ticket) == (ComplaintStatus.SUBMITTED, 1)

        moved = await staff.post(
            f"/cases/{ticket}/transfer",
            {"csrf": csrf, "unit": "县教育局", "reason": "属于教育补助"},
        )
        assert moved.status == 303 and moved.location == "/cases?done=transfer&told=1"
        assert "县教育局" in (await c.bot.reply(RESIDENT)).text
        assert "属于教育补助" in (await c.bot.reply(EDU_STAFF)).text
        assert (
            await staff.post(f"/cases/{ticket}/accept", {"csrf": csrf})
        ).status == 403  # no longer theirs

        edu = await c.signed_in(EDU_STAFF)
        edu_csrf = (await edu.get(f"/cases/{ticket}")).csrf
        assert (await edu.post(f"/cases/{ticket}/accept", {"csrf": edu_csrf})).status == 303
        await c.bot.reply(RESIDENT)
        resolved = await edu.post(
            f"/cases/{ticket}/resolve", {"csrf": edu_csrf, "text": "补助已于本周发放到户"}
        )
        assert resolved.status == 303
        rating = await c.bot.reply(RESIDENT)
        assert "补助已于本周发放到户" in rating.text and rating.button_texts == [
            "满意",
            "基本满意",
            "不满意",
        ]

        assert (await staff.post(f"/cases/{ticket}/reveal", {"csrf": csrf})).status == 403
        supervisor = await c.signed_in(SUPERVISOR)
        sup_csrf = (await supervisor.get(f"/cases/{ticket}")).csrf
        shown = await supervisor.post(f"/cases/{ticket}/reveal", {"csrf": sup_csrf})
        assert shown.status == 200 and "投诉人：张大山　电话：13812345678" in shown.text
        assert shown.headers["Cache-Control"] == "no-store"
        page = await supervisor.get(f"/cases/{ticket}")
        assert t.EVENTS["reveal_identity"] in page.text and "张大山" not in page.text

        other = await file_case(
            c.storage, description="低保评定不公平，村干部亲戚都评上了。", units=["县住建局"]
        )
        rejected = await staff.post(
            f"/cases/{other}/reject", {"csrf": csrf, "text": "不属于本单位职责，请向民政局反映"}
        )
        assert rejected.status == 303 and (await _status(c, other))[0] is ComplaintStatus.REJECTED
        assert "不属于本单位职责" in (await c.bot.reply(RESIDENT)).text


async def test_refused_people_change_nothing(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _roles(c)
        await c.roles.grant(
            RESIDENT + 1, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN
        )
        await c.roles.revoke(RESIDENT + 1, "staff", revoked_by=ADMIN)
        ticket = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        before = await _status(c, ticket)
        forms = {
            "accept": {},
            "transfer": {"unit": "县教育局", "reason": "不归我们"},
            "reply": {"text": "收到"},
            "resolve": {"text": "已办"},
            "reject": {"text": "不受理"},
            "reveal": {},
        }

        for who in (EDU_STAFF, FAR_SUPERVISOR, ADMIN, RESIDENT, RESIDENT + 1):
            browser = await c.signed_in(who)
            page = await browser.get(f"/cases/{ticket}")
            if who == ADMIN:  # admins read every case, and act on none
                assert (
                    page.status == 200
                    and t.CASE_NO_ACTIONS in page.text
                    and 'id="accept"' not in page.text
                )
                csrf = page.csrf
            else:
                assert page.status == 403 and ticket not in page.text
                csrf = await browser.csrf("/dashboard") if who == FAR_SUPERVISOR else "none"
            for action, data in forms.items():
                refused = await browser.post(f"/cases/{ticket}/{action}", {"csrf": csrf, **data})
                assert refused.status == 403, (who, action)
            if who != ADMIN:
                listing = await browser.get("/cases")
                assert ticket not in listing.text

        staff = await c.signed_in(STAFF)
        for data in ({}, {"csrf": ""}, {"csrf": "x" * 43}):
            refused = await staff.post(f"/cases/{ticket}/accept", data)
            assert refused.status == 403 and t.CSRF_REFUSED in refused.text
        assert await _status(c, ticket) == before
        assert await c.bot.quiet(RESIDENT) == []


async def test_anonymous_visitors_are_sent_to_sign_in_everywhere(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _roles(c)
        ticket = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        before = await _status(c, ticket)
        public = {"/login", "/login/link/{token}", "/login/link", "/login/telegram", "/logout"}
        browser = c.browser()
        routes = [(m, p) for m, p in app_routes(create_app(c.console)) if p not in public]
        assert len(routes) >= 15
        for method, path in routes:
            filled = (
                path.replace("{ticket}", ticket)
                .replace("{action}", "accept")
                .replace("{n}", "1")
                .replace("{doc_id}", "L001")
            )
            page = await (
                browser.get(filled) if method == "GET" else browser.post(filled, {"csrf": "x"})
            )
            assert page.status == 303 and page.location.startswith("/login?next="), (method, path)
        assert await _status(c, ticket) == before
        assert await c.roles.all_active() != [] and len(await c.roles.all_active()) == 4
