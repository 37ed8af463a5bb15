"""How fast the web console answers at county scale: the case list and the dashboard.

    .venv/bin/python benchmarks/web_bench.py                                   # SQLite (temp file)
    scripts/with-postgres.sh .venv/bin/python benchmarks/web_bench.py          # SQLite and PostgreSQL
    .venv/bin/python benchmarks/web_bench.py --cases 100000

Each database is migrated and seeded exactly as benchmarks/casework_bench.py does (5 counties,
3 units each, a year of cases with their events), a staff member of 闽清县民政局, a supervisor
of 闽清县 and an admin are granted, and the real console (web.app.create_app over the real
CaseService, reports and knowledge base) is served on loopback. Each page is fetched `--runs`
times after a warm-up by a signed-in HTTP client; the figure is the time from sending the
request to having read the whole page over loopback, which is the server's time plus well under
a millisecond of client and socket. Prints one JSON object; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework_bench import NOW, seed  # noqa: E402

from bot.console import build_console  # noqa: E402
from bot.services import BotStorage  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.routing import Router  # noqa: E402
from knowledge.service import KnowledgeBase  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from web.app import COOKIE, create_app, serve  # noqa: E402

ADMIN, STAFF, SUPERVISOR = 1, 2001, 2101


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _timed(client: aiohttp.ClientSession, url: str, runs: int) -> dict[str, Any]:
    async with client.get(url, allow_redirects=False) as response:  # warm-up
        body = await response.read()
        status = response.status
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        async with client.get(url, allow_redirects=False) as response:
            await response.read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "status": status,
        "bytes": len(body),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
    }


async def run(url: str, n: int, runs: int, kb: KnowledgeBase) -> dict[str, Any]:
    await upgrade(url)
    db = Database(url)
    try:
        seeded = await seed(db, n)
        if not db.is_sqlite:  # the seed wrote ids itself; move the sequences past them
            async with db.transaction() as session:
                for table in ("role_grants", "units"):
                    await session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        await db.dispose()
    storage = BotStorage.open(
        url, router=Router.from_corpus(), admin_ids=[ADMIN], clock=lambda: NOW
    )
    roles = storage.cases.access.roles
    await roles.grant(STAFF, "staff", unit="闽清县民政局", region="闽清县", granted_by=ADMIN)
    await roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)
    port = _free_port()
    settings = Settings.load(None, web_port=port)
    console = build_console(settings, kb, storage)
    runner = await serve(create_app(console), "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {"database": storage.db.engine.dialect.name, "seeded": seeded}
    try:
        pages = {
            STAFF: {
                "list, staff of one unit, page 1": "/cases",
                "list, staff, last page": None,
                "list, staff, overdue only": "/cases?overdue=1",
                "list, staff, words": "/cases?q=%E4%BD%8E%E4%BF%9D&status=all",
                "list, staff, all statuses and a date range": "/cases?status=all&since=2026-06-01&until=2026-11-20",
            },
            SUPERVISOR: {
                "list, supervisor of 闽清县": "/cases",
                "dashboard, supervisor of 闽清县": "/dashboard",
            },
            ADMIN: {
                "list, admin (every case)": "/cases",
                "dashboard, admin (every case)": "/dashboard",
            },
        }
        for user, wanted in pages.items():
            session_id, _ = await console.store.open_session(user)
            jar = aiohttp.CookieJar(unsafe=True)
            jar.update_cookies({COOKIE: session_id})
            async with aiohttp.ClientSession(cookie_jar=jar) as client:
                for name, path in wanted.items():
                    if path is None:  # the last page of the staff list
                        found = await storage.cases.queue(STAFF)
                        path = f"/cases?page={found.pages}"
                        name = f"{name} ({found.pages})"
                    results[name] = await _timed(client, base + path, runs)
                if user == STAFF:
                    first = await storage.cases.queue(STAFF)
                    results["case page"] = await _timed(
                        client, f"{base}/cases/{first.items[0].ticket}", runs
                    )
    finally:
        await runner.cleanup()
        await storage.db.dispose()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--url",
        action="append",
        help="database URL (default: a temp SQLite file, and TEST_DATABASE_URL when set)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        urls = args.url or [
            f"sqlite+aiosqlite:///{Path(scratch) / 'bench.sqlite3'}",
            *([os.environ["TEST_DATABASE_URL"]] if os.environ.get("TEST_DATABASE_URL") else []),
        ]
        kb = KnowledgeBase.open(Path(scratch) / "data")
        out = {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "cases": args.cases,
            "runs": args.runs,
            "results": [],
        }
        for url in urls:
            out["results"].append(await run(url, args.cases, args.runs, kb))
            print(json.dumps(out["results"][-1], ensure_ascii=False), file=sys.stderr, flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
