"""The complaint store on a real SQLite file and a real PostgreSQL server (see tests/conftest.py)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from storage.complaints import (
    Actor,
    ComplaintDraft,
    ComplaintRepository,
    InvalidTransition,
    normalize_ticket,
)
from storage.db import Database, StorageUnavailable
from storage.migrate import alembic_config, upgrade
from storage.models import ActorKind, Complaint, ComplaintEvent, ComplaintStatus

RESIDENT = 1001
NEIGHBOUR = 1002
STAFF = Actor(ActorKind.STAFF, 9001)


def named_draft(
    user: int = RESIDENT,
    description: str = "村里的低保名额被村干部给了亲戚，我家符合条件却没评上。",
    **kw,
) -> ComplaintDraft:
    values = dict(
        category="低保",
        region="浏阳市",
        region_parents=("长沙市", "湖南省"),
        township="镇头镇",
        village="金田村",
        description=description,
        telegram_user_id=user,
        display_name="张三",
        contact_name="张三",
        contact_phone="13800138000",
        units=["浏阳市民政局", "浏阳市扶贫办"],
    )
    values.update(kw)
    return ComplaintDraft(**values)


def anonymous_draft(**kw) -> ComplaintDraft:
    # The intake hands over who is filing; the repository must drop it.
    return named_draft(anonymous=True, **kw)


async def count(db: Database, model, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def schema(url: str) -> tuple[set[str], str | None]:
    """The database's tables and the migration it is at."""
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await db.dispose()
    return tables, version


async def test_migrations_create_the_schema_on_an_empty_database(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)  # at every start: a no-op when up to date
    tables, version = await schema(database_url)
    assert {
        "residents",
        "units",
        "complaints",
        "complaint_units",
        "complaint_events",
        "role_grants",
        "kv_store",
        "web_login_tokens",
        "web_sessions",
    } <= tables
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert "expiring_counters" in tables


