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

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from storage.db import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+)$", re.MULTILINE)
_ONE_ID = re.compile(r"""^(?:None|'([^']*)'|"([^"]*)")$""")


def alembic_config() -> Config:
    """Alembic configuration pointing inside the package, so it works when installed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply all pending migrations to the database at ``url`` (async; await it).

    Safe to call at every start: an up-to-date database is left as it is, found so by reading
    its version table, without loading Alembic (about 0.15 s of every start).
    """
    engine = create_engine(url)
    try:
        if revision == "head":
            async with engine.connect() as connection:
                if await connection.run_sync(_at_head):
                    return
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def shipped_heads() -> set[str] | None:
    """The head revisions of the migrations in this package, read from their files; None
    when a file says something this reading does not follow (a merge), for Alembic to read."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = {name: _ONE_ID.match(value.strip()) for name, value in _REVISION.findall(text)}
        revision, parent = found.get("revision"), found.get("down_revision")
        if revision is None or parent is None or revision.group(0) == "None":
            return None
        revisions.add(revision.group(1) or revision.group(2))
        if parent.group(0) != "None":
            parents.add(parent.group(1) or parent.group(2))
    return (revisions - parents) or None


def _at_head(connection: Connection) -> bool:
    """Whether the database's version table names exactly the shipped heads."""
    heads = shipped_heads()
    if heads is None:
        return False
    try:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SQLAlchemyError:  # no version table yet (an empty database): migrate
        return False
    return {row[0] for row in rows} == heads


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
