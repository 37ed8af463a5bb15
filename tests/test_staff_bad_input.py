"""What a stranger might type at the staff and admin commands: each gets a polite Chinese
reply, Telegram accepts every message (checked when the harness closes), nothing changes."""

from __future__ import annotations

from handlers import case_texts as t
from handlers import texts
from tests.casework_support import (
    ADMIN,
    FILER,
    STAFF,
    STORY,
    SUPERVISOR,
    UNIT,
    actions,
    file_case,
    staff_bot,
    start_clock,
)

STRANGE = [
    "",
    "<b>加粗</b> & <script>",
    "FP20261123-999999",
    "' OR 1=1 --",
    "状态=* AND 地区:*",
    "😀😀😀",
    "x" * 5000,
    "１２３４５６",
    "/case",
    "\u202e反向",
]


async def test_strange_arguments_are_answered_and_change_nothing(policy_kb, migrated_url):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        for command, user in (
            ("/case", STAFF),
            ("/queue", STAFF),
            ("/stats", SUPERVISOR),
            ("/export", SUPERVISOR),
            ("/grant", ADMIN),
            ("/revoke", ADMIN),
            ("/remove", ADMIN),
        ):
            for junk in STRANGE:
                reply = await h.ask(user, f"{command} {junk}".strip()[:4096])
                assert reply.text and reply.text != texts.ERROR_RETRY, (command, junk)
                h.standin.drain(user)
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted"]
        assert [g.user_id for g in await h.storage.cases.access.roles.all_active()] == [
            STAFF,
            SUPERVISOR,
        ]


async def test_a_reply_with_markup_and_emoji_reaches_the_filer_as_typed_and_5000_characters_are_refused(
    policy_kb, migrated_url
):
    async with staff_bot(policy_kb, migrated_url, start_clock()) as h:
        ticket = await file_case(h.storage, description=STORY, units=[UNIT])
        card = await h.ask(STAFF, f"/case {ticket}")
        await h.click(STAFF, card, t.BUTTON_REPLY)
        too_long = await h.ask(STAFF, "补" * 5000)
        assert too_long.text.startswith("写得太长了")
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted"]

        typed = "<b>补助</b> & 已发放 😀，请查收"
        await h.ask(STAFF, typed)
        relayed = await h.reply(FILER)
        assert typed in relayed.text  # shown literally: escaped, not read as markup
        assert [a for a, _, _ in await actions(h, ticket)] == ["submitted", "reply"]