async def test_a_database_already_at_head_is_left_as_it_is_without_alembic(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import migrate

    def alembic(connection, revision: str) -> None:
        raise AssertionError("Alembic ran on a database already at head")

    monkeypatch.setattr(migrate, "_upgrade", alembic)
    await upgrade(migrated_url)  # every start of the bot


async def test_a_database_one_migration_behind_is_brought_to_head(database_url: str) -> None:
    await upgrade(database_url, "0002_security")
    await upgrade(database_url)
    tables, version = await schema(database_url)
    assert {"web_login_tokens", "web_sessions"} <= tables
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_heads_read_from_the_migration_files_are_alembics() -> None:
    from storage.migrate import shipped_heads

    assert shipped_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def test_the_migrations_build_exactly_the_models(migrated_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    db = Database(migrated_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await db.dispose()


async def test_migrations_downgrade_to_empty_and_up_again(migrated_url: str) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    def downgrade(connection) -> list[str]:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        return inspect(connection).get_table_names()

    db = Database(migrated_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(downgrade) == ["alembic_version"]
            await conn.commit()
        await upgrade(migrated_url)
        assert (await ComplaintRepository(db).create(named_draft())).ticket
    finally:
        await db.dispose()


async def test_filing_commits_the_complaint_and_its_first_event_before_returning(
    migrated_url: str,
) -> None:
    db = Database(migrated_url)
    filed = await ComplaintRepository(db).create(named_draft())
    await db.dispose()

    # A fresh engine (another process, or the bot after a restart) sees both.
    fresh = Database(migrated_url)
    try:
        complaint = await ComplaintRepository(fresh).get(filed.ticket)
        assert complaint.status is ComplaintStatus.SUBMITTED
        assert [e.action for e in complaint.events] == ["submitted"]
        assert (
            complaint.events[0].actor_kind is ActorKind.RESIDENT
            and complaint.events[0].actor_id == RESIDENT
        )
        assert [a.unit.name for a in complaint.assignments] == ["浏阳市民政局", "浏阳市扶贫办"]
        assert complaint.region_path == "/湖南省/长沙市/浏阳市/"
        assert complaint.query_code_hash and filed.query_code not in complaint.query_code_hash
    finally:
        await fresh.dispose()
    assert normalize_ticket(filed.ticket) == filed.ticket
    assert filed.ticket.startswith("FP") and len(filed.query_code) == 8


async def test_a_failure_while_filing_leaves_nothing_behind(db: Database) -> None:
    repo = ComplaintRepository(db)
    # The first event cannot be written (its payload is not JSON): the complaint must go too.
    with pytest.raises((StatementError, TypeError)):
        await repo.create(named_draft(routing={"section": object()}))
    assert await count(db, Complaint) == 0
    assert await count(db, ComplaintEvent) == 0
    filed = await repo.create(named_draft())
    assert await count(db, Complaint) == 1 and await count(db, ComplaintEvent) == 1
    assert (await repo.get(filed.ticket)).events[0].action == "submitted"


async def test_a_thousand_concurrent_submissions_give_a_thousand_complaints(db: Database) -> None:
    repo = ComplaintRepository(db)
    drafts = [
        anonymous_draft()
        if i % 3 == 0
        else named_draft(user=50_000 + i % 200, description=f"第{i}件：危房改造补助没有发放")
        for i in range(1000)
    ]
    filed = await asyncio.gather(*(repo.create(d) for d in drafts))

    tickets = {f.ticket for f in filed}
    assert len(tickets) == 1000
    assert await count(db, Complaint) == 1000
    async with db.session() as session:
        stored = set(await session.scalars(select(Complaint.ticket)))
        first_events = (
            await session.execute(
                select(ComplaintEvent.complaint_id, func.count())
                .where(ComplaintEvent.action == "submitted")
                .group_by(ComplaintEvent.complaint_id)
            )
        ).all()
    assert stored == tickets
    assert len(first_events) == 1000 and all(n == 1 for _, n in first_events)


async def test_an_unreachable_database_is_a_clear_error_and_files_nothing(
    database_url: str, tmp_path
) -> None:
    if database_url.startswith("sqlite"):
        dead_db = Database(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'fupin.sqlite3'}")
        (tmp_path / "gone").rmdir()  # the disk went away: the file cannot be opened
    else:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        dead_db = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/nothing")
    try:
        with pytest.raises(StorageUnavailable):
            await ComplaintRepository(dead_db).create(named_draft())
        with pytest.raises(StorageUnavailable):
            await ComplaintRepository(dead_db).lookup(
                "FP20261122-000001", telegram_user_id=RESIDENT
            )
    finally:
        await dead_db.dispose()


async def test_an_outage_during_submissions_loses_no_complaint_reported_filed(
    db: Database, migrated_url: str
) -> None:
    from tests.storage_support import lock_sqlite, postgres_outage

    if db.is_sqlite:
        await db.dispose()
        db = Database(migrated_url, sqlite_busy_timeout_ms=100)
    repo = ComplaintRepository(db)
    n = 300
    started = asyncio.Event()
    done = 0

    async def submit(i: int):
        nonlocal done
        await started.wait()
        try:
            return await repo.create(
                named_draft(user=70_000 + i, description=f"第{i}件：补助被克扣")
            )
        finally:
            done += 1

    async def outage() -> None:
        started.set()
        while done < 60:  # noqa: ASYNC110 - a counter of other tasks' progress, polled
            await asyncio.sleep(0.001)
        if db.is_sqlite:
            lock = await asyncio.to_thread(lock_sqlite, migrated_url)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(lock.rollback)
            lock.close()
        else:
            async with postgres_outage(migrated_url):
                await asyncio.sleep(1.0)

    results = await asyncio.gather(*(submit(i) for i in range(n)), outage(), return_exceptions=True)
    results = results[:n]
    failures = [r for r in results if isinstance(r, BaseException)]
    reported = {r.ticket for r in results if not isinstance(r, BaseException)}

    assert failures, "the outage should have refused some submissions"
    assert reported, "submissions before and after the outage should have succeeded"
    assert all(isinstance(f, StorageUnavailable) for f in failures), {
        repr(f)[:300] for f in failures if not isinstance(f, StorageUnavailable)
    }

    async with db.session() as session:
        stored = set(await session.scalars(select(Complaint.ticket)))
        with_event = set(
            await session.scalars(
                select(Complaint.ticket)
                .join(ComplaintEvent)
                .where(ComplaintEvent.action == "submitted")
            )
        )
    assert reported <= stored and reported <= with_event  # every ticket shown is really filed
    assert stored == with_event  # and no complaint exists without its first event
    # Anything stored but not reported could only be a commit whose reply was cut off.
    assert len(stored - reported) <= len(failures)
    if db.is_sqlite:
        await db.dispose()


async def test_residents_see_only_their_own_complaints(db: Database) -> None:
    repo = ComplaintRepository(db)
    mine = await repo.create(named_draft())
    theirs = await repo.create(
        named_draft(user=NEIGHBOUR, description="危房改造的钱被村里扣了一半，问了也不给说法。")
    )

    assert (await repo.lookup(mine.ticket, telegram_user_id=RESIDENT)).ticket == mine.ticket
    assert await repo.lookup(theirs.ticket, telegram_user_id=RESIDENT) is None
    assert (
        await repo.lookup(theirs.ticket, telegram_user_id=RESIDENT, query_code=mine.query_code)
        is None
    )
    assert await repo.lookup("FP20991231-999999", telegram_user_id=RESIDENT) is None
    assert await repo.lookup("不是单号", telegram_user_id=RESIDENT) is None
    assert [v.ticket for v in await repo.list_for_resident(RESIDENT)] == [mine.ticket]
    # The query code works from any account (a new phone), typed the way residents type.
    full_width = mine.ticket.lower().translate(
        str.maketrans("0123456789-", "０１２３４５６７８９－")
    )
    view = await repo.lookup(full_width, query_code=" ".join(mine.query_code))
    assert view is not None and view.ticket == mine.ticket


async def test_anonymous_complaints_keep_no_identity_and_open_only_with_the_query_code(
    db: Database,
) -> None:
    repo = ComplaintRepository(db)
    filed = await repo.create(anonymous_draft())

    complaint = await repo.get(filed.ticket)
    assert complaint.anonymous
    assert (complaint.resident_id, complaint.contact_name, complaint.contact_phone) == (
        None,
        None,
        None,
    )
    assert all(e.actor_id is None for e in complaint.events)
    async with db.session() as session:
        row = (
            (
                await session.execute(
                    text("SELECT * FROM complaints WHERE ticket = :t"), {"t": filed.ticket}
                )
            )
            .mappings()
            .one()
        )
    # Compared per column: a short id could occur by chance inside a hash or a timestamp.
    assert all(v not in (RESIDENT, str(RESIDENT)) for v in row.values())
    assert "13800138000" not in " ".join(str(v) for v in row.values())

    assert await repo.lookup(filed.ticket, telegram_user_id=RESIDENT) is None
    assert await repo.list_for_resident(RESIDENT) == []
    wrong = "0" * 8 if filed.query_code != "0" * 8 else "1" * 8
    assert await repo.lookup(filed.ticket, query_code=wrong) is None
    view = await repo.lookup(filed.ticket, query_code=filed.query_code)
    assert view is not None and view.anonymous and [e.action for e in view.history] == ["submitted"]

    # The filer stays anonymous in the log when acting later (e.g. feedback).
    await repo.append_event(
        filed.ticket, Actor(ActorKind.RESIDENT, RESIDENT), "feedback", {"public": "不满意"}
    )
    assert all(e.actor_id is None for e in (await repo.get(filed.ticket)).events)


async def test_the_event_log_is_append_only(db: Database) -> None:
    repo = ComplaintRepository(db)
    filed = await repo.create(named_draft())
    await repo.transition(
        filed.ticket, ComplaintStatus.ACCEPTED, STAFF, payload={"public": "已受理，将在15日内办理"}
    )
    await repo.append_event(filed.ticket, STAFF, "note", {"text": "已联系村委"})
    before = [(e.id, e.action, e.payload) for e in (await repo.get(filed.ticket)).events]
    assert [a for _, a, _ in before] == ["submitted", "accepted", "note"]

    for statement in (
        "UPDATE complaint_events SET action = 'resolved'",
        "DELETE FROM complaint_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.execute(text(statement))
    assert [(e.id, e.action, e.payload) for e in (await repo.get(filed.ticket)).events] == before
    with pytest.raises(ValueError):
        await repo.append_event(
            filed.ticket, STAFF, "resolved"
        )  # status changes go through transition()


async def test_status_changes_follow_the_lifecycle(db: Database) -> None:
    repo = ComplaintRepository(db)
    filed = await repo.create(named_draft())
    with pytest.raises(InvalidTransition):
        await repo.transition(filed.ticket, ComplaintStatus.CLOSED, STAFF)

    await repo.transition(filed.ticket, "accepted", STAFF)
    moved = await repo.transition(
        filed.ticket,
        "transferred",
        STAFF,
        payload={"reason": "属住建部门职责"},
        units=["浏阳市住建局"],
    )
    assert [a.unit.name for a in moved.assignments] == ["浏阳市住建局"]
    for status in ("accepted", "in_progress", "resolved"):
        await repo.transition(filed.ticket, status, STAFF)
    await repo.transition(
        filed.ticket,
        "reopened",
        Actor(ActorKind.RESIDENT, RESIDENT),
        payload={"public": "问题没有解决"},
    )
    final = await repo.get(filed.ticket)
    assert final.status is ComplaintStatus.REOPENED and final.resolved_at is not None
    steps = [(e.from_status, e.to_status) for e in final.events]
    assert steps == [
        (None, "submitted"),
        ("submitted", "accepted"),
        ("accepted", "transferred"),
        ("transferred", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "reopened"),
    ]
    assert final.events[2].payload["units"] == ["浏阳市住建局"]
    view = await repo.lookup(filed.ticket, telegram_user_id=RESIDENT)
    assert view.status is ComplaintStatus.REOPENED and view.units == ("浏阳市住建局",)
    assert view.history[-1].public == "问题没有解决"


async def test_the_same_resident_resending_a_complaint_is_recognised(db: Database) -> None:
    repo = ComplaintRepository(db)
    first = await repo.create(named_draft())
    again = "村里的低保名额被村干部给了亲戚，我家符合条件，却没有评上！"
    found = await repo.find_recent_duplicate(RESIDENT, again)
    assert found is not None and found.ticket == first.ticket
    assert await repo.find_recent_duplicate(NEIGHBOUR, again) is None
    assert await repo.find_recent_duplicate(RESIDENT, "孩子上学的教育补助今年一直没有发。") is None


def test_a_ticket_is_found_inside_a_message_but_not_inside_a_longer_number():
    from storage.complaints import ticket_in

    assert ticket_in("我的编号ｆｐ20261123000001 查询码12345678") == "FP20261123-000001"
    assert ticket_in("FP20261123-000001怎么样了") == "FP20261123-000001"
    assert ticket_in("XFP20261123-000001") is None
    assert ticket_in("FP20261123-0000011234567890") is None
    assert ticket_in("低保一个月多少钱") is None
