"""Shared fixtures. Each engineer keeps their fixtures in their own clearly marked block."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------------
# Telegram (issue 4): the shipped knowledge base, and the real bot polling the Bot API stand-in.
# Use `telegram_bot` for a ready harness, or `bot_harness(policy_kb, ...)` from
# tests/telegram_harness.py (the one factory: database, clock, stand-in, roles, settings), or its
# preset with a database, `case_bot` in tests/casework_support.py.
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
def policy_data_copy(policy_kb, policy_data_dir: Path, tmp_path: Path) -> Path:
    """A copy of `policy_kb`'s built data directory that a test may change (admins add and
    remove documents, reload): opening a knowledge base on it needs no index build."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(policy_data_dir, data)
    return data


@pytest.fixture
async def telegram_bot(policy_kb) -> AsyncIterator:
    from tests.telegram_harness import bot_harness

    async with bot_harness(policy_kb) as harness:
        yield harness
        harness.assert_nothing_rejected()


@pytest.fixture(scope="session")
def router():
    """The complaint router over the shipped corpus, the one the bot under test routes with."""
    from tests.telegram_harness import shared_router

    return shared_router()


# ------------------------------------------------------------------------- end of Telegram block


# ---------------------------------------------------------------------------------------------
# Storage (issue 5): real databases. `database_url` runs a test twice: on a fresh SQLite file and
# on a fresh PostgreSQL database of the server in TEST_DATABASE_URL (skipped with a reason when
# unset; scripts/with-postgres.sh sets it). `migrated_url` has the schema applied: a copy of a
# database migrated once per session (test_storage_complaints runs the migrations themselves on
# `database_url`, an empty one). `db` is a storage.db.Database on it, disposed afterwards;
# `database` is a migrated SQLite file only. Helpers: tests/storage_support.py.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database a storage test runs on; the PostgreSQL variant skips without a server."""
    import os

    from tests.storage_support import PG_SKIP_REASON

    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP_REASON)
    return request.param


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Migrated databases that `migrated_url` copies, migrated once per session (copying is much
    cheaper than running the migrations for every test); dropped at the end."""
    from tests.storage_support import MigratedTemplates

    templates = MigratedTemplates(Path(tmp_path_factory.mktemp("templates")))
    yield templates
    templates.drop()


@pytest.fixture
async def database_url(database_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    from tests.storage_support import fresh_postgres_database, server_url

    if database_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fupin.sqlite3'}"
        return
    async with fresh_postgres_database(server_url()) as url:
        yield url


@pytest.fixture
async def migrated_url(
    database_kind: str, tmp_path: Path, migrated_templates
) -> AsyncIterator[str]:
    """A fresh database with the schema applied, a copy of the session's migrated template."""
    from tests.storage_support import fresh_postgres_database, server_url

    if database_kind == "sqlite":
        yield migrated_templates.sqlite_copy(tmp_path / "fupin.sqlite3")
        return
    template = migrated_templates.postgres()
    async with fresh_postgres_database(server_url(), template=template) as url:
        yield url


@pytest.fixture
def database(tmp_path: Path, migrated_templates) -> str:
    """A migrated SQLite file, for tests of the bot that are not about the database."""
    return migrated_templates.sqlite_copy(tmp_path / "bot.sqlite3")


@pytest.fixture
async def db(migrated_url: str) -> AsyncIterator:
    from storage.db import Database

    database = Database(migrated_url)
    yield database
    await database.dispose()


# -------------------------------------------------------------------------- end of Storage block


# ---------------------------------------------------------------------------------------------
# Security (issue 12): every test of the suites that drive the real bot also checks that no
# fixture name, phone or ID number reached a log record, at DEBUG, with the bot's own logging
# configuration (bot.logs). A leak fails the test that caused it.
# ---------------------------------------------------------------------------------------------

END_TO_END_SUITES = frozenset(
    {
        "test_telegram_e2e",
        "test_complaint_intake",
        "test_casework_e2e",
        "test_casework_actions",
        "test_casework_access",
        "test_casework_queue",
        "test_reports",
        "test_deadline_jobs",
        "test_admin_roles",
        "test_admin_knowledge",
        "test_staff_bad_input",
        "test_staff_help",
        "test_logs_privacy",
        "test_intake_security",
        "test_edited_messages",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in END_TO_END_SUITES:
            item.fixturenames.insert(0, "personal_data_stays_out_of_logs")


@pytest.fixture
def personal_data_stays_out_of_logs(caplog: pytest.LogCaptureFixture):
    """Fails the test when a fixture's personal data appears in any log record it caused."""
    import logging

    from bot.logs import configure_logging
    from tests.privacy_support import leaked_personal_data

    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    yield
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    leaks = [(record.name, found) for record in records if (found := leaked_personal_data(record))]
    assert not leaks, f"personal data in log records: {leaks[:5]}"


# ------------------------------------------------------------------------ end of Security block
