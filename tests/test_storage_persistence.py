"""Conversation persistence on the database: a half-filled complaint survives a restart."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.app import polling
from bot.persistence import DatabasePersistence
from standin import BotAPIStandIn
from storage.conversations import KeyValueStore
from storage.db import Database, StorageUnavailable

RESIDENT = 1001
DRAFT = {"category": "低保", "region": "浏阳市", "township": "镇头镇", "photos": [], "step": 3}


async def loaded(db: Database) -> DatabasePersistence:
    """A persistence as the Application sets it up at start: everything read once."""
    persistence = DatabasePersistence(KeyValueStore(db))
    await persistence.get_user_data()
    await persistence.get_chat_data()
    await persistence.get_bot_data()
    await persistence.get_callback_data()
    return persistence


async def test_everything_persisted_is_there_after_a_restart(migrated_url: str) -> None:
    db = Database(migrated_url)
    persistence = await loaded(db)
    await persistence.update_user_data(RESIDENT, {"draft": DRAFT})
    await persistence.update_user_data(1002, {"draft": {"category": "教育"}})
    await persistence.update_chat_data(RESIDENT, {"last_menu": 42})
    await persistence.update_bot_data({"reload": {"version": 3}})
    await persistence.update_callback_data(
        ([("uuid-1", 1700000000.5, {"k": "申请"})], {"uuid-1": "uuid-1"})
    )
    await persistence.get_conversations("complaint")
    await persistence.update_conversation("complaint", (RESIDENT, RESIDENT), 2)
    await persistence.update_conversation("complaint", (1002, 1002), 1)
    await persistence.update_conversation("complaint", (1002, 1002), None)  # conversation ended
    await persistence.drop_user_data(1002)
    await persistence.flush()
    await db.dispose()

    fresh = Database(migrated_url)
    try:
        restored = DatabasePersistence(KeyValueStore(fresh))
        assert await restored.get_user_data() == {RESIDENT: {"draft": DRAFT}}
        assert await restored.get_chat_data() == {RESIDENT: {"last_menu": 42}}
        assert await restored.get_bot_data() == {"reload": {"version": 3}}
        assert await restored.get_callback_data() == (
            [("uuid-1", 1700000000.5, {"k": "申请"})],
            {"uuid-1": "uuid-1"},
        )
        assert await restored.get_conversations("complaint") == {(RESIDENT, RESIDENT): 2}
        assert await restored.get_conversations("other") == {}
    finally:
        await fresh.dispose()


async def test_a_change_made_during_an_outage_is_written_when_the_database_is_back(
    migrated_url: str,
) -> None:
    from tests.storage_support import lock_sqlite, postgres_outage

    db = Database(migrated_url, sqlite_busy_timeout_ms=100)
    try:
        persistence = await loaded(db)
        if db.is_sqlite:
            lock = lock_sqlite(migrated_url)
            try:
                await _update_fails(persistence)
            finally:
                lock.rollback()
                lock.close()
        else:
            async with postgres_outage(migrated_url):
                await _update_fails(persistence)
        # PTB hands a change over only once; the next write (or flush at stop) carries it.
        await persistence.update_chat_data(RESIDENT, {"seen": True})
        assert await KeyValueStore(db).get("user_data", str(RESIDENT)) == {"draft": DRAFT}
    finally:
        await db.dispose()


async def _update_fails(persistence: DatabasePersistence) -> None:
    try:
        await persistence.update_user_data(RESIDENT, {"draft": DRAFT})
    except StorageUnavailable:
        return
    raise AssertionError("the update should have met the outage")


# -- the real Application, polling the Bot API stand-in, restarted mid-conversation ---------

CATEGORY, PLACE = range(2)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["draft"] = {}
    await update.effective_message.reply_text("哪一类问题？")
    return CATEGORY


async def _category(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["draft"]["category"] = update.effective_message.text
    await update.effective_message.reply_text("在哪个乡镇？")
    return PLACE


async def _place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    draft = context.user_data.pop("draft")
    await update.effective_message.reply_text(
        f"已记下：{draft['category']}，{update.effective_message.text}"
    )
    return ConversationHandler.END


def _application(standin: BotAPIStandIn, db: Database):
    application = (
        ApplicationBuilder()
        .token(standin.token)
        .base_url(standin.base_url)
        .persistence(DatabasePersistence(KeyValueStore(db), update_interval=0.2))
        .build()
    )
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("complain", _start)],
            states={
                CATEGORY: [MessageHandler(filters.TEXT & ~filters.COMMAND, _category)],
                PLACE: [MessageHandler(filters.TEXT & ~filters.COMMAND, _place)],
            },
            fallbacks=[],
            name="complaint",
            persistent=True,
        )
    )
    return application


async def test_a_draft_survives_a_restart_of_the_bot(migrated_url: str) -> None:
    async with BotAPIStandIn() as standin:
        db = Database(migrated_url)
        async with polling(_application(standin, db), 1.0):
            standin.push_text(RESIDENT, "/complain")
            assert (await standin.pop_reply(RESIDENT)).text == "哪一类问题？"
            standin.push_text(RESIDENT, "低保")
            assert (await standin.pop_reply(RESIDENT)).text == "在哪个乡镇？"
            # Written within the update interval, so even a crash from here on keeps it.
            await asyncio.sleep(0.6)
            assert await KeyValueStore(db).get("user_data", str(RESIDENT)) == {
                "draft": {"category": "低保"}
            }
        await db.dispose()

        restarted = Database(migrated_url)
        try:
            async with polling(_application(standin, restarted), 1.0):
                standin.push_text(RESIDENT, "镇头镇")
                assert (await standin.pop_reply(RESIDENT)).text == "已记下：低保，镇头镇"
            # The finished conversation and its draft are gone from the database too.
            assert await KeyValueStore(restarted).get_all("conversations:complaint") == {}
            assert await KeyValueStore(restarted).get("user_data", str(RESIDENT)) == {}
        finally:
            await restarted.dispose()
