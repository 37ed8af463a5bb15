"""Drive the real bot over HTTP through the Bot API stand-in, as residents and staff would.

`bot_harness` is the one way tests (and the benchmarks) start the bot under test; the knowledge
base, the stand-in, the database, the clock and the roles are its parameters:

    async with bot_harness(kb) as h:                       # questions only, no database
        await h.send(1001, "/start")
        welcome = await h.reply(1001)
        await h.press(1001, welcome, "闽清县")
        ...
        h.assert_nothing_rejected()

    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with bot_harness(kb, storage_url=migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        await h.storage.cases.access.roles.grant(STAFF, "staff", unit="县住建局", ...)

Each user id is a private chat with the same id. Everything the bot sent is also in
`h.standin.replies`, every API call in `h.standin.calls`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import Registrar, build_application, polling
from bot.services import BotStorage, deadline_policy
from bot.settings import Settings
from bot.terminal import settings_for_standin
from knowledge.routing import Router
from standin import BotAPIStandIn, Reply

# Short long-poll so that shutting down never waits long.
TEST_POLL_TIMEOUT = 1.0
# How long a test waits for a reply it expects: a ceiling, not a measure of speed (that lives in
# benchmarks/); a loaded CI machine can take seconds to answer, and a passing test never waits it.
REPLY_TIMEOUT = 20.0


class Clock:
    """A clock that stands still until a test moves it; always timezone-aware UTC."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment.astimezone(UTC)
        return self.now


_ROUTER: Router | None = None


def shared_router() -> Router:
    """The router over the shipped corpus, built once per process (it takes a moment)."""
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = Router.from_corpus()
    return _ROUTER


class BotHarness:
    def __init__(
        self,
        standin: BotAPIStandIn,
        application: Any,
        settings: Settings,
        storage: BotStorage | None = None,
    ) -> None:
        self.standin = standin
        self.app = application
        self.settings = settings
        self._storage = storage

    @property
    def storage(self) -> BotStorage:
        """The bot's database side (complaints, roles, persistence); only with `storage_url`."""
        assert self._storage is not None, "this bot runs without a database (pass storage_url)"
        return self._storage

    async def send(self, user: int, text: str, *, first_name: str = "居民") -> dict[str, Any]:
        """A resident (private chat `user`) sends `text`."""
        return self.standin.push_text(user, text, first_name=first_name)

    async def reply(self, user: int, timeout: float = REPLY_TIMEOUT) -> Reply:
        """The next thing the bot showed this resident (a message, an edit or a document)."""
        return await self.standin.pop_reply(user, timeout)

    async def replies(self, user: int, count: int, timeout: float = REPLY_TIMEOUT) -> list[Reply]:
        return [await self.reply(user, timeout) for _ in range(count)]

    async def ask(self, user: int, text: str, timeout: float = REPLY_TIMEOUT) -> Reply:
        """Send `text` and return the bot's first reply to it."""
        await self.send(user, text)
        return await self.reply(user, timeout)

    async def press(self, user: int, reply: Reply, label: str) -> str:
        """Press the button whose text contains `label` under `reply`; returns the query id."""
        data = reply.button(label)["callback_data"]
        return self.standin.press_button(user, reply, data)

    async def click(
        self, user: int, reply: Reply, label: str, timeout: float = REPLY_TIMEOUT
    ) -> Reply:
        """Press a button and return the bot's next reply."""
        await self.press(user, reply, label)
        return await self.reply(user, timeout)

    async def quiet(self, user: int, within: float = 0.3) -> list[Reply]:
        """Wait `within` seconds and return whatever else the bot sent (expect [] for silence)."""
        await asyncio.sleep(within)
        return self.standin.drain(user)

    def forge_press(self, user: int, data: str) -> str:
        """A tampered client sends callback `data` on the last message in its chat (no such
        button there); returns the query id."""
        return self.standin.forge_press(user, self.standin.last_message_id(user), data)

    async def meet(self, *users: int) -> None:
        """Each user opens the bot once, as everyone the bot writes to first must have."""
        for user in users:
            await self.ask(user, "/help")

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """How the bot answered a button press (None while unanswered)."""
        return self.standin.callback_answers.get(query_id)

    async def wait_answered(self, query_id: str, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
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
    storage_url: str | None = None,
    clock: Clock | None = None,
    router: Router | None = None,
    admin_ids: Sequence[int] | None = None,
    standin: BotAPIStandIn | None = None,
    open_chats: Iterable[int] = (),
    deadline_job: bool = True,
    engine_options: Mapping[str, Any] | None = None,
    extra_handlers: Iterable[Registrar] = (),
    app_options: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """The real Application polling a stand-in over HTTP, as the runner builds it; torn down on exit.

    - `kb`: the knowledge base the bot answers from.
    - `storage_url`: a migrated database; the bot then has persistence, complaints and roles
      (`h.storage`, a BotStorage), routed by `router` (default: the shipped corpus) and timed by
      `clock` (default: the real time). Nothing the bot sent may have been refused, checked on
      exit. Without it the bot answers questions only.
    - `admin_ids`: the configured admins (ADMIN_IDS, default: those of `settings`); grant
      other roles through `h.storage.cases.access.roles`.
    - `standin`: a stand-in not yet started (default: a fresh one); `open_chats` are users who
      opened the bot before it started, so it may write to them first.
    - `deadline_job=False` leaves the deadline check to the test (cases.deadlines.DeadlineCheck).
    - `overrides` are Settings fields (e.g. flood_max_messages=0); `engine_options` go to the
      database engine; `extra_handlers` and `app_options` to `build_application`.
    """
    roles = {} if admin_ids is None else {"admin_ids": list(admin_ids)}
    configured = (settings or Settings.load(None)).replace(**roles, **overrides)
    async with AsyncExitStack() as stack:
        storage = None
        options = dict(app_options or {})
        if storage_url is not None:
            storage = BotStorage.open(
                storage_url,
                router=router or shared_router(),
                admin_ids=configured.telegram.admin_ids,
                deadlines=deadline_policy(configured.deadlines),
                **({"clock": clock} if clock is not None else {}),
                **(engine_options or {}),
            )
            stack.push_async_callback(storage.db.dispose)
            options = {**storage.application_options(), **options}
        live_standin = await stack.enter_async_context(standin or BotAPIStandIn())
        for user in open_chats:
            live_standin.open_chat(user)
        live = settings_for_standin(
            configured,
            live_standin,
            telegram_poll_timeout=overrides.get("telegram_poll_timeout", TEST_POLL_TIMEOUT),
        )
        application = build_application(live, kb, extra_handlers=extra_handlers, **options)
        if not deadline_job:
            for job in application.job_queue.jobs():
                job.schedule_removal()
        harness = BotHarness(live_standin, application, live, storage)
        async with polling(application, live.telegram.poll_timeout):
            yield harness
        if storage is not None:
            harness.assert_nothing_rejected()
