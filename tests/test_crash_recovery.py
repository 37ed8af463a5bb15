"""Crash test (issue 12): 200 residents file complaints through the Bot API stand-in, 50 at a
time (the next starts as one finishes), while the bot, a real `python -m bot` process, is
killed with SIGKILL three times and restarted.

The kills come at moments counted in the stand-in's requests, not in time: before the n-th
ticket message reaches Telegram (filed, nothing shown), before the n-th request of any kind but
a poll (anywhere in the intake), and after the n-th query-code message was shown but before
the bot heard back (shown, the bot cannot know). The counts come from a seeded generator
(CRASH_TEST_SEED), so a failure names the moments that reproduce it.

Residents behave as people do: each answers whatever the bot last asked, checks the summary
before pressing 确认提交, and when the bot died without answering them does the same thing
again once it is back (sends the text again, presses the button again). What the bot promises
after a crash (SECURITY.md, "Not losing a complaint") is checked as they would notice it:
whoever was shown a ticket has exactly one case with it and its first event; every case
reaches its filer, at once or with their next message, and the last query code shown works;
nothing is filed twice; whoever pressed 确认提交 next sees their ticket or their summary.
Bot start-up (about 7 s of CPU) is most of the run time, hence few restarts."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from bot.persistence import USER_DATA
from handlers import texts
from handlers.complaints import CONVERSATION_NAME, DRAFT_KEY, PENDING_TICKET_KEY
from standin import BotAPIStandIn, Reply
from storage.complaints import ComplaintRepository
from storage.conversations import KeyValueStore, conversation_namespace
from storage.db import Database
from storage.models import Complaint, ComplaintStatus

ROOT = Path(__file__).resolve().parent.parent
RESIDENTS = 200
AT_ONCE = 50  # residents in the middle of an intake at any moment; the next starts as one ends
FIRST_USER = 300_000
SEED = int(os.environ.get("CRASH_TEST_SEED", "12317"))
REPLY_TIMEOUT = 180.0  # only a hang gets near it; the assertions never depend on it
CATEGORY = texts.CATEGORY_BUTTONS["housing_renovation"]
REGION = "闽清县"
PLACE = "坂东镇 湖头村"
NAME = "韩秀兰"
TICKET = re.compile(r"FP\d{8}-\d{6}")
CODE = re.compile(r"查询码：(\d{8})")


def _now() -> str:
    return f"{asyncio.get_running_loop().time() % 1000:.1f}"


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _marker(prompt: str) -> str:
    """A piece of a prompt's visible text that tells it from the others."""
    return _visible(prompt).split("：", 1)[-1][:14]


ASKS_TOWNSHIP = _marker(texts.ASK_TOWNSHIP)
ASKS_DESCRIPTION = _marker(texts.ASK_DESCRIPTION)
ASKS_NAME = _visible(texts.ASK_NAME)[:12]
ASKS_PHONE = _visible(texts.ASK_PHONE)[:12]
FILED_LEAD = _visible(texts.FILED).split("\n")[0]
GO_ON_WITH_COMPLAIN = {texts.CONTINUE_WITH_COMPLAIN, texts.STALE_STEP, texts.COMPLAINT_CANCELLED}


def story(n: int) -> str:
    return (
        f"我家是第{n}号建档立卡贫困户，去年申请了危房改造，房子早就验收了，"
        "补助款到现在一分钱都没发，问村里只说再等等。"
    )


# --------------------------------------------------------------------- the stand-in that kills


@dataclass
class Kill:
    """SIGKILL the bot at the n-th request (counted from arming) that `kind` matches:
    `ticket` before a ticket message reaches the stand-in, `code` after a query-code message
    was shown but before the bot gets the answer, `any` before any request but a poll."""

    kind: str
    n: int
    seen: int = 0
    hit: str = ""  # what the bot was sending when it died

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        message = str(params.get("text", "")) if method.lower() == "sendmessage" else ""
        if self.kind == "ticket":
            return "投诉编号" in message and "已经登记好了" in message
        if self.kind == "code":
            return "查询码：" in message
        return method.lower() != "getupdates"  # polls come as often as the load lets them


PARAMS = web.RequestKey("params", tuple)


