"""Fleet commands on the device: what control did with an incident, stored, told and reported back.

A command (``edge/schemas/command-v1.json``) arrives on ``<prefix>/<site>/<device>/cmd/incident``.
The device checks it before anything else and refuses, logs and reports (never raises):

* ``malformed``: not valid JSON or not valid against the schema;
* ``wrong-device``: addressed to another device or site;
* ``not-authorized``: issued by a role that may not act (viewers);
* ``unknown-incident``: not an incident in this device's outbox;
* ``closed``: the incident is closed (only comments still go through).

An applied command is stored with the incident's new state in the outbox file (its own tables,
so ``edge incidents list`` shows the state) before the broker's copy is acknowledged. Each
command id is applied once (delivery is at least once); a repeat is answered as ``duplicate``.
The technician is told at the next idle moment (:meth:`Lifecycle.pending_announcements`), then
the result is reported again with ``announced`` true.

Methods block (short SQLite transactions); the reporting service calls them in a worker thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from edge import schemas
from edge.report.errors import ReportError
from edge.report.outbox import Outbox
from edge.report.payload import DeviceIdentity, encode, iso_utc
from edge.report.text import spoken_summary

_LOGGER = logging.getLogger(__name__)

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS incident_commands (
    command_id   TEXT PRIMARY KEY,
    incident_id  TEXT NOT NULL,
    action       TEXT NOT NULL,
    by_user      TEXT NOT NULL,
    assignee     TEXT,
    text         TEXT,
    state        TEXT NOT NULL,
    received_at  REAL NOT NULL,
    announced_at REAL
);
CREATE INDEX IF NOT EXISTS incident_commands_incident ON incident_commands (incident_id);
CREATE INDEX IF NOT EXISTS incident_commands_unannounced ON incident_commands (received_at)
    WHERE announced_at IS NULL;
CREATE TABLE IF NOT EXISTS incident_state (
    incident_id TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    assignee    TEXT,
    updated_at  REAL NOT NULL
);
"""

_NEXT_STATE: Final = {"acknowledge": "acknowledged", "assign": "acknowledged", "close": "closed"}


@dataclass(frozen=True, slots=True)
class Announcement:
    """Something to tell the technician about one of their incidents."""

    command_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one command: the result to report, and what to say (if applied)."""

    result: bytes
    """The command-result payload (``edge/schemas/command-result-v1.json``)."""
    announcement: Announcement | None


@dataclass(frozen=True, slots=True)
class IncidentState:
    """An incident's state as control last set it."""

    state: str
    assignee: str | None


def announcement_text(action: str, summary: str, assignee: str = "", text: str = "") -> str:
    """The sentence the technician hears: "Control acknowledged the incident: oil leak at ...".

    The summary follows a colon, so it reads the same whether it is a noun phrase ("oil leak at
    the gearbox") or a whole clause (a reading's "temperature 92 °C is above the 85 °C limit").
    """
    what = spoken_summary(summary).rstrip(".!?…") or "incident"
    if action == "acknowledge":
        return f"Control acknowledged the incident: {what}."
    if action == "assign":
        return f"Control assigned the incident to {assignee}: {what}."
    if action == "close":
        return f"Control closed the incident: {what}."
    return f"Control wrote about the incident, {what}: {text.rstrip('.!?')}."


