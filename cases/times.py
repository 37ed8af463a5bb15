"""Moments as people in China read them, in every adapter (Telegram, the web console, the
exported spreadsheet), so that one case shows the same time everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.workdays import CHINA_TZ


def china_time(moment: datetime | None, empty: str = "") -> str:
    """A moment in Beijing time ("2026-11-23 09:30"); `empty` when there is none.

    A moment without a timezone is UTC (SQLite gives stored times back without their offset),
    never the server's local time."""
    if moment is None:
        return empty
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
