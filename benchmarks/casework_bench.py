"""How the staff-side reads perform at county scale: the case queue, the deadline check, /stats, /export.

    .venv/bin/python benchmarks/casework_bench.py                     # SQLite (temp file) only
    scripts/with-postgres.sh .venv/bin/python benchmarks/casework_bench.py   # SQLite and PostgreSQL
    .venv/bin/python benchmarks/casework_bench.py --cases 100000 --url sqlite+aiosqlite:////tmp/x.sqlite3

Each database is migrated from scratch (`storage.migrate.upgrade`) and seeded with `--cases`
complaints by bulk inserts into the real tables: 5 counties in two provinces, 3 units each, the
16 categories of knowledge/data/complaint_categories.json, filed over the past year, with the
events a case of that status has (submitted, accepted by staff, transferred, reply, resolved,
回访 FEEDBACK ratings, closed, some rejected / duplicate / reopened), and REMIND / ESCALATE events:
about half of the overdue open cases were already escalated for their current deadline, and a
share of the closed ones were reminded or escalated in their time. The clock is set so that
hundreds of cases are overdue, near a deadline or past their 回访 window.

Then, each timed `--runs` times after a warm-up (median and p95 in milliseconds):
- `CaseworkQueries.queue`: a unit's queue (staff) and a county's and a city's queue
  (supervisor), first page and last page (5 cases a page, as the bot shows them);
- `DeadlineQueries`: reminders_due, overdue and feedback_expired with the bot's defaults
  (4 h / 48 h reminder windows, 5-day 回访 window, at most 200 cases per kind);
- `CaseReports.statistics` for an admin (every case) and a supervisor of one county;
- /export of every case: `ReportHandlers._write_csv` (the handler's own CSV writer, masking
  included) over `CaseReports.case_rows`, into the same spooled temporary file; time, file size
  and the peak RSS above the level before the export (sampled every 5 ms with psutil); and once
  the storage side alone (iterating `case_rows`), to split database time from CSV and masking.

Prints one JSON object. Nothing is asserted: the numbers are for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.reports import SPOOLED_IN_MEMORY, ReportHandlers  # noqa: E402
from storage.casework import CaseworkQueries, Scope  # noqa: E402
from storage.complaints import ESCALATE, FEEDBACK, REMIND, REPLY  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.deadlines import ACCEPT, RESOLVE, DeadlineQueries, overdue_reason  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Complaint, ComplaintEvent, ComplaintUnit, RoleGrant, Unit  # noqa: E402
from storage.reports import CaseFilter, CaseReports  # noqa: E402

# The moment every query is asked at: a Friday morning in China.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
COUNTIES = [  # (county, parents nearest first)
    ("闽清县", ("福州市", "福建省")),
    ("永泰县", ("福州市", "福建省")),
    ("光泽县", ("南平市", "福建省")),
    ("浏阳市", ("长沙市", "湖南省")),
    ("花垣县", ("湘西土家族苗族自治州", "湖南省")),
]
UNIT_KINDS = ["民政局", "扶贫办", "教育局"]
CATEGORIES = list(
    json.loads((ROOT / "knowledge/data/complaint_categories.json").read_text("utf-8"))["categories"]
)
RATINGS = ["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["unsatisfied"]
ACCEPT_AFTER, RESOLVE_AFTER = timedelta(days=1), timedelta(days=21)  # ≈ 1 and 15 working days
REMINDERS = {ACCEPT: timedelta(hours=4), RESOLVE: timedelta(hours=48)}
FEEDBACK_WINDOW = timedelta(days=5)
BATCH = 5000


# ----------------------------------------------------------------------------- seeding


class Seed:
    """Rows for the bulk inserts, built in memory: complaints, their units and their events."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.rng = rng
        self.units: list[dict[str, Any]] = []
        self.unit_ids: dict[str, list[int]] = {}
        for county, _ in COUNTIES:
            for kind in UNIT_KINDS:
                unit_id = len(self.units) + 1
                self.units.append({"id": unit_id, "name": f"{county}{kind}", "region": county})
                self.unit_ids.setdefault(county, []).append(unit_id)
        self.complaints: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        for i in range(1, n + 1):
            self._case(i)

    def _event(
        self,
        complaint_id: int,
        at: datetime,
        action: str,
        actor: str = "staff",
        *,
        from_status: str | None = None,
        to_status: str | None = None,
        **payload: Any,
    ) -> None:
        self.events.append(
            {
                "id": len(self.events) + 1,
                "complaint_id": complaint_id,
                "actor_kind": actor,
                "actor_id": None if actor == "system" else 900_000 + complaint_id % 50,
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "payload": payload,
                "created_at": at,
            }
        )

    def _move(
        self, cid: int, at: datetime, old: str, new: str, actor: str = "staff", **payload: Any
    ) -> str:
        self._event(cid, at, new, actor, from_status=old, to_status=new, **payload)
        return new

    def _escalate(self, cid: int, due: datetime, deadline: str) -> None:
        """What the deadline job writes five minutes after a missed deadline."""
        self._event(
            cid,
            due + timedelta(minutes=5),
            ESCALATE,
            "system",
            reason=overdue_reason(deadline),
            due=due.isoformat(),
            notified=1,
        )

    def _case(self, cid: int) -> None:
        rng = self.rng
        county, parents = rng.choice(COUNTIES)
        fate = rng.choices(
            ["open", "resolved", "closed", "rejected", "duplicate"], [10, 4, 78, 5, 3]
        )[0]
        # Open cases are recent (some past their deadlines); resolved ones wait for 回访.
        age = timedelta(days=rng.uniform(0, 40) if fate == "open" else rng.uniform(8, 365))
        if fate == "resolved":
            age = timedelta(days=rng.uniform(12, 40))
        created = NOW - age
        accept_due, resolve_due = created + ACCEPT_AFTER, created + RESOLVE_AFTER
        anonymous = rng.random() < 0.2
        units = rng.sample(self.unit_ids[county], rng.choice([1, 1, 1, 2]))
        self._event(
            cid,
            created,
            "submitted",
            "resident",
            to_status="submitted",
            units=[],
            channel="telegram",
        )
        status, resolved_at = "submitted", None
        t = created + timedelta(hours=rng.uniform(1, 20))
        if fate == "open":
            status = rng.choices(
                ["submitted", "transferred", "accepted", "in_progress", "reopened"],
                [25, 10, 35, 25, 5],
            )[0]
            status, accept_due, resolve_due = self._open(
                cid, status, created, accept_due, resolve_due, units
            )
        elif fate in ("rejected", "duplicate"):
            status = self._move(cid, t, "submitted", fate, reason="不属于扶贫事项")
        else:
            status = self._move(cid, t, "submitted", "accepted")
            if rng.random() < 0.1:
                self._event(
                    cid,
                    t + timedelta(days=2),
                    REMIND,
                    "system",
                    deadline=RESOLVE,
                    due=resolve_due.isoformat(),
                    notified=1,
                )
            late = rng.random() < 0.08
            done = min(
                NOW - timedelta(days=6),
                t + timedelta(days=rng.uniform(23, 30) if late else rng.uniform(2, 19)),
            )
            if late:
                self._escalate(cid, resolve_due, RESOLVE)
            self._event(cid, done - timedelta(hours=3), REPLY, public="已核实，正在办理。")
            status = self._move(cid, done, status, "resolved", public="已按政策补发。")
            resolved_at = done
            if fate == "resolved":
                resolved_at = NOW - timedelta(days=rng.uniform(0, 10))
                self.events[-1]["created_at"] = resolved_at
            else:
                if rng.random() < 0.7:
                    self._event(
                        cid,
                        done + timedelta(days=1),
                        FEEDBACK,
                        "resident",
                        rating=rng.choice(RATINGS),
                    )
                status = self._move(cid, done + timedelta(days=5), status, "closed", "system")
        self.complaints.append(
            {
                "id": cid,
                "ticket": f"FP{created:%Y%m%d}-{cid:06d}",
                "query_code_hash": "pbkdf2_sha256$1$00$00",
                "category": rng.choice(CATEGORIES),
                "region": county,
                "region_path": "/" + "/".join([*reversed(parents), county]) + "/",
                "township": f"第{cid % 12}镇",
                "village": f"第{cid % 30}村",
                "description": f"第{cid}户反映：符合条件的低保申请一直没有评上，村里也没有张榜公示，电话13800138{cid % 1000:03d}。",
                "attachments": [],
                "anonymous": anonymous,
                "resident_id": None,
                "contact_name": None,
                "contact_phone": None,
                "status": status,
                "accept_due_at": accept_due,
                "resolve_due_at": resolve_due,
                "resolved_at": resolved_at,
                "created_at": created,
                "updated_at": created,
            }
        )
        self.assignments += [
            {"complaint_id": cid, "unit_id": u, "position": p, "assigned_at": created}
            for p, u in enumerate(units)
        ]

    def _open(
        self,
        cid: int,
        status: str,
        created: datetime,
        accept_due: datetime,
        resolve_due: datetime,
        units: list[int],
    ) -> tuple[str, datetime, datetime]:
        """Events of a case still open; about half of the missed deadlines were escalated already."""
        rng = self.rng
        escalated = rng.random() < 0.5
        if status in ("submitted", "transferred"):
            if status == "transferred":
                at = created + timedelta(hours=2)
                self._move(cid, at, "submitted", "transferred", units=units)
                accept_due = at + timedelta(days=2)
            if accept_due <= NOW and escalated:
                self._escalate(cid, accept_due, ACCEPT)
            return status, accept_due, resolve_due
        at = min(NOW, created + timedelta(hours=rng.uniform(1, 20)))
        current = self._move(cid, at, "submitted", "accepted")
        if status in ("in_progress", "reopened"):
            current = self._move(cid, min(NOW, at + timedelta(days=1)), current, "in_progress")
        if status == "reopened":
            current = self._move(cid, min(NOW, at + timedelta(days=3)), current, "resolved")
            reopened = min(NOW, at + timedelta(days=4))
            current = self._move(
                cid, reopened, current, "reopened", "resident", reason="unsatisfied"
            )
            resolve_due = reopened + timedelta(days=14)
        if resolve_due <= NOW and escalated:
            self._escalate(cid, resolve_due, RESOLVE)
        return current, accept_due, resolve_due


