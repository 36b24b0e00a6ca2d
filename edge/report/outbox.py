"""Durable outbox of incidents in SQLite: stored before the technician hears "logged".

One row per incident, keyed by its id (the idempotency key). A row is ``pending`` until the broker
acknowledges it with a success reason code, then ``sent`` (kept for ``edge incidents list`` and
pruned later). A refused publish (e.g. "Not authorized") keeps the row pending, records why, and
schedules a later attempt. WAL with ``synchronous=FULL`` makes every commit survive power loss.

Methods block (each is one short transaction); async callers run them in a worker thread. A lock
serialises them, so one ``Outbox`` may be shared by the event loop's workers and paho's thread.
Several processes may open the same file (the daemon and ``edge incidents``): SQLite locks, and
the busy timeout waits for the other writer.

A corrupt outbox (a torn SD card write, a file that is not a database) must not stop the
assistant: it is moved aside as ``outbox.db.corrupt-<UTC time>`` (kept for recovery with
``sqlite3 FILE .recover``), reported, and a fresh outbox is created in its place.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from edge.private import private_file
from edge.report.errors import ReportError

_LOGGER = logging.getLogger(__name__)

CORRUPT_SUFFIX: Final = ".corrupt-"
"""A quarantined outbox is named ``<outbox file><CORRUPT_SUFFIX><UTC time>``."""
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY,
    incident_id     TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         BLOB NOT NULL,
    severity        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    source          TEXT NOT NULL,
    created_at      REAL NOT NULL,
    expires_at      REAL NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    refusals        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    sent_at         REAL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at) WHERE state = 'sent';
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
_COLUMNS: Final = (
    "incident_id, topic, payload, severity, summary, source, created_at, expires_at, state,"
    " refusals, last_error, next_attempt_at, sent_at"
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One stored incident and its delivery state."""

    incident_id: str
    topic: str
    payload: bytes
    """The JSON payload exactly as published."""
    severity: str
    summary: str
    source: str
    created_at: float
    """Unix seconds."""
    expires_at: float
    """Unix seconds; the MQTT message expiry is counted from now to this."""
    state: Literal["pending", "sent"]
    refusals: int
    """How often the broker refused it (failure reason code)."""
    last_error: str | None
    """Why the last attempt failed, when it did."""
    next_attempt_at: float
    """Not published again before this (Unix seconds); 0 means now."""
    sent_at: float | None
    """When the broker acknowledged it (Unix seconds)."""

    @property
    def refused(self) -> bool:
        """Pending because the broker said no (not merely offline)."""
        return self.state == "pending" and self.refusals > 0


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """How many incidents are in each state."""

    pending: int
    """Not yet acknowledged by the broker (includes ``refused``)."""
    refused: int
    """Pending after the broker refused them."""
    sent: int
    """Acknowledged and still listed."""


