"""An update without what a handler's registration promised fails naming the missing part,
not with an AttributeError on None further down."""

from __future__ import annotations

import pytest
from telegram import Update

from handlers.updates import MissingPart, chat_of, message_of, query_of, user_of


@pytest.mark.parametrize(
    ("accessor", "missing"),
    [
        (user_of, "has no user"),
        (chat_of, "has no chat"),
        (message_of, "has no message"),
        (query_of, "is no button press"),
    ],
)
def test_a_missing_part_is_named(accessor, missing):
    with pytest.raises(MissingPart, match=f"^update 7 {missing}$"):
        accessor(Update(update_id=7))