async def seed(db: Database, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    rows = Seed(n, random.Random(20261122))
    built = time.perf_counter() - started
    grants = [
        {
            "id": i + 1,
            "user_id": 800_000 + i,
            "role": "staff",
            "unit_id": u["id"],
            "region": None,
            "granted_by": 1,
            "granted_at": NOW - timedelta(days=400),
        }
        for i, u in enumerate(rows.units)
    ]
    grants.append(
        {
            "id": len(grants) + 1,
            "user_id": 700_000,
            "role": "supervisor",
            "unit_id": None,
            "region": COUNTIES[0][0],
            "granted_by": 1,
            "granted_at": NOW - timedelta(days=400),
        }
    )
    async with db.transaction() as session:
        for table, data in (
            (Unit, rows.units),
            (RoleGrant, grants),
            (Complaint, rows.complaints),
            (ComplaintUnit, rows.assignments),
            (ComplaintEvent, rows.events),
        ):
            for start in range(0, len(data), BATCH):
                await session.execute(insert(table), data[start : start + BATCH])
    async with (
        db.engine.connect() as connection
    ):  # fresh planner statistics, as autovacuum would have
        await connection.exec_driver_sql("ANALYZE")
        await connection.commit()
    return {
        "complaints": len(rows.complaints),
        "events": len(rows.events),
        "unit_assignments": len(rows.assignments),
        "units": len(rows.units),
        "statuses": await _status_counts(db),
        "build_seconds": round(built, 1),
        "insert_seconds": round(time.perf_counter() - started - built, 1),
    }


async def _status_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(
            select(Complaint.status, func.count()).group_by(Complaint.status)
        )
        return {str(getattr(status, "value", status)): n for status, n in rows}


# ----------------------------------------------------------------------------- timing


async def timed(
    call: Callable[[], Awaitable[Any]], runs: int, describe: Callable[[Any], Any]
) -> dict[str, Any]:
    """Median and p95 wall time of `runs` calls after one warm-up, and what the last call found."""
    result = await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "found": describe(result),
    }


