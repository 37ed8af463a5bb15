"""/help shows people with a role the commands of that role, and residents only theirs."""

from __future__ import annotations

from datetime import datetime

from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.telegram_harness import Clock

ADMIN, STAFF, SUPERVISOR, RESIDENT = 9001, 9002, 9003, 9004


async def test_help_follows_the_roles_in_force(policy_kb, migrated_url: str) -> None:
    clock = Clock(datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ))
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
        await roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)

        staff = (await h.ask(STAFF, "/help")).text
        assert (
            "/queue" in staff
            and "/case" in staff
            and "/stats" not in staff
            and "/grant" not in staff
        )
        assert "/complain" in staff  # residents' commands work for them too
        supervisor = (await h.ask(SUPERVISOR, "/help")).text
        assert "/stats" in supervisor and "/export" in supervisor and "/grant" not in supervisor
        admin = (await h.ask(ADMIN, "/help")).text
        assert "/grant" in admin and "/reload" in admin and "/queue" not in admin
        resident = (await h.ask(RESIDENT, "/help")).text
        assert "/complain" in resident and "/queue" not in resident

        await roles.revoke(STAFF, "staff", revoked_by=ADMIN)
        after = (await h.ask(STAFF, "/help")).text
        assert "/complain" in after and "/queue" not in after
        for user in (ADMIN, STAFF, SUPERVISOR, RESIDENT):
            assert await h.quiet(user, 0.1) == []
