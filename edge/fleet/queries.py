"""What the console reads: incidents, their history, devices, and telemetry for the plots.

Incidents come by filter in keyset pages, newest first; devices with their latest figures.

Pages never count the whole table (slow at a million rows on PostgreSQL): they fetch one row more
than shown to know whether an older page exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, Final

from edge.fleet.db import Database

PAGE: Final = 50
"""Incidents per page."""

_LIST_COLUMNS: Final = (
    "incident_id, site, device_id, severity, state, source, summary, component_id,"
    " component_name, assignee, created_at, received_at, updated_at"
)
_FULL_COLUMNS: Final = (
    _LIST_COLUMNS + ", description, transcript, reading_parameter, reading_value, reading_unit,"
    " reading_min, reading_max, citation_document, citation_section, citation_page, device_state,"
    " payload"
)


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """What the incidents list shows; empty fields do not filter."""

    site: str = ""
    device: str = ""
    component: str = ""
    severity: str = ""
    state: str = ""
    q: str = ""
    """Words searched in summary, description and transcript (case-insensitive)."""
    since: float | None = None
    """Created at or after (Unix seconds)."""
    until: float | None = None
    """Created before (Unix seconds)."""

    def where(self) -> tuple[str, list[Any]]:
        """SQL condition and its arguments."""
        terms: list[str] = ["1 = 1"]
        args: list[Any] = []
        for column, value in (
            ("site", self.site),
            ("device_id", self.device),
            ("component_id", self.component),
            ("severity", self.severity),
            ("state", self.state),
        ):
            if value:
                terms.append(f"{column} = ?")
                args.append(value)
        if self.since is not None:
            terms.append("created_at >= ?")
            args.append(self.since)
        if self.until is not None:
            terms.append("created_at < ?")
            args.append(self.until)
        for word in self.q.lower().split()[:5]:
            pattern = "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%"
            terms.append(
                "(LOWER(summary) LIKE ? OR LOWER(description) LIKE ? OR LOWER(transcript) LIKE ?)"
            )
            args += [pattern, pattern, pattern]
        return " AND ".join(terms), args

    def matches(self, row: Incident) -> bool:
        """Whether a new incident belongs on a list with this filter (live updates)."""
        for want, have in (
            (self.site, row.site),
            (self.device, row.device_id),
            (self.component, row.component_id or ""),
            (self.severity, row.severity),
            (self.state, row.state),
        ):
            if want and want != have:
                return False
        if self.since is not None and row.created_at < self.since:
            return False
        if self.until is not None and row.created_at >= self.until:
            return False
        text = f"{row.summary} {row.description} {row.transcript}".lower()
        return all(word in text for word in self.q.lower().split()[:5])


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as the console shows it."""

    incident_id: str
    site: str
    device_id: str
    severity: str
    state: str
    source: str
    summary: str
    component_id: str | None
    component_name: str | None
    assignee: str | None
    created_at: float
    received_at: float
    updated_at: float
    description: str = ""
    transcript: str = ""
    reading_parameter: str | None = None
    reading_value: float | None = None
    reading_unit: str | None = None
    reading_min: float | None = None
    reading_max: float | None = None
    citation_document: str | None = None
    citation_section: str | None = None
    citation_page: int | None = None
    device_state: str | None = None
    payload: str | None = None

    @property
    def device(self) -> dict[str, Any]:
        """The device as known when the incident arrived."""
        return json.loads(self.device_state) if self.device_state else {}

    @property
    def out_of_range(self) -> bool:
        """The reading is outside its limit."""
        v = self.reading_value
        if v is None:
            return False
        return (self.reading_max is not None and v > self.reading_max) or (
            self.reading_min is not None and v < self.reading_min
        )

    def export(self) -> dict[str, Any]:
        """Flat fields for CSV and JSON export."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "payload"}


@dataclass(frozen=True, slots=True)
class Event:
    """A line of an incident's history."""

    at: float
    kind: str
    actor: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class Device:
    """A device and its latest figures."""

    site: str
    device_id: str
    online: bool
    session: int
    reason: str | None
    last_seen: float | None
    software: str | None
    versions: dict[str, Any]
    telemetry: dict[str, Any]


