"""The dashboard chart's weekly counts on both databases: each case falls in the week (Monday to
Sunday, China time) of its filing, resolution and missed deadline, to the second."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.models import Complaint
from storage.report_weeks import Week, WeeklyCounts
from storage.reports import CaseFilter
from storage.workdays import CHINA_TZ

MONDAY = datetime(2026, 11, 23, tzinfo=CHINA_TZ)  # 00:00 in China
NOW = MONDAY + timedelta(days=2, hours=10)
SECOND = timedelta(seconds=1)
LONG_AGO = MONDAY - timedelta(days=30)


def case(n: int, status: str, filed: datetime = LONG_AGO, **moments: Any) -> dict[str, Any]:
    return {
        "ticket": f"FP-{n}",
        "query_code_hash": "x",
        "category": "housing_renovation",
        "region": "闽清县",
        "region_path": "/福建省/福州市/闽清县/",
        "description": "危房改造补助没有发放。",
        "attachments": [],
        "anonymous": True,
        "status": status,
        "accept_due_at": filed + timedelta(days=1),
        "resolve_due_at": moments.get("due", filed + timedelta(days=21)),
        "resolved_at": moments.get("resolved"),
        "created_at": filed,
        "updated_at": filed,
    }


async def test_cases_fall_in_the_week_of_each_moment_in_china_time(db):
    cases = [
        case(1, "accepted", MONDAY - SECOND),  # Sunday 23:59:59: last week
        case(2, "submitted", MONDAY),  # Monday 00:00: this week
        case(3, "accepted", MONDAY - timedelta(days=7)),  # the first Monday shown
        case(4, "accepted", MONDAY - timedelta(days=7) - SECOND),  # before the weeks shown
        case(5, "accepted", due=MONDAY - SECOND),  # missed last week, still open
        case(6, "resolved", due=MONDAY + timedelta(hours=1), resolved=MONDAY + timedelta(hours=2)),
        case(7, "rejected", due=MONDAY + timedelta(hours=1)),  # rejected: never counted overdue
        case(8, "accepted", due=NOW + timedelta(hours=1)),  # not due yet
        case(9, "closed", due=MONDAY + timedelta(hours=1), resolved=MONDAY + timedelta(minutes=30)),
        case(10, "closed", resolved=MONDAY - SECOND),
    ]
    async with db.transaction() as session:
        await session.execute(insert(Complaint), cases)

    weeks = await WeeklyCounts(db).weeks(CaseFilter(), NOW, 2)

    assert weeks == [
        Week(start=(MONDAY - timedelta(days=7)).date(), filed=2, resolved=1, overdue=1),
        Week(start=MONDAY.date(), filed=1, resolved=2, overdue=1),
    ]
    elsewhere = await WeeklyCounts(db).weeks(CaseFilter(scope=("古田县",)), NOW, 2)
    assert [(w.filed, w.resolved, w.overdue) for w in elsewhere] == [(0, 0, 0), (0, 0, 0)]
