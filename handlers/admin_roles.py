"""Admins grant and revoke roles from Telegram: /grant, /revoke, /roles; anyone may ask /myid.

Input is checked before anything is written (a numeric id, a known role word, a region the
knowledge base covers), so a typo changes nothing and says what was wrong. The person
granted is told what they can now do; Access reads grants on every use, so a revoke bites
at once.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from cases.times import china_time
from handlers import admin_texts as texts
from handlers.access import refuse
from handlers.formatting import escape, pack_lines
from handlers.notify import send_to
from handlers.updates import chat_of, user_of
from storage.models import Role, RoleGrant

if TYPE_CHECKING:
    from cases.service import CaseService
    from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

ROLE_WORDS = {
    "工作人员": Role.STAFF,
    "staff": Role.STAFF,
    "督办": Role.SUPERVISOR,
    "监督": Role.SUPERVISOR,
    "supervisor": Role.SUPERVISOR,
    "管理员": Role.ADMIN,
    "admin": Role.ADMIN,
}
_USER_ID = re.compile(r"^[0-9]{1,15}$")
MAX_UNIT_CHARS = 100  # the units table holds 200; real names are far shorter


class BadInput(ValueError):
    """Input the admin must correct; the message says how (Telegram HTML)."""


class RoleAdmin:
    def __init__(self, kb: KnowledgeBase, service: CaseService) -> None:
        self.kb = kb
        self.access = service.access
        self.roles = service.access.roles

    async def _admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> bool:
        if (await self.access.of(user_of(update).id)).is_admin:
            return True
        await refuse(update, context, action, "not an admin")
        return False

    async def _say(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        await context.bot.send_message(chat_of(update).id, text, parse_mode=ParseMode.HTML)

    async def my_id(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, context, texts.MY_ID.format(user_id=user_of(update).id))

    def _user(self, value: str) -> int:
        if not _USER_ID.match(value):
            raise BadInput(texts.BAD_USER_ID.format(value=escape(value[:30])))
        return int(value)

    def _role(self, value: str) -> Role:
        role = ROLE_WORDS.get(value.lower())
        if role is None:
            raise BadInput(texts.BAD_ROLE.format(value=escape(value[:30])))
        return role

    def _region(self, value: str) -> str:
        chain = self.kb.region_chain(value)
        if chain is None:
            regions = "、".join(self.kb.known_regions())
            raise BadInput(
                texts.UNKNOWN_REGION.format(value=escape(value[:30]), regions=escape(regions))
            )
        return chain[0]

    def _parse_grant(self, args: list[str]) -> tuple[int, Role, str | None, str | None]:
        if len(args) < 2:
            raise BadInput(texts.GRANT_USAGE)
        user, role = self._user(args[0]), self._role(args[1])
        rest = args[2:]
        if role is Role.STAFF:
            if len(rest) < 2:
                raise BadInput(texts.GRANT_USAGE)
            unit = " ".join(rest[1:]).strip()
            if len(unit) > MAX_UNIT_CHARS:
                raise BadInput(texts.UNIT_TOO_LONG.format(limit=MAX_UNIT_CHARS))
            return user, role, self._region(rest[0]), unit
        if role is Role.SUPERVISOR:
            if len(rest) != 1:
                raise BadInput(texts.GRANT_USAGE)
            return user, role, self._region(rest[0]), None
        if rest:
            raise BadInput(texts.GRANT_USAGE)
        return user, role, None, None

    async def grant(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._admin(update, context, "grant"):
            return
        admin = user_of(update).id
        try:
            user, role, region, unit = self._parse_grant(list(context.args or []))
        except BadInput as bad:
            await self._say(update, context, str(bad) + texts.NOTHING_CHANGED)
            return
        await self.roles.grant(user, role, granted_by=admin, unit=unit, region=region)
        log.info(
            "admin %s granted %s (unit %r, region %r) to user %s",
            admin,
            role.value,
            unit,
            region,
            user,
        )
        notice = {
            Role.STAFF: texts.NOTICE_STAFF,
            Role.SUPERVISOR: texts.NOTICE_SUPERVISOR,
            Role.ADMIN: texts.NOTICE_ADMIN,
        }[role].format(region=escape(region or ""), unit=escape(unit or ""))
        told = await send_to(context.bot, [user], notice)
        said = texts.GRANTED.format(
            user=user, role=texts.ROLE_NAMES[role.value], scope=_scope(region, unit)
        )
        await self._say(
            update, context, f"{said}\n{texts.GRANTED_TOLD if told else texts.GRANTED_NOT_TOLD}"
        )

    async def revoke(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._admin(update, context, "revoke"):
            return
        admin = user_of(update).id
        args = list(context.args or [])
        try:
            if len(args) != 2:
                raise BadInput(texts.REVOKE_USAGE)
            user, role = self._user(args[0]), self._role(args[1])
        except BadInput as bad:
            await self._say(update, context, str(bad) + texts.NOTHING_CHANGED)
            return
        name = texts.ROLE_NAMES[role.value]
        count = await self.roles.revoke(user, role, revoked_by=admin)
        if not count:
            configured = role is Role.ADMIN and user in self.access.admin_ids
            await self._say(
                update,
                context,
                (texts.REVOKE_CONFIGURED_ADMIN if configured else texts.REVOKE_NONE).format(
                    user=user, role=name
                ),
            )
            return
        log.info("admin %s revoked %s from user %s (%d grants)", admin, role.value, user, count)
        await send_to(context.bot, [user], texts.NOTICE_REVOKED.format(role=name))
        await self._say(update, context, texts.REVOKED.format(user=user, role=name, count=count))

    async def list_roles(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._admin(update, context, "roles"):
            return
        grants = await self.roles.all_active()
        configured = texts.ROLES_CONFIGURED.format(
            ids="、".join(str(i) for i in sorted(self.access.admin_ids)) or "—"
        )
        if not grants:
            await self._say(update, context, f"{texts.ROLES_NONE}\n{configured}")
            return
        items = [_grant_line(g) for g in grants] + [configured]
        for message in pack_lines(texts.ROLES_HEADER.format(count=len(grants)), items):
            await self._say(update, context, message)


def _scope(region: str | None, unit: str | None) -> str:
    if unit:
        return texts.SCOPE_UNIT.format(region=escape(region or ""), unit=escape(unit))
    return texts.SCOPE_REGION.format(region=escape(region)) if region else ""


def _grant_line(grant: RoleGrant) -> str:
    return texts.ROLES_ITEM.format(
        user=grant.user_id,
        role=texts.ROLE_NAMES.get(grant.role.value, grant.role.value),
        scope=_scope(grant.region, grant.unit.name if grant.unit else None),
        when=china_time(grant.granted_at),
        by=grant.granted_by if grant.granted_by is not None else texts.BY_CONFIG,
    )


def register(
    application: Application[Any, Any, Any, Any, Any, Any], kb: KnowledgeBase, service: CaseService
) -> None:
    private = filters.ChatType.PRIVATE
    admin = RoleAdmin(kb, service)
    application.add_handlers(
        [
            CommandHandler("myid", admin.my_id, private),
            CommandHandler("grant", admin.grant, private),
            CommandHandler("revoke", admin.revoke, private),
            CommandHandler("roles", admin.list_roles, private),
        ]
    )