class FleetQueries:
    """Reads from the fleet database ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def incidents(
        self, where: IncidentFilter, *, before: tuple[float, str] | None = None, limit: int = PAGE
    ) -> tuple[list[Incident], bool]:
        """Newest incidents matching ``where`` (older than ``before``), and whether more exist."""
        condition, args = where.where()
        if before is not None:
            # A row value, not an OR: both engines then walk the (created_at, id) index.
            condition += " AND (created_at, incident_id) < (?, ?)"
            args += [before[0], before[1]]
        rows = self.db.rows(
            f"SELECT {_LIST_COLUMNS} FROM incidents WHERE {condition}"
            " ORDER BY created_at DESC, incident_id DESC LIMIT ?",
            [*args, limit + 1],
        )
        return [Incident(*r) for r in rows[:limit]], len(rows) > limit

    def iter_incidents(self, where: IncidentFilter, chunk: int = 1000) -> Iterator[Incident]:
        """Every matching incident, newest first, fetched ``chunk`` at a time (exports)."""
        before = None
        while True:
            page, more = self.incidents_full(where, before=before, limit=chunk)
            yield from page
            if not more or not page:
                return
            before = (page[-1].created_at, page[-1].incident_id)

    def incidents_full(
        self, where: IncidentFilter, *, before: tuple[float, str] | None, limit: int
    ) -> tuple[list[Incident], bool]:
        """Like :meth:`incidents`, with every column."""
        condition, args = where.where()
        if before is not None:
            # A row value, not an OR: both engines then walk the (created_at, id) index.
            condition += " AND (created_at, incident_id) < (?, ?)"
            args += [before[0], before[1]]
        rows = self.db.rows(
            f"SELECT {_FULL_COLUMNS} FROM incidents WHERE {condition}"
            " ORDER BY created_at DESC, incident_id DESC LIMIT ?",
            [*args, limit + 1],
        )
        return [Incident(*r) for r in rows[:limit]], len(rows) > limit

    def received_since(
        self, where: IncidentFilter, since: float, limit: int = PAGE
    ) -> list[Incident]:
        """Incidents matching ``where`` stored after ``since``, oldest first (pages catch up)."""
        condition, args = where.where()
        rows = self.db.rows(
            f"SELECT {_LIST_COLUMNS} FROM incidents WHERE {condition} AND received_at > ?"
            " ORDER BY received_at DESC LIMIT ?",
            [*args, since, limit],
        )
        return [Incident(*r) for r in reversed(rows)]

    def incident(self, incident_id: str) -> Incident | None:
        """One incident with every column."""
        row = self.db.one(
            f"SELECT {_FULL_COLUMNS} FROM incidents WHERE incident_id = ?", (incident_id,)
        )
        return Incident(*row) if row else None

    def history(self, incident_id: str) -> list[Event]:
        """The incident's history, oldest first."""
        rows = self.db.rows(
            "SELECT at, kind, actor, detail FROM incident_events WHERE incident_id = ? ORDER BY id",
            (incident_id,),
        )
        return [Event(*r) for r in rows]

    def devices(self, site: str = "") -> list[Device]:
        """Every device (of ``site``), by site and id."""
        rows = self.db.rows(
            "SELECT site, device_id, online, session, reason, last_seen, software, versions,"
            " telemetry FROM devices WHERE (? = '' OR site = ?) ORDER BY site, device_id",
            (site, site),
        )
        return [_device(r) for r in rows]

    def device(self, site: str, device_id: str) -> Device | None:
        """One device."""
        row = self.db.one(
            "SELECT site, device_id, online, session, reason, last_seen, software, versions,"
            " telemetry FROM devices WHERE site = ? AND device_id = ?",
            (site, device_id),
        )
        return _device(row) if row else None

    def series(
        self, site: str, device_id: str, since: float, limit: int = 2000
    ) -> list[tuple[float, float | None, float | None, int | None]]:
        """(time, p50 ms, p95 ms, queue depth) since ``since``, oldest first."""
        rows = self.db.rows(
            "SELECT at, p50_ms, p95_ms, queue_depth FROM telemetry"
            " WHERE site = ? AND device_id = ? AND at >= ? ORDER BY at DESC LIMIT ?",
            (site, device_id, since, limit),
        )
        return [(r[0], r[1], r[2], r[3]) for r in reversed(rows)]

    def sites(self) -> list[str]:
        """Sites that have devices."""
        return [r[0] for r in self.db.rows("SELECT DISTINCT site FROM devices ORDER BY site")]

    def counts(self) -> list[tuple[str, str, int]]:
        """(state, severity, incidents) for the metrics endpoint."""
        return [
            (r[0], r[1], int(r[2]))
            for r in self.db.rows(
                "SELECT state, severity, COUNT(*) FROM incidents GROUP BY state, severity"
            )
        ]


def _device(row: tuple[Any, ...]) -> Device:
    site, device_id, online, session, reason, last_seen, software, versions, telemetry = row
    return Device(
        site,
        device_id,
        bool(online),
        int(session or 0),
        reason,
        last_seen,
        software,
        json.loads(versions) if versions else {},
        json.loads(telemetry) if telemetry else {},
    )
