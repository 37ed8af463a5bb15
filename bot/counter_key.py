"""The key of the hashes that count filings and wrong query codes.

Without a lasting key the counts start afresh at every restart, so a restart would lift every
limit. COUNTER_KEY sets it; when unset, one key is made on the first start and kept in the data
directory, readable by the bot's user only. It is never put in the database: a copy of the
database alone cannot tell whose counts they are (account ids are few enough to try them all).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

FILE_NAME = "counter.key"


def counter_key(configured: SecretStr | None, data_dir: Path) -> bytes:
    """The configured key, else the one kept in `data_dir` (made there on first use)."""
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    path = data_dir / FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex())
    return key