class Lifecycle:
    """Applies fleet commands to the incidents in ``outbox`` and remembers what was told."""

    def __init__(self, outbox: Outbox, identity: DeviceIdentity, *, path: Path | None = None):
        self._outbox = outbox
        self._identity = identity
        self._lock = threading.Lock()
        where = path or outbox.path
        try:
            self._db = sqlite3.connect(
                where, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_TABLES)
        except sqlite3.Error as err:
            raise ReportError(
                "outbox-unavailable",
                f"cannot store fleet commands in {where}: {err}",
                fix="check that the state directory is writable and the disk is not full",
            ) from err

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def handle(self, raw: bytes, now: float | None = None) -> Handled:
        """Check and apply one command; never raises for a bad command (it is refused)."""
        now = time.time() if now is None else now
        payload = schemas.decode(raw)
        found = schemas.problems("command", payload)
        body: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
        if found:
            return self._refuse(body, "malformed: " + "; ".join(found), now)
        if (body["device_id"], body["site"]) != (self._identity.device_id, self._identity.site):
            return self._refuse(body, "wrong-device", now)
        if body["by"]["role"] != "dispatcher":
            return self._refuse(body, "not-authorized", now)
        try:
            row = self._outbox.get(body["incident_id"])
        except ReportError:
            return self._refuse(body, "unknown-incident", now)
        if row.incident_id != body["incident_id"]:
            return self._refuse(body, "unknown-incident", now)  # a prefix of another id
        return self._apply(body, row.summary, now)

    def _apply(self, body: Mapping[str, Any], summary: str, now: float) -> Handled:
        command_id, incident_id, action = body["command_id"], body["incident_id"], body["action"]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seen = self._db.execute(
                    "SELECT announced_at FROM incident_commands WHERE command_id = ?",
                    (command_id,),
                ).fetchone()
                current = self._state(incident_id)
                if seen is not None:
                    self._db.execute("COMMIT")
                    return Handled(
                        self._result(body, "duplicate", None, current, seen[0] is not None, now),
                        None,
                    )
                if current.state == "closed" and action != "comment":
                    self._db.execute("COMMIT")
                    _LOGGER.warning("Command %s refused: %s is closed", command_id, incident_id)
                    refused = self._result(body, "refused", "closed", current, False, now)
                    return Handled(refused, None)
                state = _NEXT_STATE.get(action, current.state)
                assignee = body.get("assignee") or current.assignee
                self._db.execute(
                    "INSERT INTO incident_commands (command_id, incident_id, action, by_user,"
                    " assignee, text, state, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        command_id,
                        incident_id,
                        action,
                        body["by"]["user"],
                        body.get("assignee"),
                        body.get("text"),
                        state,
                        now,
                    ),
                )
                self._db.execute(
                    "INSERT INTO incident_state (incident_id, state, assignee, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (incident_id) DO UPDATE SET"
                    " state = excluded.state, assignee = excluded.assignee,"
                    " updated_at = excluded.updated_at",
                    (incident_id, state, assignee, now),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                self._db.execute("ROLLBACK")
                raise ReportError(
                    "outbox-unavailable", f"cannot store a fleet command: {err}"
                ) from err
        _LOGGER.info("Command %s applied: %s incident %s", command_id, action, incident_id)
        text = announcement_text(action, summary, body.get("assignee", ""), body.get("text", ""))
        after = IncidentState(state, assignee)
        return Handled(
            self._result(body, "applied", None, after, False, now),
            Announcement(command_id, text),
        )

    def _refuse(self, body: Mapping[str, Any], reason: str, now: float) -> Handled:
        _LOGGER.warning(
            "Fleet command %s refused: %s", str(body.get("command_id", "?"))[:64], reason[:300]
        )
        return Handled(self._result(body, "refused", reason, None, False, now), None)

    def _result(
        self,
        body: Mapping[str, Any],
        outcome: str,
        reason: str | None,
        state: IncidentState | None,
        announced: bool,
        now: float,
    ) -> bytes:
        def text(key: str, limit: int) -> str | None:
            value = body.get(key)
            return value[:limit] if isinstance(value, str) else None

        return encode(
            {
                "schema": schemas.schema_id("command-result"),
                "command_id": text("command_id", 64),
                "incident_id": text("incident_id", 64),
                "action": text("action", 32),
                "outcome": outcome,
                "reason": reason[:300] if reason else None,
                "state": state.state if state else None,
                "assignee": state.assignee if state else None,
                "announced": announced,
                "device_id": self._identity.device_id,
                "site": self._identity.site,
                "at": iso_utc(now),
            }
        )

    def _state(self, incident_id: str) -> IncidentState:
        row = self._db.execute(
            "SELECT state, assignee FROM incident_state WHERE incident_id = ?", (incident_id,)
        ).fetchone()
        return IncidentState(row[0], row[1]) if row else IncidentState("active", None)

    def state(self, incident_id: str) -> IncidentState:
        """The incident's state as control last set it (``active`` when untouched)."""
        with self._lock:
            return self._state(incident_id)

    def states(self, incident_ids: list[str]) -> dict[str, IncidentState]:
        """States of several incidents (those control never touched are left out)."""
        with self._lock:
            marks = ",".join("?" * len(incident_ids))
            rows = self._db.execute(
                f"SELECT incident_id, state, assignee FROM incident_state"
                f" WHERE incident_id IN ({marks})",
                incident_ids,
            ).fetchall()
        return {r[0]: IncidentState(r[1], r[2]) for r in rows}

    def pending_announcements(self) -> list[Announcement]:
        """Applied commands the technician has not been told about yet, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.command_id, c.action, c.assignee, c.text, c.incident_id"
                " FROM incident_commands c WHERE c.announced_at IS NULL ORDER BY c.received_at"
            ).fetchall()
        out = []
        for command_id, action, assignee, text, incident_id in rows:
            try:
                summary = self._outbox.get(incident_id).summary
            except ReportError:
                summary = "incident"
            said = announcement_text(action, summary, assignee or "", text or "")
            out.append(Announcement(command_id, said))
        return out

    def mark_announced(self, command_id: str, now: float | None = None) -> bytes | None:
        """Record that the technician was told; the result to report again (None if unknown)."""
        now = time.time() if now is None else now
        with self._lock:
            changed = self._db.execute(
                "UPDATE incident_commands SET announced_at = ? WHERE command_id = ?"
                " AND announced_at IS NULL",
                (now, command_id),
            ).rowcount
            row = self._db.execute(
                "SELECT incident_id, action, assignee, state FROM incident_commands"
                " WHERE command_id = ?",
                (command_id,),
            ).fetchone()
        if not changed or row is None:
            return None
        incident_id, action, assignee, state = row
        body = {"command_id": command_id, "incident_id": incident_id, "action": action}
        after = IncidentState(state, assignee)
        return self._result(body, "applied", None, after, True, now)


def describe_state(state: IncidentState | None) -> str:
    """``acknowledged``, ``assigned to Dana``, ``closed``; empty for an untouched incident."""
    if state is None or state.state == "active":
        return ""
    if state.assignee and state.state != "closed":
        return f"{state.state}, {state.assignee}"
    return state.state
