"""Admin pages: policy documents (list, upload, remove, reload with a report) and roles.

The same rules as the admins' Telegram commands: a file that gives no policy text is refused
and not kept, shipped plans cannot be removed here, one rebuild at a time with the old index
kept on failure; a grant is checked (numeric id, a region the knowledge base covers, and for
staff a unit that region's routing knows) before anything is written.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from cases.times import china_time
from knowledge import upkeep
from knowledge.reader_texts import read_problem
from knowledge.readers import SUFFIXES, UnreadableDocument
from knowledge.upkeep import RegionProblem, RegionRefusal
from storage.models import Role
from web import texts as t
from web.app import CONSOLE, FORM, MAX_UPLOAD_BYTES, WHO, admin, allow, render

log = logging.getLogger(__name__)

MAX_UNIT_CHARS = 100
_USER_ID = re.compile(r"^\d{1,15}$")
REBUILDING = web.AppKey("rebuilding", asyncio.Lock)


# ----------------------------------------------------------------------------- documents


def _documents(kb: Any) -> list[dict[str, Any]]:
    rows = []
    for listed in upkeep.listing(kb):
        doc, entry = listed.document, listed.entry
        origin = (
            t.DOCS_SHIPPED
            if entry is None
            else t.DOCS_ADDED.format(
                when=china_time(entry.added, "—"),
                by=entry.added_by if entry.added_by is not None else "—",
            )
        )
        if not listed.loaded:
            origin += " · " + t.DOCS_UNREADABLE
        rows.append(
            {
                "id": doc.id,
                "title": doc.title,
                "region": doc.region,
                "passages": listed.passages,
                "origin": origin,
                "removable": entry is not None,
            }
        )
    return rows


def _documents_page(
    request: web.Request, *, ok: Sequence[str] = (), bad: str | None = None, status: int = 200
) -> web.Response:
    kb = request.app[CONSOLE].kb
    return render(
        request,
        "documents.html",
        status=status,
        title=t.DOCS_TITLE,
        documents=_documents(kb),
        passages=kb.passage_count,
        ok=list(ok),
        bad=bad,
        limit=MAX_UPLOAD_BYTES // 2**20,
    )


@allow(admin)
async def documents(request: web.Request) -> web.Response:
    return _documents_page(request)


async def _report(kb: Any, state: Any, head: str | None) -> list[str]:
    """The rebuild's report: what was loaded, what could not be read, and the self-check."""
    report = await asyncio.to_thread(upkeep.rebuild_report, kb, state)
    lines = [head] if head else []
    lines.append(t.RELOAD_DONE.format(documents=report.documents, passages=report.passages))
    if report.problems:
        lines.append(t.PROBLEMS_HEADER)
        lines += [f"{name}：{reason}" for name, reason in report.problems]
    lines.append(t.SELF_CHECK_HEADER)
    lines += [
        t.SELF_CHECK_MISSED.format(question=question)
        if title is None
        else t.SELF_CHECK_OK.format(question=question, title=title)
        for question, title in report.checks
    ]
    return lines


async def _rebuild(
    request: web.Request,
    job: Callable[[], Any],
    head: Callable[[Any], str | None],
    upload: str = "",
) -> web.Response:
    """Run `job` (returns (result, state)) in a thread, one rebuild at a time, and report
    with `head(result)` on top."""
    lock = request.app[REBUILDING]
    if lock.locked():
        return _documents_page(request, bad=t.RELOAD_BUSY, status=409)
    kb = request.app[CONSOLE].kb
    async with lock:
        try:
            result, state = await asyncio.to_thread(job)
        except UnreadableDocument as problem:
            log.info("web: unreadable upload: %s", problem.reason)
            return _documents_page(
                request,
                bad=t.DOC_REJECTED.format(name=upload, reason=read_problem(problem.reason)),
                status=422,
            )
        except Exception as exc:  # any failure keeps the old index; the admin reads why
            log.exception("web: knowledge rebuild failed")
            return _documents_page(
                request, bad=t.RELOAD_FAILED.format(reason=upkeep.rebuild_failure(exc)), status=500
            )
        return _documents_page(request, ok=await _report(kb, state, head(result)))


