"""python-telegram-bot persistence on the project's database (PTB has no maintained SQLAlchemy one).

user_data, chat_data, bot_data, callback data and every persistent ConversationHandler's states
are kept as JSON in storage.conversations, so a half-filled complaint survives a restart.
Everything stored in these dicts must therefore be JSON: dicts with string keys, lists, strings,
numbers, booleans, None (a dict's int keys come back as strings).

PTB hands each change over only once. If the database is down at that moment the change is kept
in memory and written with the next successful write or at shutdown, instead of being lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.ptb_compat import CDCData, ConversationDict, ConversationKey
from storage.conversations import (
    BOT_DATA,
    CALLBACK_DATA,
    CHAT_DATA,
    DELETED,
    USER_DATA,
    KeyValueStore,
    conversation_namespace,
)
from storage.db import StorageUnavailable

_LOGGER = logging.getLogger(__name__)
_BOT_KEY = "bot"


def _canonical(value: Any, where: tuple[str, str]) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{where[0]}[{where[1]}] is not JSON-serialisable and cannot be persisted: {exc}"
        ) from exc


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """BasePersistence over a KeyValueStore. One instance per Application.

    `update_interval` is how often (seconds) PTB hands over changes; it is short by default
    so that a crash, not only a clean stop, keeps a draft. Unchanged values are not rewritten.
    refresh_* do nothing: one process owns a bot token, so nothing else changes the data.
    """

    def __init__(
        self,
        store: KeyValueStore,
        store_data: PersistenceInput | None = None,
        update_interval: float = 2,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self.store = store
        self._written: dict[tuple[str, str], str] = {}  # last JSON known to be in the database
        self._pending: dict[tuple[str, str], Any] = {}  # changes not yet written
        self._lock = asyncio.Lock()

    # -- loading ---------------------------------------------------------------------

    async def _load(self, namespace: str) -> dict[str, Any]:
        values = await self.store.get_all(namespace)
        for key, value in values.items():
            self._written[(namespace, key)] = _canonical(value, (namespace, key))
        return values

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._load(USER_DATA)).items()}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._load(CHAT_DATA)).items()}

    async def get_bot_data(self) -> dict[Any, Any]:
        return (await self._load(BOT_DATA)).get(_BOT_KEY, {})

    async def get_callback_data(self) -> CDCData | None:
        stored = (await self._load(CALLBACK_DATA)).get(_BOT_KEY)
        if stored is None:
            return None
        entries, mapping = stored
        return [(uuid, float(ts), data) for uuid, ts, data in entries], dict(mapping)

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load(conversation_namespace(name))
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    # -- saving ----------------------------------------------------------------------

    async def _save(self, namespace: str, key: str, value: Any) -> None:
        where = (namespace, key)
        unchanged = value is not DELETED and self._written.get(where) == _canonical(value, where)
        if unchanged and where not in self._pending:
            return
        self._pending[where] = value
        await self._write_pending()

    async def _write_pending(self) -> None:
        async with self._lock:
            if not self._pending:
                return
            batch = dict(self._pending)
            try:
                await self.store.write(batch)
            except StorageUnavailable:
                _LOGGER.warning(
                    "persistence: database unavailable, %d change(s) kept for retry", len(batch)
                )
                raise
            for where, value in batch.items():
                if self._pending.get(where) is value:
                    del self._pending[where]
                if value is DELETED:
                    self._written.pop(where, None)
                else:
                    self._written[where] = _canonical(value, where)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._save(USER_DATA, str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await self._save(CHAT_DATA, str(chat_id), data)

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        await self._save(BOT_DATA, _BOT_KEY, data)

    async def update_callback_data(self, data: CDCData) -> None:
        entries, mapping = data
        await self._save(
            CALLBACK_DATA, _BOT_KEY, [[list(entries_item) for entries_item in entries], mapping]
        )

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        stored_key = json.dumps(list(key))
        await self._save(
            conversation_namespace(name), stored_key, DELETED if new_state is None else new_state
        )

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(USER_DATA, str(user_id), DELETED)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._save(CHAT_DATA, str(chat_id), DELETED)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def flush(self) -> None:
        """Write whatever an outage held back (called by Application.stop)."""
        try:
            await self._write_pending()
        except StorageUnavailable:
            _LOGGER.error(
                "persistence: database unavailable at shutdown, %d change(s) lost",
                len(self._pending),
            )
