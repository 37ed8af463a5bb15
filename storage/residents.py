"""Residents: who talked to the bot and the region they chose, so they are not asked again."""

from __future__ import annotations

from storage.db import Database, upsert
from storage.models import Resident, utcnow


class ResidentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def remember(
        self, telegram_user_id: int, display_name: str | None = None, region: str | None = None
    ) -> None:
        """Create or update the resident; a None field leaves what is stored."""
        now = utcnow()
        values = {
            "telegram_user_id": telegram_user_id,
            "display_name": display_name,
            "region": region,
            "created_at": now,
            "updated_at": now,
        }
        changed = [field for field in ("display_name", "region") if values[field] is not None]
        async with self.db.transaction() as session:
            await upsert(
                session,
                Resident,
                values,
                keys=["telegram_user_id"],
                update=[*changed, "updated_at"] if changed else None,
            )

    async def region_of(self, telegram_user_id: int) -> str | None:
        async with self.db.session() as session:
            resident = await session.get(Resident, telegram_user_id)
            return resident.region if resident else None