def page_found(page: Any) -> dict[str, int]:
    return {"total": page.total, "page": page.page, "cases": len(page.cases)}


async def bench_queue(db: Database, runs: int) -> dict[str, Any]:
    queries = CaseworkQueries(db)
    async with db.session() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.name == "闽清县民政局"))
    scopes = {
        "unit (staff)": Scope(unit_ids=(unit_id,)),
        "county 闽清县 (supervisor)": Scope(regions=("闽清县",)),
        "city 福州市 (supervisor)": Scope(regions=("福州市",)),
    }
    out = {}
    for name, scope in scopes.items():
        for label, page in (("first page", 0), ("last page", 10**6)):
            out[f"{name}, {label}"] = await timed(
                lambda scope=scope, page=page: queries.queue(scope, page=page), runs, page_found
            )
    return out


async def bench_deadlines(db: Database, runs: int) -> dict[str, Any]:
    queries = DeadlineQueries(db)
    count = len
    return {
        "reminders_due": await timed(lambda: queries.reminders_due(NOW, REMINDERS), runs, count),
        "overdue (to escalate)": await timed(lambda: queries.overdue(NOW), runs, count),
        "feedback_expired (回访 closes)": await timed(
            lambda: queries.feedback_expired(NOW, FEEDBACK_WINDOW), runs, count
        ),
    }


