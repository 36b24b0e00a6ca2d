"""``edge fleet serve``: the console's composition root: database, MQTT link, publisher, web.

Usage (the CLI, tests, the benchmark)::

    console = Console(ConsoleSettings(database=..., prefix="fleet/v1"), broker)
    await console.start()          # migrates, connects (the broker may be down), serves HTTP
    ...
    await console.stop()           # nothing acknowledged that is not stored

Everything that touches the database runs in worker threads; the event loop only moves messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge.aio import TaskSet
from edge.fleet import hass
from edge.fleet.auth import Accounts
from edge.fleet.db import Database
from edge.fleet.link import ConsoleLink, Incoming
from edge.fleet.live import Hub, LiveEvent
from edge.fleet.messages import Message, Reject, parse, subscriptions
from edge.fleet.migrations import migrate
from edge.fleet.queries import FleetQueries
from edge.fleet.store import ACTIONS, Action, ActionError, FleetStore
from edge.report.mqtt import Broker

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """What the console needs besides the broker (see ``[fleet]`` in the config)."""

    database: str | Path
    """SQLite file, or a ``postgresql://`` URL."""
    prefix: str = "fleet/v1"
    """Topic prefix of the fleet."""
    host: str = "127.0.0.1"
    """HTTP listen address."""
    port: int = 8080
    """HTTP port (0: any free port)."""
    session_hours: float = 12.0
    """A login lasts this long."""
    secure_cookies: bool = False
    """Mark cookies Secure (set when the console is behind HTTPS)."""
    metrics_token: str = field(default="", repr=False)
    """Bearer token for ``/metrics``; empty turns the endpoint off."""
    hass_discovery: bool = False
    """Publish Home Assistant MQTT discovery configs for devices."""
    hass_prefix: str = "homeassistant"
    """Home Assistant's discovery prefix."""
    telemetry_keep_days: float = 30.0
    """Telemetry older than this is deleted (hourly); incidents are kept."""


@dataclass(slots=True)
class Stats:
    """What this run of the console did (also exported as metrics)."""

    received: int = 0
    stored_incidents: int = 0
    duplicates: int = 0
    rejected: int = 0
    commands_published: int = 0
    batches: int = 0
    last_batch_s: float = 0.0


