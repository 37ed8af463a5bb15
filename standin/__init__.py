"""A Telegram Bot API stand-in: development and test infrastructure, not part of the bot.

No Telegram is reachable from our machines, so the real Application talks HTTP to this server
on loopback: tests drive residents through it, the terminal chat runs on it, and the benchmarks
load it. `server` is the Bot API with the residents' side; `telegram_html` is Telegram's HTML
check.
"""

from standin.server import BotAPIStandIn, Call, Reply
from standin.telegram_html import (
    EntityParseError,
    parse_telegram_html,
    parse_telegram_html_entities,
    utf16_len,
)

__all__ = [
    "BotAPIStandIn",
    "Call",
    "EntityParseError",
    "Reply",
    "parse_telegram_html",
    "parse_telegram_html_entities",
    "utf16_len",
]
