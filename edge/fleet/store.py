"""What the console writes: messages from devices, dispatchers' actions, and the commands they make.

Ingestion is one transaction per batch and idempotent by incident id (delivery is at least
once). A status message older than the last birth (a stale will) does not mark a device
offline. An action changes the incident, adds a history line and queues a command in the same
transaction, so a console that dies before publishing it publishes it after restart.

Methods block; the console calls them in worker threads.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from edge import schemas
from edge.errors import EdgeError
from edge.fleet.db import Database, Tx
from edge.fleet.messages import Message, Reject, incident_columns, telemetry_columns, unix

Action = Literal["acknowledge", "assign", "comment", "close"]
ACTIONS: Final[tuple[Action, ...]] = ("acknowledge", "assign", "comment", "close")
STATES: Final = ("active", "acknowledged", "closed")
"""Incident states, as in alarm consoles: active -> acknowledged -> closed (cleared)."""

_INCIDENT_COLUMNS: Final = (
    "incident_id, site, device_id, severity, source, summary, description, transcript,"
    " component_id, component_name, reading_parameter, reading_value, reading_unit, reading_min,"
    " reading_max, citation_document, citation_section, citation_page, created_at"
)


class ActionError(EdgeError):
    """A dispatcher's action cannot be done (unknown incident, closed, missing text)."""


@dataclass(slots=True)
class IngestResult:
    """What one batch changed, for live updates and metrics."""

    new_incidents: list[str] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    devices: set[tuple[str, str]] = field(default_factory=set)
    """(site, device) whose status or telemetry changed."""
    results: list[str] = field(default_factory=list)
    """Incident ids whose command results arrived."""


@dataclass(frozen=True, slots=True)
class Command:
    """A command queued for a device."""

    command_id: str
    topic: str
    payload: bytes