class KillingStandIn(BotAPIStandIn):
    """The stand-in, able to kill the bot process at a counted request, and telling which
    updates the bot had taken (acknowledged) when it died."""

    def __init__(self) -> None:
        super().__init__()
        self.pid: int | None = None
        self.kill: Kill | None = None
        self.killed = asyncio.Event()
        self.in_flight = 0
        self.last_update_id = 0
        self.starts: list[float] = []  # when each bot process was started, and first polled
        self.ready: list[float] = []

    def _push_update(self, body: dict[str, Any]) -> None:
        super()._push_update(body)
        self.last_update_id = self._updates[-1]["update_id"]

    def pending_update_ids(self) -> set[int]:
        """Updates Telegram would still deliver: not yet acknowledged by a getUpdates offset."""
        return {update["update_id"] for update in self._updates}

    def _fire(self, method: str, params: dict[str, Any], after: bool) -> bool:
        kill = self.kill
        if kill is None or (kill.kind == "code") != after or not kill.matches(method, params):
            return False
        kill.seen += 1
        if kill.seen < kill.n:
            return False
        kill.hit = f"{method} {str(params.get('text', ''))[:12]!r}"
        self.kill = None
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self.killed.set()
        return True

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read once per request: the kill decision and the method itself both need them."""
        if PARAMS not in request:
            request[PARAMS] = await BotAPIStandIn._read_params(request)
        return request[PARAMS]

    async def _handle_method(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        try:
            method = request.match_info["method"]
            if method.lower() == "getupdates" and len(self.ready) < len(self.starts):
                self.ready.append(asyncio.get_running_loop().time())
            try:
                params, _ = await self._read_params(request)
            except Exception:  # noqa: BLE001 - the stand-in itself answers the bad request below
                params = {}
            if self._fire(method, params, after=False):
                return web.json_response({"ok": False, "error_code": 502}, status=502)
            response = await super()._handle_method(request)
            self._fire(method, params, after=True)
            return response
        finally:
            self.in_flight -= 1


# ------------------------------------------------------------------------------- residents


@dataclass
class Resident:
    n: int
    anonymous: bool
    short_first: bool  # sends a too-short story first and is asked again
    user: int = 0
    tickets: list[str] = field(default_factory=list)  # every ticket the bot showed them
    code: tuple[str, str] | None = None  # (ticket, query code) last shown
    pending_deliveries: int = 0  # tickets that came late, with PENDING_TICKET_LEAD
    unticketed_confirm: bool = False  # pressed 确认提交, no ticket seen since
    lost_after_confirm: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    nudges: int = 0
    wrong_summaries: int = 0  # summaries with an answer taken for another step
    history: list[str] = field(default_factory=list)  # what they saw and did, for a failure
    started: int = 0  # crashes before this resident began
    outside_intake: int = 0  # after a crash, answers outside the intake: its last steps were lost
    after_done: list[str] = field(default_factory=list)  # late answers to repeated steps
    last_action: tuple[str, Any] | None = None
    last_update: int = 0
    awaiting: bool = False  # the bot has not yet answered the last action
    crashes_seen: int = 0
    done: bool = False

    def __post_init__(self) -> None:
        self.user = FIRST_USER + self.n
        self.phone = f"139{self.n:08d}"
        self.story = story(self.n)


class Crowd:
    def __init__(self, standin: KillingStandIn, seed: int) -> None:
        rng = random.Random(seed)
        self.standin = standin
        self.residents = [
            Resident(n, anonymous=n % 2 == 0, short_first=rng.random() < 0.3)
            for n in range(RESIDENTS)
        ]
        self.at_once = asyncio.Semaphore(AT_ONCE)
        self.crash = asyncio.Event()  # set when the bot died; replaced by a fresh one for the next
        self.crashes = 0
        self.taken_when_killed: tuple[int, set[int]] = (
            0,
            set(),
        )  # (last update id, unacknowledged)

    # -- acting ------------------------------------------------------------------------

    def _act(self, r: Resident, action: tuple[str, Any]) -> None:
        kind, what = action
        r.history.append(f"> {what if kind == 'text' else what[1]} [{self.crashes} {_now()}]")
        if kind == "text":
            self.standin.push_text(r.user, what)
        else:
            reply, label = what
            self.standin.press_button(r.user, reply, reply.button(label)["callback_data"])
        r.last_action, r.last_update, r.awaiting = action, self.standin.last_update_id, True

    def _send(self, r: Resident, text_: str) -> None:
        self._act(r, ("text", text_))

    def _press(self, r: Resident, reply: Reply, label: str) -> None:
        self._act(r, ("press", (reply, label)))

    def on_reply(self, r: Resident, reply: Reply) -> None:
        """What a resident does with what the bot showed them."""
        shown, buttons = reply.text, reply.button_texts
        r.history.append(f"< {shown[:24]} [{self.crashes} {_now()}]")
        if FILED_LEAD in shown and (ticket := TICKET.search(shown)):
            r.tickets.append(ticket.group())
            r.unticketed_confirm = False
            r.pending_deliveries += shown.startswith(texts.PENDING_TICKET_LEAD[:10])
            return  # the query code follows
        r.awaiting = False
        if (code := CODE.search(shown)) and (ticket := TICKET.search(shown)):
            r.code = (ticket.group(), code.group(1))
            r.done = True
            return
        if r.unticketed_confirm and texts.BUTTON_CONFIRM not in buttons:
            r.lost_after_confirm.append(shown)  # confirmed, and neither a ticket nor the summary
        if texts.BUTTON_FILE_ANYWAY in buttons:  # "you filed this before": they believe it
            r.duplicates.append(shown)
            r.tickets.extend(TICKET.findall(shown))
            self._press(r, reply, texts.BUTTON_DROP)
            r.done = True
        elif CATEGORY in buttons:
            self._press(r, reply, CATEGORY)
        elif REGION in buttons:
            self._press(r, reply, REGION)
        elif any(b.startswith(texts.BUTTON_KNOWN_PLACE[:2]) for b in buttons):
            self._press(r, reply, texts.BUTTON_KNOWN_PLACE[:2])
        elif texts.BUTTON_ANONYMOUS in buttons:
            self._press(r, reply, texts.BUTTON_ANONYMOUS if r.anonymous else texts.BUTTON_NAMED)
        elif texts.BUTTON_CONFIRM in buttons and not self._as_told(r, shown):
            # After a crash the step kept can be behind the one they saw, and an answer that
            # fits the earlier step is taken for it (a phone as the story, a name as the place):
            # the summary shows it, and they start again.
            if self.crashes == r.started:
                r.unexpected.append(shown[:80])
            r.wrong_summaries += 1
            self._press(r, reply, texts.BUTTON_CANCEL)
        elif texts.BUTTON_CONFIRM in buttons:
            self._press(r, reply, texts.BUTTON_CONFIRM)
            r.unticketed_confirm = True
        elif texts.BUTTON_RETRY in buttons:
            self._press(r, reply, texts.BUTTON_RETRY)
        elif ASKS_TOWNSHIP in shown:
            self._send(r, PLACE)
        elif ASKS_DESCRIPTION in shown:
            self._send(r, "补助没发" if r.short_first else r.story)
            r.short_first = False
        elif ASKS_NAME in shown:
            self._send(r, NAME)
        elif ASKS_PHONE in shown:
            self._send(r, r.phone)
        else:
            if shown in GO_ON_WITH_COMPLAIN:
                pass
            elif self.crashes > r.started and texts.ERROR_RETRY not in shown:
                r.outside_intake += 1  # answered as a question: the intake was lost
            else:
                r.unexpected.append(shown[:80])
            self._send(r, "/complain")

    @staticmethod
    def _as_told(r: Resident, summary: str) -> bool:
        contact = texts.SUMMARY_ANONYMOUS if r.anonymous else f"{NAME}，{r.phone}"
        return all(part in summary for part in (PLACE, r.story, f"联系方式：{contact}"))

    # -- waiting, and noticing the bot died -----------------------------------------------

    async def _next(self, r: Resident) -> Reply | None:
        """The next thing shown to `r`, or None once they have repeated an action the dead bot
        had taken and never answered."""
        outbox = self.standin._outbox[r.user]
        while True:
            if not outbox.empty():
                return outbox.get_nowait()
            if r.crashes_seen < self.crashes:
                r.crashes_seen = self.crashes
                last_id, unacknowledged = self.taken_when_killed
                if r.awaiting and r.last_update <= last_id and r.last_update not in unacknowledged:
                    r.nudges += 1
                    assert r.last_action is not None
                    self._act(r, r.last_action)  # "it did not answer: once more"
                    return None
            get = asyncio.ensure_future(outbox.get())
            crashed = asyncio.ensure_future(self.crash.wait())
            await asyncio.wait(
                {get, crashed}, timeout=REPLY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
            crashed.cancel()
            if get.done():
                return get.result()
            get.cancel()
            if r.crashes_seen == self.crashes:
                raise TimeoutError(
                    f"resident {r.n} heard nothing for {REPLY_TIMEOUT} s after {r.last_action}"
                )

    async def file(self, r: Resident) -> None:
        async with self.at_once:
            r.started = self.crashes
            self._send(r, "/complain")
            while not r.done:
                reply = await self._next(r)
                if reply is not None:
                    self.on_reply(r, reply)

    async def crashed(self) -> None:
        """The bot is dead and every request it made is answered: tell the residents."""
        self.taken_when_killed = (self.standin.last_update_id, self.standin.pending_update_ids())
        self.crashes += 1
        crash, self.crash = self.crash, asyncio.Event()
        crash.set()


# --------------------------------------------------------------------------------- the bot


async def _start_bot(standin: KillingStandIn, url: str, data_dir: Path, log: Path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": standin.token,
        "TELEGRAM_BASE_URL": standin.base_url,
        "TELEGRAM_BASE_FILE_URL": standin.base_file_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "TELEGRAM_OVERALL_RATE": "0",  # Telegram's 30/s would make this a test of patience
        "FLOOD_MAX_MESSAGES": "0",
        "WEB_ENABLED": "false",
        "COUNTER_KEY": "crash-test-counter-key",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": url,
        "LOG_LEVEL": "INFO",
    }
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stderr=stderr
        )
    standin.pid = process.pid
    standin.starts.append(asyncio.get_running_loop().time())
    return process


async def _settle(standin: KillingStandIn) -> None:
    """Until every request the dead bot made has been answered (a long poll ends within 1 s)."""
    deadline = asyncio.get_running_loop().time() + 30
    while standin.in_flight:  # no event to wait on: the count is the state
        assert asyncio.get_running_loop().time() < deadline, "stand-in requests never ended"
        await asyncio.sleep(0.05)


async def _on_disk(url: str, residents: list[Resident]) -> None:
    """Note in each resident's history what the dead bot had stored of their intake."""
    store = KeyValueStore(Database(url))
    try:
        data = await store.get_all(USER_DATA)
        states = await store.get_all(conversation_namespace(CONVERSATION_NAME))
    finally:
        await store.db.dispose()
    for r in residents:
        draft = data.get(str(r.user), {}).get(DRAFT_KEY) or {}
        pending = PENDING_TICKET_KEY in data.get(str(r.user), {})
        state = states.get(json.dumps([r.user, r.user]))
        r.history.append(
            f"! disk: state {state}, draft {sorted(draft)}, pending {pending} [{_now()}]"
        )


