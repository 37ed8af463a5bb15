"""A namespaced key/value store of JSON values, for conversation state that must survive restarts.

The bot's persistence (bot/persistence.py) keeps user_data, chat_data, bot_data and each
conversation handler's states here, so a half-filled complaint is still there after a restart.
Values are JSON (no pickle: a database row must never be able to run code in the bot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import delete, select

from storage.db import Database, upsert
from storage.models import KeyValue, utcnow

USER_DATA: Final = "user_data"
CHAT_DATA: Final = "chat_data"
BOT_DATA: Final = "bot_data"
CALLBACK_DATA: Final = "callback_data"


def conversation_namespace(name: str) -> str:
    return f"conversations:{name}"


class _Deleted:
    def __repr__(self) -> str:
        return "DELETED"


DELETED: Final = _Deleted()


class KeyValueStore:
    """JSON values under (namespace, key). Writes are committed before the call returns."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, namespace: str, key: str, default: Any = None) -> Any:
        async with self.db.session() as session:
            row = await session.get(KeyValue, (namespace, key))
            return default if row is None else row.value

    async def get_all(self, namespace: str) -> dict[str, Any]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(KeyValue.key, KeyValue.value).where(KeyValue.namespace == namespace)
            )
            return {key: value for key, value in rows}

    async def put(self, namespace: str, key: str, value: Any) -> None:
        await self.write({(namespace, key): value})

    async def delete(self, namespace: str, key: str) -> None:
        await self.write({(namespace, key): DELETED})

    async def write(self, changes: Mapping[tuple[str, str], Any]) -> None:
        """Apply several puts (value) and deletes (DELETED) in one transaction."""
        if not changes:
            return
        now = utcnow()
        async with self.db.transaction() as session:
            for (namespace, key), value in changes.items():
                if value is DELETED:
                    await session.execute(
                        delete(KeyValue).where(KeyValue.namespace == namespace, KeyValue.key == key)
                    )
                else:
                    await upsert(
                        session,
                        KeyValue,
                        {"namespace": namespace, "key": key, "value": value, "updated_at": now},
                        keys=["namespace", "key"],
                        update=["value", "updated_at"],
                    )
