"""Sign-in for the web console: one-time links and browser sessions.

Only SHA-256 hashes of the secrets are stored, so a copy of the database lets nobody sign in.
A link is used up by the one UPDATE that redeems it (used_at IS NULL in its WHERE), so two
clicks at once cannot both sign in. A session ends after `idle` without a request and
`max_age` after sign-in; who the person may be is decided elsewhere, on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import WebLoginToken, WebSession, utcnow

# A session's last_seen_at is written at most this often, so reading pages does not queue writers.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A live browser session: whose it is and the token its forms must carry."""

    user_id: int
    csrf_token: str


class WebAccessStore:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    # ----------------------------------------------------------------- one-time links

    async def issue_link(self, user_id: int, valid_for: timedelta) -> str:
        """A new sign-in token for `user_id`, valid for `valid_for` and one use."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        async with self.db.transaction() as session:
            # Used and expired links are of no further use; clear them while here.
            await session.execute(
                delete(WebLoginToken).where(WebLoginToken.expires_at < now - timedelta(days=1))
            )
            session.add(
                WebLoginToken(
                    token_hash=_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + valid_for,
                )
            )
        return token

    async def redeem_link(self, token: str) -> int | None:
        """The user the token signs in, using it up; None when unknown, used or expired."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        async with self.db.transaction() as session:
            result = await session.execute(
                update(WebLoginToken)
                .where(
                    WebLoginToken.token_hash == _digest(token),
                    WebLoginToken.used_at.is_(None),
                    WebLoginToken.expires_at > now,
                )
                .values(used_at=now)
                .returning(WebLoginToken.user_id)
            )
            return result.scalar_one_or_none()

    # ----------------------------------------------------------------- sessions

    async def open_session(self, user_id: int) -> tuple[str, SignedIn]:
        """A new session: the cookie value (kept by the browser only) and what it stands for."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        async with self.db.transaction() as session:
            session.add(
                WebSession(
                    id_hash=_digest(session_id),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return session_id, SignedIn(user_id, csrf)

    async def session(
        self, session_id: str, *, idle: timedelta, max_age: timedelta
    ) -> SignedIn | None:
        """The live session for a cookie value, marked as seen now; None (and gone) when it
        idled out or grew too old."""
        if not session_id or len(session_id) > 200:
            return None
        now = self.clock()
        key = _digest(session_id)
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(
                        WebSession.user_id,
                        WebSession.csrf_token,
                        WebSession.created_at,
                        WebSession.last_seen_at,
                    ).where(WebSession.id_hash == key)
                )
            ).one_or_none()
        if row is None:
            return None
        if now - row.last_seen_at > idle or now - row.created_at > max_age:
            await self.close_session(session_id)
            return None
        if now - row.last_seen_at > TOUCH_EVERY:
            async with self.db.transaction() as session:
                await session.execute(
                    update(WebSession).where(WebSession.id_hash == key).values(last_seen_at=now)
                )
        return SignedIn(row.user_id, row.csrf_token)

    async def close_session(self, session_id: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(WebSession).where(WebSession.id_hash == _digest(session_id))
            )
