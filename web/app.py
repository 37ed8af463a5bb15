"""The console's aiohttp application: who is asking, what they may open, and the pages.

Every request but sign-in and static files passes `guard`: the session cookie is looked up
(idle and old sessions are gone), the person's roles are read from the database afresh (a
revoke bites at the next click), the route's own check is applied, and a POST must carry the
session's CSRF token. Anything refused changes nothing and is logged without personal data.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from cases.access import Permissions
from cases.times import china_time
from storage.db import StorageUnavailable
from web import texts as t

log = logging.getLogger(__name__)

COOKIE = "fupin_console"
STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Check = Callable[[Any], bool]


class AccessReader(Protocol):
    async def of(self, user_id: int) -> Any: ...


class FileFetcher(Protocol):
    async def __call__(self, file_id: str) -> tuple[bytes, str]: ...


@dataclass(frozen=True)
class ConsoleConfig:
    base_url: str = "http://127.0.0.1:8080"
    bot_token: str | None = field(default=None, repr=False)
    bot_username: str | None = None
    session_idle: timedelta = timedelta(minutes=30)
    session_max_age: timedelta = timedelta(hours=12)
    link_valid: timedelta = timedelta(minutes=10)
    widget_max_age_seconds: int = 3600

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def widget(self) -> bool:
        """The Login Widget needs a bot username and an https site registered with @BotFather."""
        return bool(self.bot_username and self.bot_token and self.secure)


@dataclass
class Console:
    """What the pages need; built by the composition root (bot/)."""

    store: Any  # storage.web_access.WebAccessStore
    access: AccessReader
    reports: Any  # storage.reports.CaseReports
    weeks: Any  # storage.report_weeks.WeeklyCounts
    roles: Any  # storage.roles.RoleRepository
    kb: Any  # knowledge.service.KnowledgeBase
    router: Any  # knowledge.routing.Router
    clock: Callable[[], datetime]
    config: ConsoleConfig = field(default_factory=ConsoleConfig)
    files: FileFetcher | None = None
    cases: Any = None  # cases.service.CaseService: every case rule, check and notice


CONSOLE = web.AppKey("console", Console)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
WHO = web.RequestKey("who", Permissions)  # the person's permissions, read for this request
CSRF = web.RequestKey("csrf", str)  # the session's token, put in every form
# A POST's fields, read once by `guard`.
FORM = web.RequestKey[MultiDictProxy[str | bytes | bytearray | web.FileField]]("form")


# ----------------------------------------------------------------------------- route checks


def public(handler: Handler) -> Handler:
    """Open to anyone: sign-in pages."""
    # aiohttp handlers are plain functions: the route's check rides on them as an attribute.
    handler.check = None  # type: ignore[attr-defined]
    return handler


def allow(check: Check) -> Callable[[Handler], Handler]:
    """Open to signed-in people whose permissions pass `check` (read afresh on each request)."""

    def mark(handler: Handler) -> Handler:
        # As in `public`: the check rides on the handler function as an attribute.
        handler.check = check  # type: ignore[attr-defined]
        return handler

    return mark


def any_role(p: Permissions) -> bool:
    return p.has_role


def overseer(p: Permissions) -> bool:
    """Supervisors and admins: statistics."""
    return p.is_admin or p.is_supervisor


def admin(p: Permissions) -> bool:
    return p.is_admin


# ----------------------------------------------------------------------------- rendering


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    env = request.app[TEMPLATES]
    body = env.get_template(template).render(
        t=t, who=request.get(WHO), csrf=request.get(CSRF, ""), path=request.path, **context
    )
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(
    request: web.Request, why: str, message: str = t.REFUSED, status: int = 403
) -> web.Response:
    who = request.get(WHO)
    log.warning(
        "web: refused %s %s to user %s: %s",
        request.method,
        request.match_info.route.resource.canonical
        if request.match_info.route.resource
        else request.path,
        getattr(who, "user_id", None),
        why,
    )
    return render(request, "message.html", status=status, title=t.REFUSED_TITLE, message=message)


def see_other(location: Any) -> web.Response:
    """A redirect to be returned (aiohttp wants HTTPException raised, not returned)."""
    return web.Response(status=303, headers={"Location": str(location)})


def to_sign_in(request: web.Request, message: str | None = None) -> web.Response:
    target = request.path_qs if request.method == "GET" else "/"
    return see_other(
        request.app.router["sign_in"]
        .url_for()
        .with_query({"next": target, **({"m": "1"} if message else {})})
    )


# ----------------------------------------------------------------------------- middleware


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    widget = "https://telegram.org" if request.app[CONSOLE].config.widget else ""
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' {widget}; frame-src https://oauth.telegram.org; "
        "img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Same-origin: other sites never see a page's address (a sign-in link's carries its token),
    # and our own forms' POSTs carry our Origin, which the sign-in link's POST checks.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    route_handler = request.match_info.handler
    check = getattr(route_handler, "check", None)
    if (
        request.match_info.http_exception is not None
        or request.path.startswith("/static/")
        or (check is None and hasattr(route_handler, "check"))
    ):
        return await handler(request)
    console = request.app[CONSOLE]
    try:
        cookie = request.cookies.get(COOKIE, "")
        signed = (
            await console.store.session(
                cookie, idle=console.config.session_idle, max_age=console.config.session_max_age
            )
            if cookie
            else None
        )
        if signed is None:
            response = to_sign_in(request, t.SESSION_ENDED if cookie else None)
            if cookie:
                response.del_cookie(COOKIE, path="/")
            return response
        who = await console.access.of(signed.user_id)
    except StorageUnavailable:
        return render(
            request, "message.html", status=503, title=t.STORAGE_DOWN, message=t.STORAGE_DOWN
        )
    request[WHO], request[CSRF] = who, signed.csrf_token
    if not who.has_role:
        return refused(request, "no role", t.NO_ROLE)
    if check is None or not check(who):
        return refused(request, "route not allowed")
    if request.method == "POST":
        form = await request.post()
        given = form.get("csrf")
        if not isinstance(given, str) or not hmac.compare_digest(
            given.encode(), signed.csrf_token.encode()
        ):
            return refused(request, "bad csrf token", t.CSRF_REFUSED)
        request[FORM] = form
    try:
        return await handler(request)
    except StorageUnavailable:
        return render(
            request, "message.html", status=503, title=t.STORAGE_DOWN, message=t.STORAGE_DOWN
        )


@web.middleware
async def not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return render(
            request, "message.html", status=404, title=t.NOT_FOUND_TITLE, message=t.NOT_FOUND
        )
    except web.HTTPMethodNotAllowed:
        return render(
            request, "message.html", status=405, title=t.NOT_FOUND_TITLE, message=t.NOT_FOUND
        )


# ----------------------------------------------------------------------------- the application


def create_app(console: Console) -> web.Application:
    from web import admin_pages, case_pages, dashboard, sign_in

    app = web.Application(
        middlewares=[security_headers, not_found, guard], client_max_size=MAX_UPLOAD_BYTES + 65536
    )
    app[CONSOLE] = console
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["china_time"] = china_time
    app[TEMPLATES] = env
    sign_in.routes(app)
    dashboard.routes(app)
    admin_pages.routes(app)
    case_pages.routes(app)
    app.router.add_get("/", home, name="home")
    app.router.add_static("/static/", STATIC_DIR, name="static")
    return app


@allow(any_role)
async def home(request: web.Request) -> web.StreamResponse:
    who = request[WHO]
    if who.is_staff or who.is_supervisor:
        return see_other("/cases")
    return see_other("/dashboard")


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start `app` on host:port inside the running event loop; `await runner.cleanup()` stops it."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
