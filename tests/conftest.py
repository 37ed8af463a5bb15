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
def policy_kb(tmp_path_factory: pytest.TempPathFactory):
    """The knowledge base over the shipped corpus, built once per test session."""
    from knowledge.service import KnowledgeBase

    return KnowledgeBase.open(Path(tmp_path_factory.mktemp("policy-kb")))


@pytest.fixture
async def telegram_bot(policy_kb) -> AsyncIterator:
    from tests.telegram_harness import bot_harness

    async with bot_harness(policy_kb) as harness:
        yield harness
        harness.assert_nothing_rejected()

# ------------------------------------------------------------------------- end of Telegram block
