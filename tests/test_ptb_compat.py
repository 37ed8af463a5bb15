"""The private python-telegram-bot names bot/ptb_compat.py leans on are still where it looks.

A PTB upgrade that moves or reshapes them fails here, naming the installed version, instead of
at the bot's start (persistence) or silently (timeouts).
"""

from __future__ import annotations

import importlib

import pytest
import telegram
from telegram.ext import BasePersistence
from telegram.request import BaseRequest

from bot import ptb_compat
from bot.http import _timeout

PRIVATE_MODULE = "telegram.ext._utils.types"
UPGRADE_HINT = (
    f"python-telegram-bot {telegram.__version__}: {{what}}; update bot/ptb_compat.py "
    "(find where this PTB version keeps the alias BasePersistence's signatures use)"
)


def test_the_persistence_type_aliases_are_still_where_ptb_compat_imports_them() -> None:
    try:
        module = importlib.import_module(PRIVATE_MODULE)
    except ImportError:
        pytest.fail(UPGRADE_HINT.format(what=f"{PRIVATE_MODULE} is gone"))
    for name in ptb_compat.__all__:
        if not hasattr(module, name):
            pytest.fail(UPGRADE_HINT.format(what=f"{PRIVATE_MODULE}.{name} is gone"))


def test_base_persistence_is_still_typed_with_those_aliases() -> None:
    expected = {
        "get_conversations": {"return": ptb_compat.ConversationDict},
        "update_conversation": {"key": ptb_compat.ConversationKey},
        "get_callback_data": {"return": ptb_compat.CDCData | None},
        "update_callback_data": {"data": ptb_compat.CDCData},
    }
    for method, wanted in expected.items():
        annotations = getattr(BasePersistence, method).__annotations__
        for parameter, alias in wanted.items():
            if annotations.get(parameter) != alias:
                pytest.fail(
                    UPGRADE_HINT.format(
                        what=f"BasePersistence.{method} {parameter} is now "
                        f"{annotations.get(parameter)!r}, not {alias!r}"
                    )
                )


def test_a_timeout_not_passed_takes_the_request_default_and_a_passed_one_wins() -> None:
    # bot/http.py recognises "not passed" by the class of the public BaseRequest.DEFAULT_NONE.
    assert _timeout(BaseRequest.DEFAULT_NONE, 5.0) == 5.0, UPGRADE_HINT.format(
        what="BaseRequest.DEFAULT_NONE no longer marks a timeout as not passed"
    )
    assert _timeout(None, 5.0) is None
    assert _timeout(2, 5.0) == 2
    assert _timeout(0.5, None) == 0.5
