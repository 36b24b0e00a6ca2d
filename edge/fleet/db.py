"""One data layer over SQLite (the default, embedded) and PostgreSQL (given a URL).

SQL is written once, with ``?`` placeholders and the portable subset both engines share
(``ON CONFLICT``, partial indexes, ``RETURNING``); the PostgreSQL side rewrites the placeholders.
Each thread gets its own connection (the console's ingest, web handlers and exports run in
worker threads), opened on first use. Every statement outside :meth:`Database.transaction`
commits on its own. A connection is in use only under its lock, and :meth:`Database.close`
takes each lock before closing: a worker thread outlives the asyncio task that started it
(cancelling ``asyncio.to_thread`` does not stop the thread), and closing a SQLite connection
while another thread runs a statement on it crashes the interpreter.

psycopg is imported only when a PostgreSQL URL is given.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from edge.errors import EdgeError

_LOGGER = logging.getLogger(__name__)

Dialect = Literal["sqlite", "postgresql"]


class DatabaseError(EdgeError):
    """The fleet database cannot be opened, migrated or written.

    Codes: ``fleet-db-unavailable`` (cannot connect or open), ``fleet-db-failed`` (a statement
    failed), ``fleet-db-newer`` (the database was migrated by a newer edge).
    """


class Cursor(Protocol):
    """The part of a DB-API cursor used here."""

    rowcount: int

    def fetchall(self) -> list[Any]:
        """All remaining rows."""
        ...


class Tx:
    """Statements inside one transaction (see :meth:`Database.transaction`)."""

    def __init__(self, db: Database, conn: Any) -> None:
        self._db = db
        self._conn = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Cursor:
        """Run one statement; its cursor."""
        cursor: Cursor = self._conn.execute(self._db.sql(sql), tuple(args))
        return cursor

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query; its rows as tuples."""
        return [tuple(r) for r in self.execute(sql, args).fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row (one round trip per batch on PostgreSQL)."""
        if not rows:
            return
        if self._db.dialect == "sqlite":
            self._conn.executemany(sql, [tuple(r) for r in rows])
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._db.sql(sql), [tuple(r) for r in rows])


class Database:
    """A fleet database: ``url`` is a file path (SQLite) or ``postgresql://...``.

    Raises:
        DatabaseError: ``fleet-db-unavailable`` when the first connection fails.
    """

    def __init__(self, url: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        text = str(url)
        self.dialect: Dialect = (
            "postgresql" if text.startswith(("postgresql://", "postgres://")) else "sqlite"
        )
        self.url = text
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._all: list[_Held] = []
        self._lock = threading.Lock()
        self._closed = False
        with self._use():  # fail early, with the reason
            pass

    def __repr__(self) -> str:
        # A PostgreSQL URL may hold a password: show only where it points.
        where = self.url.rsplit("@", 1)[-1] if self.dialect == "postgresql" else self.url
        return f"Database({self.dialect}: {where})"

    def sql(self, text: str) -> str:
        """``text`` in this engine's placeholder style."""
        return text if self.dialect == "sqlite" else text.replace("?", "%s")

    @contextlib.contextmanager
    def _use(self) -> Iterator[Any]:
        """This thread's connection, held under its lock for the block."""
        held: _Held | None = getattr(self._local, "held", None)
        if held is None:
            held = self._connect()
        with held.lock:
            if held.conn is None:
                raise _closed(self)
            yield held.conn

    def _connect(self) -> _Held:
        try:
            held = _Held(self._open())
        except Exception as err:
            raise DatabaseError(
                "fleet-db-unavailable",
                f"cannot open the fleet database {self!r}: {err}",
                fix="check fleet.database (a writable file path, or a PostgreSQL URL that "
                "accepts this user)",
            ) from err
        with self._lock:
            if not self._closed:
                self._all.append(held)
                self._local.held = held
                return held
        held.conn.close()
        raise _closed(self)

    def _open(self) -> Any:
        if self.dialect == "postgresql":
            import psycopg

            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        path = Path(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a message is acknowledged to the broker only after its commit, so the commit
        # must survive a power cut or the message is lost.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on an exception.

        Raises:
            DatabaseError: ``fleet-db-failed`` when a statement or the commit fails.
        """
        try:
            with self._use() as conn:
                if self.dialect == "sqlite":
                    conn.execute("BEGIN IMMEDIATE")  # take the write lock now, not mid-way
                    try:
                        yield Tx(self, conn)
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
                else:
                    with conn.transaction():
                        yield Tx(self, conn)
        except (sqlite3.Error, _pg_error()) as err:
            raise DatabaseError(
                "fleet-db-failed", f"fleet database statement failed: {err}"
            ) from err

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query outside a transaction; its rows."""
        try:
            with self._use() as conn:
                return [tuple(r) for r in conn.execute(self.sql(sql), tuple(args))]
        except (sqlite3.Error, _pg_error()) as err:
            raise DatabaseError("fleet-db-failed", f"fleet database query failed: {err}") from err

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        found = self.rows(sql, args)
        return found[0] if found else None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement in its own transaction; rows changed."""
        with self.transaction() as tx:
            return tx.execute(sql, args).rowcount

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Bulk-insert ``rows``: ``COPY FROM STDIN`` on PostgreSQL, one transaction on SQLite.

        For imports and benchmarks; ``table`` and ``columns`` are trusted names.

        Raises:
            DatabaseError: ``fleet-db-failed`` when the load fails (nothing is kept).
        """
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            with self.transaction() as tx:
                tx.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        try:
            with (
                self._use() as conn,
                conn.transaction(),
                conn.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except _pg_error() as err:
            raise DatabaseError("fleet-db-failed", f"bulk load into {table} failed: {err}") from err

    def close(self) -> None:
        """Close every thread's connection, each once the statement it is running has ended.

        Later use raises :class:`DatabaseError` (``fleet-db-unavailable``).
        """
        with self._lock:
            self._closed = True
            held, self._all = self._all, []
        for one in held:
            with one.lock:
                conn, one.conn = one.conn, None
                with contextlib.suppress(Exception):
                    conn.close()


class _Held:
    """One thread's connection and the lock that is held while it is in use."""

    __slots__ = ("conn", "lock")

    def __init__(self, conn: Any) -> None:
        self.conn: Any = conn
        self.lock = threading.RLock()  # re-entrant: a query may run inside a transaction


def _closed(db: Database) -> DatabaseError:
    return DatabaseError("fleet-db-unavailable", f"the fleet database {db!r} is closed")


def _pg_error() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # SQLite only: no PostgreSQL error can occur
        return sqlite3.Error
    return psycopg.Error
