"""Deadlines counted in working days, China time, with holidays and 调休 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from storage.workdays import CHINA_TZ, DeadlinePolicy, WorkCalendar


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


NATIONAL_DAY = WorkCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    makeup_workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
)


def test_a_friday_case_is_due_on_monday() -> None:
    assert WorkCalendar().add_working_days(cst(2026, 11, 20, 10, 30), 1) == cst(
        2026, 11, 23, 10, 30
    )


def test_a_weekend_case_counts_from_monday_morning() -> None:
    assert WorkCalendar().add_working_days(cst(2026, 11, 21, 15, 0), 1) == cst(2026, 11, 24, 0, 0)


def test_holidays_do_not_count_and_makeup_saturdays_do() -> None:
    assert NATIONAL_DAY.add_working_days(cst(2026, 9, 30, 9, 0), 1) == cst(2026, 10, 8, 9, 0)
    assert NATIONAL_DAY.add_working_days(cst(2026, 10, 9, 9, 0), 1) == cst(2026, 10, 10, 9, 0)
    assert NATIONAL_DAY.is_working_day(date(2026, 9, 20)) and not NATIONAL_DAY.is_working_day(
        date(2026, 10, 5)
    )


def test_utc_in_utc_out() -> None:
    start = cst(2026, 11, 20, 10, 0).astimezone(UTC)
    due = WorkCalendar().add_working_days(start, 2)
    assert due.tzinfo is UTC and due == cst(2026, 11, 24, 10, 0)


def test_resolution_time_depends_on_the_category() -> None:
    policy = DeadlinePolicy(resolve_days=15, resolve_days_by_category={"fund_misuse": 5})
    start = cst(2026, 11, 23, 9, 0)  # a Monday
    assert policy.resolve_due(start, "fund_misuse") == start + timedelta(days=7)
    assert policy.resolve_due(start, "housing_renovation") == start + timedelta(days=21)
    assert policy.accept_due(start) == start + timedelta(days=1)


def test_the_shipped_schedule_and_settings_extend_each_other(tmp_path: Path) -> None:
    shipped = WorkCalendar.from_file(holidays=[date(2027, 1, 1)])
    assert shipped.covers(2026) and shipped.covers(2027)
    assert not shipped.is_working_day(date(2026, 10, 1)) and shipped.is_working_day(
        date(2026, 10, 10)
    )
    custom = tmp_path / "holidays.json"
    custom.write_text('{"holidays": ["2026-11-23"]}', encoding="utf-8")
    assert not WorkCalendar.from_file(custom).is_working_day(date(2026, 11, 23))
