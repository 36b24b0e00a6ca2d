"""Server-sent events for open pages: each change rendered as the HTML fragment it replaces.

A stream first sends what changed between the page's rendering and its own start (a new stream,
or the browser's automatic reconnect), then every change that concerns its page; a comment line
every 15 s keeps idle streams open through proxies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Final

from starlette.requests import Request

from edge.fleet.live import LiveEvent
from edge.fleet.queries import IncidentFilter

if TYPE_CHECKING:
    from edge.fleet.console import Console

_PING_S: Final = 15.0
"""Comment lines keep idle event streams open through proxies."""


async def stream(
    console: Console, request: Request, fragment: Callable[..., str], where: IncidentFilter
) -> AsyncIterator[str]:
    """The event stream of one open page: HTML fragments for what changed on it.

    ``page`` in the query says which page (``incidents``, ``incident`` with ``id``, ``devices``);
    ``where`` is the incidents page's filter, so only matching new incidents are sent.
    """
    page = request.query_params.get("page", "")
    wanted_id = request.query_params.get("id", "")
    queue = console.hub.subscribe()
    try:
        yield "retry: 2000\n\n"
        # What changed between the page's rendering and this stream's start (or a reconnect).
        if page == "incident":
            now = LiveEvent("incident-update", wanted_id)
            text = await _render_event(console, page, wanted_id, where, now, fragment)
            if text is not None:
                yield text
        elif page == "incidents" and (at := _float(request.query_params.get("at", ""))):
            missed = await asyncio.to_thread(console.queries.received_since, where, at)
            for row in missed:
                yield _sse("incident", fragment("_incident_row.html", row=row))
        while True:
            try:
                async with asyncio.timeout(_PING_S):
                    event = await queue.get()
            except TimeoutError:
                yield ": ping\n\n"
                continue
            text = await _render_event(console, page, wanted_id, where, event, fragment)
            if text is not None:
                yield text
    finally:
        console.hub.unsubscribe(queue)


async def _render_event(
    console: Console,
    page: str,
    wanted_id: str,
    where: IncidentFilter,
    event: Any,
    fragment: Callable[..., str],
) -> str | None:
    if page == "incidents" and event.kind in ("incident", "incident-update"):
        row = await asyncio.to_thread(console.queries.incident, event.key)
        if row is None:
            return None
        if event.kind == "incident" and not where.matches(row):
            return None
        html = fragment("_incident_row.html", row=row)
        return _sse(event.kind, html)
    if page == "incident" and event.key == wanted_id:
        row = await asyncio.to_thread(console.queries.incident, wanted_id)
        history = await asyncio.to_thread(console.queries.history, wanted_id)
        return _sse("incident-live", fragment("_incident_live.html", row=row, history=history))
    if page == "devices" and event.kind == "device":
        site, _, device_id = event.key.partition("/")
        d = await asyncio.to_thread(console.queries.device, site, device_id)
        return _sse("device", fragment("_device_row.html", d=d)) if d else None
    return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _sse(kind: str, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.strip().splitlines())
    return f"event: {kind}\n{data}\n\n"
