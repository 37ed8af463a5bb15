"""Role grants: staff of a unit, supervisors of a region, admins. Revoked, never deleted.

Who may grant what, and what each role may do, is decided in handlers/access.py;
this module only records grants and answers which ones are in force.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from storage.db import Database, upsert
from storage.models import Role, RoleGrant, Unit, utcnow


class RoleRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def grant(
        self,
        user_id: int,
        role: Role | str,
        *,
        granted_by: int | None,
        unit: str | None = None,
        region: str | None = None,
    ) -> RoleGrant:
        """Give `role` (for `unit` of `region`, or for `region`); an identical active grant is kept."""
        role = Role(role)
        async with self.db.transaction() as session:
            unit_id = None
            if unit:
                await upsert(
                    session, Unit, {"name": unit, "region": region or ""}, keys=["name", "region"]
                )
                unit_id = await session.scalar(
                    select(Unit.id).where(Unit.name == unit, Unit.region == (region or ""))
                )
            existing = await session.scalar(
                select(RoleGrant).where(
                    RoleGrant.user_id == user_id,
                    RoleGrant.role == role,
                    RoleGrant.unit_id.is_(None)
                    if unit_id is None
                    else RoleGrant.unit_id == unit_id,
                    RoleGrant.region.is_(None) if region is None else RoleGrant.region == region,
                    RoleGrant.revoked_at.is_(None),
                )
            )
            if existing is None:
                existing = RoleGrant(
                    user_id=user_id,
                    role=role,
                    unit_id=unit_id,
                    region=region,
                    granted_by=granted_by,
                    granted_at=self.clock(),
                )
                session.add(existing)
                await session.flush()
            grant_id = existing.id
        async with self.db.session() as session:
            return await session.get_one(RoleGrant, grant_id)

    async def revoke(self, user_id: int, role: Role | str, *, revoked_by: int | None) -> int:
        """Revoke every active grant of `role` to `user_id`; returns how many were revoked."""
        async with self.db.transaction() as session:
            # An UPDATE without RETURNING yields a CursorResult (SQLAlchemy's typing advice).
            result = cast(
                CursorResult[Any],
                await session.execute(
                    update(RoleGrant)
                    .where(
                        RoleGrant.user_id == user_id,
                        RoleGrant.role == Role(role),
                        RoleGrant.revoked_at.is_(None),
                    )
                    .values(revoked_at=self.clock(), revoked_by=revoked_by)
                ),
            )
            return result.rowcount

    async def holders(
        self, role: Role | str, *, unit_ids: Sequence[int] = (), regions: Sequence[str] = ()
    ) -> list[int]:
        """Users holding `role` in force: for any of `unit_ids`, or any of `regions`, or (neither
        given) at all. Used to find whom to notify about a case."""
        query = select(RoleGrant.user_id).where(
            RoleGrant.role == Role(role), RoleGrant.revoked_at.is_(None)
        )
        if unit_ids:
            query = query.where(RoleGrant.unit_id.in_(list(unit_ids)))
        if regions:
            query = query.where(RoleGrant.region.in_(list(regions)))
        async with self.db.session() as session:
            return list(dict.fromkeys(await session.scalars(query.order_by(RoleGrant.id))))

    async def all_active(self) -> list[RoleGrant]:
        """Every grant in force, for the admins' list."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(RoleGrant)
                .where(RoleGrant.revoked_at.is_(None))
                .order_by(RoleGrant.user_id, RoleGrant.id)
            )
            return list(rows)

    async def active(self, user_id: int) -> list[RoleGrant]:
        """The user's grants in force, with their unit loaded."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(RoleGrant)
                .where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
                .order_by(RoleGrant.id)
            )
            return list(rows)
