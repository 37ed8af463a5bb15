"""Shared fixtures. Each engineer keeps their fixtures in their own clearly marked block."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------------
# Telegram (issue 4): the shipped knowledge base, and the real bot polling the Bot API stand-in.
# Use `telegram_bot` for a ready harness, or `bot_harness(policy_kb, **settings)` from
# tests/telegram_harness.py for custom settings or extra handlers.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def policy_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory (DATA_DIR) whose index `policy_kb` has built; reuse it in subprocesses."""
    return Path(tmp_path_factory.mktemp("policy-kb"))


@pytest.fixture(scope="session")
def policy_kb(policy_data_dir: Path):
    """The knowledge base over the shipped corpus, built once per test session."""
    from knowledge.service import KnowledgeBase

    return KnowledgeBase.open(policy_data_dir)


@pytest.fixture
async def telegram_bot(policy_kb) -> AsyncIterator:
    from tests.telegram_harness import bot_harness

    async with bot_harness(policy_kb) as harness:
        yield harness
        harness.assert_nothing_rejected()

# ------------------------------------------------------------------------- end of Telegram block


# ---------------------------------------------------------------------------------------------
# Storage (issue 5): real databases. `database_url` runs a test twice: on a fresh SQLite file and
# on a fresh PostgreSQL database of the server in TEST_DATABASE_URL (skipped with a reason when
# unset; scripts/with-postgres.sh sets it). `migrated_url` has the schema applied; `db` is a
# storage.db.Database on it, disposed afterwards. Helpers: tests/storage_support.py.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    import os

    from tests.storage_support import PG_SKIP_REASON, fresh_postgres_database

    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fupin.sqlite3'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip(PG_SKIP_REASON)
    async with fresh_postgres_database(server_url) as url:
        yield url


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    from storage.migrate import upgrade

    await upgrade(database_url)
    return database_url


@pytest.fixture
async def db(migrated_url: str) -> AsyncIterator:
    from storage.db import Database

    database = Database(migrated_url)
    yield database
    await database.dispose()

# -------------------------------------------------------------------------- end of Storage block
