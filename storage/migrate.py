"""Bring a database's schema up to date with the Alembic migrations shipped in this package."""

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
