"""Messages the bot starts itself: to a unit's staff, a region's supervisors, a case's filer.

Whom to tell is read from the role grants at the moment of sending, so a revoked member of
staff hears nothing more. A recipient who never opened the bot or blocked it cannot be
reached; that is logged and the others are still told.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from storage.models import Complaint, Role
from storage.roles import RoleRepository

log = logging.getLogger(__name__)


def region_chain(complaint: Complaint) -> list[str]:
    """The complaint's region and every region above it ('/湖北省/黄冈市/x县/' → all three)."""
    return [part for part in complaint.region_path.split("/") if part]


async def unit_staff(roles: RoleRepository, complaint: Complaint) -> list[int]:
    """Staff of the units the case is assigned to now."""
    unit_ids = [a.unit_id for a in complaint.assignments]
    return await roles.holders(Role.STAFF, unit_ids=unit_ids) if unit_ids else []


async def supervisors(roles: RoleRepository, complaint: Complaint) -> list[int]:
    """Supervisors of the complaint's region or of a region above it."""
    return await roles.holders(Role.SUPERVISOR, regions=region_chain(complaint))


async def send_to(bot: Bot, user_ids: Iterable[int], text: str,
                  reply_markup: InlineKeyboardMarkup | None = None) -> list[int]:
    """Send `text` (Telegram HTML) to each user once; returns those reached."""
    reached = []
    for user_id in dict.fromkeys(user_ids):
        try:
            await bot.send_message(user_id, text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
        except (Forbidden, BadRequest) as exc:
            log.warning("could not notify user %s: %s", user_id, exc)
            continue
        reached.append(user_id)
    return reached


async def tell_filer(bot: Bot, complaint: Complaint, text: str,
                     reply_markup: InlineKeyboardMarkup | None = None) -> bool:
    """Tell the filer of a named complaint; an anonymous filer can only look it up with /status."""
    if complaint.resident_id is None:
        return False
    return bool(await send_to(bot, [complaint.resident_id], text, reply_markup))
