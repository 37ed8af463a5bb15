"""The cases as a spreadsheet: the CSV that /export sends and the console's dashboard serves.

UTF-8 with a BOM, so that Excel opens the Chinese; no name, phone or Telegram id of the filer;
phone and ID numbers in the text masked; cells a spreadsheet would run as a formula defused.
Rows stream from storage.reports a batch at a time, so a large export never sits in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import IO

from cases import export_texts as t
from cases.masking import mask_text
from cases.times import china_time
from storage.lifecycle import pending_deadline
from storage.models import ComplaintStatus
from storage.reports import CaseFilter, CaseReports, CaseRow
from storage.workdays import CHINA_TZ

# What spreadsheets take as the start of a formula, in both widths (Excel and WPS read ＝ too).
_FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r", "\n")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula (CSV injection)."""
    return (
        "'" + value
        if value.startswith(_FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_STARTS)
        else value
    )


def filename(now: datetime) -> str:
    return t.EXPORT_FILENAME.format(date=now.astimezone(CHINA_TZ).strftime("%Y%m%d"))


async def write_csv(
    reports: CaseReports,
    case_filter: CaseFilter,
    now: datetime,
    buffer: IO[bytes],
    labels: Mapping[str, str],
    max_bytes: int | None = None,
) -> int | None:
    """Write the matching cases to `buffer`; how many, or None once the file passed `max_bytes`."""
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(t.EXPORT_COLUMNS)
        count = 0
        async for row in reports.case_rows(case_filter):
            writer.writerow([safe_cell(cell) for cell in cells(row, now, labels)])
            count += 1
            if max_bytes is not None and buffer.tell() > max_bytes:
                return None
        return count
    finally:
        text.detach()


def cells(row: CaseRow, now: datetime, labels: Mapping[str, str]) -> list[str]:
    return [
        row.ticket,
        t.STATUS_NAMES[row.status.value],
        labels.get(row.category, row.category),
        row.region,
        mask_text(row.township or ""),
        mask_text(row.village or ""),
        row.units[0] if row.units else "",
        "、".join(row.units[1:]),
        china_time(row.created_at),
        china_time(row.accept_due_at),
        china_time(row.resolve_due_at),
        china_time(row.resolved_at),
        _overdue_cell(row, now),
        t.RATING_NAMES.get(row.rating or "", ""),
        t.YES if row.anonymous else t.NO,
        mask_text(row.description),
    ]


def _overdue_cell(row: CaseRow, now: datetime) -> str:
    pending = pending_deadline(row.status, row.accept_due_at, row.resolve_due_at)
    if pending is not None and pending[1] is not None and pending[1] < now:
        return t.OVERDUE_ACCEPT_CELL if pending[0] == "accept" else t.OVERDUE_RESOLVE_CELL
    solved = row.status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
    if solved and row.resolved_at and row.resolve_due_at and row.resolved_at > row.resolve_due_at:
        return t.LATE_RESOLVED_CELL
    return t.NO