class FleetStore:
    """Writes to the fleet database ``db`` (already migrated)."""

    def __init__(self, db: Database, *, prefix: str = "fleet/v1") -> None:
        self.db = db
        self._prefix = prefix.rstrip("/")

    # -- ingestion --------------------------------------------------------------------------------

    def ingest(
        self, messages: Sequence[Message], rejects: Sequence[Reject] = (), now: float | None = None
    ) -> IngestResult:
        """Store a batch of validated messages (and the rejects) in one transaction."""
        now = time.time() if now is None else now
        out = IngestResult(rejected=len(rejects))
        with self.db.transaction() as tx:
            for reject in rejects:
                tx.execute(
                    "INSERT INTO rejects (at, topic, reason, payload) VALUES (?, ?, ?, ?)",
                    (now, reject.topic, reject.reason[:500], reject.raw),
                )
            incidents = [m for m in messages if m.kind == "incident"]
            for message in messages:
                if message.kind == "status":
                    self._status(tx, message, now, out)
                elif message.kind == "telemetry":
                    self._telemetry(tx, message, now, out)
            self._incidents(tx, incidents, now, out)
            for message in messages:
                if message.kind == "command-result":
                    self._result(tx, message, now, out)
            _bump(tx, "ingested", len(messages))
            _bump(tx, "duplicates", out.duplicates)
            _bump(tx, "rejected", len(rejects))
        return out

    def _incidents(self, tx: Tx, batch: list[Message], now: float, out: IngestResult) -> None:
        fresh: dict[str, Message] = {}
        for message in batch:
            fresh.setdefault(str(message.payload["incident_id"]), message)
        out.duplicates += len(batch) - len(fresh)
        if fresh:
            marks = ",".join("?" * len(fresh))
            known = tx.rows(
                f"SELECT incident_id FROM incidents WHERE incident_id IN ({marks})", list(fresh)
            )
            for (incident_id,) in known:
                fresh.pop(incident_id, None)
                out.duplicates += 1
        rows, events = [], []
        for incident_id, message in fresh.items():
            columns = incident_columns(message.payload)
            device = _device_state(tx, message.site, message.device_id)
            rows.append(
                (
                    *columns.values(),
                    now,
                    now,
                    json.dumps(device),
                    json.dumps(message.payload, ensure_ascii=False),
                )
            )
            events.append((incident_id, now, "received", message.device_id, None, None))
            out.new_incidents.append(incident_id)
        tx.executemany(
            f"INSERT INTO incidents ({_INCIDENT_COLUMNS}, received_at, updated_at, device_state,"
            " payload) VALUES (" + ",".join("?" * 23) + ") ON CONFLICT (incident_id) DO NOTHING",
            rows,
        )
        _events(tx, events)

    def _status(self, tx: Tx, message: Message, now: float, out: IngestResult) -> None:
        p = message.payload
        session = int(p["session"])
        versions = p.get("versions")
        # A will (or shutdown) of an older session must not mark the current one offline.
        tx.execute(
            "INSERT INTO devices (site, device_id, online, session, reason, status_at, last_seen,"
            " software, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (site, device_id) DO UPDATE SET online = excluded.online,"
            " session = excluded.session, reason = excluded.reason,"
            " status_at = excluded.status_at, last_seen = excluded.last_seen,"
            " software = COALESCE(excluded.software, devices.software),"
            " versions = COALESCE(excluded.versions, devices.versions)"
            " WHERE excluded.session >= devices.session",
            (
                message.site,
                message.device_id,
                1 if p["online"] else 0,
                session,
                str(p["reason"]),
                unix(p["ts"]) or now,
                now,
                p.get("software"),
                json.dumps(versions) if isinstance(versions, Mapping) else None,
            ),
        )
        out.devices.add((message.site, message.device_id))

    def _telemetry(self, tx: Tx, message: Message, now: float, out: IngestResult) -> None:
        p = message.payload
        at = unix(p["ts"]) or now
        figures = telemetry_columns(p)
        tx.execute(
            "INSERT INTO telemetry (site, device_id, at, queue_depth, p50_ms, p95_ms, disk_free_mb,"
            " cpu_temp_c, battery_pct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (site, device_id, at) DO NOTHING",
            (message.site, message.device_id, at, *figures.values()),
        )
        tx.execute(
            "INSERT INTO devices (site, device_id, last_seen, telemetry, telemetry_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (site, device_id) DO UPDATE SET"
            " last_seen = excluded.last_seen, telemetry = excluded.telemetry,"
            " telemetry_at = excluded.telemetry_at",
            (message.site, message.device_id, now, json.dumps(p, ensure_ascii=False), at),
        )
        out.devices.add((message.site, message.device_id))

    def _result(self, tx: Tx, message: Message, now: float, out: IngestResult) -> None:
        p = message.payload
        command_id, incident_id = p.get("command_id"), p.get("incident_id")
        found = tx.rows(
            "SELECT outcome, announced FROM commands"
            " WHERE command_id = ? AND site = ? AND device_id = ?",
            (command_id, message.site, message.device_id),
        )
        if not found or not isinstance(incident_id, str):
            return  # a result for a command this console never sent: nothing to attach it to
        before, was_told = found[0]
        # A re-delivered command is answered "duplicate": it was applied, keep it so.
        outcome = "applied" if p["outcome"] == "duplicate" else p["outcome"]
        told = bool(p.get("announced")) or bool(was_told)
        if (before, bool(was_told)) == (outcome, told):
            return  # nothing new (a repeated result)
        tx.execute(
            "UPDATE commands SET outcome = ?, reason = ?, result_at = ?, announced = ?"
            " WHERE command_id = ?",
            (outcome, p.get("reason"), now, 1 if told else 0, command_id),
        )
        action = p.get("action") or "command"
        if outcome == "refused":
            detail = f"device refused {action}: {p.get('reason')}"
        elif told and before == "applied":
            detail = f"technician told of {action}"
        else:
            detail = f"device applied {action}" + (" and told the technician" if told else "")
        _events(tx, [(incident_id, now, "device", message.device_id, detail, command_id)])
        out.results.append(incident_id)

    # -- dispatchers' actions ---------------------------------------------------------------------

    def act(
        self,
        incident_id: str,
        action: Action,
        *,
        user: str,
        role: str,
        assignee: str = "",
        text: str = "",
        now: float | None = None,
    ) -> Command:
        """Apply ``action`` to the incident and queue its command to the device (one transaction).

        Raises:
            ActionError: unknown incident or action, a closed incident, or missing text.
        """
        now = time.time() if now is None else now
        assignee, text = assignee.strip()[:64], text.strip()[:500]
        if action not in ACTIONS:
            raise ActionError("fleet-action", f"unknown action {action!r}")
        if action == "assign" and not assignee:
            raise ActionError("fleet-action", "assign needs a name", fix="fill in Assign to")
        if action == "comment" and not text:
            raise ActionError("fleet-action", "a comment needs text", fix="write the comment")
        with self.db.transaction() as tx:
            found = tx.rows(
                "SELECT site, device_id, state FROM incidents WHERE incident_id = ?",
                (incident_id,),
            )
            if not found:
                raise ActionError("fleet-unknown-incident", f"no incident {incident_id}")
            site, device_id, state = found[0]
            if state == "closed" and action != "comment":
                raise ActionError("fleet-action", "the incident is closed")
            new_state = {"acknowledge": "acknowledged", "assign": "acknowledged"}.get(
                action, "closed" if action == "close" else state
            )
            if action == "comment":
                new_state = state
            tx.execute(
                "UPDATE incidents SET state = ?, updated_at = ?,"
                " assignee = CASE WHEN ? <> '' THEN ? ELSE assignee END WHERE incident_id = ?",
                (new_state, now, assignee, assignee, incident_id),
            )
            command_id = str(uuid.uuid4())
            body: dict[str, Any] = {
                "schema": schemas.schema_id("command"),
                "command_id": command_id,
                "incident_id": incident_id,
                "action": action,
                "device_id": device_id,
                "site": site,
                "by": {"user": user, "role": role},
                "issued_at": datetime.fromtimestamp(now, UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
            }
            if assignee:
                body["assignee"] = assignee
            if text:
                body["text"] = text
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            topic = f"{self._prefix}/{site}/{device_id}/cmd/incident"
            tx.execute(
                "INSERT INTO commands (command_id, incident_id, site, device_id, action, actor,"
                " topic, payload, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (command_id, incident_id, site, device_id, action, user, topic, payload, now),
            )
            detail = {"assign": f"to {assignee}", "comment": text}.get(action) or text or None
            _events(tx, [(incident_id, now, action, user, detail, command_id)])
        return Command(command_id, topic, payload.encode())

    def unpublished(self, limit: int = 500) -> list[Command]:
        """Commands not yet acknowledged by the broker, oldest first."""
        rows = self.db.rows(
            "SELECT command_id, topic, payload FROM commands WHERE published_at IS NULL"
            " ORDER BY issued_at LIMIT ?",
            (limit,),
        )
        return [Command(r[0], r[1], str(r[2]).encode()) for r in rows]

    def mark_published(self, command_ids: Sequence[str], now: float | None = None) -> None:
        """The broker acknowledged these commands."""
        at = time.time() if now is None else now
        with self.db.transaction() as tx:
            tx.executemany(
                "UPDATE commands SET published_at = ? WHERE command_id = ?",
                [(at, c) for c in command_ids],
            )

    def prune(self, telemetry_before: float, keep_rejects: int = 10_000) -> tuple[int, int]:
        """Forget telemetry older than ``telemetry_before`` and all but the newest rejects.

        Telemetry is 1,440 rows per device and day; incidents and their history are kept.
        Returns (telemetry rows, rejects) deleted.
        """
        with self.db.transaction() as tx:
            old = tx.execute("DELETE FROM telemetry WHERE at < ?", (telemetry_before,)).rowcount
            top = tx.rows("SELECT MAX(id) FROM rejects")[0][0] or 0
            rejects = tx.execute("DELETE FROM rejects WHERE id <= ?", (top - keep_rejects,))
        return old, rejects.rowcount

    def counter(self, name: str) -> int:
        """A persistent counter (ingested, duplicates, rejected)."""
        row = self.db.one("SELECT value FROM counters WHERE name = ?", (name,))
        return int(row[0]) if row else 0


def _device_state(tx: Tx, site: str, device_id: str) -> dict[str, Any]:
    # The device as the console knew it when the incident arrived (shown on the incident page).
    rows = tx.rows(
        "SELECT online, software, telemetry FROM devices WHERE site = ? AND device_id = ?",
        (site, device_id),
    )
    if not rows:
        return {}
    online, software, telemetry = rows[0]
    facts = json.loads(telemetry) if telemetry else {}
    return {
        "online": bool(online),
        "software": software,
        "queue_depth": facts.get("queue_depth"),
        "latency_ms": facts.get("latency_ms"),
        "wearable": facts.get("wearable"),
    }


def _events(tx: Tx, rows: list[tuple[Any, ...]]) -> None:
    tx.executemany(
        "INSERT INTO incident_events (incident_id, at, kind, actor, detail, command_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _bump(tx: Tx, name: str, n: int) -> None:
    if n:
        tx.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
            (name, n),
        )
