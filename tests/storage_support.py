"""Helpers for the storage tests: fresh PostgreSQL databases and simulated outages."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

PG_SKIP_REASON = (
    "TEST_DATABASE_URL is not set: the PostgreSQL variant runs under scripts/with-postgres.sh "
    "(which starts a throwaway server and sets it)"
)


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg wants, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_postgres_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
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
