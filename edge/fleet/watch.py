"""Fleet side: watch incidents arrive, each shown once, even across restarts of the watcher.

Delivery is at least once, so the same incident may arrive twice (a device re-sends after a crash
between the broker's acknowledgement and its own bookkeeping). The watcher de-duplicates by
``incident_id`` in a small SQLite file, so a restart does not show old incidents again.

The subscription is a persistent MQTT v5 session (``clean_start=False`` from the first connect,
with a session expiry), so incidents published while the watcher is away are queued by the
broker. Acknowledgements are manual: a message is acknowledged only after it was shown and
recorded as seen, so a watcher killed mid-batch gets it again rather than never.

Two watchers with one client id would take the session from each other in turn and each show
part of the stream. So each claims its id (:mod:`edge.fleet.claim`): the older one stops with an
error naming the client id, and the newer one warns that the id was in use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.errors import EdgeError
from edge.fleet.claim import Claim
from edge.fleet.link import SessionTakenOver
from edge.report.mqtt import Broker, connect_properties, make_client

_LOGGER = logging.getLogger(__name__)

_BATCH = 500
"""Messages handled per transaction of the seen-store."""


class SeenStore:
    """Incident ids already shown, in SQLite at ``path`` (created when missing)."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS seen (incident_id TEXT PRIMARY KEY, seen_at REAL)"
            )
        except (sqlite3.Error, OSError) as err:
            raise EdgeError(
                "fleet-seen-unavailable",
                f"cannot open the seen-incidents file {path}: {err}",
                fix="pass a writable --seen-db",
            ) from err

    def unseen(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` not recorded yet."""
        wanted = set(ids)
        with self._lock:
            known = {
                row[0]
                for i in wanted
                for row in self._db.execute(
                    "SELECT incident_id FROM seen WHERE incident_id = ?", (i,)
                )
            }
        return wanted - known

    def add(self, ids: Iterable[str], now: float) -> None:
        """Record ``ids`` as shown (one transaction)."""
        rows = [(i, now) for i in ids]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", rows)
            self._db.execute("COMMIT")

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


@dataclass(frozen=True, slots=True)
class _Message:
    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass(slots=True)
class WatchStats:
    """What a watch saw."""

    received: int = 0
    """Incident messages received (duplicates included)."""
    shown: int = 0
    """Distinct incidents shown."""
    duplicates: int = 0
    """Messages dropped because their incident was already shown."""
    malformed: int = 0
    """Messages that were not an incident payload."""


class FleetWatcher:
    """Subscribes to incidents of one site (or the whole fleet) and shows each once."""

    def __init__(
        self,
        broker: Broker,
        seen: SeenStore,
        *,
        site: str | None = None,
        prefix: str = "fleet/v1",
        status: bool = False,
        reconnect_max_s: float = 10.0,
    ) -> None:
        self._broker = broker
        self._seen = seen
        level = site or "+"
        self.topics = [f"{prefix.rstrip('/')}/{level}/+/incident"]
        """Subscribed topic filters."""
        if status:
            self.topics.append(f"{prefix.rstrip('/')}/{level}/+/status")
        self._reconnect_max_s = reconnect_max_s
        self.stats = WatchStats()
        self.connected = False
        """True while subscribed."""

    async def watch(
        self,
        on_incident: Callable[[Mapping[str, Any]], None],
        *,
        on_status: Callable[[str, Mapping[str, Any]], None] | None = None,
        count: int | None = None,
        timeout_s: float | None = None,
    ) -> WatchStats:
        """Show incidents as they arrive until ``count`` were shown or ``timeout_s`` passed.

        Without either it runs until cancelled. ``on_incident`` gets each new payload once.
        """
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[_Message] = asyncio.Queue()
        client = make_client(self._broker, manual_ack=True)
        client.reconnect_delay_set(1, max(1, int(self._reconnect_max_s)))

        def on_connect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
            if reason.is_failure:
                _LOGGER.warning("Broker refused the watcher: %s", reason)
                return
            # Re-subscribing is harmless with a present session and needed without one.
            c.subscribe([(t, 1) for t in self.topics])
            claim.connected(c)
            self.connected = True

        taken_over = asyncio.Event()
        claim = Claim(self._broker.client_id)

        def on_disconnect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
            self.connected = False

        def on_message(c: Any, userdata: Any, msg: Any) -> None:
            if msg.topic == claim.topic:
                if claim.received(c, msg) == "displaced":
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(taken_over.set)
                return
            item = _Message(msg.mid, msg.qos, msg.topic, bytes(msg.payload))
            with contextlib.suppress(RuntimeError):  # loop closed: unacked, so re-sent later
                loop.call_soon_threadsafe(inbox.put_nowait, item)

        client.on_connect = on_connect
        client.on_disconnect = on_disconnect
        client.on_message = on_message
        client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=self._broker.keepalive_s,
            clean_start=False,
            properties=connect_properties(self._broker.session_expiry_s),
        )
        client.loop_start()
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        try:
            while count is None or self.stats.shown < count:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                try:
                    async with asyncio.timeout(left):  # not wait_for: see forwarder.wait_event
                        first = await _next(inbox, taken_over)
                except TimeoutError:
                    break
                if first is None:
                    raise SessionTakenOver(
                        "fleet-client-id-taken",
                        f"another client connected with client id {self._broker.client_id!r}"
                        " and took over this watcher's session; stopping so the stream is not"
                        " split between the two",
                        fix="give each watcher its own --client-id",
                    )
                batch = [first]
                while len(batch) < _BATCH and not inbox.empty():
                    batch.append(inbox.get_nowait())
                await self._handle(batch, on_incident, on_status)
                for item in batch:
                    if item.qos > 0:
                        client.ack(item.mid, item.qos)
        finally:
            client.disconnect()
            await asyncio.to_thread(client.loop_stop)
            self.connected = False
        return self.stats

    async def _handle(
        self,
        batch: list[_Message],
        on_incident: Callable[[Mapping[str, Any]], None],
        on_status: Callable[[str, Mapping[str, Any]], None] | None,
    ) -> None:
        incidents: dict[str, Mapping[str, Any]] = {}
        for item in batch:
            payload = _decode(item.payload)
            if item.topic.endswith("/status"):
                if payload is not None and on_status is not None:
                    on_status(item.topic, payload)
                continue
            self.stats.received += 1
            incident_id = payload.get("incident_id") if payload is not None else None
            if not isinstance(incident_id, str) or not incident_id:
                self.stats.malformed += 1
                _LOGGER.warning("Not an incident payload on %s; ignored", item.topic)
                continue
            if incident_id in incidents:
                self.stats.duplicates += 1
                continue
            assert payload is not None
            incidents[incident_id] = payload
        fresh = await asyncio.to_thread(self._seen.unseen, incidents)
        self.stats.duplicates += len(incidents) - len(fresh)
        shown = [i for i in incidents if i in fresh]  # arrival order
        # Show first, then record: a crash in between shows an incident twice, never zero times.
        for incident_id in shown:
            on_incident(incidents[incident_id])
        await asyncio.to_thread(self._seen.add, shown, time.time())
        self.stats.shown += len(shown)


async def _next(inbox: asyncio.Queue[_Message], stop: asyncio.Event) -> _Message | None:
    """The next message, or None once ``stop`` is set (messages already queued come first)."""
    if not inbox.empty():
        return inbox.get_nowait()
    got = asyncio.ensure_future(inbox.get())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({got, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not got.done():
            got.cancel()
    return got.result() if got.done() and not got.cancelled() else None


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def describe(payload: Mapping[str, Any]) -> str:
    """One human line for an incident: time, severity, where, summary, short id."""
    where = f"{payload.get('site', '?')}/{payload.get('device_id', '?')}"
    component = f" [{payload['component_id']}]" if payload.get("component_id") else ""
    severity = str(payload.get("severity", "?")).upper()
    summary = str(payload.get("summary") or payload.get("description") or "")
    incident_id = str(payload.get("incident_id", ""))[:8]
    when = str(payload.get("created_at", ""))
    return f"{when} {severity:8} {where}{component}: {summary} ({incident_id})"
