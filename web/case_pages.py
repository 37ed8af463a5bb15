"""The case list, the case page and its actions: parse the request, call cases.CaseService, render.

No case rule lives here. Who sees which cases, what each person may do to a case now, the
deadlines, masking, the event log and telling the resident in Telegram are the service's; a
refusal or a stale page comes back as its exceptions and is shown in words. Every action is
a POST (with the session's CSRF token, checked in web.app.guard) answered by a redirect to
the case, so reloading the page never acts twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from cases.errors import (
    BadInput,
    CaseNotFound,
    NotAllowed,
    NothingToReveal,
    StaleCase,
    TransferWindowClosed,
    UnknownUnit,
)
from cases.times import china_time
from storage.lifecycle import OPEN_STATUSES
from storage.models import ComplaintStatus
from storage.reports import CaseFilter
from storage.workdays import CHINA_TZ
from web import texts as t
from web.app import CONSOLE, FORM, WHO, allow, any_role, refused, render, see_other
from web.dashboard import category_labels

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_FILTER_CHARS = 60
ACTIONS = ("accept", "transfer", "reply", "resolve", "reject")


# ----------------------------------------------------------------------------- the list


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def read_filters(
    query: Any, categories: dict[str, str]
) -> tuple[CaseFilter, dict[str, Any], list[str]]:
    """The CaseFilter a list URL asks for, the values to show back in the form, and what could
    not be used (said on the page, never an error)."""

    def text(key: str) -> str:
        return (query.get(key) or "").strip()[:MAX_FILTER_CHARS]

    problems = []
    status = text("status") or "open"
    statuses = (
        frozenset(OPEN_STATUSES)
        if status == "open"
        else frozenset(ComplaintStatus)
        if status == "all"
        else frozenset({ComplaintStatus(status)})
        if status in t.STATUS_NAMES
        else frozenset(OPEN_STATUSES)
    )
    since_text, until_text = text("since"), text("until")
    since, until = (
        _day(since_text) if since_text else None,
        _day(until_text) if until_text else None,
    )
    if (since_text and since is None) or (until_text and until is None):
        problems.append(t.FILTER_BAD_DATE)
    if since and until and since > until:
        problems.append(t.FILTER_DATE_ORDER)
        since = until = None
    category = text("category")
    case_filter = CaseFilter(
        statuses=statuses,
        unit=text("unit") or None,
        region=text("region") or None,
        category=category if category in categories else None,
        since=datetime.combine(since, time(0), CHINA_TZ) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(0), CHINA_TZ) if until else None,
    )
    shown = {
        "status": status if status in ("open", "all", *t.STATUS_NAMES) else "open",
        "unit": text("unit"),
        "region": text("region"),
        "category": case_filter.category or "",
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "overdue": query.get("overdue") == "1",
        "q": text("q"),
    }
    return case_filter, shown, problems


def _done(request: web.Request) -> list[str]:
    """What the action just taken did, after its redirect (from fixed words, never the URL's)."""
    done = request.query.get("done")
    ok = [t.DONE[done]] if done in t.DONE else []
    if ok and request.query.get("told") in ("0", "1"):
        ok.append(t.FILER_TOLD if request.query["told"] == "1" else t.FILER_NOT_TOLD)
    return ok


def _page_number(value: str | None) -> int:
    return max(0, int(value) - 1) if value and value.isdigit() and len(value) < 7 else 0


@allow(any_role)
async def case_list(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    who = request[WHO]
    labels = category_labels(console.router)
    case_filter, shown, problems = read_filters(request.query, labels)
    service = console.cases
    found = await service.queue(
        who.user_id,
        case_filter,
        overdue=shown["overdue"],
        text=shown["q"] or None,
        page=_page_number(request.query.get("page")),
        per_page=PER_PAGE,
    )
    overdue = (
        found.total
        if shown["overdue"]
        else (
            await service.queue(
                who.user_id, case_filter, overdue=True, text=shown["q"] or None, page=0, per_page=1
            )
        ).total
    )
    query = {k: v for k, v in request.query.items() if k != "page"}

    def page_url(number: int) -> str:
        return str(request.rel_url.with_query({**query, "page": str(number + 1)}))

    if who.is_staff:
        scope = t.CASES_SCOPE_STAFF.format(units="、".join(u.name for u in who.units))
    elif who.is_supervisor:
        scope = t.CASES_SCOPE_SUPERVISOR.format(regions="、".join(who.regions))
    else:
        scope = t.CASES_SCOPE_ADMIN
    return render(
        request,
        "cases.html",
        title=t.CASES_TITLE,
        found=found,
        overdue=overdue,
        shown=shown,
        ok=_done(request),
        bad=None,
        problems=problems,
        labels=labels,
        scope=scope,
        regions=console.kb.known_regions(),
        previous=page_url(found.page - 1) if found.page > 0 else None,
        next=page_url(found.page + 1) if found.page + 1 < found.pages else None,
    )


# ----------------------------------------------------------------------------- one case


async def _case_page(
    request: web.Request,
    *,
    case: Any = None,
    ok: Sequence[str] = (),
    bad: str | None = None,
    identity: Any = None,
    status: int = 200,
) -> web.Response:
    console = request.app[CONSOLE]
    who = request[WHO]
    ticket = request.match_info["ticket"]
    if case is None:
        case = await console.cases.case(who.user_id, ticket)
    targets = (
        await console.cases.transfer_targets(who.user_id, case.ticket)
        if "transfer" in case.actions
        else []
    )
    return render(
        request,
        "case.html",
        status=status,
        title=t.CASE_TITLE.format(ticket=case.ticket),
        case=case,
        ok=list(ok),
        bad=bad,
        identity=identity,
        targets=targets,
        category=category_labels(console.router).get(case.category, case.category),
    )


def _not_found(request: web.Request) -> web.Response:
    return render(
        request,
        "message.html",
        status=404,
        title=t.NOT_FOUND_TITLE,
        message=t.NOT_FOUND,
        back="/cases",
    )


@allow(any_role)
async def case_page(request: web.Request) -> web.Response:
    try:
        return await _case_page(request, ok=_done(request))
    except CaseNotFound:
        return _not_found(request)
    except NotAllowed:
        return refused(request, "case not in scope")


def _field(request: web.Request, name: str) -> str:
    value = request[FORM].get(name)
    return value if isinstance(value, str) else ""


@allow(any_role)
async def act(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    who = request[WHO]
    ticket, action = request.match_info["ticket"], request.match_info["action"]
    if action not in ACTIONS:
        return _not_found(request)
    service = console.cases
    try:
        if action == "accept":
            outcome = await service.accept(who.user_id, ticket)
        elif action == "transfer":
            outcome = await service.transfer(
                who.user_id, ticket, _field(request, "unit"), _field(request, "reason")
            )
        elif action == "reply":
            outcome = await service.reply(who.user_id, ticket, _field(request, "text"))
        elif action == "resolve":
            outcome = await service.resolve(who.user_id, ticket, _field(request, "text"))
        else:
            outcome = await service.reject(who.user_id, ticket, _field(request, "text"))
    except CaseNotFound:
        return _not_found(request)
    except NotAllowed:
        return refused(request, f"{action} not allowed")
    except StaleCase as stale:
        return await _case_page(
            request,
            case=stale.case,
            status=409,
            bad=t.STALE.format(status=t.STATUS_NAMES[stale.case.status.value]),
        )
    except TransferWindowClosed as closed:
        return await _case_page(
            request, status=409, bad=t.TRANSFER_CLOSED.format(due=china_time(closed.due))
        )
    except UnknownUnit:
        return await _case_page(
            request,
            status=422,
            bad=t.TRANSFER_UNKNOWN_UNIT.format(unit=_field(request, "unit")[:60]),
        )
    except BadInput as bad:
        message = (
            t.TEXT_TOO_LONG.format(length=bad.length) if bad.reason == "too_long" else t.TEXT_EMPTY
        )
        return await _case_page(request, status=422, bad=message)
    log.info("web: user %s did %s on %s", who.user_id, action, outcome.case.ticket)
    told = {"done": action, "told": "1" if outcome.filer_reached else "0"}
    if action == "transfer" and not await _still_visible(request, outcome.case.ticket):
        # Sent to another unit: it has left this person's list, so go back to the list.
        return see_other(request.app.router["cases"].url_for().with_query(told))
    return see_other(
        request.app.router["case"].url_for(ticket=outcome.case.ticket).with_query(told)
    )


async def _still_visible(request: web.Request, ticket: str) -> bool:
    try:
        await request.app[CONSOLE].cases.case(request[WHO].user_id, ticket)
    except NotAllowed:
        return False
    return True


@allow(any_role)
async def reveal(request: web.Request) -> web.Response:
    """The filer's identity, shown once on this response (never put in a URL), and recorded."""
    console = request.app[CONSOLE]
    who = request[WHO]
    ticket = request.match_info["ticket"]
    try:
        identity = await console.cases.reveal(who.user_id, ticket)
    except CaseNotFound:
        return _not_found(request)
    except NotAllowed:
        return refused(request, "reveal not allowed")
    except NothingToReveal:
        return await _case_page(request, bad=t.NOTHING_TO_REVEAL, status=409)
    return await _case_page(request, identity=identity)


@allow(any_role)
async def photo(request: web.Request) -> web.StreamResponse:
    """A complaint's photo, fetched through the Bot API for someone who may see the case."""
    console = request.app[CONSOLE]
    who = request[WHO]
    try:
        case = await console.cases.case(who.user_id, request.match_info["ticket"])
    except CaseNotFound:
        return _not_found(request)
    except NotAllowed:
        return refused(request, "photo of a case not in scope")
    number = request.match_info["n"]
    index = int(number) - 1 if number.isdigit() and len(number) < 4 else -1
    if not 0 <= index < len(case.attachments) or console.files is None:
        return _not_found(request)
    try:
        content, content_type = await console.files(case.attachments[index])
    # The Bot API is down or the file is gone: say so, do not fail the page.
    except Exception as exc:  # noqa: BLE001
        log.warning(
            "web: photo %d of %s could not be fetched: %s",
            index + 1,
            case.ticket,
            type(exc).__name__,
        )
        return render(
            request,
            "message.html",
            status=502,
            title=t.PHOTO_UNAVAILABLE,
            message=t.PHOTO_UNAVAILABLE,
            back=f"/cases/{case.ticket}",
        )
    if not content_type.startswith("image/"):
        return _not_found(request)
    return web.Response(
        body=content,
        content_type=content_type,
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


def routes(app: web.Application) -> None:
    app.router.add_get("/cases", case_list, name="cases")
    app.router.add_get("/cases/{ticket}", case_page, name="case")
    app.router.add_post("/cases/{ticket}/reveal", reveal, name="reveal")
    app.router.add_post("/cases/{ticket}/{action}", act, name="act")
    app.router.add_get("/cases/{ticket}/photos/{n}", photo, name="photo")
