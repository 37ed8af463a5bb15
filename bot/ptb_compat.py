"""The python-telegram-bot names this project needs that PTB does not export publicly.

`BasePersistence` subclasses must annotate `get_conversations`, `update_conversation` and the
callback-data methods with PTB's own type aliases, which live only in the private
`telegram.ext._utils.types` (public as `telegram.ext.utils.types` until PTB 13; no public
home since 20). Importing them here, once, keeps the private path in one place:
`tests/test_ptb_compat.py` fails with the PTB version named if an upgrade moves them.
"""

from __future__ import annotations

from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

__all__ = ["CDCData", "ConversationDict", "ConversationKey"]
