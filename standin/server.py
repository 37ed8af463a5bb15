"""A Telegram Bot API stand-in on loopback.

No Telegram is reachable from our machines, so the real python-telegram-bot `Application`
talks HTTP to this server instead (``base_url=http://127.0.0.1:PORT/bot``). It answers the
methods the bot uses the way Telegram does — realistic objects, long polling that honours
``offset`` and ``timeout``, and 400 errors for the limits Telegram enforces — and gives tests
(and the terminal chat) a resident's side: push messages, press buttons, pop the bot's replies,
and inject 429/5xx faults.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from standin.telegram_html import EntityParseError, parse_telegram_html_entities, utf16_len

MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_COMMANDS = 100
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "entities",
    "caption_entities",
    "allowed_updates",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "media",
}
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,32})?")


class BadRequest(Exception):
    """Raised inside a method to answer 400 with Telegram's description."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


@dataclass
class Call:
    """One request the bot made, and how the stand-in answered it."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float


@dataclass
class Reply:
    """Something the bot showed a chat: a new message, an edit, or a document."""

    method: str
    chat_id: int
    message_id: int
    text: str
    html: str | None
    buttons: list[list[dict[str, Any]]]
    message: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text contains `label`."""
        for row in self.buttons:
            for button in row:
                if label in button["text"]:
                    return button
        raise LookupError(f"no button {label!r} in {self.button_texts}")

    @property
    def is_edit(self) -> bool:
        return self.method.startswith("edit")


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int
    methods: frozenset[str] | None