async def bench_statistics(db: Database, runs: int) -> dict[str, Any]:
    reports = CaseReports(db)

    def summary(s: Any) -> dict[str, Any]:
        return {
            "total": s.total,
            "overdue": s.overdue_accept + s.overdue_resolve,
            "responded": s.responded.count,
            "resolved": s.resolved.count,
            "rated": s.satisfied.total,
        }

    return {
        "admin (all cases)": await timed(
            lambda: reports.statistics(CaseFilter(), NOW), runs, summary
        ),
        "supervisor (闽清县)": await timed(
            lambda: reports.statistics(CaseFilter(scope=("闽清县",)), NOW), runs, summary
        ),
    }


class PeakRss:
    """Highest RSS of this process seen while the block runs, sampled every 5 ms by a thread."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.before = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.peak = self.before = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


async def bench_export(db: Database, runs: int) -> dict[str, Any]:
    # The handler's CSV writer needs only these two attributes; the rest of ReportHandlers is Telegram.
    handler = object.__new__(ReportHandlers)
    handler.reports = CaseReports(db)
    handler.labels = {}
    times, size, count, peak_growth = [], 0, 0, 0
    for _ in range(runs):
        with tempfile.SpooledTemporaryFile(max_size=SPOOLED_IN_MEMORY) as buffer, PeakRss() as rss:
            started = time.perf_counter()
            count = await handler._write_csv(CaseFilter(), NOW, buffer)
            times.append((time.perf_counter() - started) * 1000)
            size = buffer.tell()
        peak_growth = max(peak_growth, rss.peak - rss.before)
    started = time.perf_counter()  # the storage side alone: CaseReports.case_rows, no CSV
    async for _ in handler.reports.case_rows(CaseFilter()):
        pass
    storage_ms = (time.perf_counter() - started) * 1000
    return {
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "storage_side_only_ms": round(storage_ms, 1),
        "rows": count,
        "csv_mb": round(size / 1e6, 1),
        "peak_rss_growth_mb": round(peak_growth / 1e6, 1),
        "rss_after_mb": round(psutil.Process().memory_info().rss / 1e6, 1),
    }


# ----------------------------------------------------------------------------- main


async def run(url: str, n: int, runs: int, export_runs: int) -> dict[str, Any]:
    await upgrade(url)
    db = Database(url)
    try:
        result: dict[str, Any] = {"seed": await seed(db, n)}
        result["queue"] = await bench_queue(db, runs)
        result["deadline_check"] = await bench_deadlines(db, runs)
        result["statistics"] = await bench_statistics(db, runs)
        result["export_all"] = await bench_export(db, export_runs)
        if db.is_sqlite:
            path = db.engine.url.database  # with its write-ahead log, which holds the recent pages
            result["sqlite_file_mb"] = round(
                sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 1e6,  # noqa: ASYNC240
                1,
            )
    finally:
        await db.dispose()
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=20_000, help="complaints to seed (default 20000)"
    )
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query (default 10)")
    parser.add_argument("--export-runs", type=int, default=3, help="timed exports (default 3)")
    parser.add_argument(
        "--url",
        help="one database to use instead of a temp SQLite file and TEST_DATABASE_URL; "
        "it must be empty",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {
        "cases": args.cases,
        "clock": NOW.isoformat(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if args.url:
        result["database"] = await run(args.url, args.cases, args.runs, args.export_runs)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result["sqlite"] = await run(
                f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", args.cases, args.runs, args.export_runs
            )
        pg_url = os.environ.get("TEST_DATABASE_URL")
        result["postgresql"] = (
            await run(pg_url, args.cases, args.runs, args.export_runs)
            if pg_url
            else "skipped: TEST_DATABASE_URL not set"
        )
    result["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
