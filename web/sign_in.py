"""Signing in and out: the one-time link from /web, and the Telegram Login Widget.

Opening a link (GET) only shows a button; the token is spent by the POST it sends. Telegram
and other apps fetch links to draw previews, and a GET that signed in would burn the link
for the person it was sent to.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from web import texts as t
from web.app import CONSOLE, COOKIE, public, render, see_other
from web.widget import verified_user

log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme) is followed after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _signed_in(
    request: web.Request, user_id: int, how: str, target: str | None
) -> web.StreamResponse:
    console = request.app[CONSOLE]
    session_id, _ = await console.store.open_session(user_id)
    log.info("web: user %s signed in by %s", user_id, how)
    response = see_other(_safe_next(target))
    response.set_cookie(
        COOKIE,
        session_id,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=console.config.secure,
        max_age=int(console.config.session_max_age.total_seconds()),
    )
    return response


@public
async def sign_in_page(request: web.Request) -> web.Response:
    config = request.app[CONSOLE].config
    note = t.SESSION_ENDED if request.query.get("m") else None
    return render(
        request,
        "sign_in.html",
        note=note,
        widget=config.widget,
        bot_username=config.bot_username or "",
        auth_url=f"{config.base_url}/login/telegram?{urlencode({'next': _safe_next(request.query.get('next'))})}",
    )


@public
async def link_page(request: web.Request) -> web.Response:
    return render(request, "sign_in_link.html", token=request.match_info["token"])


@public
async def redeem_link(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != _origin(request.app[CONSOLE].config.base_url):
        # Another site's form posting someone's link: it would sign this browser in as that someone.
        log.warning("web: a sign-in link was posted from another site")
        return _refused(request, t.SIGN_IN_LINK_BAD)
    form = await request.post()
    token = form.get("token")
    user_id = (
        await request.app[CONSOLE].store.redeem_link(token) if isinstance(token, str) else None
    )
    if user_id is None:
        log.warning("web: a sign-in link was refused (unknown, used or expired)")
        return _refused(request, t.SIGN_IN_LINK_BAD)
    return await _signed_in(request, user_id, "link", "/")


@public
async def widget_callback(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    token = console.config.bot_token
    user_id = (
        verified_user(request.query, token, console.clock(), console.config.widget_max_age_seconds)
        if token
        else None
    )
    if user_id is None:
        log.warning("web: a Telegram Login Widget answer was refused (bad hash or stale)")
        return _refused(request, t.SIGN_IN_WIDGET_BAD)
    return await _signed_in(request, user_id, "widget", request.query.get("next"))


def _refused(request: web.Request, message: str) -> web.StreamResponse:
    """The page a refused sign-in gets: why, and the way back to the sign-in page."""
    return render(
        request, "message.html", status=403, title=t.SIGN_IN_TITLE, message=message, back="/login"
    )


@public
async def sign_out(request: web.Request) -> web.StreamResponse:
    """Ends the session in the database, not only in this browser. A cross-site POST cannot
    reach here with the cookie (SameSite=Lax), so no CSRF token is asked for."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        await request.app[CONSOLE].store.close_session(cookie)
    response = render(
        request, "message.html", title=t.SIGNED_OUT, message=t.SIGNED_OUT, back="/login"
    )
    response.del_cookie(COOKIE, path="/")
    return response


def routes(app: web.Application) -> None:
    app.router.add_get("/login", sign_in_page, name="sign_in")
    app.router.add_get("/login/link/{token}", link_page, name="link")
    app.router.add_post("/login/link", redeem_link, name="redeem_link")
    app.router.add_get("/login/telegram", widget_callback, name="widget")
    app.router.add_post("/logout", sign_out, name="sign_out")
