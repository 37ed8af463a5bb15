"""One way to write a moment for staff and residents, in Telegram, the console and the CSV."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cases.times import china_time
from storage.workdays import CHINA_TZ


@pytest.fixture
def server_in_new_york(monkeypatch):
    """The server's own timezone far from China's and from UTC, as a misconfigured host has it."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ),
        datetime(2026, 11, 22, 20, 30, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_an_aware_moment_is_written_in_beijing_time(moment, server_in_new_york):
    assert china_time(moment) == "2026-11-23 09:30"


def test_a_moment_without_a_timezone_is_utc_not_the_servers_time(server_in_new_york):
    # SQLite gives stored times back without their offset; they were stored in UTC.
    assert china_time(datetime(2026, 11, 23, 1, 30)) == "2026-11-23 09:30"
    assert china_time(datetime(2026, 12, 31, 20, 0)) == "2027-01-01 04:00"


def test_no_moment_is_written_as_the_given_placeholder():
    assert china_time(None) == ""
    assert china_time(None, "—") == "—"
