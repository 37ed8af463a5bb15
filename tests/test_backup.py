"""`python -m bot db backup FILE` and `db restore FILE`: file cases, back up, wipe, restore,
and every case, event and role is there as it was. On SQLite and on PostgreSQL (pg_dump)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from bot.services import BotStorage
from storage.db import Database
from storage.migrate import upgrade
from storage.workdays import DeadlinePolicy
from tests.casework_support import file_case
from tests.telegram_harness import shared_router

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "complaints",
    "complaint_events",
    "complaint_units",
    "units",
    "residents",
    "role_grants",
    "kv_store",
    "expiring_counters",
)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _snapshot(url: str) -> dict[str, list[tuple]]:
    db = Database(url)
    try:
        async with db.session() as session:
            return {
                table: sorted(
                    map(tuple, (await session.execute(text(f"SELECT * FROM {table}"))).all()),
                    key=repr,
                )
                for table in TABLES
            }
    finally:
        await db.dispose()


async def _wipe(url: str) -> None:
    """Lose the database: the SQLite file is deleted; PostgreSQL's schema is dropped."""
    db = Database(url)
    try:
        if db.is_sqlite:
            path = Path(db.engine.url.database)
            for leftover in (
                path,
                path.with_name(path.name + "-wal"),
                path.with_name(path.name + "-shm"),
            ):
                leftover.unlink(missing_ok=True)
            return
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


async def test_backup_wipe_restore_keeps_every_case_event_and_role(migrated_url, tmp_path):
    storage = BotStorage.open(migrated_url, router=shared_router(), deadlines=DeadlinePolicy())
    try:
        tickets = [
            await file_case(
                storage,
                description=f"第{n}件：补助款没有发到户，村里说还在走流程。",
                units=["县住建局"],
                resident=3001 + n,
            )
            for n in range(5)
        ]
        tickets.append(
            await file_case(
                storage, description="匿名反映：低保评定不公开。", units=["县民政局"], resident=None
            )
        )
        await storage.cases.access.roles.grant(
            9001, "staff", unit="县住建局", region="闽清县", granted_by=1
        )
        await storage.cases.access.roles.grant(9002, "supervisor", region="闽清县", granted_by=1)
        await storage.cases.repo.renew_query_code(tickets[0])
    finally:
        await storage.db.dispose()
    before = await _snapshot(migrated_url)
    assert len(before["complaints"]) == 6 and len(before["role_grants"]) == 2

    backup_file = tmp_path / "fupin.backup"
    made = _cli(migrated_url, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_size > 0

    await _wipe(migrated_url)

    restored = _cli(migrated_url, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    await upgrade(migrated_url)  # the restored database is at the current schema already
    assert await _snapshot(migrated_url) == before


async def test_restoring_something_that_is_not_a_backup_changes_nothing(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fupin.sqlite3'}"
    await upgrade(url)
    before = await _snapshot(url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    refused = _cli(url, "restore", str(junk))
    assert refused.returncode == 1 and "restore failed" in refused.stderr
    assert await _snapshot(url) == before
