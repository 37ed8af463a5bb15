"""The Telegram Login Widget's answer, checked as Telegram's documentation prescribes.

The widget sends the fields it signed (id, first_name, last_name, username, photo_url,
auth_date) and `hash` = hex HMAC-SHA-256 of the fields sorted by name as "key=value" lines,
keyed with SHA-256 of the bot token. A wrong hash or an auth_date older than `max_age`
(a replayed link) signs nobody in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

WIDGET_FIELDS = frozenset({"id", "first_name", "last_name", "username", "photo_url", "auth_date"})


def sign(fields: Mapping[str, str], bot_token: str) -> str:
    """The hash Telegram puts beside `fields` (used by tests to play the widget)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hashlib.sha256(bot_token.encode("utf-8")).digest()
    return hmac.new(secret, check.encode("utf-8"), hashlib.sha256).hexdigest()


def verified_user(
    query: Mapping[str, str], bot_token: str, now: datetime, max_age_seconds: int
) -> int | None:
    """The Telegram user id the widget vouches for, or None."""
    given = query.get("hash", "")
    fields = {key: value for key, value in query.items() if key in WIDGET_FIELDS}
    if not given or "id" not in fields or "auth_date" not in fields:
        return None
    if not hmac.compare_digest(sign(fields, bot_token), given.lower()):
        return None
    try:
        user_id, auth_date = int(fields["id"]), int(fields["auth_date"])
    except ValueError:
        return None
    age = now.timestamp() - auth_date
    if age > max_age_seconds or age < -60:  # a minute of clock skew
        return None
    return user_id
