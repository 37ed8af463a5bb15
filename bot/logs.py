"""Logging as the bot configures it: our own records at LOG_LEVEL, libraries' payload dumps never.

At DEBUG, python-telegram-bot logs every update and every API result (messages with the
names, phones and stories residents type), and SQLAlchemy logs statements with their
parameters. Those loggers stay at INFO or above whatever LOG_LEVEL says, so turning on DEBUG
to chase a problem does not write personal data to the log.
"""

from __future__ import annotations

import logging

# Libraries that log request and response bodies or SQL parameters below these levels.
PAYLOAD_LOGGERS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "asyncpg": logging.INFO,
    "aiosqlite": logging.INFO,
}


def configure_logging(level: str | int) -> None:
    """Root logger at `level` (a name like "DEBUG" or a number); payload loggers capped."""
    if isinstance(level, str):
        level = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    for name, floor in PAYLOAD_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, level))
