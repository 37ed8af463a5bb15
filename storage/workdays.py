"""Working days and the deadlines of a complaint, as hotline practice counts them.

Deadlines are counted in working days in China time: weekends and public holidays do not
count, the weekend days worked in their place (调休) do. A case that arrives on a day off
starts counting at the beginning of the next working day.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

CHINA_TZ = timezone(timedelta(hours=8), "CST")
DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_cn.json"


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    @classmethod
    def from_file(
        cls,
        path: Path = DEFAULT_HOLIDAYS_FILE,
        *,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
    ) -> WorkCalendar:
        """The schedule in `path` (JSON lists of ISO dates) plus any given in settings."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            frozenset(date.fromisoformat(d) for d in data.get("holidays", ()))
            | frozenset(holidays),
            frozenset(date.fromisoformat(d) for d in data.get("makeup_workdays", ()))
            | frozenset(makeup_workdays),
        )

    def covers(self, year: int) -> bool:
        """Whether the holidays of `year` are known (else only weekends are days off)."""
        return any(d.year == year for d in self.holidays)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The moment `days` working days after `start` (UTC-aware in, UTC-aware out)."""
        local = start.astimezone(CHINA_TZ)
        if not self.is_working_day(local.date()):
            day = local.date() + timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
            local = datetime.combine(day, time(0, 0), CHINA_TZ)
        day, remaining = local.date(), days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return datetime.combine(day, local.timetz()).astimezone(start.tzinfo or CHINA_TZ)


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long each step may take, in working days, and when to remind and to ask back."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    accept_days: int = 1  # 受理: accept, or send back a misrouted case
    transfer_days: int = 2  # a misrouted case is sent on within this
    resolve_days: int = 15  # 办结, counted from filing (or from reopening)
    resolve_days_by_category: Mapping[str, int] = field(default_factory=dict)
    accept_reminder: timedelta = timedelta(hours=4)
    resolve_reminder: timedelta = timedelta(days=2)
    feedback_window: timedelta = timedelta(days=5)  # 回访: 不满意 within this reopens the case
    check_every: timedelta = timedelta(minutes=5)  # how often the deadlines are checked

    def accept_due(self, start: datetime) -> datetime:
        return self.calendar.add_working_days(start, self.accept_days)

    def transfer_due(self, start: datetime) -> datetime:
        return self.calendar.add_working_days(start, self.transfer_days)

    def resolve_due(self, start: datetime, category: str) -> datetime:
        days = self.resolve_days_by_category.get(category, self.resolve_days)
        return self.calendar.add_working_days(start, days)
