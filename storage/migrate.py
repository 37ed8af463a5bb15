"""Bring a database's schema up to date with the Alembic migrations shipped in this package.

To write a new migration after changing storage/models.py, against an up-to-date database:

    DATABASE_URL=sqlite:////tmp/x.sqlite3 .venv/bin/python -m bot db upgrade
    DATABASE_URL=sqlite:////tmp/x.sqlite3 .venv/bin/python -c "from alembic import command; \
        from storage.migrate import alembic_config; \
        command.revision(alembic_config(), 'what changed', autogenerate=True, rev_id='0002')"

then read the generated file in storage/migrations/versions/ (autogenerate misses triggers,
sequences and data changes) and run the storage tests, which migrate SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from storage.db import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing inside the package, so it works when installed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply all pending migrations to the database at ``url`` (async; await it).

    Safe to call at every start: an up-to-date database is left as it is.
    """
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
