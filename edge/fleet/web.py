"""The console's web pages: server-rendered HTML (Jinja2) on Starlette, live by server-sent events.

No JavaScript build step: one small static script opens an ``EventSource`` and puts the HTML
fragments the server renders into the page. Every page needs a login; the cookie is HttpOnly and
SameSite=Strict, every form carries the session's CSRF token, and a Content-Security-Policy allows
only this origin's script and style (no inline script).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from edge.errors import EdgeError
from edge.fleet import metrics
from edge.fleet.auth import Session, csrf_ok
from edge.fleet.plot import latency_svg
from edge.fleet.queries import IncidentFilter
from edge.fleet.store import ACTIONS, STATES
from edge.fleet.stream import stream

if TYPE_CHECKING:
    from edge.fleet.console import Console

_LOGGER = logging.getLogger(__name__)

COOKIE: Final = "edge_session"
_LOGIN_CSRF: Final = "edge_login"
_SEVERITIES: Final = ("low", "medium", "high", "critical")
_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _folder(name: str) -> Path:
    return Path(str(resources.files("edge.fleet").joinpath(name)))


def _when(ts: float | None) -> str:
    if ts is None:
        return "never"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _ago(ts: float | None) -> str:
    if ts is None:
        return "never"
    s = max(0, int(time.time() - ts))
    return f"{s} s ago" if s < 120 else f"{s // 60} min ago" if s < 7200 else f"{s // 3600} h ago"


def _day(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() if text else None
    except ValueError:
        return None


def filter_of(request: Request) -> IncidentFilter:
    """The incident filter in the query string (unknown values are ignored)."""
    q = request.query_params
    severity = q.get("severity", "")
    state = q.get("state", "")
    return IncidentFilter(
        site=q.get("site", "")[:64],
        device=q.get("device", "")[:64],
        component=q.get("component", "")[:64],
        severity=severity if severity in _SEVERITIES else "",
        state=state if state in STATES else "",
        q=q.get("q", "")[:200],
        since=_day(q.get("since", "")),
        until=_day(q.get("until", "")),
    )


def make_app(console: Console) -> Starlette:
    """The ASGI app serving ``console``."""
    env = Environment(
        loader=FileSystemLoader(_folder("templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["ago"] = _ago
    secure = console.settings.secure_cookies

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status, headers=_HEADERS)

    def fragment(name: str, **context: Any) -> str:
        return env.get_template(name).render(**context)

    async def session_of(request: Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        return await asyncio.to_thread(console.accounts.session, token)

    Handler = Callable[[Request, Session], Awaitable[Response]]

    def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            session = await session_of(request)
            if session is None:
                if request.url.path in (
                    "/events",
                    "/export/incidents.csv",
                    "/export/incidents.json",
                ):
                    return PlainTextResponse("log in first", 401)
                return RedirectResponse("/login", 303)
            if request.method == "POST":
                form = await request.form()
                if not csrf_ok(session, form.get("csrf")):
                    return PlainTextResponse("bad or missing CSRF token; reload the page", 403)
            return await handler(request, session)

        return wrapped

    async def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = render("login.html", csrf=token, error=None)
        response.set_cookie(_LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure)
        return response

    async def login(request: Request) -> Response:
        form = await request.form()
        expected = request.cookies.get(_LOGIN_CSRF, "")
        if not expected or not secrets.compare_digest(str(form.get("csrf", "")), expected):
            return PlainTextResponse("bad or missing CSRF token; reload the page", 403)
        name, password = str(form.get("user", "")), str(form.get("password", ""))
        token = await asyncio.to_thread(console.accounts.login, name, password)
        if token is None:
            _LOGGER.warning("Failed console login for %r", name[:64])
            return render("login.html", 401, csrf=expected, error="Wrong user name or password.")
        response = RedirectResponse("/incidents", 303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(console.settings.session_hours * 3600),
            httponly=True,
            samesite="strict",
            secure=secure,
        )
        response.delete_cookie(_LOGIN_CSRF)
        return response

    async def logout(request: Request, session: Session) -> Response:
        await asyncio.to_thread(console.accounts.logout, request.cookies.get(COOKIE))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE)
        return response

    async def home(request: Request) -> Response:
        return RedirectResponse("/incidents", 303)

    async def incidents(request: Request, session: Session) -> Response:
        where = filter_of(request)
        before = None
        if (b := request.query_params.get("before", "")) and "," in b:
            at, _, incident_id = b.partition(",")
            try:
                before = (float(at), incident_id)
            except ValueError:
                before = None
        rows, more = await asyncio.to_thread(console.queries.incidents, where, before=before)
        sites = await asyncio.to_thread(console.queries.sites)
        query = request.url.query
        older = None
        if more and rows:
            params = dict(request.query_params)
            params["before"] = f"{rows[-1].created_at!r},{rows[-1].incident_id}"
            older = "?" + "&".join(f"{k}={_quote(v)}" for k, v in params.items())
        return render(
            "incidents.html",
            session=session,
            rows=rows,
            where=where,
            raw=request.query_params,
            sites=sites,
            severities=_SEVERITIES,
            states=STATES,
            older=older,
            live=f"/events?page=incidents&at={time.time()!r}" + (f"&{query}" if query else ""),
            export=query,
        )

    async def incident(request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        row = await asyncio.to_thread(console.queries.incident, incident_id)
        if row is None:
            return render("missing.html", 404, session=session, what=f"incident {incident_id}")
        history = await asyncio.to_thread(console.queries.history, incident_id)
        return render(
            "incident.html",
            session=session,
            row=row,
            history=history,
            live=f"/events?page=incident&id={incident_id}",
            error=request.query_params.get("error"),
        )

    async def act(request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        action = request.path_params["action"]
        if not session.can_act:
            return PlainTextResponse("viewers cannot change incidents", 403)
        if action not in ACTIONS:
            return PlainTextResponse("unknown action", 404)
        form = await request.form()
        try:
            await console.act(
                incident_id,
                action,
                user=session.user,
                role=session.role,
                assignee=str(form.get("assignee", "")),
                text=str(form.get("text", "")),
            )
        except EdgeError as err:
            return RedirectResponse(f"/incidents/{incident_id}?error={_quote(err.message)}", 303)
        return RedirectResponse(f"/incidents/{incident_id}", 303)

    async def devices(request: Request, session: Session) -> Response:
        rows = await asyncio.to_thread(
            console.queries.devices, request.query_params.get("site", "")
        )
        return render("devices.html", session=session, rows=rows, live="/events?page=devices")

    async def device(request: Request, session: Session) -> Response:
        site, device_id = request.path_params["site"], request.path_params["device_id"]
        row = await asyncio.to_thread(console.queries.device, site, device_id)
        if row is None:
            return render("missing.html", 404, session=session, what=f"device {site}/{device_id}")
        series = await asyncio.to_thread(
            console.queries.series, site, device_id, time.time() - 86400
        )
        recent, _ = await asyncio.to_thread(
            console.queries.incidents, IncidentFilter(site=site, device=device_id), limit=10
        )
        return render(
            "device.html",
            session=session,
            d=row,
            plot=latency_svg(series),
            recent=recent,
            live="/events?page=devices",
        )

    async def export(request: Request, session: Session) -> Response:
        where = filter_of(request)
        as_json = request.url.path.endswith(".json")

        def lines() -> list[str]:
            rows = [r.export() for r in console.queries.iter_incidents(where)]
            if as_json:
                return [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
            buffer = io.StringIO()
            if rows:
                writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            return [buffer.getvalue()]

        body = await asyncio.to_thread(lines)
        kind = "application/x-ndjson" if as_json else "text/csv"
        name = "incidents.jsonl" if as_json else "incidents.csv"
        return Response(
            "".join(body),
            media_type=kind,
            headers={**_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def events(request: Request, session: Session) -> Response:
        return StreamingResponse(
            stream(console, request, fragment, filter_of(request)),
            media_type="text/event-stream",
            headers=_HEADERS,
        )

    async def metrics_endpoint(request: Request) -> Response:
        token = console.settings.metrics_token
        given = request.headers.get("authorization", "")
        if not token:
            return PlainTextResponse("metrics are off (set fleet.metrics_token_file)", 404)
        if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse("bearer token required", 401)
        text = await asyncio.to_thread(metrics.render, console)
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    async def as_json_api(request: Request, session: Session) -> Response:
        rows, more = await asyncio.to_thread(console.queries.incidents, filter_of(request))
        return JSONResponse({"incidents": [r.export() for r in rows], "more": more})

    routes = [
        Route("/", home),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", page(logout), methods=["POST"]),
        Route("/incidents", page(incidents)),
        Route("/incidents/{incident_id}", page(incident)),
        Route("/incidents/{incident_id}/{action}", page(act), methods=["POST"]),
        Route("/devices", page(devices)),
        Route("/devices/{site}/{device_id}", page(device)),
        Route("/export/incidents.csv", page(export)),
        Route("/export/incidents.json", page(export)),
        Route("/api/incidents", page(as_json_api)),
        Route("/events", page(events)),
        Route("/metrics", metrics_endpoint),
        Mount("/static", StaticFiles(directory=_folder("static")), name="static"),
    ]
    return Starlette(routes=routes)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
