"""Alembic environment: runs on the connection storage.migrate hands over, or on its own.

`storage.migrate.upgrade(url)` passes an open connection (so SQLite gets this project's
pragmas and BEGIN handling). Run by the `alembic` command instead, the URL comes from
`-x url=...` or the DATABASE_URL environment variable (storage imports nothing of the bot, so
the bot's settings are read by `python -m bot db upgrade`, which hands over a connection).
"""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # storage.db makes SQLite transactional (it emits BEGIN), so DDL can roll back there too.
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(url: str) -> None:
    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL")
    if url:
        return url
    raise SystemExit(
        "no database: pass -x url=... or set DATABASE_URL, or run python -m bot db upgrade"
    )


connection = config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
elif connection is not None:
    do_run_migrations(connection)
else:
    asyncio.run(run_async_migrations(_url()))
