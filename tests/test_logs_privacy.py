"""Personal data stays out of logs and error texts, even when the database fails mid-intake.

Every test of the end-to-end suites also runs under `personal_data_stays_out_of_logs`
(tests/conftest.py), which fails it when a fixture name, phone or ID number reaches a log record.
"""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.logs import PAYLOAD_LOGGERS, configure_logging
from storage.db import Database, StorageUnavailable
from tests.intake_support import NAME
from tests.storage_support import lock_sqlite

PHONE_DIGITS = "13812345678"


INSERT = text(
    "INSERT INTO kv_store (namespace, key, value, updated_at) VALUES (:n, :k, :v, CURRENT_TIMESTAMP)"
)
PERSONAL = {"n": "user_data", "k": "1", "v": f'{{"name": "{NAME}", "phone": "{PHONE_DIGITS}"}}'}


def _shown(exc: BaseException) -> str:
    """What a log line with the traceback would show: the exception and every one it chains."""
    return "".join(traceback.format_exception(exc))


async def test_a_write_that_fails_mid_statement_names_no_data_in_its_error_or_traceback(database):
    db = Database(database, sqlite_busy_timeout_ms=50)
    lock = lock_sqlite(database)
    try:
        with pytest.raises(StorageUnavailable) as failure:
            async with (
                db.session() as session
            ):  # no BEGIN IMMEDIATE: the INSERT itself meets the lock
                await session.execute(INSERT, PERSONAL)
    finally:
        lock.rollback()
        lock.close()
        await db.dispose()
    shown = _shown(failure.value)
    assert "database is locked" in shown  # still says what went wrong
    assert NAME not in shown and PHONE_DIGITS not in shown
    assert NAME not in str(failure.value) and "INSERT" not in str(failure.value)


async def test_a_rejected_write_names_no_data_in_its_error_or_traceback(database):
    db = Database(database)
    try:
        async with db.transaction() as session:
            await session.execute(INSERT, PERSONAL)
        with pytest.raises(IntegrityError) as failure:
            async with db.transaction() as session:
                await session.execute(INSERT, PERSONAL)
    finally:
        await db.dispose()
    shown = _shown(failure.value)
    assert "UNIQUE constraint failed" in shown
    assert NAME not in shown and PHONE_DIGITS not in shown


def test_debug_logging_keeps_library_payload_loggers_quiet():
    configure_logging("DEBUG")
    try:
        assert logging.getLogger(__name__).isEnabledFor(logging.DEBUG)
        for name in PAYLOAD_LOGGERS:
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
        assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    finally:
        configure_logging("WARNING")