class BotAPIStandIn:
    """The Bot API for one bot token, served on 127.0.0.1 at a free port."""

    def __init__(
        self,
        token: str = "123456789:STAND-IN-TOKEN",
        *,
        username: str = "fupin_standin_bot",
        first_name: str = "扶贫政策助手",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._new_updates: asyncio.Condition | None = None
        self._closing = False
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._outbox: dict[int, asyncio.Queue[Reply]] = defaultdict(asyncio.Queue)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes, dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        self._webhook: dict[str, Any] | None = None
        self._polls = 0  # getUpdates requests so far; only the latest may wait
        self._poll_waiting = asyncio.Event()  # a getUpdates request is waiting for updates now
        self._webhook_task: asyncio.Task[None] | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self.commands: list[dict[str, str]] = []
        self.calls: list[Call] = []
        self.replies: list[Reply] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.pending_callbacks: dict[str, int] = {}
        self.port = port

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> BotAPIStandIn:
        self._new_updates = asyncio.Condition()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        # The bound port (for port 0) is only on TCPSite's private server, set once started.
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True
        await self._stop_webhook()
        if self._new_updates is not None:
            async with self._new_updates:
                self._new_updates.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # --------------------------------------------------------- resident's side

    def push_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "居民",
        chat_id: int | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """A resident sends `text` to the bot; returns the message as Telegram would deliver it."""
        if not text:
            raise ValueError("a Telegram client cannot send an empty message")
        message = self._new_user_message(user_id, first_name, chat_id, username)
        message["text"] = text
        command = _COMMAND_RE.match(text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        self._push_update({"message": message})
        return message

    def push_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str = "居民",
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a file; the bot can fetch it with getFile and the file URL."""
        message = self._new_user_message(user_id, first_name, chat_id, None)
        message["document"] = self._store_file(file_name, content, mime_type)
        if caption is not None:
            message["caption"] = caption
        self._push_update({"message": message})
        return message

    def push_photo(
        self,
        user_id: int,
        content: bytes = b"\xff\xd8\xff\xe0",
        *,
        caption: str | None = None,
        first_name: str = "居民",
    ) -> dict[str, Any]:
        """A user sends a photo (one size, 640x480); the bot can fetch it with getFile."""
        message = self._new_user_message(user_id, first_name, None, None)
        meta = self._store_file("photo.jpg", content, "image/jpeg")
        message["photo"] = [
            {
                "file_id": meta["file_id"],
                "file_unique_id": meta["file_unique_id"],
                "width": 640,
                "height": 480,
                "file_size": len(content),
            }
        ]
        if caption is not None:
            message["caption"] = caption
        self._push_update({"message": message})
        return message

    def press_button(
        self,
        user_id: int,
        message: Reply | dict[str, Any] | int,
        callback_data: str,
        *,
        first_name: str = "居民",
        chat_id: int | None = None,
    ) -> str:
        """A resident presses an inline button under one of the bot's messages; returns the query id.

        Only buttons the message currently shows can be pressed, as in a real client.
        """
        chat = chat_id if chat_id is not None else user_id
        stored = self._stored(chat, message)
        shown = [
            b.get("callback_data")
            for row in stored.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
        ]
        if callback_data not in shown:
            raise LookupError(
                f"message {stored['message_id']} shows no button with data "
                f"{callback_data!r}: {shown}"
            )
        return self._push_callback(user_id, chat, stored, callback_data, first_name)

    def push_edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The sender edits `message` (as returned by push_text) to `text`; Telegram sends the
        bot an edited_message update with the same message id."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        command = _COMMAND_RE.match(text)
        edited.pop("entities", None)
        if command:
            edited["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        self._push_update({"edited_message": edited})
        return edited

    def open_chat(self, user_id: int, first_name: str = "用户") -> None:
        """The user opened the bot some time ago (Telegram remembers it across the bot's restarts),
        so the bot may write to them first."""
        self._chat(user_id, self._user(user_id, first_name, None))

    def last_message_id(self, chat_id: int) -> int:
        """The id of the newest message in the chat, the bot's or the user's."""
        return max(message_id for (chat, message_id) in self._messages if chat == chat_id)

    def forge_press(
        self,
        user_id: int,
        message: Reply | dict[str, Any] | int,
        callback_data: str,
        *,
        first_name: str = "居民",
        chat_id: int | None = None,
    ) -> str:
        """A modified client sends any callback data (1-64 bytes) under one of the bot's messages,
        as Telegram lets it; returns the query id."""
        if not 1 <= len(callback_data.encode()) <= 64:
            raise ValueError("Telegram carries 1-64 bytes of callback data")
        chat = chat_id if chat_id is not None else user_id
        return self._push_callback(
            user_id, chat, self._stored(chat, message), callback_data, first_name
        )

    def _stored(self, chat: int, message: Reply | dict[str, Any] | int) -> dict[str, Any]:
        """The message as the chat now shows it, by its id or as a test holds it."""
        message_id = (
            message
            if isinstance(message, int)
            else (message.message_id if isinstance(message, Reply) else message["message_id"])
        )
        stored = self._messages.get((chat, message_id))
        if stored is None:
            raise LookupError(f"chat {chat} has no message {message_id}")
        return stored

    def _push_callback(
        self, user_id: int, chat: int, stored: dict[str, Any], callback_data: str, first_name: str
    ) -> str:
        query_id = str(next(self._callback_ids))
        self.pending_callbacks[query_id] = chat
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name, None),
                    "message": json.loads(json.dumps(stored)),
                    "chat_instance": f"ci{chat}",
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def poll_waiting(self, timeout: float = 5.0) -> None:
        """Return once a getUpdates long poll is at the server, waiting for updates."""
        await asyncio.wait_for(self._poll_waiting.wait(), timeout)

    async def pop_reply(self, chat_id: int, timeout: float = 5.0) -> Reply:
        """Wait for the next message, edit or document the bot shows `chat_id`."""
        try:
            return await asyncio.wait_for(self._outbox[chat_id].get(), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot sent chat {chat_id} nothing within {timeout} s") from None

    def drain(self, chat_id: int) -> list[Reply]:
        """Everything already shown to `chat_id` and not yet popped."""
        queue = self._outbox[chat_id]
        items = []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: int = 1,
        methods: set[str] | None = None,
    ) -> None:
        """The next `count` calls (of `methods`, if given) fail with `status` (429 or 5xx)."""
        self._faults.append(
            _Fault(status, count, retry_after, frozenset(methods) if methods else None)
        )

    def rejected(self) -> list[Call]:
        """Calls answered 400 — what Telegram would have refused."""
        return [c for c in self.calls if c.status == 400]

    def accept_refusals(self, chat_id: int) -> list[Call]:
        """Takes the refused calls to `chat_id` out of `rejected()` and returns them, for a test
        whose point is that Telegram refuses them (e.g. writing to a chat never opened)."""
        refused = [c for c in self.rejected() if str(c.params.get("chat_id")) == str(chat_id)]
        taken = {id(c) for c in refused}
        self.calls = [c for c in self.calls if id(c) not in taken]
        return refused

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id][1]

    # ---------------------------------------------------------------- internals

    def _user(self, user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": "zh-hans",
            }
            if username:
                user["username"] = username
            self._users[user_id] = user
        return user

    def _chat(self, chat_id: int, user: dict[str, Any]) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id == user["id"]:
                chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            else:
                chat = {"id": chat_id, "type": "group", "title": f"群组{chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _new_user_message(
        self, user_id: int, first_name: str, chat_id: int | None, username: str | None
    ) -> dict[str, Any]:
        user = self._user(user_id, first_name, username)
        chat = self._chat(chat_id if chat_id is not None else user_id, user)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _push_update(self, body: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **body})
        if self._new_updates is not None:
            asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        assert self._new_updates is not None
        async with self._new_updates:
            self._new_updates.notify_all()

    def _store_file(self, file_name: str, content: bytes, mime_type: str) -> dict[str, Any]:
        n = next(self._file_ids)
        file_id = f"BQACAgIAAx{n:06d}"
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        meta = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{n:06d}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        self._files[file_id] = (f"documents/file_{n}.{suffix}", content, meta)
        return meta

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and (fault.methods is None or method in fault.methods):
                fault.remaining -= 1
                return fault
        return None

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for file_path, content, _ in self._files.values():
            if file_path == path:
                return web.Response(body=content)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except BadRequest as err:
            return self._record(
                method,
                {},
                err.code,
                {"ok": False, "error_code": err.code, "description": err.description},
            )
        if request.match_info["token"] != self.token:
            return self._record(
                method, params, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return self._record(
                method, params, 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            )
        fault = self._take_fault(method)
        if fault is not None:
            if fault.status == 429:
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {fault.retry_after}",
                    "parameters": {"retry_after": fault.retry_after},
                }
            else:
                body = {
                    "ok": False,
                    "error_code": fault.status,
                    "description": "Internal Server Error",
                }
            return self._record(method, params, fault.status, body)
        try:
            result = await handler(params, files)
        except BadRequest as err:
            return self._record(
                method,
                params,
                err.code,
                {"ok": False, "error_code": err.code, "description": err.description},
            )
        return self._record(method, params, 200, {"ok": True, "result": result})

    def _record(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]
    ) -> web.Response:
        self.calls.append(Call(method, params, status, body, time.monotonic()))
        return web.json_response(
            body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, Any] = {}
        if request.content_type == "application/json":
            raw = await request.read()
            if raw:
                params.update(json.loads(raw))
            return params, files
        if request.method == "POST" and request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
        # Form fields carry JSON for structured values, as PTB sends them (text stays text,
        # even when a resident's words happen to look like JSON).
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    raise BadRequest(f"Bad Request: can't parse {key} JSON object") from None
        return params, files

    # ---------------------------------------------------------------- validation

    @staticmethod
    def _render(
        text: Any, parse_mode: Any, *, limit: int, what: str = "message text"
    ) -> tuple[str, list[dict[str, Any]]]:
        """The visible text and entities Telegram would make of `text`, or the 400 it would answer."""
        if not isinstance(text, str):
            raise BadRequest(f"Bad Request: {what} is empty")
        visible: str = text
        entities: list[dict[str, Any]] = []
        if parse_mode:
            if str(parse_mode).upper() == "HTML":
                try:
                    visible, entities = parse_telegram_html_entities(text)
                except EntityParseError as err:
                    raise BadRequest(f"Bad Request: can't parse entities: {err}") from None
            elif str(parse_mode) not in ("Markdown", "MarkdownV2"):
                raise BadRequest("Bad Request: unsupported parse_mode")
        if not visible.strip():
            raise BadRequest(f"Bad Request: {what} is empty")
        if utf16_len(visible) > limit:
            raise BadRequest("Bad Request: message is too long")
        return visible, entities

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise BadRequest(
                        "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
                kinds = {
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "switch_inline_query_current_chat",
                    "web_app",
                    "login_url",
                    "pay",
                    "callback_game",
                    "copy_text",
                } & button.keys()
                if len(kinds) != 1:
                    raise BadRequest(
                        "Bad Request: can't parse inline keyboard button: exactly one of the "
                        "optional fields must be used"
                    )
        return markup

    def _chat_for(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            raise BadRequest("Bad Request: chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise BadRequest("Bad Request: chat not found")
        return chat

    def _emit(self, method: str, message: dict[str, Any], html: str | None) -> None:
        markup = message.get("reply_markup") or {}
        reply = Reply(
            method,
            message["chat"]["id"],
            message["message_id"],
            message.get("text", message.get("caption", "")),
            html,
            markup.get("inline_keyboard", []),
            message,
        )
        self.replies.append(reply)
        self._outbox[reply.chat_id].put_nowait(reply)

    # ------------------------------------------------------------------- methods

    async def _m_getme(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _m_logout(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        return True

    async def _m_close(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        return True

    async def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        await self._stop_webhook()
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def _m_setwebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            await self._stop_webhook()
            return True
        if not url.startswith(("http://", "https://")):
            raise BadRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        await self._stop_webhook()
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        self._webhook = {"url": url, "secret_token": params.get("secret_token")}
        self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        return True

    async def _m_getwebhookinfo(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _stop_webhook(self) -> None:
        self._webhook = None
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _deliver_webhook(self) -> None:
        """POST each update to the webhook in order, as Telegram does, retrying until it gets 200."""
        import aiohttp

        assert self._webhook is not None and self._new_updates is not None
        headers = {"Content-Type": "application/json"}
        if self._webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(self._webhook["secret_token"])
        async with aiohttp.ClientSession() as session:
            while True:
                async with self._new_updates:
                    await self._new_updates.wait_for(lambda: bool(self._updates) or self._closing)
                if self._closing:
                    return
                update = self._updates[0]
                try:
                    async with session.post(
                        self._webhook["url"],
                        data=json.dumps(update, ensure_ascii=False),
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                self.webhook_deliveries.append((update["update_id"], status))
                if status == 200:
                    self._updates.pop(0)
                else:
                    await asyncio.sleep(0.2)

    async def _m_setmycommands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise BadRequest("Bad Request: commands must be a non-empty list")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise BadRequest("Bad Request: command description must be 1-256 characters")
        self.commands = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getmycommands(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> list[dict[str, str]]:
        return self.commands

    async def _m_deletemycommands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.commands = []
        return True

    async def _m_getupdates(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> list[dict[str, Any]]:
        assert self._new_updates is not None
        if self._webhook is not None:
            raise BadRequest(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                code=409,
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Telegram forgets every update below the offset once it is asked for it.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        self._polls += 1
        poll = self._polls
        async with self._new_updates:
            self._new_updates.notify_all()  # a poll already waiting is now terminated
            while not self._closing:
                if poll != self._polls:
                    raise BadRequest(
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                        code=409,
                    )
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    self._poll_waiting.clear()
                    return ready
                self._poll_waiting.set()
                try:
                    await asyncio.wait_for(self._new_updates.wait(), remaining)
                except TimeoutError:
                    pass
        return []

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for(params)
        html = params.get("text")
        visible, entities = self._render(html, params.get("parse_mode"), limit=MAX_TEXT_UTF16)
        markup = self._check_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": visible,
        }
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        self._emit("sendMessage", message, html if params.get("parse_mode") else None)
        return message

    def _message_to_edit(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for(params)
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise BadRequest("Bad Request: message can't be edited")
        return message

    async def _m_editmessagetext(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        message = self._message_to_edit(params)
        html = params.get("text")
        visible, entities = self._render(html, params.get("parse_mode"), limit=MAX_TEXT_UTF16)
        markup = self._check_markup(params.get("reply_markup"))
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if (
            visible == message.get("text")
            and entities == message.get("entities", [])
            and new_markup == message.get("reply_markup")
        ):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = visible
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("reply_markup", None)
        if new_markup:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        self._emit("editMessageText", message, html if params.get("parse_mode") else None)
        return message

    async def _m_editmessagereplymarkup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        message = self._message_to_edit(params)
        markup = self._check_markup(params.get("reply_markup"))
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if new_markup == message.get("reply_markup"):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        message.pop("reply_markup", None)
        if new_markup:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        self._emit("editMessageReplyMarkup", message, None)
        return message

    async def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.pending_callbacks:
            raise BadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_CHARS:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        del self.pending_callbacks[query_id]
        self.callback_answers[query_id] = dict(params)
        return True

    async def _m_senddocument(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        chat = self._chat_for(params)
        if "document" in files:
            name, content, mime = files["document"]
            document = self._store_file(
                name or "document", content, mime or "application/octet-stream"
            )
        elif isinstance(params.get("document"), str) and params["document"] in self._files:
            document = self._files[params["document"]][2]
        else:
            raise BadRequest("Bad Request: there is no document in the request")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "document": document,
        }
        html = params.get("caption")
        if html:
            message["caption"], entities = self._render(
                html, params.get("parse_mode"), limit=MAX_CAPTION_UTF16, what="message caption"
            )
            if entities:
                message["caption_entities"] = entities
        markup = self._check_markup(params.get("reply_markup"))
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        self._emit("sendDocument", message, html if params.get("parse_mode") else None)
        return message

    async def _m_getfile(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        entry = self._files.get(str(params.get("file_id", "")))
        if entry is None:
            raise BadRequest("Bad Request: invalid file_id")
        file_path, content, meta = entry
        return {
            "file_id": meta["file_id"],
            "file_unique_id": meta["file_unique_id"],
            "file_size": len(content),
            "file_path": file_path,
        }

    async def _m_sendchataction(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self._chat_for(params)
        return True

    async def _m_deletemessage(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        chat = self._chat_for(params)
        if self._messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
            raise BadRequest("Bad Request: message to delete not found")
        return True
