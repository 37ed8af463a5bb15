"""Drive the real bot over HTTP through the Bot API stand-in, as residents would.

    async with bot_harness(kb) as h:
        await h.send(1001, "/start")
        welcome = await h.reply(1001)
        await h.press(1001, welcome, "闽清县")
        ...
        h.assert_nothing_rejected()

Each user id is a private chat with the same id. Everything the bot sent is also in
`h.standin.replies`, every API call in `h.standin.calls`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bot.app import Registrar, build_application, polling
from bot.settings import Settings
from bot.terminal import settings_for_standin
from standin import BotAPIStandIn, Reply

# Short long-poll so that shutting down never waits long.
TEST_POLL_TIMEOUT = 1.0


class BotHarness:
    def __init__(self, standin: BotAPIStandIn, application: Any, settings: Settings) -> None:
        self.standin = standin
        self.app = application
        self.settings = settings

    async def send(self, user: int, text: str, *, first_name: str = "居民") -> dict[str, Any]:
        """A resident (private chat `user`) sends `text`."""
        return self.standin.push_text(user, text, first_name=first_name)

    async def reply(self, user: int, timeout: float = 5.0) -> Reply:
        """The next thing the bot showed this resident (a message, an edit or a document)."""
        return await self.standin.pop_reply(user, timeout)

    async def replies(self, user: int, count: int, timeout: float = 5.0) -> list[Reply]:
        return [await self.reply(user, timeout) for _ in range(count)]

    async def ask(self, user: int, text: str, timeout: float = 5.0) -> Reply:
        """Send `text` and return the bot's first reply to it."""
        await self.send(user, text)
        return await self.reply(user, timeout)

    async def press(self, user: int, reply: Reply, label: str) -> str:
        """Press the button whose text contains `label` under `reply`; returns the query id."""
        data = reply.button(label)["callback_data"]
        return self.standin.press_button(user, reply, data)

    async def click(self, user: int, reply: Reply, label: str, timeout: float = 5.0) -> Reply:
        """Press a button and return the bot's next reply."""
        await self.press(user, reply, label)
        return await self.reply(user, timeout)

    async def quiet(self, user: int, within: float = 0.3) -> list[Reply]:
        """Wait `within` seconds and return whatever else the bot sent (expect [] for silence)."""
        await asyncio.sleep(within)
        return self.standin.drain(user)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """How the bot answered a button press (None while unanswered)."""
        return self.standin.callback_answers.get(query_id)

    async def wait_answered(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while (answer := self.callback_answer(query_id)) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"callback query {query_id} was never answered")
            await asyncio.sleep(0.01)
        return answer

    def assert_nothing_rejected(self) -> None:
        """Telegram would have accepted everything the bot sent."""
        rejected = [
            (c.method, c.response.get("description"), c.params) for c in self.standin.rejected()
        ]
        assert not rejected, f"the stand-in refused: {rejected}"


@asynccontextmanager
async def bot_harness(
    kb: Any,
    settings: Settings | None = None,
    *,
    extra_handlers: Iterable[Registrar] = (),
    app_options: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """The stand-in plus the real Application polling it over HTTP; both torn down on exit.

    `overrides` are Settings fields (e.g. flood_max_messages=5); `extra_handlers` and
    `app_options` (e.g. `BotStorage.application_options()`) go to `build_application`.
    """
    async with BotAPIStandIn() as standin:
        configured = settings_for_standin(
            settings or Settings.load(None),
            standin,
            **{"telegram_poll_timeout": TEST_POLL_TIMEOUT, **overrides},
        )
        application = build_application(
            configured, kb, extra_handlers=extra_handlers, **(app_options or {})
        )
        async with polling(application, configured.telegram.poll_timeout):
            yield BotHarness(standin, application, configured)
