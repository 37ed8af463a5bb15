"""/status: a resident's own complaints, or one case by ticket and query code.

A filer sees their named complaints as the owner; anyone with a ticket and its query code sees
that one case. Wrong codes are limited per ticket and per account (IntakeLimits), each logged
with the ticket and the account but never the code tried, and a locked ticket is answered
politely; a guesser cannot tell a wrong ticket from a wrong code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from cases.service import CaseService
from cases.times import china_time
from handlers import texts
from handlers.complaints import IntakeLimits, china_day_end, units_text
from handlers.formatting import escape
from handlers.resident import send_html
from handlers.updates import user_of
from storage.complaints import ComplaintView, normalize_ticket
from storage.counters import ExpiringCounters
from storage.db import StorageUnavailable
from storage.workdays import CHINA_TZ

log = logging.getLogger(__name__)
LIST_LIMIT = 10
HISTORY_SHOWN = 20
DESCRIPTION_CHARS = 300


class TicketLocked(Exception):
    """Too many wrong query codes for this ticket, or from this account today."""


class StatusHandlers:
    def __init__(self, cases: CaseService, labels: Mapping[str, str], limits: IntakeLimits) -> None:
        self.repo = cases.repo
        self.labels = labels
        self.limits = limits
        self.counters = ExpiringCounters(cases.repo.db, limits.key, cases.repo.clock)

    def _detail(self, view: ComplaintView) -> str:
        history = "".join(
            texts.STATUS_HISTORY_ITEM.format(
                date=china_time(e.at),
                status=texts.STATUS_LABELS.get(e.action, e.action),
                public=("：" + escape(e.public[:DESCRIPTION_CHARS])) if e.public else "",
            )
            for e in view.history[-HISTORY_SHOWN:]
        )
        description = view.description
        if len(description) > DESCRIPTION_CHARS:
            description = description[:DESCRIPTION_CHARS] + "……"
        place = " ".join(p for p in (view.region, view.township, view.village) if p)
        return texts.STATUS_DETAIL.format(
            ticket=escape(view.ticket),
            status=texts.STATUS_LABELS.get(view.status.value, view.status.value),
            category=escape(self.labels.get(view.category, view.category)),
            place=escape(place),
            units=units_text(list(view.units)),
            description=escape(description),
            history=history,
        )

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user_id = user_of(update).id
        args = context.args or []
        try:
            if not args:
                await send_html(update, context, [await self._listing(user_id)])
                return
            code = "".join(args[1:]) or None
            view = (
                await self.repo.lookup(args[0], telegram_user_id=user_id)
                if code is None
                else await self._lookup_with_code(user_id, args[0], code)
            )
        except StorageUnavailable:
            await send_html(update, context, [texts.STATUS_UNAVAILABLE])
            return
        except TicketLocked:
            await send_html(update, context, [texts.STATUS_LOCKED])
            return
        await send_html(
            update, context, [texts.STATUS_NOT_FOUND if view is None else self._detail(view)]
        )

    async def _listing(self, user_id: int) -> str:
        views = await self.repo.list_for_resident(user_id, limit=LIST_LIMIT)
        if not views:
            return texts.STATUS_NONE
        items = "".join(
            texts.STATUS_LIST_ITEM.format(
                ticket=escape(v.ticket),
                category=escape(self.labels.get(v.category, v.category)),
                date=china_time(v.created_at)[:10],
                status=texts.STATUS_LABELS.get(v.status.value, v.status.value),
            )
            for v in views
        )
        return texts.STATUS_LIST_HEADER.format(n=len(views)) + items + texts.STATUS_LIST_FOOTER

    async def _lookup_with_code(
        self, user_id: int, ticket_text: str, code: str
    ) -> ComplaintView | None:
        """The case if the code is right, within the limits of wrong codes per ticket and per
        account; raises TicketLocked while either is locked."""
        ticket = normalize_ticket(ticket_text) or "?"
        now = self.repo.clock()
        today = now.astimezone(CHINA_TZ).date().isoformat()
        if (
            await self.counters.get("code", ticket) >= self.limits.code_tries_per_ticket
            or await self.counters.get("code-account", user_id, today)
            >= self.limits.code_tries_per_account
        ):
            log.warning(
                "query code for %s refused to user %s: locked after too many wrong codes",
                ticket,
                user_id,
            )
            raise TicketLocked(ticket)
        view = await self.repo.lookup(ticket_text, telegram_user_id=user_id, query_code=code)
        if view is None:
            lock_until = now + timedelta(hours=self.limits.lock_hours)
            tries = await self.counters.add("code", ticket, expires_at=lock_until)
            await self.counters.add("code-account", user_id, today, expires_at=china_day_end(now))
            log.warning(
                "wrong query code for %s from user %s (%d of %d)",
                ticket,
                user_id,
                tries,
                self.limits.code_tries_per_ticket,
            )
        return view


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    cases: CaseService,
    labels: Mapping[str, str],
    limits: IntakeLimits | None = None,
    group: int = 0,
) -> None:
    """/status in private chats (in groups the intake's handlers say it is not for the group)."""
    handlers = StatusHandlers(cases, labels, limits or IntakeLimits())
    application.add_handler(
        CommandHandler("status", handlers.status, filters.ChatType.PRIVATE), group=group
    )
