"""Async engine and sessions for a database URL: a SQLite file by default, PostgreSQL in production.

SQLite needs care to be a safe system of record for one process with many coroutines:
WAL so readers never wait for the writer, a busy timeout so writers queue instead of failing,
foreign keys on, and SQLAlchemy (not the sqlite3 module) emitting BEGIN, so that a
transaction that writes takes the write lock up front (``BEGIN IMMEDIATE``) and cannot fail
half way with "database is locked" after reading a stale snapshot. Writers inside this process
also queue on an asyncio lock, so they do not spin on SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "fupin_sqlite_begin"


class StorageUnavailable(RuntimeError):
    """The database could not be reached or refused the work; nothing was committed.

    Callers tell the user to try again and keep whatever they were about to save. The text
    names only the kind of failure, never the statement or its data.
    """


def _unavailable(exc: BaseException) -> StorageUnavailable:
    cause = getattr(exc, "orig", None) or exc
    return StorageUnavailable(f"database unavailable ({type(cause).__name__})")


def _dumps(value: Any) -> str:
    # Chinese stays readable in the database instead of \\uXXXX escapes.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the async driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        url = "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def create_engine(
    url: str, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """An AsyncEngine for ``url`` with the connection settings this project relies on.

    Statement parameters (names, phones, stories) never appear in error texts or SQL logs:
    SQLAlchemy would otherwise copy them into every DBAPIError, and from there into tracebacks.
    """
    url = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, json_serializer=_dumps, **kwargs)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", 10)
    return create_async_engine(url, json_serializer=_dumps, connect_args=connect_args, **kwargs)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module; _on_begin emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


# SQLSTATE classes that mean the request was wrong, not that the database failed:
# data exception, integrity constraint violation, syntax error or access rule violation.
_BUG_SQLSTATE_CLASSES = frozenset({"22", "23", "42"})


def is_outage(exc: BaseException) -> bool:
    """True when the database is unreachable or failing, False for bugs (constraints, SQL).

    Drivers do not classify everything (asyncpg reports "database is not accepting
    connections" as a bare Error), so a database error counts as an outage unless it says
    the request itself was wrong.
    """
    if isinstance(exc, DBAPIError):
        if isinstance(exc, (IntegrityError, ProgrammingError, DataError, NotSupportedError)):
            return False
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return not (sqlstate and str(sqlstate)[:2] in _BUG_SQLSTATE_CLASSES)
    return isinstance(exc, (PoolTimeoutError, OSError, TimeoutError))


@contextmanager
def _outage_as_unavailable() -> Iterator[None]:
    """A database outage raised in the block surfaces as StorageUnavailable; a bug's error
    (a constraint, bad SQL) passes unchanged."""
    try:
        yield
    except Exception as exc:
        if is_outage(exc):
            raise _unavailable(exc) from exc
        raise


class Database:
    """One engine and its session factories; create one per process and share it."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.engine = create_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer = (
            self.engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})
            if self.is_sqlite
            else self.engine
        )
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(writer, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reading. Database failures surface as StorageUnavailable."""
        with _outage_as_unavailable():
            async with self._reader() as session:
                yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed when the block ends, or rolled back on error.

        When this returns without raising, the data is durably in the database. Database
        failures surface as StorageUnavailable, and then nothing of the block was committed
        (except in the one unknowable case where the connection died during COMMIT itself).
        """
        with _outage_as_unavailable():
            if self._write_lock is None:
                async with self._writer() as session, session.begin():
                    yield session
            else:
                async with self._write_lock, self._writer() as session, session.begin():
                    yield session

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """Whether this process holds the lock `name` for the block (never waits): a job that
        must run once per tick across processes runs only when this yields True.

        PostgreSQL: a session advisory lock, held on one connection for the block and released
        when it ends or the connection dies. SQLite: an exclusive lock on a file beside the
        database, so two processes sharing the file are kept apart too.
        """
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        if self.is_sqlite:
            database = self.engine.url.database
            if not database or database == ":memory:":
                yield True  # a database in memory has one process by definition
                return
            with open(f"{database}.{name}.lock", "a+b") as handle:  # noqa: ASYNC230 - a tiny lock file
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with _outage_as_unavailable():
            connection = await self.engine.connect()
        try:
            held = bool(
                await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            )
            await connection.commit()
            try:
                yield held
            finally:
                if held:
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    await connection.commit()
        finally:
            await connection.close()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def upsert(
    session: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    *,
    keys: list[str],
    update: list[str] | dict[str, Any] | None = None,
    returning: Any = None,
) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE (or DO NOTHING) on SQLite and PostgreSQL alike.

    `update` names columns to take from the new row, or maps columns to expressions.
    With `returning`, the value of that column in the inserted or updated row is returned.
    """
    stmt: postgresql.Insert | sqlite.Insert
    if session.get_bind().dialect.name == "postgresql":
        stmt = postgresql.insert(model).values(**values)
    else:
        stmt = sqlite.insert(model).values(**values)
    if update:
        set_ = (
            update
            if isinstance(update, dict)
            else {column: stmt.excluded[column] for column in update}
        )
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=set_)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    if returning is None:
        await session.execute(stmt)
        return None
    return (await session.execute(stmt.returning(returning))).scalar_one()