class Console:
    """The fleet console: ingestion, commands back to devices, the web pages."""

    def __init__(self, settings: ConsoleSettings, broker: Broker | None) -> None:
        self.settings = settings
        self.db = Database(settings.database)
        migrate(self.db)
        self.store = FleetStore(self.db, prefix=settings.prefix)
        self.queries = FleetQueries(self.db)
        self.accounts = Accounts(self.db, session_s=settings.session_hours * 3600)
        self.hub = Hub()
        self.stats = Stats()
        self.link = (
            ConsoleLink(broker, subscriptions(settings.prefix), self._ingest) if broker else None
        )
        self._tasks = TaskSet("fleet-console")
        self._wake = asyncio.Event()
        self._announced: set[tuple[str, str]] = set()
        self._server: Any = None
        self._main: list[asyncio.Task[Any]] = []
        self.port = settings.port
        """The HTTP port in use (known after :meth:`start`)."""

    async def start(self, *, web: bool = True) -> None:
        """Connect to the broker and serve the pages; returns once both are started."""
        if self.link is not None:
            self.link.start()
            self._main.append(self._tasks.spawn(self.link.run(), "ingest"))
            self._main.append(self._tasks.spawn(self._publisher(), "commands"))
        self._main.append(self._tasks.spawn(self._housekeeping(), "housekeeping"))
        if web:
            await self._serve()

    async def _serve(self) -> None:
        import uvicorn

        from edge.fleet.web import make_app

        config = uvicorn.Config(
            make_app(self),
            host=self.settings.host,
            port=self.settings.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        http = self._tasks.spawn(self._server.serve(), "http")
        self._main.append(http)
        while not self._server.started:
            await asyncio.sleep(0.02)
            if http.done():
                http.result()  # the port is taken, or similar: raise it here
                raise OSError(f"the console could not listen on port {self.settings.port}")
        sockets = [s for srv in self._server.servers for s in srv.sockets]
        self.port = int(sockets[0].getsockname()[1])
        _LOGGER.info("Fleet console on http://%s:%d/", self.settings.host, self.port)

    async def wait(self) -> None:
        """Run until a part fails (e.g. the client id was taken over) or the task is cancelled."""
        done, _ = await asyncio.wait(self._main, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()

    async def stop(self) -> None:
        """Stop serving, disconnect (the broker keeps the session), close the database."""
        if self._server is not None:
            self._server.should_exit = True  # closes the listening socket and open streams
            http = self._main[-1]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await asyncio.wait({http})
        await self._tasks.close()
        if self.link is not None:
            await self.link.stop()
        await asyncio.to_thread(self.db.close)

    async def _housekeeping(self) -> None:
        keep_s = self.settings.telemetry_keep_days * 86_400
        while True:
            telemetry, rejects = await asyncio.to_thread(self.store.prune, time.time() - keep_s)
            if telemetry or rejects:
                _LOGGER.info("Pruned %d telemetry rows and %d rejects", telemetry, rejects)
            await asyncio.sleep(3600)

    # -- actions ----------------------------------------------------------------------------------

    async def act(self, incident_id: str, action: str, **kwargs: Any) -> None:
        """Apply a dispatcher's action, then publish its command (see :meth:`FleetStore.act`)."""
        if action not in ACTIONS:
            raise ActionError("fleet-action", f"unknown action {action!r}")
        verb: Action = action
        await asyncio.to_thread(self.store.act, incident_id, verb, **kwargs)
        self.hub.publish(LiveEvent("incident-update", incident_id))
        self._wake.set()

    # -- ingestion --------------------------------------------------------------------------------

    async def _ingest(self, batch: list[Incoming]) -> None:
        messages: list[Message] = []
        rejects: list[Reject] = []
        for item in batch:
            parsed = parse(self.settings.prefix, item.topic, item.payload)
            if isinstance(parsed, Message):
                messages.append(parsed)
            else:
                rejects.append(parsed)
        for reject in rejects:
            _LOGGER.warning("Rejected a message on %s: %s", reject.topic, reject.reason)
        started = time.monotonic()
        result = await asyncio.to_thread(self.store.ingest, messages, rejects)
        stats = self.stats
        stats.batches += 1
        stats.last_batch_s = time.monotonic() - started
        stats.received += len(batch)
        stats.stored_incidents += len(result.new_incidents)
        stats.duplicates += result.duplicates
        stats.rejected += result.rejected
        for incident_id in result.new_incidents:
            self.hub.publish(LiveEvent("incident", incident_id))
        for incident_id in result.results:
            self.hub.publish(LiveEvent("incident-update", incident_id))
        for site, device_id in result.devices:
            self.hub.publish(LiveEvent("device", f"{site}/{device_id}"))
            if self.settings.hass_discovery and (site, device_id) not in self._announced:
                self._announce(site, device_id)

    def _announce(self, site: str, device_id: str) -> None:
        assert self.link is not None
        if not self.link.connected.is_set():
            return
        for topic, config in hass.discovery(
            self.settings.hass_prefix, self.settings.prefix, site, device_id
        ):
            self.link.publish_retained(topic, json.dumps(config).encode())
        self._announced.add((site, device_id))

    # -- commands ---------------------------------------------------------------------------------

    async def _publisher(self) -> None:
        """Publish queued commands when one is added or the link comes up; poll as a backstop."""
        assert self.link is not None
        link = self.link
        pending: set[str] = set()
        while True:
            try:
                async with asyncio.timeout(5.0):
                    await _either(self._wake, link.up)
            except TimeoutError:
                pass
            if link.up.is_set():
                link.up.clear()
                pending.clear()  # a new connection: anything unacknowledged goes again
            self._wake.clear()
            if not link.connected.is_set():
                continue
            for command in await asyncio.to_thread(self.store.unpublished):
                if command.command_id in pending:
                    continue

                def acked(command_id: str = command.command_id) -> None:
                    self._tasks.spawn(self._mark(command_id, pending), f"mark:{command_id}")

                if link.publish(command.topic, command.payload, acked):
                    pending.add(command.command_id)

    async def _mark(self, command_id: str, pending: set[str]) -> None:
        await asyncio.to_thread(self.store.mark_published, [command_id])
        pending.discard(command_id)
        self.stats.commands_published += 1


async def _either(a: asyncio.Event, b: asyncio.Event) -> None:
    waits = {asyncio.ensure_future(a.wait()), asyncio.ensure_future(b.wait())}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
