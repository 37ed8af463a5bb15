"""Complaints per second when 1,000 residents submit at the same moment, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/storage_concurrency.py                 # SQLite only
    scripts/with-postgres.sh .venv/bin/python benchmarks/storage_concurrency.py   # both

Each submission is the real `ComplaintRepository.create` (complaint, units, first event, one
transaction, committed before it returns). Prints one JSON object; also checks that every
submission produced exactly one row, one unique ticket and one first event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.complaints import ComplaintDraft, ComplaintRepository
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Complaint, ComplaintEvent


def draft(i: int) -> ComplaintDraft:
    return ComplaintDraft(
        category="低保",
        region="浏阳市",
        region_parents=("长沙市", "湖南省"),
        township="镇头镇",
        village=f"第{i % 30}村",
        description=f"第{i}户反映：符合条件的低保申请一直没有评上，村里也没有张榜公示。",
        telegram_user_id=None if i % 4 == 0 else 10_000 + i,
        anonymous=i % 4 == 0,
        contact_name=None if i % 4 == 0 else "李四",
        contact_phone=None if i % 4 == 0 else "13800138000",
        units=["浏阳市民政局", "浏阳市扶贫办"],
    )


async def run(url: str, n: int) -> dict[str, object]:
    await upgrade(url)
    db = Database(url)
    repo = ComplaintRepository(db)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        filed = await asyncio.gather(*(repo.create(draft(i)) for i in range(n)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        async with db.session() as session:
            rows = await session.scalar(select(func.count()).select_from(Complaint))
            first_events = await session.scalar(
                select(func.count())
                .select_from(ComplaintEvent)
                .where(ComplaintEvent.action == "submitted")
            )
    finally:
        await db.dispose()
    return {
        "submissions": n,
        "seconds": round(elapsed, 3),
        "complaints_per_second": round(n / elapsed, 1),
        # CPU of this process (all threads) per complaint: steadier than wall time on a busy machine.
        "bot_cpu_ms_per_complaint": round(cpu / n * 1000, 2),
        "rows": rows,
        "unique_tickets": len({f.ticket for f in filed}),
        "first_events": first_events,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="concurrent submissions (default 1000)")
    args = parser.parse_args()
    result: dict[str, object] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = await run(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", args.n)
    pg_url = os.environ.get("TEST_DATABASE_URL")
    result["postgresql"] = (
        await run(pg_url, args.n) if pg_url else "skipped: TEST_DATABASE_URL not set"
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
