"""Back up and restore the database: `python -m bot db backup FILE`, `python -m bot db restore FILE`.

SQLite: SQLite's online backup API copies a consistent snapshot while the bot keeps running,
and the copy is checked (integrity, schema version) before anything is overwritten on restore.
PostgreSQL: pg_dump's custom format and pg_restore (the client tools must be installed, at
least the server's version); the password goes to them in PGPASSWORD, never on a command line.
Restore into a stopped bot: the restored database replaces everything in the target.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import normalize_url


class BackupError(RuntimeError):
    """A backup or restore that did not happen; the message says why (no data in it)."""


def _sqlite_path(url: str) -> Path:
    database = make_url(normalize_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    parsed = make_url(normalize_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def _check_sqlite_copy(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path.name} is damaged (integrity check failed)")
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a backup of this bot's database: {exc}") from exc


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target` (replaced if it exists)."""
    target = Path(target)
    if make_url(normalize_url(url)).get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"no database at {source_path}")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        with (
            closing(sqlite3.connect(source_path)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)
        _check_sqlite_copy(partial)
        partial.replace(target)
        return
    dsn, env = _libpq(url)
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"], env)


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup in `source`. Stop the bot first."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    if make_url(normalize_url(url)).get_backend_name() == "sqlite":
        _check_sqlite_copy(source)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(source)) as saved,
            closing(sqlite3.connect(target_path)) as target,
        ):
            saved.backup(target)
        return
    dsn, env = _libpq(url)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={dsn}",
            str(source),
        ],
        env,
    )
