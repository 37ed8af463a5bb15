"""The dashboard for supervisors (their regions and below) and admins (everything).

Figures come from storage.reports (the same statistics as /stats) and storage.report_weeks;
this module only chooses the scope and lays them out.
"""

from __future__ import annotations

import logging
import tempfile
from urllib.parse import quote

from aiohttp import web

from cases import export
from cases.access import Permissions
from cases.names import unit_labels
from knowledge.routing import Router
from storage.reports import CaseFilter
from web import texts as t
from web.app import CONSOLE, WHO, allow, overseer, render
from web.charts import weekly_chart

log = logging.getLogger(__name__)

OVERDUE_LISTED = 20
SPOOLED_IN_MEMORY = 1024 * 1024
CHART_WEEKS = 12


def scope_of(who: Permissions) -> CaseFilter:
    """Admins see every region; supervisors the regions they supervise."""
    return CaseFilter(scope=None if who.is_admin else tuple(who.regions))


def category_labels(router: Router) -> dict[str, str]:
    return {name: c.label for name, c in router.lexicon.categories.items()}


@allow(overseer)
async def dashboard(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    who = request[WHO]
    now = console.clock()
    scope = scope_of(who)
    stats = await console.reports.statistics(scope, now, overdue_listed=OVERDUE_LISTED)
    weeks = await console.weeks.weeks(scope, now, CHART_WEEKS)
    labels = category_labels(console.router)
    units = unit_labels(stats.by_unit)
    rates = [
        (t.RATE_RESPONSE, stats.responded),
        (t.RATE_RESOLUTION, stats.resolved),
        (t.RATE_SATISFACTION, stats.satisfied),
    ]
    return render(
        request,
        "dashboard.html",
        title=t.DASHBOARD_TITLE,
        stats=stats,
        rates=rates,
        units=units,
        now=now,
        scope=t.SCOPE_ALL
        if scope.scope is None
        else t.SCOPE_REGIONS.format(regions="、".join(scope.scope)),
        statuses=[(t.STATUS_NAMES[s.value], n) for s, n in stats.by_status],
        categories=[(labels.get(c, c), n) for c, n in stats.by_category],
        chart=weekly_chart(weeks),
        weeks=CHART_WEEKS,
    )


@allow(overseer)
async def export_csv(request: web.Request) -> web.StreamResponse:
    """Every case in the person's scope as the /export spreadsheet, streamed from a spooled file."""
    console = request.app[CONSOLE]
    who = request[WHO]
    now = console.clock()
    with tempfile.SpooledTemporaryFile(max_size=SPOOLED_IN_MEMORY) as buffer:
        count = await export.write_csv(
            console.reports, scope_of(who), now, buffer, category_labels(console.router)
        )
        log.info("web: user %s exported %d cases", who.user_id, count)
        buffer.seek(0)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Cache-Control": "no-store",
                "Content-Disposition": f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(export.filename(now))}",
            }
        )
        await response.prepare(request)
        while chunk := buffer.read(64 * 1024):
            await response.write(chunk)
        await response.write_eof()
        return response


def routes(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard, name="dashboard")
    app.router.add_get("/dashboard/export.csv", export_csv, name="export")
