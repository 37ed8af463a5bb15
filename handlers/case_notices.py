"""The Telegram side of cases.notices: each notice the case service hands over, in the words
staff, supervisors and filers read, sent to each recipient once. Wired into the service by the
composition root, so actions from the web console reach Telegram through here too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from cases import notices as n
from cases.notices import Notice
from cases.times import china_time
from cases.views import CaseView
from handlers import case_texts as t
from handlers import deadline_texts as dt
from handlers.formatting import escape
from handlers.notify import send_to

PREFIX = "cw:"  # handlers.casework's buttons
NOTICE_DESCRIPTION_CHARS = 120
# 回访 buttons: callback code → rating.
RATING_CODES = {"s": "satisfied", "b": "basically_satisfied", "u": "unsatisfied"}


def open_button(ticket: str, label: str = t.BUTTON_OPEN) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"{PREFIX}open:{ticket}")


def rating_buttons(ticket: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.RATINGS[rating], callback_data=f"{PREFIX}fb:{ticket}:{code}")
                for code, rating in RATING_CODES.items()
            ]
        ]
    )


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def due(value: datetime | None) -> str:
    return china_time(value, t.NO_DEADLINE)


def units_text(units: tuple[str, ...] | list[str] | str) -> str:
    joined = units if isinstance(units, str) else "、".join(units)
    return escape(joined or t.UNITS_NONE)


def duration(span: timedelta) -> str:
    """A span in words, to the hour: 约 2 天 5 小时."""
    hours = int(span.total_seconds() // 3600)
    if hours < 1:
        return dt.LESS_THAN_AN_HOUR
    days, hours = divmod(hours, 24)
    if not days:
        return dt.HOURS.format(hours=hours)
    return dt.DAYS_HOURS.format(days=days, hours=hours) if hours else dt.DAYS.format(days=days)


class TelegramNotifier:
    def __init__(
        self, bot: Bot, category_labels: Mapping[str, str], feedback_window: timedelta
    ) -> None:
        self.bot = bot
        self.labels = category_labels
        self.feedback_days = round(feedback_window.total_seconds() / 86400)

    async def deliver(self, notice: Notice) -> tuple[int, ...]:
        if not notice.to:
            return ()
        text, markup = self.render(notice)
        return tuple(await send_to(self.bot, notice.to, text, markup))

    def render(self, notice: Notice) -> tuple[str, InlineKeyboardMarkup | None]:
        case, extra, kind = notice.case, notice.extra, notice.kind
        ticket = escape(case.ticket)
        who = escape(extra.get("who") or t.SUPERVISOR_NAME)
        if kind == n.ACCEPTED:
            return t.TO_FILER_ACCEPTED.format(
                ticket=ticket, who=who, resolve_due=due(case.resolve_due)
            ), None
        if kind == n.TRANSFERRED:
            return t.TO_FILER_TRANSFERRED.format(
                ticket=ticket, unit=escape(extra["unit"]), reason=escape(extra["reason"])
            ), None
        if kind == n.REPLIED:
            return t.TO_FILER_REPLY.format(ticket=ticket, who=who, text=escape(extra["text"])), None
        if kind == n.RESOLVED:
            return (
                t.TO_FILER_RESOLVED.format(
                    ticket=ticket, result=escape(extra["result"]), days=self.feedback_days
                ),
                rating_buttons(case.ticket),
            )
        if kind == n.REJECTED:
            return t.TO_FILER_REJECTED.format(
                ticket=ticket, who=who, reason=escape(extra["reason"])
            ), None
        if kind == n.CLOSED:
            told = dt.CLOSED_TO_FILER_RATED if extra.get("rated") else dt.CLOSED_TO_FILER_UNRATED
            return told.format(ticket=ticket), None
        markup = InlineKeyboardMarkup([[open_button(case.ticket)]])
        if kind in (n.NEW_CASE, n.NEW_CASE_NO_STAFF, n.TRANSFERRED_IN, n.TRANSFERRED_IN_NO_STAFF):
            return self._lead(kind, case, extra) + self._body(case), markup
        if kind == n.UNSATISFIED:
            return t.NOTICE_UNSATISFIED.format(
                ticket=ticket, resolve_due=due(case.resolve_due), units=units_text(case.units)
            ), markup
        facts = self._deadline_facts(case, extra)
        if kind == n.REMINDER:
            return dt.REMINDER.format(
                **facts,
                left=duration(extra["due"] - extra["now"]),
                todo=dt.DEADLINE_TODO[extra["deadline"]],
            ), None
        if kind == n.ESCALATION:
            return dt.ESCALATION.format(**facts, over=duration(extra["now"] - extra["due"])), None
        if kind == n.ESCALATED_TO_STAFF:
            text = (
                dt.ESCALATED_TO_STAFF
                if extra.get("supervisor_told")
                else dt.ESCALATED_TO_STAFF_NO_SUPERVISOR
            )
            return text.format(**facts, over=duration(extra["now"] - extra["due"])), None
        raise ValueError(f"no Telegram text for notice {kind!r}")

    def _lead(self, kind: str, case: CaseView, extra: Mapping[str, str]) -> str:
        if kind == n.NEW_CASE:
            return t.NOTICE_FILED
        if kind == n.NEW_CASE_NO_STAFF:
            return t.NOTICE_FILED_NO_STAFF.format(units=units_text(case.units))
        values = {
            "from_units": units_text(extra.get("from_units", "")),
            "reason": escape(extra.get("reason", "")),
            "units": units_text(case.units),
        }
        return (
            t.NOTICE_TRANSFERRED if kind == n.TRANSFERRED_IN else t.NOTICE_TRANSFERRED_NO_STAFF
        ).format(**values)

    def _body(self, case: CaseView) -> str:
        return t.NOTICE_BODY.format(
            ticket=escape(case.ticket),
            category=escape(self.labels.get(case.category, case.category)),
            place=escape(case.place),
            accept_due=due(case.accept_due),
            description=escape(short(case.description, NOTICE_DESCRIPTION_CHARS)),
        )

    def _deadline_facts(self, case: CaseView, extra: Mapping[str, Any]) -> dict[str, str]:
        return {
            "ticket": escape(case.ticket),
            "category": escape(self.labels.get(case.category, case.category)),
            "region": escape(case.region),
            "units": escape("、".join(case.units) or dt.NO_UNIT),
            "deadline": dt.DEADLINE_NAMES[extra["deadline"]],
            "due": china_time(extra["due"]),
        }
