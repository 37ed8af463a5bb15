"""The console in a real browser (Debian's Chromium via Playwright) beside the real bot, while the
resident follows the case in the Bot API stand-in: signing in by the /web link, filtering the
list, working a case from acceptance to the 回访, markup in complaints shown as text, and the
pages at an office screen's and a phone's width. Screenshots are kept in the test's tmp_path.

On a SQLite file only; the HTTP tests run every route on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from storage.migrate import upgrade
from storage.workdays import CHINA_TZ
from tests.browser_support import OFFICE, PHONE, chromium
from tests.casework_support import file_case
from tests.telegram_harness import Clock
from tests.web_support import console_bot
from web import texts as t

ADMIN, STAFF, EDU_STAFF, SUPERVISOR, RESIDENT = 1, 2001, 2002, 2101, 3001
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fupin.sqlite3'}"
    await upgrade(url)
    return url


async def _people(c) -> None:
    for user in (RESIDENT, STAFF, EDU_STAFF, SUPERVISOR):
        await c.bot.ask(user, "/start")
        await c.bot.quiet(user)
    await c.roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
    await c.roles.grant(EDU_STAFF, "staff", unit="县教育局", region="闽清县", granted_by=ADMIN)
    await c.roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)


async def _sign_in(c, browser, user: int, viewport=OFFICE):
    """A new browser window signed in as `user` through the link /web sends."""
    reply = await c.bot.ask(user, "/web")
    link = next(word for word in reply.text.split() if word.startswith(c.base_url))
    context = await browser.new_context(viewport=viewport, locale="zh-CN")
    page = await context.new_page()
    await page.goto(link)
    await page.click(f"text={t.SIGN_IN_LINK_BUTTON}")
    return page


async def test_a_case_worked_in_the_browser_from_acceptance_to_the_residents_rating(
    policy_kb, sqlite_url, tmp_path
):
    clock = Clock(NOW)
    async with (
        console_bot(policy_kb, sqlite_url, clock=clock, admin_ids=[ADMIN]) as c,
        chromium() as browser,
    ):
        await _people(c)
        housing = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        school = await file_case(
            c.storage, description="孩子上学的补助没有发下来，学校让问住建局。", units=["县住建局"]
        )
        dialogs: list[str] = []

        page = await _sign_in(c, browser, STAFF)
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        assert page.url == f"{c.base_url}/cases"
        assert await page.locator("#case-list tbody tr").count() == 2
        await page.screenshot(path=str(tmp_path / "case-list.png"), full_page=True)

        await page.click(f"text={housing}")
        await page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
        await page.click("#accept")
        assert t.DONE["accept"] in await page.inner_text("#flash")
        assert await page.inner_text("#status") == "已受理"
        told = await c.bot.reply(RESIDENT)
        assert f"您反映的问题（编号 {housing}）已由 县住建局 受理" in told.text

        await page.fill("#resolve-text", "补助已于11月25日发放到户")
        await page.click("#resolve")
        assert await page.inner_text("#status") == "已办结"
        rating = await c.bot.reply(RESIDENT)
        assert "补助已于11月25日发放到户" in rating.text and rating.button_texts == [
            "满意",
            "基本满意",
            "不满意",
        ]
        await c.bot.click(RESIDENT, rating, "满意")
        await page.reload()
        assert await page.inner_text("#status") == "已结案"
        assert "回访评价（满意）" in await page.inner_text("#timeline")

        await page.goto(f"{c.base_url}/cases/{school}")
        await page.select_option("#transfer-unit", "县教育局")
        await page.fill("#transfer-reason", "学生资助归教育局办理")
        await page.click("#transfer")
        assert page.url.startswith(f"{c.base_url}/cases?done=transfer")  # it left this unit's list
        assert t.DONE["transfer"] in await page.inner_text("#flash")
        assert await page.locator("#case-list tbody tr").count() == 0
        assert "县教育局" in (await c.bot.reply(RESIDENT)).text
        notice = await c.bot.reply(EDU_STAFF)
        assert "学生资助归教育局办理" in notice.text and school in notice.text
        assert dialogs == []

        supervisor = await _sign_in(c, browser, SUPERVISOR)
        await supervisor.goto(f"{c.base_url}/dashboard")
        assert await supervisor.inner_text("#total") == "2"
        assert "响应率" in await supervisor.inner_text(
            "#rate-1"
        ) and "100.0%" in await supervisor.inner_text("#rate-1")
        await supervisor.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    for name in ("case-list.png", "case.png", "dashboard.png"):
        assert (tmp_path / name).stat().st_size > 10_000


async def test_filtering_the_list_in_the_browser(policy_kb, sqlite_url):
    clock = Clock(NOW)
    async with (
        console_bot(policy_kb, sqlite_url, clock=clock, admin_ids=[ADMIN]) as c,
        chromium() as browser,
    ):
        await _people(c)
        late = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。", units=["县住建局"]
        )
        clock.advance(timedelta(days=3))
        fresh = await file_case(
            c.storage, description="房子漏雨申请改造，没人来看。", units=["县住建局"]
        )
        page = await _sign_in(c, browser, STAFF)
        rows = page.locator("#case-list tbody tr")
        assert await rows.count() == 2
        assert (
            t.OVERDUE_MARK in await rows.nth(0).inner_text()
            and late in await rows.nth(0).inner_text()
        )
        assert "共" not in await page.inner_text(
            "#counts"
        ) and "其中超期 1 件" in await page.inner_text("#counts")

        await page.check("input[name=overdue]")
        await page.click(f"text={t.FILTER_APPLY}")
        assert await rows.count() == 1 and late in await rows.nth(0).inner_text()

        await page.click(f"text={t.FILTER_RESET}")
        await page.fill("#q", "漏雨")
        await page.click(f"text={t.FILTER_APPLY}")
        assert await rows.count() == 1 and fresh in await rows.nth(0).inner_text()
        assert await page.input_value("#q") == "漏雨"

        await page.fill("#q", "")
        await page.select_option("#status", "accepted")
        await page.click(f"text={t.FILTER_APPLY}")
        assert await rows.count() == 0 and t.NO_MATCH in await page.inner_text("main")


async def test_markup_in_a_complaint_is_shown_as_text(policy_kb, sqlite_url, tmp_path):
    async with (
        console_bot(policy_kb, sqlite_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c,
        chromium() as browser,
    ):
        await _people(c)
        text = (
            '村干部<script>alert("x")</script><img src=x onerror=alert(1)><b>扣钱</b>，补助没发。'
        )
        ticket = await file_case(c.storage, description=text, units=["县住建局"])
        page = await _sign_in(c, browser, STAFF)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(f"{c.base_url}/cases/{ticket}")
        assert await page.inner_text("#description") == text
        assert (
            await page.locator("#description b, #description script, #description img").count() == 0
        )
        await page.wait_for_timeout(300)
        assert dialogs == []


@pytest.mark.parametrize("viewport", [OFFICE, PHONE], ids=["1366x768", "phone"])
async def test_pages_fit_an_office_screen_and_a_phone(policy_kb, sqlite_url, tmp_path, viewport):
    async with (
        console_bot(policy_kb, sqlite_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c,
        chromium() as browser,
    ):
        await _people(c)
        ticket = await file_case(
            c.storage, description="危房改造补助一直没发，村里说还要等。" * 5, units=["县住建局"]
        )
        staff = await _sign_in(c, browser, STAFF, viewport)
        supervisor = await _sign_in(c, browser, SUPERVISOR, viewport)
        for page, path in (
            (staff, "/cases"),
            (staff, f"/cases/{ticket}"),
            (supervisor, "/dashboard"),
        ):
            await page.goto(c.base_url + path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, width)
            name = path.strip("/").replace("/", "-") or "home"
            await page.screenshot(
                path=str(tmp_path / f"{name}-{viewport['width']}.png"), full_page=True
            )
