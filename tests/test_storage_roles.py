"""Role grants and residents' chosen regions, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Role, RoleGrant
from storage.residents import ResidentRepository
from storage.roles import RoleRepository

ADMIN, STAFF = 1, 2001


async def test_grants_are_revoked_not_deleted(db: Database) -> None:
    roles = RoleRepository(db)
    grant = await roles.grant(
        STAFF, "staff", unit="浏阳市教育局", region="浏阳市", granted_by=ADMIN
    )
    again = await roles.grant(
        STAFF, Role.STAFF, unit="浏阳市教育局", region="浏阳市", granted_by=ADMIN
    )
    assert again.id == grant.id and grant.unit.name == "浏阳市教育局"
    await roles.grant(STAFF, Role.SUPERVISOR, region="长沙市", granted_by=ADMIN)
    assert sorted(g.role for g in await roles.active(STAFF)) == [Role.STAFF, Role.SUPERVISOR]

    assert await roles.revoke(STAFF, Role.STAFF, revoked_by=ADMIN) == 1
    assert [g.role for g in await roles.active(STAFF)] == [Role.SUPERVISOR]
    assert await roles.revoke(STAFF, Role.STAFF, revoked_by=ADMIN) == 0
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(RoleGrant)) == 2


async def test_a_residents_region_is_remembered(db: Database) -> None:
    residents = ResidentRepository(db)
    assert await residents.region_of(1001) is None
    await residents.remember(1001, "张三")
    await residents.remember(1001, region="闽清县")
    await residents.remember(1001, "张三丰")
    assert await residents.region_of(1001) == "闽清县"
