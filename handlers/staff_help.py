"""/help for staff, supervisors and admins: the residents' help plus the commands of their roles.

Residents get the usual help from handlers.resident; this runs first (STAFF_GROUP) and steps
aside for anyone without a role, so a revoked member of staff sees the residents' help again.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes, filters

from cases.access import Access
from handlers import texts, web_texts
from handlers.access import STAFF_GROUP
from handlers.updates import chat_of, user_of


class StaffHelp:
    def __init__(self, access: Access) -> None:
        self.access = access

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        perms = await self.access.of(user_of(update).id)
        if not perms.has_role:
            return
        sections = [texts.HELP]
        sections += [texts.HELP_STAFF] if perms.is_staff else []
        sections += [texts.HELP_SUPERVISOR] if perms.is_supervisor else []
        sections += [texts.HELP_ADMIN] if perms.is_admin else []
        sections.append(web_texts.HELP_WEB)
        await context.bot.send_message(
            chat_of(update).id, "\n\n".join(sections), parse_mode=ParseMode.HTML
        )
        raise ApplicationHandlerStop


def register(application: Application[Any, Any, Any, Any, Any, Any], access: Access) -> None:
    handler = CommandHandler("help", StaffHelp(access).help, filters.ChatType.PRIVATE)
    application.add_handler(handler, group=STAFF_GROUP)
