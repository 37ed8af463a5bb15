"""A chat with the bot in the terminal, for trying it without a Telegram token.

The real bot runs against the Bot API stand-in on loopback; the terminal plays the resident.
Inline buttons are shown as numbered choices (`[1] 查看原文`) and pressed by typing the number.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, TextIO

from bot.app import build_application, polling
from bot.settings import Settings
from standin import BotAPIStandIn, Reply

USER_ID = 10001
NAME = "乡亲"
PROMPT = "您> "
BANNER = (
    "—— 本地聊天（没有设置 TELEGRAM_BOT_TOKEN，机器人连的是本机模拟的 Telegram）——\n"
    "像在手机上一样打字提问；按钮显示为 [1] [2]……，输入数字就是点按钮。\n"
    "输入 /quit 或按 Ctrl-D 退出。\n"
)
# How long to wait for the bot's first reply, and for the silence that ends a burst of replies.
FIRST_REPLY_WAIT = 15.0
QUIET = 0.4


def settings_for_standin(settings: Settings, standin: BotAPIStandIn, **overrides: Any) -> Settings:
    """`settings`, pointed at the stand-in's token and URLs instead of Telegram; `overrides`
    are more settings, named like their environment variables (telegram_poll_timeout=1.0)."""
    values: dict[str, Any] = {
        "telegram_bot_token": standin.token,
        "telegram_base_url": standin.base_url,
        "telegram_base_file_url": standin.base_file_url,
        "webhook_url": None,
        **overrides,
    }
    return settings.replace(**values)


class TerminalChat:
    def __init__(
        self, standin: BotAPIStandIn, stdin: TextIO, stdout: TextIO, user_id: int = USER_ID
    ) -> None:
        self.standin = standin
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id
        self.choices: list[tuple[Reply, str]] = []
        self._arrived = asyncio.Event()

    def _print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def show(self, reply: Reply) -> None:
        if reply.is_edit:
            self._print("（机器人更新了上一条消息）")
        if reply.message.get("document"):
            self._print(f"机器人> [文件] {reply.message['document'].get('file_name', '')}")
        body = reply.text.strip()
        if body:
            self._print("机器人> " + textwrap.indent(body, " " * 8).lstrip())
        if reply.buttons:
            self.choices = []
            for row in reply.buttons:
                cells = []
                for button in row:
                    self.choices.append((reply, button.get("callback_data", "")))
                    cells.append(f"[{len(self.choices)}] {button['text']}")
                self._print("        " + "   ".join(cells))
        self._print()

    async def _printer(self) -> None:
        while True:
            reply = await self.standin.pop_reply(self.user_id, timeout=3600)
            self.show(reply)
            self._arrived.set()

    async def _await_replies(self) -> None:
        """Wait for the bot to answer, then for a short silence, so the next prompt comes last."""
        try:
            await asyncio.wait_for(self._arrived.wait(), FIRST_REPLY_WAIT)
        except TimeoutError:
            self._print("（机器人没有回复）")
            return
        while True:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), QUIET)
            except TimeoutError:
                return

    def _toast(self, query_id: str) -> None:
        answer = self.standin.callback_answers.get(query_id)
        if answer and answer.get("text"):
            self._print(f"（提示：{answer['text']}）\n")

    async def _read_line(self) -> str | None:
        """The next line typed, or None at end of input (Ctrl-D).

        Read in a daemon thread, so Ctrl-C never waits for a line that will not come; at a
        terminal `input` gives line editing.
        """
        loop = asyncio.get_running_loop()
        typed: asyncio.Future[str] = loop.create_future()
        interactive = self.stdin is sys.stdin and sys.stdin.isatty()

        def deliver(line: str) -> None:
            if not typed.done():
                typed.set_result(line)

        def read() -> None:
            try:
                line = input(PROMPT) + "\n" if interactive else self.stdin.readline()
            except EOFError:
                line = ""
            except BaseException:  # noqa: BLE001 - the chat is ending anyway
                line = ""
            loop.call_soon_threadsafe(deliver, line)

        if not interactive:
            self.stdout.write(PROMPT)
            self.stdout.flush()
        threading.Thread(target=read, name="terminal-input", daemon=True).start()
        line = await typed
        return None if line == "" else line.rstrip("\r\n")

    def _send(self, line: str) -> str | None:
        """Push the line as a message or a button press; returns the callback query id for a press."""
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.choices):
            reply, data = self.choices[int(stripped) - 1]
            try:
                return self.standin.press_button(self.user_id, reply, data, first_name=NAME)
            except LookupError:
                self._print("（这个按钮已经没有了，请重新操作）")
                return None
        self.standin.push_text(self.user_id, line, first_name=NAME)
        return None

    async def run(self) -> int:
        if self.stdin is sys.stdin and sys.stdin.isatty():
            import readline  # noqa: F401  (line editing and history for input())
        self._print(BANNER)
        printer = asyncio.create_task(self._printer())
        try:
            self.standin.push_text(self.user_id, "/start", first_name=NAME)
            await self._await_replies()
            while True:
                line = await self._read_line()
                if line is None:
                    self._print()
                    break
                if line.strip() in ("/quit", "/exit"):
                    break
                if not line.strip():  # a Telegram client cannot send an empty message
                    continue
                self._arrived.clear()
                query_id = self._send(line)
                await self._await_replies()
                if query_id:
                    self._toast(query_id)
        finally:
            printer.cancel()
        self._print("再见！")
        return 0


async def chat(
    settings: Settings,
    kb: Any,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    beside: Callable[[Settings, Any, Callable[[str], None]], AbstractAsyncContextManager[Any]]
    | None = None,
    **app_options: Any,
) -> int:
    """Start the stand-in and the real bot, and let the terminal play the resident.

    `app_options` go to `build_application` (persistence, the case service); a database
    behind them is disposed of when the chat ends, in the loop that used it. `beside(settings,
    application, say)` runs alongside the chat (the web console), and may print with `say`.
    """
    out = stdout or sys.stdout

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    async with BotAPIStandIn() as standin:
        live = settings_for_standin(settings, standin, telegram_poll_timeout=10.0)
        application = build_application(live, kb, **app_options)
        try:
            async with (
                polling(application, 10.0),
                beside(live, application, say) if beside else nullcontext(),
            ):
                return await TerminalChat(standin, stdin or sys.stdin, out).run()
        finally:
            cases = app_options.get("cases")
            if cases is not None:
                await cases.repo.db.dispose()
