"""Whatever arrives as a command or as callback data, no update reaches the error handler.

Hypothesis generates the input (Unicode digits such as ² ① ٣ ０, separators, markup, long
strings); the real bot handles it through the stand-in. A forged client can send any callback
data, not only the buttons the bot showed, so callback queries are pushed raw.

The bot runs in its own event loop in a background thread for the whole module, so that
hypothesis (synchronous) can drive it example after example.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import texts
from storage.migrate import upgrade
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.telegram_harness import Clock

FUZZER = 6601  # an admin, so admin commands parse their arguments too
SENTINEL = 6602
COMMANDS = [
    "/start",
    "/help",
    "/region",
    "/cancel",
    "/status",
    "/complain",
    "/myid",
    "/grant",
    "/revoke",
    "/roles",
    "/docs",
    "/remove",
    "/stats",
    "/export",
    "/queue",
    "/case",
    "/web",
]
CALLBACK_PREFIXES = [
    "cp:rg:",
    "cp:cat:",
    "cp:edit:",
    "cp:dup:",
    "cp:",
    "rg:",
    "src:",
    "src:0:",
    "rel:",
    "kd:",
    "kd:1:",
    "complain:",
    "cw:q:",
    "cw:open:",
    "cw:tp:",
    "cw:tu:",
    "cw:fb:",
    "cw:",
    "",
]
_TRICKY = "²³¹①⑩٣۴०๓０９0123456789 :-_.,，、/\\()<>&\"'\n\t\u200b\u202e🙂"
ARGUMENT = st.text(
    alphabet=st.sampled_from(_TRICKY) | st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=40,
)


class BackgroundBot:
    """The case bot in an event loop of its own thread; `run` executes a coroutine there."""

    def __init__(self, kb: Any, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.errors: list[BaseException] = []
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self._main(kb, url),), daemon=True
        )
        self.thread.start()
        if not self._ready.wait(120):
            raise RuntimeError("the bot did not start")

    async def _main(self, kb: Any, url: str) -> None:
        self._stop = asyncio.Event()
        clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
        async with case_bot(kb, url, clock=clock, admin_ids=[FUZZER]) as h:

            async def record(_update: object, context: Any) -> None:
                self.errors.append(context.error)

            h.app.add_error_handler(record)
            self.h = h
            self._ready.set()
            await self._stop.wait()

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(60)

    # -- what a (forged) client sends --------------------------------------------------------

    async def settle(self) -> None:
        """Wait until the bot has handled everything sent so far: a sentinel's /myid is answered
        after the fuzz input, and the handlers are given a moment to finish."""
        h = self.h
        await h.send(SENTINEL, "/myid")
        await h.reply(SENTINEL, timeout=15)
        await asyncio.sleep(0.05)
        h.standin.drain(FUZZER)

    async def command(self, text: str) -> None:
        self.h.standin.push_text(FUZZER, text)
        await self.settle()

    async def forged_press(self, data: str, *, in_intake: bool) -> None:
        h = self.h
        if in_intake:  # at the region step, where cp:rg: is parsed
            await h.send(FUZZER, "/cancel")
            await h.reply(FUZZER, timeout=15)
            intro = await h.ask(FUZZER, "/complain", timeout=15)
            await h.click(FUZZER, intro, texts.CATEGORY_BUTTONS["housing_renovation"], timeout=15)
        anchor = await h.ask(FUZZER, "/start", timeout=15)
        h.standin.forge_press(FUZZER, anchor, data)
        await self.settle()


@pytest.fixture(scope="module")
def bot(policy_kb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundBot]:
    url = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'bot.sqlite3'}"
    asyncio.run(upgrade(url))
    background = BackgroundBot(policy_kb, url)
    yield background
    background.close()


FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_a_superscript_digit_in_a_region_button_is_refused_politely(bot):
    bot.run(bot.forged_press("cp:rg:²", in_intake=True))
    assert not bot.errors, bot.errors


@FUZZ
@given(command=st.sampled_from(COMMANDS), argument=ARGUMENT)
def test_no_command_argument_reaches_the_error_handler(bot, command, argument):
    bot.run(bot.command(f"{command} {argument}"))
    assert not bot.errors, (command, argument, bot.errors)


@FUZZ
@given(prefix=st.sampled_from(CALLBACK_PREFIXES), rest=ARGUMENT, in_intake=st.booleans())
def test_no_callback_data_reaches_the_error_handler(bot, prefix, rest, in_intake):
    data = (prefix + rest).encode()[:64].decode(
        errors="ignore"
    ) or "x"  # Telegram allows 1-64 bytes
    bot.run(bot.forged_press(data, in_intake=in_intake))
    assert not bot.errors, (data, bot.errors)
