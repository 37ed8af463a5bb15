"""Helpers for the storage tests: fresh PostgreSQL databases and simulated outages."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

PG_SKIP_REASON = (
    "TEST_DATABASE_URL is not set: the PostgreSQL variant runs under scripts/with-postgres.sh "
    "(which starts a throwaway server and sets it)"
)


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg wants, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def server_url() -> str:
    """The PostgreSQL server of this test run (scripts/with-postgres.sh sets it)."""
    return os.environ["TEST_DATABASE_URL"]


@asynccontextmanager
async def fresh_postgres_database(
    server_url: str, template: str | None = None
) -> AsyncIterator[str]:
    """A new database on the server of `server_url` (empty, or a copy of the database
    `template`), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def postgres_outage(url: str) -> AsyncIterator[None]:
    """The database refuses new connections and drops the open ones, until the block ends."""
    name = make_url(url).database
    admin = await asyncpg.connect(
        asyncpg_dsn(make_url(url).set(database="postgres").render_as_string(False))
    )
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


def sqlite_path(url: str) -> str:
    return make_url(url).database or ""


def lock_sqlite(url: str) -> sqlite3.Connection:
    """Another connection takes SQLite's exclusive lock: writers elsewhere get 'database is locked'."""
    connection = sqlite3.connect(sqlite_path(url), isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN EXCLUSIVE")
    return connection


class MigratedTemplates:
    """One migrated SQLite file and one migrated PostgreSQL database, each made on first use."""

    def __init__(self, directory: Path) -> None:
        self._sqlite = directory / "template.sqlite3"
        self._postgres: str | None = None

    def sqlite_copy(self, target: Path) -> str:
        """A copy of the migrated SQLite template at `target`; its URL."""
        from storage.migrate import upgrade

        if not self._sqlite.exists():
            _run_apart(upgrade(f"sqlite+aiosqlite:///{self._sqlite}"))
        with sqlite3.connect(self._sqlite) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite+aiosqlite:///{target}"

    def postgres(self) -> str:
        """The name of the migrated template database on the test server."""
        from storage.migrate import upgrade

        if self._postgres is None:
            name = f"tmpl_{uuid.uuid4().hex[:16]}"
            _run_apart(_as_admin(f'CREATE DATABASE "{name}"'))
            _run_apart(upgrade(_on_database(name)))
            self._postgres = name
        return self._postgres

    def drop(self) -> None:
        if self._postgres is not None:
            _run_apart(_as_admin(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)'))


def _run_apart(work: Coroutine[Any, Any, Any]) -> None:
    """Run `work` to the end on its own event loop in another thread: the templates are made
    on first use, which may be inside a test's running loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, work).result()


def _on_database(name: str) -> str:
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


async def _as_admin(statement: str) -> None:
    """One statement on the server's maintenance database (CREATE/DROP DATABASE cannot run
    inside the database they act on)."""
    admin = await asyncpg.connect(asyncpg_dsn(server_url()))
    try:
        await admin.execute(statement)
    finally:
        await admin.close()
