"""Conversation persistence on the database: a half-filled complaint survives a restart."""

from __future__ import annotations

from bot.persistence import DatabasePersistence
from handlers import texts
from handlers.complaints import CONVERSATION_NAME, DRAFT_KEY
from storage.conversations import KeyValueStore
from storage.db import Database, StorageUnavailable
from tests.casework_support import case_bot
from tests.intake_support import REGION, STORY, confirm, to_description

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


# -- the real bot, restarted mid-complaint, on both databases -------------------------------


async def test_a_draft_survives_a_restart_of_the_bot(policy_kb, migrated_url: str) -> None:
    async with case_bot(policy_kb, migrated_url) as h:
        await to_description(h, RESIDENT)
        # One run of PTB's persistence job (every few seconds in the bot): from here on even a
        # crash keeps the draft.
        await h.app.update_persistence()
        stored = await KeyValueStore(h.storage.db).get("user_data", str(RESIDENT))
        assert stored[DRAFT_KEY]["region"] == REGION and stored[DRAFT_KEY]["township"] == "坂东镇"
        assert await KeyValueStore(h.storage.db).get_all(f"conversations:{CONVERSATION_NAME}")

    async with case_bot(policy_kb, migrated_url) as h:
        contact = await h.ask(RESIDENT, STORY)
        summary = await h.click(RESIDENT, contact, texts.BUTTON_ANONYMOUS)
        await confirm(h, RESIDENT, summary)
        await h.app.update_persistence()
        # The finished conversation and its draft are gone from the database too.
        store = KeyValueStore(h.storage.db)
        assert await store.get_all(f"conversations:{CONVERSATION_NAME}") == {}
        assert DRAFT_KEY not in await store.get("user_data", str(RESIDENT))
