"""The deadline check's queries on both databases: bounded batches, one action per deadline value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.complaints import ESCALATE, REMIND, SYSTEM, ComplaintDraft, ComplaintRepository
from storage.deadlines import ACCEPT, RESOLVE, DeadlineQueries
from storage.workdays import CHINA_TZ

FILED = datetime(2026, 11, 23, 1, tzinfo=UTC)


async def file(repository: ComplaintRepository, n: int) -> str:
    filed = await repository.create(
        ComplaintDraft(
            category="housing_renovation",
            region="闽清县",
            description=f"危房改造补助没有发放，第{n}件。",
            anonymous=True,
            units=["县住建局"],
            region_parents=("福州市", "福建省"),
            accept_due_at=FILED + timedelta(hours=n),
            resolve_due_at=FILED + timedelta(days=20),
        )
    )
    return filed.ticket


async def test_a_backlog_is_worked_off_in_bounded_batches_earliest_first(db):
    repository = ComplaintRepository(db, lambda: FILED)
    tickets = [await file(repository, n) for n in (3, 1, 2)]
    queries = DeadlineQueries(db)
    now = FILED + timedelta(days=1)

    first = await queries.overdue(now, limit=2)
    assert [(c.complaint.ticket, c.deadline) for c in first] == [
        (tickets[1], ACCEPT),
        (tickets[2], ACCEPT),
    ]
    for case in first:
        await repository.append_event(
            case.complaint.ticket,
            SYSTEM,
            ESCALATE,
            {"reason": "overdue_accept", "due": case.due.isoformat()},
        )
    assert [c.complaint.ticket for c in await queries.overdue(now, limit=2)] == [tickets[0]]


async def test_an_event_counts_only_for_the_deadline_value_it_names(db):
    clock = [FILED]
    repository = ComplaintRepository(db, lambda: clock[0])
    ticket = await file(repository, 5)
    queries = DeadlineQueries(db)
    windows = {ACCEPT: timedelta(hours=4), RESOLVE: timedelta(days=2)}
    now = FILED + timedelta(hours=2)

    [case] = await queries.reminders_due(now, windows)
    # The same moment written with another offset is the same deadline.
    await repository.append_event(
        ticket,
        SYSTEM,
        REMIND,
        {"deadline": "accept", "due": case.due.astimezone(CHINA_TZ).isoformat()},
    )
    assert await queries.reminders_due(now, windows) == []

    later = case.due + timedelta(hours=3)
    await repository.transition(
        ticket, "transferred", SYSTEM, units=["县民政局"], accept_due_at=later
    )
    [again] = await queries.reminders_due(later - timedelta(hours=1), windows)
    assert again.due == later and [a.unit.name for a in again.complaint.assignments] == ["县民政局"]
