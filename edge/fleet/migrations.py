"""Schema migrations of the fleet database, numbered, applied in order, each exactly once.

Each migration is portable SQL with three type words filled per engine: ``{ID}`` (an
auto-numbered key), ``{REAL}`` (a double) and ``{BIG}`` (a 64-bit integer). Applied versions are
recorded in ``schema_migrations``; a database newer than this code is refused rather than
guessed at. Several consoles starting at once serialise on a lock (``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL).

Times are Unix seconds (``{REAL}``), JSON is stored as text: both engines read them the same.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from edge.fleet.db import Database, DatabaseError

_LOGGER = logging.getLogger(__name__)

_TYPES: Final = {
    "sqlite": {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "REAL": "REAL", "BIG": "INTEGER"},
    "postgresql": {"ID": "BIGSERIAL PRIMARY KEY", "REAL": "DOUBLE PRECISION", "BIG": "BIGINT"},
}

MIGRATIONS: Final[tuple[tuple[int, str, str], ...]] = (
    (
        1,
        "devices, incidents and their history, commands, telemetry, users, sessions",
        """
CREATE TABLE devices (
    site TEXT NOT NULL,
    device_id TEXT NOT NULL,
    online INTEGER NOT NULL DEFAULT 0,
    session {BIG} NOT NULL DEFAULT 0,
    reason TEXT,
    status_at {REAL},
    last_seen {REAL},
    software TEXT,
    versions TEXT,
    telemetry TEXT,
    telemetry_at {REAL},
    PRIMARY KEY (site, device_id)
);
CREATE TABLE incidents (
    incident_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    device_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    transcript TEXT NOT NULL,
    component_id TEXT,
    component_name TEXT,
    reading_parameter TEXT,
    reading_value {REAL},
    reading_unit TEXT,
    reading_min {REAL},
    reading_max {REAL},
    citation_document TEXT,
    citation_section TEXT,
    citation_page INTEGER,
    assignee TEXT,
    created_at {REAL} NOT NULL,
    received_at {REAL} NOT NULL,
    updated_at {REAL} NOT NULL,
    device_state TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX incidents_created ON incidents (created_at, incident_id);
CREATE INDEX incidents_site ON incidents (site, created_at);
CREATE INDEX incidents_device ON incidents (device_id, created_at);
CREATE INDEX incidents_state ON incidents (state, created_at);
CREATE INDEX incidents_severity ON incidents (severity, created_at);
CREATE INDEX incidents_component ON incidents (component_id, created_at);
CREATE INDEX incidents_received ON incidents (received_at);
CREATE TABLE incident_events (
    id {ID},
    incident_id TEXT NOT NULL,
    at {REAL} NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    detail TEXT,
    command_id TEXT
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE TABLE commands (
    command_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    site TEXT NOT NULL,
    device_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    issued_at {REAL} NOT NULL,
    published_at {REAL},
    outcome TEXT,
    reason TEXT,
    result_at {REAL},
    announced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX commands_unpublished ON commands (issued_at) WHERE published_at IS NULL;
CREATE INDEX commands_incident ON commands (incident_id);
CREATE TABLE telemetry (
    site TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at {REAL} NOT NULL,
    queue_depth INTEGER,
    p50_ms {REAL},
    p95_ms {REAL},
    disk_free_mb {REAL},
    cpu_temp_c {REAL},
    battery_pct INTEGER,
    PRIMARY KEY (site, device_id, at)
);
CREATE INDEX telemetry_at ON telemetry (at);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'dispatcher')),
    created_at {REAL} NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at {REAL} NOT NULL,
    expires_at {REAL} NOT NULL
);
CREATE TABLE rejects (
    id {ID},
    at {REAL} NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value {BIG} NOT NULL
);
""",
    ),
)
"""(version, what it does, SQL)."""

_ADVISORY_KEY: Final = 0x6564676566  # "edgef": one console migrates at a time


def migrate(db: Database) -> list[int]:
    """Bring ``db`` to the latest version; the versions applied now (empty if current).

    Raises:
        DatabaseError: ``fleet-db-newer`` when the database is ahead of this code, or
            ``fleet-db-failed`` when a migration fails (it is rolled back).
    """
    with db.transaction() as tx:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "
            + _TYPES[db.dialect]["REAL"]
            + " NOT NULL)"
        )
    applied: list[int] = []
    with db.transaction() as tx:
        if db.dialect == "postgresql":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_ADVISORY_KEY,))
        done = {int(r[0]) for r in tx.rows("SELECT version FROM schema_migrations")}
        latest = MIGRATIONS[-1][0]
        if done and max(done) > latest:
            raise DatabaseError(
                "fleet-db-newer",
                f"the fleet database is at version {max(done)}; this edge knows {latest}",
                fix="upgrade edge on the console host",
            )
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            for statement in sql.format(**_TYPES[db.dialect]).split(";"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, time.time()),
            )
            applied.append(version)
            _LOGGER.info("Fleet database migrated to version %d: %s", version, name)
    return applied
