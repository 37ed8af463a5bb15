"""Signing in to the web console and staying signed in, over HTTP against the real console and
bot on SQLite and PostgreSQL: the /web link (once, within ten minutes), the Telegram Login
Widget (hash and age checked), sessions (HttpOnly cookie, idle expiry, sign-out), and roles
read on every request."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from storage.workdays import CHINA_TZ
from tests.telegram_harness import Clock
from tests.web_support import console_bot
from web import texts as t
from web.widget import sign

ADMIN, STAFF, SUPERVISOR, RESIDENT = 1, 2001, 2101, 3001
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)


async def _staff(c) -> None:
    await c.roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)


async def test_web_sends_a_link_that_signs_in_once(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await _staff(c)
        reply = await c.bot.ask(STAFF, "/web")
        assert "工作台登录链接" in reply.text and "10 分钟" in reply.text
        link = next(word for word in reply.text.split() if word.startswith(c.base_url))
        call = c.bot.standin.calls_to("sendMessage")[-1]
        assert call.params["link_preview_options"]["is_disabled"] is True

        browser = c.browser()
        opened = await browser.get(link.removeprefix(c.base_url))
        assert (
            opened.status == 200 and t.SIGN_IN_LINK_BUTTON in opened.text and browser.cookie is None
        )
        token = link.rsplit("/", 1)[1]
        signed = await browser.post("/login/link", {"token": token})
        assert signed.status == 303 and signed.location == "/"
        cookie = signed.headers["Set-Cookie"]
        assert (
            "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        )  # http on loopback
        home = await browser.get("/")
        assert home.status == 303 and home.location == "/cases"

        elsewhere = c.browser()
        fresh = (await c.link(STAFF)).rsplit("/", 1)[1]
        async with elsewhere.session.post(
            f"{c.base_url}/login/link",
            data={"token": fresh},
            allow_redirects=False,
            headers={"Origin": "https://evil.example"},
        ) as forged:
            assert forged.status == 403 and elsewhere.cookie is None

        again = c.browser()
        reused = await again.post("/login/link", {"token": token})
        assert reused.status == 403 and t.SIGN_IN_LINK_BAD in reused.text and again.cookie is None


async def test_residents_get_no_link_and_cannot_use_the_console(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        reply = await c.bot.ask(RESIDENT, "/web")
        assert (
            reply.text
            == "工作台只对工作人员、督办和管理员开放。需要开通权限，请把 /myid 显示的ID发给管理员。"
        )
        browser = await c.signed_in(RESIDENT)  # a link made by hand for someone without a role
        for path in (
            "/",
            "/cases",
            "/cases/FP-1",
            "/dashboard",
            "/admin/roles",
            "/admin/documents",
        ):
            page = await browser.get(path)
            assert page.status == 403 and t.NO_ROLE in page.text, path


async def test_an_expired_link_signs_nobody_in(policy_kb, migrated_url):
    clock = Clock(NOW)
    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        await _staff(c)
        token = (await c.link(STAFF)).rsplit("/", 1)[1]
        clock.advance(timedelta(minutes=10, seconds=1))
        browser = c.browser()
        page = await browser.post("/login/link", {"token": token})
        assert page.status == 403 and t.SIGN_IN_LINK_BAD in page.text and browser.cookie is None
        for bad in ("", "x" * 5000, token[:-1]):
            assert (await browser.post("/login/link", {"token": bad})).status == 403


async def test_the_login_widget_signs_in_only_with_a_fresh_genuine_hash(policy_kb, migrated_url):
    clock = Clock(NOW)
    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        await _staff(c)
        token = c.bot.settings.telegram.bot_token.get_secret_value()
        fields = {
            "id": str(STAFF),
            "first_name": "李",
            "username": "li",
            "auth_date": str(int(clock().timestamp())),
        }

        forged = c.browser()
        page = await forged.get(
            "/login/telegram", **fields, hash=sign(fields, "another bot's token")
        )
        assert page.status == 403 and t.SIGN_IN_WIDGET_BAD in page.text and forged.cookie is None
        someone_else = {**fields, "id": str(ADMIN)}  # fields changed after signing
        page = await forged.get("/login/telegram", **someone_else, hash=sign(fields, token))
        assert page.status == 403 and forged.cookie is None

        stale = {**fields, "auth_date": str(int((clock() - timedelta(hours=2)).timestamp()))}
        page = await forged.get("/login/telegram", **stale, hash=sign(stale, token))
        assert page.status == 403 and forged.cookie is None

        genuine = c.browser()
        page = await genuine.get(
            "/login/telegram", **fields, hash=sign(fields, token), next="/cases"
        )
        assert page.status == 303 and page.location == "/cases" and genuine.cookie
        offsite = c.browser()
        page = await offsite.get(
            "/login/telegram", **fields, hash=sign(fields, token), next="//evil.example/x"
        )
        assert page.status == 303 and page.location == "/"


async def test_sessions_end_when_idle_and_on_sign_out(policy_kb, migrated_url):
    clock = Clock(NOW)
    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        browser = await c.signed_in(ADMIN)
        assert (await browser.get("/dashboard")).status == 200
        clock.advance(timedelta(minutes=29))
        assert (await browser.get("/dashboard")).status == 200  # each request keeps it alive
        clock.advance(timedelta(minutes=31))
        page = await browser.get("/dashboard")
        assert page.status == 303 and page.location.startswith("/login?next=/dashboard")
        login = await browser.get(page.location)
        assert t.SESSION_ENDED in login.text

        browser = await c.signed_in(ADMIN)
        cookie = browser.cookie
        csrf = await browser.csrf("/dashboard")
        out = await browser.post("/logout", {"csrf": csrf})
        assert out.status == 200 and t.SIGNED_OUT in out.text
        thief = c.browser()
        thief.session.cookie_jar.update_cookies({"fupin_console": cookie})
        assert (
            await thief.get("/dashboard")
        ).status == 303  # the session is gone on the server too


async def test_a_revoked_role_is_refused_at_the_next_click(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await c.roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)
        browser = await c.signed_in(SUPERVISOR)
        assert (await browser.get("/dashboard")).status == 200
        await c.roles.revoke(SUPERVISOR, "supervisor", revoked_by=ADMIN)
        page = await browser.get("/dashboard")
        assert page.status == 403 and t.NO_ROLE in page.text

        admin = await c.signed_in(ADMIN)
        await c.roles.grant(4001, "admin", granted_by=ADMIN)
        other = await c.signed_in(4001)
        csrf = await other.csrf("/admin/roles")
        await c.roles.revoke(4001, "admin", revoked_by=ADMIN)
        page = await other.post(
            "/admin/roles/grant", {"csrf": csrf, "user": "5001", "role": "admin"}
        )
        assert page.status == 403
        assert 5001 not in [g.user_id for g in await c.roles.all_active()]
        assert (await admin.get("/admin/roles")).status == 200


async def test_behind_https_the_cookie_is_secure_and_the_login_widget_is_offered(
    policy_kb, migrated_url
):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        plain = await c.browser().get("/login")
        assert "telegram-widget.js" not in plain.text  # no bot username, no https: the link only
        c.console.config = replace(
            c.console.config,
            base_url="https://gongdan.example.gov.cn",
            bot_username="fupin_test_bot",
        )
        page = await c.browser().get("/login", next="/cases?status=all&page=2")
        assert 'data-telegram-login="fupin_test_bot"' in page.text
        assert (
            'data-auth-url="https://gongdan.example.gov.cn/login/telegram?next=%2Fcases%3Fstatus%3Dall%26page%3D2"'
            in page.text
        )
        assert "script-src 'self' https://telegram.org" in page.headers["Content-Security-Policy"]
        token = (await c.link(ADMIN)).rsplit("/", 1)[1]
        signed = await c.browser().post("/login/link", {"token": token})
        assert signed.status == 303 and "Secure" in signed.headers["Set-Cookie"]
