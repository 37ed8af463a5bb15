"""The web console as staff meet it: the real bot (polling the Bot API stand-in) and the console
served on a free loopback port, both on the same migrated database, and a browser-like client.

    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        browser = await c.signed_in(STAFF)
        page = await browser.get("/cases")
        ...
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web as aioweb

from bot.console import build_console
from tests.casework_support import case_bot
from tests.telegram_harness import Clock
from web.app import COOKIE, Console, create_app, serve

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Page:
    """A response as a browser would hold it."""

    def __init__(self, status: int, body: bytes, headers: Any, url: str) -> None:
        self.status, self.body, self.headers, self.url = status, body, headers, url
        self.text = body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)


class Browser:
    """One browser's cookies against the console; never follows redirects, so tests see them."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str, **params: str) -> Page:
        async with self.session.get(
            self.base_url + path, params=params or None, allow_redirects=False
        ) as r:
            return Page(r.status, await r.read(), r.headers, str(r.url))

    async def post(self, path: str, data: Any = None) -> Page:
        async with self.session.post(
            self.base_url + path, data=data or {}, allow_redirects=False
        ) as r:
            return Page(r.status, await r.read(), r.headers, str(r.url))

    async def csrf(self, path: str = "/login") -> str:
        """The CSRF token from a page the person may open."""
        return (await self.get(path)).csrf

    @property
    def cookie(self) -> str | None:
        found = [c for c in self.session.cookie_jar if c.key == COOKIE]
        return found[0].value if found else None

    async def close(self) -> None:
        await self.session.close()


class ConsoleHarness:
    def __init__(self, bot: Any, console: Console, base_url: str) -> None:
        self.bot = bot  # tests.telegram_harness.BotHarness, with .storage
        self.console = console
        self.base_url = base_url
        self.browsers: list[Browser] = []

    @property
    def storage(self) -> Any:
        return self.bot.storage

    @property
    def roles(self) -> Any:
        return self.bot.storage.cases.access.roles

    def browser(self) -> Browser:
        browser = Browser(self.base_url)
        self.browsers.append(browser)
        return browser

    async def link(self, user_id: int) -> str:
        """A fresh one-time sign-in link's path, as /web would send it."""
        token = await self.console.store.issue_link(user_id, self.console.config.link_valid)
        return f"/login/link/{token}"

    async def signed_in(self, user_id: int) -> Browser:
        """A browser signed in as `user_id` through a one-time link."""
        browser = self.browser()
        token = (await self.link(user_id)).rsplit("/", 1)[1]
        page = await browser.post("/login/link", {"token": token})
        assert page.status == 303, page.text
        return browser


@asynccontextmanager
async def console_bot(
    kb: Any, url: str, *, clock: Clock, admin_ids: Sequence[int] = (), **overrides: Any
) -> AsyncIterator[ConsoleHarness]:
    """The bot as in tests.casework_support.case_bot, and the console beside it on a free port
    (WEB_PORT, so that /web links point at it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with case_bot(kb, url, clock=clock, admin_ids=admin_ids, web_port=port, **overrides) as h:
        console = build_console(h.settings, kb, h.storage, bot=h.app.bot)
        runner = await serve(create_app(console), "127.0.0.1", port)
        harness = ConsoleHarness(h, console, h.settings.web.effective_base_url)
        try:
            yield harness
        finally:
            for browser in harness.browsers:
                await browser.close()
            await runner.cleanup()


def app_routes(app: aioweb.Application) -> list[tuple[str, str]]:
    """(method, path) of every page and form of the console, placeholders filled in."""
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and route.method in ("GET", "POST") and not path.startswith("/static"):
            found.append((route.method, path))
    return found
