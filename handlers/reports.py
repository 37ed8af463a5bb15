"""/stats and /export: how the complaints are being handled, for supervisors and admins.

Supervisors see the cases of the regions they supervise and every region below them; admins
see everything; anyone else (staff included: a unit's figures are its supervisor's business)
is refused. Both commands take the same optional filters (dates of filing, region, status,
unit, category), see report_texts.USAGE. The rates are defined in storage/reports.py and
stated under every /stats reply.

The export is a CSV in UTF-8 with a BOM, so that Excel opens the Chinese, without the filer's
name, phone or Telegram id, with phone and ID numbers in the text masked, and with cells that
a spreadsheet would run as a formula defused. It is written a batch of rows at a time into a
temporary file that spills to disk, so a large export does not hold every case in memory.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from cases import export
from cases.access import Access
from cases.names import unit_labels
from cases.service import CaseService
from cases.times import china_time
from handlers import report_texts as t
from handlers import texts
from handlers.access import refuse
from handlers.formatting import escape
from handlers.updates import chat_of, user_of
from storage.db import StorageUnavailable
from storage.lifecycle import OPEN_STATUSES
from storage.models import ComplaintStatus
from storage.reports import CaseFilter, CaseReports, Statistics
from storage.workdays import CHINA_TZ

log = logging.getLogger(__name__)

MAX_ARGS = 8
MAX_ARG_LENGTH = 60
LISTED_PER_SECTION = 12
OVERDUE_LISTED = 10
SPOOLED_IN_MEMORY = 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1000 * 1000  # what a bot may upload
_DATE = re.compile(
    r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?|([0-9]{4})([0-9]{2})([0-9]{2})"
)
_KEY_VALUE = re.compile(r"([^=＝:：]+)[=＝:：](.*)")


class BadFilter(ValueError):
    def __init__(self, arg: str, why: str) -> None:
        super().__init__(f"{arg}: {why}")
        self.arg, self.why = arg, why


@dataclass
class _Wanted:
    """What the arguments asked for, before it is turned into a CaseFilter."""

    since: date | None = None
    until: date | None = None
    region: str | None = None
    statuses: frozenset[ComplaintStatus] = frozenset()
    unit: str | None = None
    category: str | None = None


def parse_filter(args: list[str], categories: dict[str, str]) -> _Wanted:
    """Read `key=value` arguments and bare ones (a date, a status, a category or a region).

    `categories` maps every accepted spelling (key, label, button text) to a category key.
    Raises BadFilter naming the argument that was not understood.
    """
    if len(args) > MAX_ARGS:
        raise BadFilter(" ".join(args[MAX_ARGS:]), t.WHY_TOO_LONG)
    wanted = _Wanted()
    for arg in args:
        if len(arg) > MAX_ARG_LENGTH:
            raise BadFilter(arg[:MAX_ARG_LENGTH] + "…", t.WHY_TOO_LONG)
        match = _KEY_VALUE.fullmatch(arg)
        if match:
            key, value = match[1].strip().lower(), match[2].strip()
            field_name = t.FILTER_KEYS.get(key)
            if field_name is None:
                raise BadFilter(arg, t.WHY_UNKNOWN_KEY)
            if not value:
                raise BadFilter(arg, t.WHY_EMPTY)
        else:
            field_name, value = _guess_field(arg, wanted, categories), arg
        if getattr(wanted, field_name):
            raise BadFilter(arg, t.WHY_REPEATED)
        setattr(wanted, field_name, _value(field_name, value, arg, categories))
    if wanted.since and wanted.until and wanted.since > wanted.until:
        raise BadFilter(f"{wanted.since} {wanted.until}", t.WHY_DATE_ORDER)
    return wanted


def _guess_field(arg: str, wanted: _Wanted, categories: dict[str, str]) -> str:
    if _DATE.fullmatch(arg):
        if wanted.since is None:
            return "since"
        if wanted.until is None:
            return "until"
        raise BadFilter(arg, t.WHY_TOO_MANY_DATES)
    if arg in t.STATUS_NAMES.values() or arg == t.OPEN_NAME:
        return "statuses"
    if arg in categories:
        return "category"
    return "region"


def _value(field_name: str, value: str, arg: str, categories: dict[str, str]) -> Any:
    if field_name in ("since", "until"):
        return _date(value, arg)
    if field_name == "statuses":
        return _statuses(value, arg)
    if field_name == "category":
        if value not in categories:
            raise BadFilter(arg, t.WHY_UNKNOWN_CATEGORY)
        return categories[value]
    return value


def _date(value: str, arg: str) -> date:
    match = _DATE.fullmatch(value)
    if not match:
        raise BadFilter(arg, t.WHY_BAD_DATE)
    year, month, day = (int(g) for g in (match.groups()[:3] if match[1] else match.groups()[3:]))
    try:
        return date(year, month, day)
    except ValueError:
        raise BadFilter(arg, t.WHY_BAD_DATE) from None


def _statuses(value: str, arg: str) -> frozenset[ComplaintStatus]:
    if value == t.OPEN_NAME:
        return frozenset(OPEN_STATUSES)
    for status, name in t.STATUS_NAMES.items():
        if value in (name, status, texts.STATUS_LABELS.get(status)):
            return frozenset({ComplaintStatus(status)})
    raise BadFilter(arg, t.WHY_UNKNOWN_STATUS)


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), CHINA_TZ)


class ReportHandlers:
    def __init__(self, service: CaseService) -> None:
        self.access: Access = service.access
        self.clock = service.now
        self.reports = CaseReports(service.repo.db)
        self.labels = {name: c.label for name, c in service.router.lexicon.categories.items()}
        self.categories = {
            **{name: name for name in self.labels},
            **{label: name for name, label in self.labels.items()},
            **{button: name for name, button in texts.CATEGORY_BUTTONS.items()},
        }

    # ------------------------------------------------------------------- commands

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        case_filter = await self._request(update, context, "/stats")
        if case_filter is None:
            return
        now = self.clock()
        try:
            stats = await self.reports.statistics(case_filter, now, overdue_listed=OVERDUE_LISTED)
        except StorageUnavailable:
            await self._say(update, context, t.STORAGE_DOWN)
            return
        if stats.total == 0:
            await self._say(update, context, t.NO_CASES.format(scope=self._describe(case_filter)))
            return
        await self._say(update, context, self._stats_html(stats, case_filter, now))

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        case_filter = await self._request(update, context, "/export")
        if case_filter is None:
            return
        now = self.clock()
        try:
            with tempfile.SpooledTemporaryFile(max_size=SPOOLED_IN_MEMORY) as buffer:
                count = await self._write_csv(case_filter, now, buffer)
                if count == 0:
                    await self._say(
                        update, context, t.NO_CASES.format(scope=self._describe(case_filter))
                    )
                    return
                if count is None:
                    await self._say(update, context, t.EXPORT_TOO_LARGE)
                    return
                log.info("user %s exported %d cases (%s)", user_of(update).id, count, case_filter)
                buffer.seek(0)
                filename = export.filename(now)
                caption = t.EXPORT_CAPTION.format(n=count, scope=self._describe(case_filter))
                # The upload needs the whole file at once; by now it is known to be within Telegram's limit.
                document = InputFile(buffer.read(), filename=filename)
                await context.bot.send_document(
                    chat_of(update).id, document, caption=caption, parse_mode=ParseMode.HTML
                )
        except StorageUnavailable:
            await self._say(update, context, t.STORAGE_DOWN)

    async def private_only(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, context, t.PRIVATE_ONLY)

    # ------------------------------------------------------------------- helpers

    async def _request(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, command: str
    ) -> CaseFilter | None:
        """The cases the arguments ask for, within what the user may see; None once refused or misread."""
        permissions = await self.access.of(user_of(update).id)
        if not (permissions.is_admin or permissions.is_supervisor):
            await refuse(update, context, command, "neither admin nor supervisor")
            return None
        try:
            wanted = parse_filter(list(context.args or []), self.categories)
        except BadFilter as bad:
            await self._say(update, context, t.BAD_FILTER.format(arg=escape(bad.arg), why=bad.why))
            return None
        return CaseFilter(
            scope=None if permissions.is_admin else permissions.regions,
            region=wanted.region,
            since=_china_midnight(wanted.since) if wanted.since else None,
            until=_china_midnight(wanted.until + timedelta(days=1)) if wanted.until else None,
            statuses=wanted.statuses,
            unit=wanted.unit,
            category=wanted.category,
        )

    def _describe(self, f: CaseFilter) -> str:
        """The scope and filters in words, escaped for HTML."""
        lines = [
            t.SCOPE_ALL
            if f.scope is None
            else t.SCOPE_REGIONS.format(regions=escape("、".join(f.scope)))
        ]
        parts = []
        if f.region:
            parts.append(escape(f.region))
        if f.since:
            parts.append(
                t.FILTER_SINCE.format(date=f.since.astimezone(CHINA_TZ).strftime("%Y-%m-%d"))
            )
        if f.until:
            last_day = (f.until.astimezone(CHINA_TZ) - timedelta(days=1)).strftime("%Y-%m-%d")
            parts.append(t.FILTER_UNTIL.format(date=last_day))
        if f.statuses:
            parts.append(
                t.OPEN_NAME
                if f.statuses == OPEN_STATUSES
                else "、".join(t.STATUS_NAMES[s.value] for s in sorted(f.statuses))
            )
        if f.unit:
            parts.append(escape(f.unit))
        if f.category:
            parts.append(escape(self.labels.get(f.category, f.category)))
        if parts:
            lines.append(t.SCOPE_FILTERS.format(filters="，".join(parts)))
        return "\n".join(lines)

    @staticmethod
    async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, html: str) -> None:
        await context.bot.send_message(chat_of(update).id, html, parse_mode=ParseMode.HTML)

    # ------------------------------------------------------------------- /stats

    def _stats_html(self, s: Statistics, f: CaseFilter, now: datetime) -> str:
        lines = [
            t.STATS_TITLE.format(now=china_time(now)),
            self._describe(f),
            t.STATS_TOTAL.format(n=s.total),
            "",
        ]
        lines += [
            t.SECTION_STATUS,
            *_listed([(t.STATUS_NAMES[st.value], n) for st, n in s.by_status]),
            "",
        ]
        lines += [t.SECTION_UNIT, *_listed(unit_labels(s.by_unit)), ""]
        lines += [
            t.SECTION_CATEGORY,
            *_listed([(self.labels.get(c, c), n) for c, n in s.by_category]),
            "",
        ]
        lines += [t.SECTION_REGION, *_listed(s.by_region), ""]
        lines.append(t.SECTION_OVERDUE)
        overdue = s.overdue_accept + s.overdue_resolve
        if overdue:
            lines.append(
                t.OVERDUE_SUMMARY.format(accept=s.overdue_accept, resolve=s.overdue_resolve)
            )
            for case in s.most_overdue:
                lines.append(
                    t.OVERDUE_LINE.format(
                        ticket=escape(case.ticket),
                        unit=escape(case.unit or t.NO_UNIT),
                        deadline=t.DEADLINE_NAMES[case.deadline],
                        due=china_time(case.due),
                    )
                )
            if overdue > len(s.most_overdue):
                lines.append(t.OVERDUE_MORE.format(n=overdue - len(s.most_overdue)))
        else:
            lines.append(t.OVERDUE_NONE)
        lines += ["", t.SECTION_RATES]
        for name, rate in (
            (t.RATE_RESPONSE, s.responded),
            (t.RATE_RESOLUTION, s.resolved),
            (t.RATE_SATISFACTION, s.satisfied),
        ):
            value = (
                t.RATE_NONE
                if rate.percent is None
                else t.RATE_VALUE.format(count=rate.count, total=rate.total, percent=rate.percent)
            )
            lines.append(t.RATE_LINE.format(name=name, value=value))
        if s.ratings:
            lines.append(
                t.RATINGS_LINE.format(
                    ratings="，".join(
                        f"{label} {s.ratings.get(key, 0)}" for key, label in t.RATING_NAMES.items()
                    )
                )
            )
        return "\n".join([*lines, "", t.STATS_FOOTER])

    # ------------------------------------------------------------------- /export

    async def _write_csv(self, f: CaseFilter, now: datetime, buffer: IO[bytes]) -> int | None:
        """Write the cases to `buffer`; how many, or None when the file grew too large to send."""
        return await export.write_csv(self.reports, f, now, buffer, self.labels, MAX_DOCUMENT_BYTES)


def _listed(counts: list[tuple[str, int]]) -> list[str]:
    """Count lines, the largest first; past LISTED_PER_SECTION the rest are summed in one line."""
    lines = [
        t.COUNT_LINE.format(name=escape(str(name)), n=n) for name, n in counts[:LISTED_PER_SECTION]
    ]
    rest = counts[LISTED_PER_SECTION:]
    if rest:
        lines.append(t.MORE_LINE.format(k=len(rest), n=sum(n for _, n in rest)))
    return lines


def register(application: Application[Any, Any, Any, Any, Any, Any], service: CaseService) -> None:
    """/stats and /export in private chats; in a group only a pointer to the private chat."""
    h = ReportHandlers(service)
    application.add_handlers(
        [
            CommandHandler("stats", h.stats, filters.ChatType.PRIVATE),
            CommandHandler("export", h.export, filters.ChatType.PRIVATE),
            CommandHandler(["stats", "export"], h.private_only, ~filters.ChatType.PRIVATE),
        ]
    )
