"""Two bot processes on one database (a second bot, or the web console's process): the deadline
check runs in one of them per tick, so nobody gets a reminder or an escalation twice."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from bot.services import BotStorage
from standin import BotAPIStandIn
from storage.complaints import ESCALATE, REMIND
from storage.models import Role
from storage.workdays import CHINA_TZ, DeadlinePolicy
from tests.casework_support import file_case
from tests.telegram_harness import shared_router

ROOT = Path(__file__).resolve().parent.parent
STAFF, SUPERVISOR, ADMIN = 5101, 5102, 5100
CASES = 40


async def test_two_processes_send_each_reminder_and_escalation_once(migrated_url):
    filed_at = datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ)  # a Monday
    storage = BotStorage.open(
        migrated_url, router=shared_router(), deadlines=DeadlinePolicy(), clock=lambda: filed_at
    )
    try:
        roles = storage.cases.access.roles
        await roles.grant(STAFF, Role.STAFF, unit="县住建局", region="闽清县", granted_by=ADMIN)
        await roles.grant(SUPERVISOR, Role.SUPERVISOR, region="闽清县", granted_by=ADMIN)
        tickets = [
            await file_case(
                storage, description=f"第{n}件：危房改造补助款一直没有发。", units=["县住建局"]
            )
            for n in range(CASES)
        ]
        accept_due = (await storage.cases.repo.get(tickets[0])).accept_due_at
    finally:
        await storage.db.dispose()
    now = accept_due + timedelta(hours=1)  # every case is overdue for acceptance

    async with BotAPIStandIn() as standin:
        for user in (STAFF, SUPERVISOR):  # they opened the bot long ago
            standin.open_chat(user)
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.deadline_process",
                migrated_url,
                standin.base_url,
                standin.token,
                now.isoformat(),
                cwd=ROOT,
                env=dict(os.environ),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        for process in processes:
            assert (await asyncio.wait_for(process.stdout.readline(), 120)).strip() == b"ready"
        for process in processes:  # both start their check at the same moment
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        for process in processes:
            _out, err = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode == 0, err.decode()
            assert b"Traceback" not in err, err.decode()
        sent = Counter(
            (int(call.params["chat_id"]), ticket)
            for call in standin.calls_to("sendMessage")
            for ticket in tickets
            if ticket in call.params.get("text", "")
        )

    assert sent, "the check sent nothing"
    assert max(sent.values()) == 1, [key for key, n in sent.items() if n > 1][:5]
    storage = BotStorage.open(migrated_url, router=shared_router(), deadlines=DeadlinePolicy())
    try:
        for ticket in tickets:
            events = (await storage.cases.repo.get(ticket)).events
            kinds = Counter(
                (e.action, (e.payload or {}).get("deadline"))
                for e in events
                if e.action in (REMIND, ESCALATE)
            )
            assert kinds and max(kinds.values()) == 1, (ticket, kinds)
    finally:
        await storage.db.dispose()