@allow(admin)
async def reload(request: web.Request) -> web.Response:
    kb = request.app[CONSOLE].kb
    log.info("web: admin %s started a knowledge rebuild", request[WHO].user_id)
    return await _rebuild(request, lambda: (None, kb.reload(force=True)), lambda result: None)


def _region_refused(kb: Any, problem: RegionProblem) -> str:
    if problem.kind is RegionRefusal.NONE:
        return t.DOC_NO_REGION
    if problem.kind is RegionRefusal.BAD:
        return t.DOC_BAD_REGION.format(region=problem.said, limit=upkeep.MAX_REGION_CHARS)
    return t.DOC_UNKNOWN_REGION.format(region=problem.said, regions="、".join(kb.known_regions()))


@allow(admin)
async def upload(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request[FORM]
    field = form.get("file")
    if not isinstance(field, web.FileField) or not field.filename:
        return _documents_page(request, bad=t.DOC_NO_FILE, status=422)
    # Browsers send the name as raw UTF-8; some clients percent-escape it.
    name = Path(unquote(field.filename)).name[:120] or "文件"
    content = field.file.read()
    if Path(name).suffix.lower() not in SUFFIXES:
        return _documents_page(request, bad=t.DOC_UNSUPPORTED.format(name=name), status=422)
    if len(content) > MAX_UPLOAD_BYTES:
        return _documents_page(
            request, bad=t.DOC_TOO_LARGE.format(limit=MAX_UPLOAD_BYTES // 2**20), status=422
        )
    region = form.get("region")
    chain = upkeep.admin_region(console.kb, region if isinstance(region, str) else "")
    if isinstance(chain, RegionProblem):
        return _documents_page(request, bad=_region_refused(console.kb, chain), status=422)
    who = request[WHO].user_id
    scratch = tempfile.TemporaryDirectory()
    path = Path(scratch.name) / f"upload{Path(name).suffix.lower()}"
    path.write_bytes(content)

    def job() -> Any:
        return console.kb.add_document(
            path,
            original_name=name,
            region=chain[0],
            parents=chain[1:],
            added_by=who,
            added_at=console.clock().isoformat(),
        )

    def head(entry: Any) -> str:
        return t.DOC_ADDED.format(
            id=entry.document.id,
            title=entry.document.title,
            region=entry.document.region,
            passages=console.kb.state.passage_counts()[entry.document.id],
        )

    try:
        response = await _rebuild(request, job, head, upload=name)
    finally:
        scratch.cleanup()
    log.info("web: admin %s uploaded a document for %s (%d)", who, chain[0], response.status)
    return response


@allow(admin)
async def remove(request: web.Request) -> web.Response:
    kb = request.app[CONSOLE].kb
    doc_id = request.match_info["doc_id"].strip().upper()
    entry = kb.library.get(doc_id)
    if entry is None:
        return _documents_page(request, bad=t.REMOVE_UNKNOWN.format(value=doc_id[:30]), status=404)
    title = entry.document.title

    def job() -> Any:
        removed = kb.remove_document(doc_id)
        return (None, kb.state) if removed is None else removed

    log.info("web: admin %s removes document %s", request[WHO].user_id, doc_id)
    return await _rebuild(request, job, lambda result: t.REMOVED.format(id=doc_id, title=title))


# ----------------------------------------------------------------------------- roles

ROLE_CHOICES = {"staff": Role.STAFF, "supervisor": Role.SUPERVISOR, "admin": Role.ADMIN}


async def _roles_page(
    request: web.Request,
    *,
    ok: str | None = None,
    bad: str | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> web.Response:
    console = request.app[CONSOLE]
    grants = await console.roles.all_active()
    rows = [
        {
            "user": g.user_id,
            "role": g.role.value,
            "region": g.region or "",
            "unit": g.unit.name if g.unit else "",
            "when": g.granted_at,
            "by": g.granted_by if g.granted_by is not None else t.BY_CONFIG,
        }
        for g in grants
    ]
    configured = "、".join(str(i) for i in sorted(getattr(console.access, "admin_ids", ()))) or "—"
    return render(
        request,
        "roles.html",
        status=status,
        title=t.ROLES_TITLE,
        grants=rows,
        ok=ok,
        bad=bad,
        configured=configured,
        regions=console.kb.known_regions(),
        values=values or {},
    )


@allow(admin)
async def roles(request: web.Request) -> web.Response:
    return await _roles_page(request)


def _text(form: Any, key: str, limit: int = 200) -> str:
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


class BadGrant(ValueError):
    """What the admin must correct; nothing was written."""


def parse_grant(console: Any, form: Any) -> tuple[int, Role, str | None, str | None]:
    user, role_key = _text(form, "user"), _text(form, "role")
    region_text, unit = _text(form, "region"), _text(form, "unit", MAX_UNIT_CHARS + 1)
    if not _USER_ID.match(user):
        raise BadGrant(t.BAD_USER_ID.format(value=user[:30]))
    role = ROLE_CHOICES.get(role_key)
    if role is None:
        raise BadGrant(t.BAD_ROLE)
    if role is Role.ADMIN:
        if region_text or unit:
            raise BadGrant(t.NO_SCOPE_FOR_ADMIN)
        return int(user), role, None, None
    if not region_text:
        raise BadGrant(t.NEED_REGION)
    chain = console.kb.region_chain(region_text)
    if chain is None:
        raise BadGrant(
            t.UNKNOWN_REGION.format(
                value=region_text[:30], regions="、".join(console.kb.known_regions())
            )
        )
    region = chain[0]
    if role is Role.SUPERVISOR:
        if unit:
            raise BadGrant(t.NO_UNIT_FOR_SUPERVISOR)
        return int(user), role, region, None
    if not unit:
        raise BadGrant(t.NEED_UNIT)
    known = console.router.units_of(region)
    if unit not in known:
        raise BadGrant(
            t.UNKNOWN_UNIT.format(
                region=region, value=unit[:MAX_UNIT_CHARS], units="、".join(known)
            )
        )
    return int(user), role, region, unit


@allow(admin)
async def grant(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request[FORM]
    try:
        user, role, region, unit = parse_grant(console, form)
    except BadGrant as bad:
        values = {key: _text(form, key) for key in ("user", "role", "region", "unit")}
        return await _roles_page(request, bad=str(bad), status=422, values=values)
    admin_id = request[WHO].user_id
    await console.roles.grant(user, role, granted_by=admin_id, unit=unit, region=region)
    log.info(
        "web: admin %s granted %s (unit %r, region %r) to user %s",
        admin_id,
        role.value,
        unit,
        region,
        user,
    )
    scope = (
        t.SCOPE_UNIT.format(region=region, unit=unit)
        if unit
        else t.SCOPE_REGION.format(region=region)
        if region
        else ""
    )
    return await _roles_page(
        request, ok=t.GRANTED.format(user=user, role=t.ROLE_LABELS[role.value], scope=scope)
    )


@allow(admin)
async def revoke(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request[FORM]
    user, role = _text(form, "user"), ROLE_CHOICES.get(_text(form, "role"))
    if not _USER_ID.match(user) or role is None:
        return await _roles_page(request, bad=t.BAD_USER_ID.format(value=user[:30]), status=422)
    name = t.ROLE_LABELS[role.value]
    admin_id = request[WHO].user_id
    count = await console.roles.revoke(int(user), role, revoked_by=admin_id)
    if not count:
        configured = role is Role.ADMIN and int(user) in getattr(console.access, "admin_ids", ())
        return await _roles_page(
            request,
            bad=(t.REVOKE_CONFIGURED_ADMIN if configured else t.REVOKE_NONE).format(
                user=user, role=name
            ),
            status=409,
        )
    log.info("web: admin %s revoked %s from user %s (%d grants)", admin_id, role.value, user, count)
    return await _roles_page(request, ok=t.REVOKED.format(user=user, role=name, count=count))


def routes(app: web.Application) -> None:
    app[REBUILDING] = asyncio.Lock()
    app.router.add_get("/admin/documents", documents, name="documents")
    app.router.add_post("/admin/documents", upload, name="upload")
    app.router.add_post("/admin/documents/{doc_id}/remove", remove, name="remove_document")
    app.router.add_post("/admin/reload", reload, name="reload")
    app.router.add_get("/admin/roles", roles, name="roles")
    app.router.add_post("/admin/roles/grant", grant, name="grant")
    app.router.add_post("/admin/roles/revoke", revoke, name="revoke")