async def _cases_on_file(url: str) -> list[Complaint]:
    db = Database(url)
    try:
        async with db.session() as session:
            return list(
                await session.scalars(select(Complaint).options(selectinload(Complaint.events)))
            )
    finally:
        await db.dispose()


async def test_residents_filing_while_the_bot_is_killed_lose_nothing(
    policy_kb, policy_data_dir, migrated_url, tmp_path
):
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rng = random.Random(SEED)
    kills = [
        Kill("ticket", rng.randint(15, 45)),
        Kill("any", rng.randint(150, 450)),
        Kill("code", rng.randint(15, 40)),
    ]
    log = tmp_path / "bot.log"
    async with KillingStandIn() as standin:
        crowd = Crowd(standin, SEED)
        began = asyncio.get_running_loop().time()
        process = await _start_bot(standin, migrated_url, policy_data_dir, log)
        filing = asyncio.gather(*(crowd.file(r) for r in crowd.residents))
        try:
            on_file_at_kill = []
            for kill in kills:
                standin.kill = kill
                killed = asyncio.ensure_future(standin.killed.wait())
                await asyncio.wait({killed, filing}, return_when=asyncio.FIRST_COMPLETED)
                if filing.done():
                    filing.result()  # a resident's failure, if that is what ended it
                assert killed.done(), f"everyone filed before the kill {kill} (seed {SEED})"
                standin.killed.clear()
                assert await process.wait() == -signal.SIGKILL
                await _settle(standin)
                on_file_at_kill.append(len(await _cases_on_file(migrated_url)))
                await _on_disk(migrated_url, crowd.residents)
                await crowd.crashed()
                process = await _start_bot(standin, migrated_url, policy_data_dir, log)
            await filing

            # Everyone writes once more: a ticket still pending reaches them now.
            for r in crowd.residents:
                standin.push_text(r.user, "/status")
            status_header = _visible(texts.STATUS_LIST_HEADER)[:4]
            for r in crowd.residents:
                while True:  # until the answer to /status; a pending ticket comes first
                    reply = await standin.pop_reply(r.user, REPLY_TIMEOUT)
                    if FILED_LEAD in reply.text or CODE.search(reply.text):
                        crowd.on_reply(r, reply)
                    elif reply.text == texts.STATUS_NONE or reply.text.startswith(status_header):
                        break
                    else:
                        r.after_done.append(reply.text[:80])
                assert (
                    reply.text == texts.STATUS_NONE if r.anonymous else r.tickets[-1] in reply.text
                ), (r.n, reply.text)
        finally:
            filing.cancel()
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)  # a clean stop writes the conversations
                assert await asyncio.wait_for(process.wait(), 60) == 0
        ended = asyncio.get_running_loop().time()
        for r in crowd.residents:  # anything shown before it stopped
            for reply in standin.drain(r.user):
                if FILED_LEAD in reply.text or CODE.search(reply.text):
                    crowd.on_reply(r, reply)

    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in logged, logged[logged.index("Traceback") - 300 :][:3000]
    assert NAME not in logged and "139000" not in logged and "建档立卡" not in logged

    cases = await _cases_on_file(migrated_url)
    by_story = Counter(case.description for case in cases)
    residents = crowd.residents
    told = {
        "unexpected replies": {r.n: r.unexpected for r in residents if r.unexpected},
        "after 确认提交, neither a ticket nor the summary": {
            r.n: r.lost_after_confirm for r in residents if r.lost_after_confirm
        },
        "asked whether to file again": {r.n: r.duplicates for r in residents if r.duplicates},
    }
    for what, who in told.items():
        first = residents[next(iter(who))] if who else None
        assert not who, (
            f"{what}: {dict(list(who.items())[:5])} (seed {SEED}, kills {kills}); "
            f"what resident {first and first.n} saw and did: {first and first.history}"
        )
    assert not [s for s, n in by_story.items() if n > 1], "a complaint is on file twice"
    assert len(cases) == RESIDENTS, (len(cases), kills)

    by_description = {case.description: case for case in cases}
    repo = ComplaintRepository(Database(migrated_url))
    try:
        for r in residents:
            case = by_description[r.story]  # everyone's complaint is on file …
            assert set(r.tickets) == {case.ticket}, (r.n, r.tickets, case.ticket)  # … and shown
            assert r.code is not None and r.code[0] == case.ticket
            assert case.events[0].action == ComplaintStatus.SUBMITTED.value
            assert case.resident_id == (None if r.anonymous else r.user)
            assert await repo.lookup(case.ticket, query_code=r.code[1]) is not None, r.n
        async with repo.db.session() as session:
            stored = json.dumps(
                [row.value for row in await session.execute(text("SELECT value FROM kv_store"))],
                ensure_ascii=False,
                default=str,
            )
        assert "pending_ticket" not in stored and "complaint_draft" not in stored
    finally:
        await repo.db.dispose()

    assert not [r.after_done for r in residents if texts.ERROR_RETRY[:8] in str(r.after_done)]
    starts = [
        (round(t - began, 1), round(ready - t, 1))
        for t, ready in zip(standin.starts, standin.ready, strict=True)
    ] + [round(ended - began, 1)]
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(
        getattr(cpu_after, part) - getattr(cpu_before, part) for part in ("ru_utime", "ru_stime")
    )
    nudged = sum(1 for r in residents if r.nudges)
    late = sum(r.pending_deliveries for r in residents)
    lost_steps = sum(1 for r in residents if r.outside_intake)
    wrong = sum(1 for r in residents if r.wrong_summaries)
    print(
        f"\nseed {SEED}: kills {[(k.kind, k.n, k.hit) for k in kills]}, cases on file at each "
        f"kill {on_file_at_kill}; {nudged} residents repeated an unanswered step, "
        f"{late} tickets arrived with a later message, {lost_steps} found their intake "
        f"lost (answered as a question, went on with /complain), {wrong} cancelled a summary with an "
        f"answer taken for an earlier step; bot processes' CPU "
        f"{cpu:.0f} s, (started at, took to poll) {starts}"
    )
