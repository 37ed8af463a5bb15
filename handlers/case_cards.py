"""Case views as Telegram messages: the case card with the buttons the reader may press, and the
queue. Pure rendering: what a reader may do was decided by the case service (CaseView.actions)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from cases.times import china_time
from cases.views import (
    ACCEPT,
    REJECT,
    REPLY,
    RESOLVE,
    REVEAL,
    TRANSFER,
    CasePage,
    CaseView,
    EventLine,
)
from handlers import case_texts as t
from handlers.case_notices import PREFIX, due, open_button, short, units_text
from handlers.formatting import escape
from storage.models import ComplaintStatus

S = ComplaintStatus
HISTORY_SHOWN = 10
CARD_DESCRIPTION_CHARS = 1500
HISTORY_DETAIL_CHARS = 60
# The card's buttons: action → (label, callback op).
BUTTONS = (
    (ACCEPT, t.BUTTON_ACCEPT, "acc"),
    (TRANSFER, t.BUTTON_TRANSFER, "tr"),
    (REPLY, t.BUTTON_REPLY, "reply"),
    (RESOLVE, t.BUTTON_RESOLVE, "resolve"),
    (REJECT, t.BUTTON_REJECT, "reject"),
    (REVEAL, t.BUTTON_REVEAL, "rev"),
)


def status_label(status: ComplaintStatus) -> str:
    return t.STATUS.get(status, status)


def _detail(event: EventLine) -> str:
    if event.action == S.TRANSFERRED.value:
        detail = f"→{'、'.join(event.units)}：{event.text}"
    elif event.code:
        detail = t.RATINGS.get(event.code) or t.ESCALATION_REASONS.get(event.code, "")
    else:
        detail = event.text
    return escape(short(detail, HISTORY_DETAIL_CHARS))


def _history(case: CaseView) -> str:
    events = case.events
    lines = (
        [t.CARD_HISTORY_MORE.format(n=len(events) - HISTORY_SHOWN)]
        if len(events) > HISTORY_SHOWN
        else []
    )
    for event in events[-HISTORY_SHOWN:]:
        detail = _detail(event)
        lines.append(
            t.CARD_HISTORY_ITEM.format(
                date=china_time(event.at),
                actor=t.ACTORS.get(event.actor_kind, ""),
                action=t.ACTIONS.get(event.action, escape(event.action)),
                detail="：" + detail if detail else "",
            )
        )
    return "".join(lines)


def _overdue(case: CaseView, deadline: str) -> str:
    return t.OVERDUE if case.overdue and case.pending == deadline else ""


def card(case: CaseView, labels: Mapping[str, str]) -> tuple[str, InlineKeyboardMarkup | None]:
    text = t.CARD.format(
        ticket=escape(case.ticket),
        status=status_label(case.status),
        category=escape(labels.get(case.category, case.category)),
        place=escape(case.place),
        units=units_text(case.units),
        filed=china_time(case.created_at),
        accept_due=due(case.accept_due),
        accept_overdue=_overdue(case, "accept"),
        resolve_due=due(case.resolve_due),
        resolve_overdue=_overdue(case, "resolve"),
        filer=escape(case.filer)
        if case.filer
        else (t.FILER_ANONYMOUS if case.anonymous else t.FILER_NO_NAME),
        description=escape(short(case.description, CARD_DESCRIPTION_CHARS)),
        history=_history(case),
    )
    cells = [
        InlineKeyboardButton(label, callback_data=f"{PREFIX}{op}:{case.ticket}")
        for action, label, op in BUTTONS
        if action in case.actions
    ]
    markup = (
        InlineKeyboardMarkup([cells[i : i + 3] for i in range(0, len(cells), 3)]) if cells else None
    )
    return text, markup


def queue(found: CasePage, labels: Mapping[str, str]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not found.items:
        return t.QUEUE_EMPTY, None
    first = found.page * found.per_page
    items, rows = [], []
    for n, case in enumerate(found.items, start=first + 1):
        items.append(
            t.QUEUE_ITEM.format(
                n=n,
                ticket=escape(case.ticket),
                status=status_label(case.status),
                category=escape(labels.get(case.category, case.category)),
                place=escape(case.place),
                deadline=t.DEADLINE_NAMES.get(case.pending or "", t.NO_DEADLINE),
                due=due(case.due),
                overdue=t.OVERDUE if case.overdue else "",
            )
        )
        rows.append([open_button(case.ticket, f"{n}. {case.ticket}")])
    nav = []
    if found.page > 0:
        nav.append(
            InlineKeyboardButton(t.BUTTON_PREVIOUS, callback_data=f"{PREFIX}q:{found.page - 1}")
        )
    if found.page + 1 < found.pages:
        nav.append(InlineKeyboardButton(t.BUTTON_NEXT, callback_data=f"{PREFIX}q:{found.page + 1}"))
    if nav:
        rows.append(nav)
    header = t.QUEUE_HEADER.format(total=found.total, page=found.page + 1, pages=found.pages)
    return header + "".join(items), InlineKeyboardMarkup(rows)


def transfer_too_late(when: datetime | None) -> str:
    return t.TRANSFER_TOO_LATE.format(due=due(when))
