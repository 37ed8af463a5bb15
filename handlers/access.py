"""Who may do what: roles read from the database on every command, so a revoke bites at once.

Staff act on the cases assigned to their unit; supervisors see and act on every case of their
region and the regions below it, and may reveal who filed; admins (from ADMIN_IDS or granted)
manage roles and the knowledge base and read statistics. A refusal is said and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers import texts
from storage.models import Complaint, Role
from storage.roles import RoleRepository

log = logging.getLogger(__name__)
# Handlers for input staff and admins owe the bot (a typed reason, a document) and their /help run
# in this group, before the residents' (group 0); they stop the update only when they took it.
STAFF_GROUP = -5


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    region: str


@dataclass(frozen=True)
class Permissions:
    user_id: int
    is_admin: bool = False
    units: tuple[UnitRef, ...] = ()
    regions: tuple[str, ...] = ()  # supervised regions

    @property
    def has_role(self) -> bool:
        return self.is_admin or self.is_staff or self.is_supervisor

    @property
    def is_staff(self) -> bool:
        return bool(self.units)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.regions)

    @property
    def unit_ids(self) -> tuple[int, ...]:
        return tuple(u.id for u in self.units)

    def supervises(self, complaint: Complaint) -> bool:
        return any(f"/{region}/" in complaint.region_path for region in self.regions)

    def handles(self, complaint: Complaint) -> bool:
        """The case is assigned to one of the user's units."""
        return any(a.unit_id in self.unit_ids for a in complaint.assignments)

    def may_view(self, complaint: Complaint) -> bool:
        return self.is_admin or self.handles(complaint) or self.supervises(complaint)

    def may_act(self, complaint: Complaint) -> bool:
        return self.handles(complaint) or self.supervises(complaint)

    def may_reveal(self, complaint: Complaint) -> bool:
        return self.supervises(complaint)


class Access:
    def __init__(self, roles: RoleRepository, admin_ids: Iterable[int] = ()) -> None:
        self.roles = roles
        self.admin_ids = frozenset(admin_ids)

    async def of(self, user_id: int) -> Permissions:
        grants = await self.roles.active(user_id)
        return Permissions(
            user_id=user_id,
            is_admin=user_id in self.admin_ids or any(g.role is Role.ADMIN for g in grants),
            units=tuple(UnitRef(g.unit.id, g.unit.name, g.unit.region)
                        for g in grants if g.role is Role.STAFF and g.unit is not None),
            regions=tuple(dict.fromkeys(g.region for g in grants if g.role is Role.SUPERVISOR and g.region)),
        )

    async def refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str,
                     reason: str = "no role") -> None:
        """Tell the user they may not do `action`, and log who tried what."""
        user = update.effective_user
        log.warning("refused %s to user %s: %s", action, user.id if user else None, reason)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.REFUSED, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.REFUSED, parse_mode=ParseMode.HTML)
