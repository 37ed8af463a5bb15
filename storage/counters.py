"""Counts under keyed, expiring hashes: how often an account filed today, whether it sent the
same text anonymously lately, how many wrong query codes a ticket or an account has had.

Only an HMAC of the parts (account, day, text, ticket) is stored, with the count and when it
is forgotten; without the key the rows say neither who nor what, and the key is not in the
database. Expiry times are rounded to whole days so they do not give away when someone filed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, select

from storage.db import Database, upsert
from storage.models import ExpiringCounter, utcnow


class ExpiringCounters:
    def __init__(self, db: Database, key: bytes, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._key = key
        self.clock = clock

    def _hash(self, parts: tuple[object, ...]) -> str:
        message = "\x1f".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    async def get(self, *parts: object) -> int:
        """The count under `parts`; 0 when there is none or it has expired."""
        async with self.db.session() as session:
            count = await session.scalar(
                select(ExpiringCounter.count).where(
                    ExpiringCounter.key == self._hash(parts),
                    ExpiringCounter.expires_at > self.clock(),
                )
            )
        return count or 0

    async def add(self, *parts: object, expires_at: datetime) -> int:
        """Count one more under `parts` (starting again from 1 if it had expired); the new count."""
        now = self.clock()
        async with self.db.transaction() as session:
            count: int = await upsert(
                session,
                ExpiringCounter,
                {"key": self._hash(parts), "count": 1, "expires_at": expires_at},
                keys=["key"],
                update={
                    "count": case(
                        (ExpiringCounter.expires_at > now, ExpiringCounter.count + 1), else_=1
                    ),
                    "expires_at": expires_at,
                },
                returning=ExpiringCounter.count,
            )
        return count

    async def clear(self, *parts: object) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(ExpiringCounter).where(ExpiringCounter.key == self._hash(parts))
            )

    async def purge(self) -> int:
        """Forget every expired count; how many were forgotten."""
        async with self.db.transaction() as session:
            # A DELETE without RETURNING yields a CursorResult (SQLAlchemy's typing advice).
            result = cast(
                CursorResult[Any],
                await session.execute(
                    delete(ExpiringCounter).where(ExpiringCounter.expires_at <= self.clock())
                ),
            )
        return result.rowcount or 0