class Outbox:
    """The SQLite outbox at ``path`` (created with its folder when missing)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 10.0) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.quarantined: Path | None = None
        """Where a corrupt outbox found at start was moved (None when it was sound)."""
        try:
            try:
                self._db = _open(path, busy_timeout_s)
            except (_Damaged, sqlite3.DatabaseError) as err:
                if not _is_corrupt(err):
                    raise
                self.quarantined = quarantine(path, str(err))
                self._db = _open(path, busy_timeout_s)
        except (sqlite3.Error, OSError) as err:
            raise _unavailable(path, err) from err

    def close(self) -> None:
        """Close the database (further calls fail)."""
        with self._lock:
            self._db.close()

    def put(
        self,
        *,
        incident_id: str,
        topic: str,
        payload: bytes,
        severity: str,
        summary: str,
        source: str,
        created_at: float,
        expires_at: float,
    ) -> bool:
        """Store an incident durably; False when that id was already stored (idempotent)."""
        cursor = self._write(
            "INSERT OR IGNORE INTO outbox (incident_id, topic, payload, severity, summary, source,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (incident_id, topic, payload, severity, summary, source, created_at, expires_at),
        )
        return cursor.rowcount == 1

    def due(self, now: float, limit: int, exclude: Collection[str] = ()) -> list[OutboxRow]:
        """Oldest pending incidents that may be published at ``now``, skipping ``exclude``."""
        rows = self._read(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?"
            " ORDER BY seq LIMIT ?",
            (now, limit + len(exclude)),
        )
        found = [r for r in rows if r.incident_id not in exclude]
        return found[:limit]

    def mark_sent(self, incident_ids: Sequence[str], now: float) -> int:
        """Record broker acknowledgements (one transaction); returns rows changed."""
        return self._write_many(
            "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL"
            " WHERE incident_id = ? AND state = 'pending'",
            [(now, i) for i in incident_ids],
        )

    def mark_refused(self, refusals: Sequence[tuple[str, str]], retry_at: float) -> int:
        """Record refusals ``(incident_id, reason)``: the rows stay pending until ``retry_at``."""
        return self._write_many(
            "UPDATE outbox SET refusals = refusals + 1, last_error = ?, next_attempt_at = ?"
            " WHERE incident_id = ? AND state = 'pending'",
            [(reason, retry_at, i) for i, reason in refusals],
        )

    def retry(self, incident_ids: Sequence[str] | None = None) -> int:
        """Make pending incidents (all, or these) due now; returns how many."""
        if incident_ids is None:
            return self._write(
                "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'", ()
            ).rowcount
        return self._write_many(
            "UPDATE outbox SET next_attempt_at = 0 WHERE incident_id = ? AND state = 'pending'",
            [(i,) for i in incident_ids],
        )

    def prune(self, sent_before: float) -> int:
        """Forget incidents acknowledged before ``sent_before`` (Unix seconds)."""
        return self._write(
            "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?", (sent_before,)
        ).rowcount

    def counts(self) -> OutboxCounts:
        """Incidents per state."""
        with self._lock:
            try:
                pending, refused, sent = self._db.execute(
                    "SELECT COALESCE(SUM(state = 'pending'), 0),"
                    " COALESCE(SUM(state = 'pending' AND refusals > 0), 0),"
                    " COALESCE(SUM(state = 'sent'), 0) FROM outbox"
                ).fetchone()
            except sqlite3.Error as err:
                raise _unavailable(self.path, err) from err
        return OutboxCounts(int(pending), int(refused), int(sent))

    def rows(
        self, state: Literal["pending", "sent", "all"] = "all", limit: int = 50
    ) -> list[OutboxRow]:
        """Most recent incidents first, optionally of one state."""
        where = "" if state == "all" else "WHERE state = ?"
        args: tuple[Any, ...] = (limit,) if state == "all" else (state, limit)
        return self._read(f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY seq DESC LIMIT ?", args)

    def get(self, prefix: str) -> OutboxRow:
        """The incident whose id starts with ``prefix``.

        Raises:
            ReportError: ``outbox-unknown-id`` when none or several match.
        """
        key = prefix.strip().lower()
        rows = []
        if re.fullmatch(r"[0-9a-f-]{4,36}", key):
            rows = self._read(
                f"SELECT {_COLUMNS} FROM outbox WHERE incident_id >= ? AND incident_id < ?"
                " ORDER BY seq LIMIT 2",
                (key, key + "\U0010ffff"),
            )
        if len(rows) != 1:
            what = "several incidents match" if rows else "no incident matches"
            raise ReportError(
                "outbox-unknown-id",
                f"{what} {prefix!r}",
                fix="give more of the id (see `edge incidents list`)",
            )
        return rows[0]

    def next_session(self) -> int:
        """Increment and return the persistent birth/death session number."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('session', 1)"
                    " ON CONFLICT (key) DO UPDATE SET value = value + 1"
                )
                (value,) = self._db.execute(
                    "SELECT value FROM meta WHERE key = 'session'"
                ).fetchone()
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                self._rollback()
                raise _unavailable(self.path, err) from err
        return int(value)

    def _write(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, args)  # autocommit: one fsynced transaction
            except sqlite3.Error as err:
                raise _unavailable(self.path, err) from err

    def _write_many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        with self._lock:
            try:
                # One transaction for the batch: one fsync for a burst of acknowledgements.
                self._db.execute("BEGIN IMMEDIATE")
                changed = self._db.executemany(sql, rows).rowcount
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                self._rollback()
                raise _unavailable(self.path, err) from err
        return changed

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[OutboxRow]:
        with self._lock:
            try:
                return [OutboxRow(*row) for row in self._db.execute(sql, args).fetchall()]
            except sqlite3.Error as err:
                raise _unavailable(self.path, err) from err

    def _rollback(self) -> None:
        if self._db.in_transaction:
            # The original error is the one worth reporting.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")


def _open(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    private_file(path)  # 0600 in a 0700 folder when this creates them (edge.private)
    db = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit, so "stored" survives a power cut.
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        # A damaged page may only show when it is read: look at every page once, now, rather
        # than fail an incident later. The outbox is small (sent rows are pruned): milliseconds.
        problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise _Damaged("; ".join(str(p) for p in problems[:3]))
    except BaseException:
        db.close()
        raise
    return db


class _Damaged(Exception):
    """``PRAGMA quick_check`` found damage."""


def _is_corrupt(err: Exception) -> bool:
    # Only damage counts: "database is locked" or a full disk are DatabaseErrors too, and moving
    # a sound outbox aside would hide its incidents from the forwarder.
    if isinstance(err, _Damaged):
        return True
    code = getattr(err, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def quarantine(path: Path, why: str) -> Path:
    """Move the corrupt outbox at ``path`` (and its WAL and shared-memory files) aside.

    Returns the new path of the main file; nothing is deleted.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    moved = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(moved.with_name(moved.name + suffix))
    _LOGGER.error(
        "Incident outbox %s is corrupt (%s): moved to %s and started a fresh one; "
        "recover its incidents with: sqlite3 %s .recover",
        path,
        why,
        moved,
        moved,
    )
    return moved


def quarantined_copies(path: Path) -> list[Path]:
    """Corrupt outboxes moved aside from ``path`` earlier, oldest first."""
    pattern = f"{path.name}{CORRUPT_SUFFIX}*"
    return sorted(p for p in path.parent.glob(pattern) if not p.name.endswith(("-wal", "-shm")))


def _unavailable(path: Path, err: Exception) -> ReportError:
    return ReportError(
        "outbox-unavailable",
        f"cannot use the incident outbox {path}: {err}",
        fix="check that the state directory exists, is writable and the disk is not full",
    )
