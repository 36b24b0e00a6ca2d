"""Open SQLite with the sqlite-vec extension loaded, whatever Python the device runs.

Some CPython builds (pyenv without ``--enable-loadable-sqlite-extensions``) have no
``Connection.enable_load_extension``; there the ``sqlean`` drop-in (package ``sqlean.py``) is used,
which always can load extensions and brings a recent SQLite. Debian's and Pi OS's python3 use the
stdlib module.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from edge.errors import KnowledgeError

_LOGGER = logging.getLogger(__name__)


def driver() -> ModuleType:
    """The sqlite3-compatible module able to load extensions: stdlib first, else sqlean.

    Raises:
        KnowledgeError: ``sqlite-no-extensions`` when neither can.
    """
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        return importlib.import_module("sqlean")
    except ImportError:
        raise KnowledgeError(
            "sqlite-no-extensions",
            "this Python's sqlite3 cannot load extensions and sqlean is not installed",
            fix="pip install 'sqlean.py' (or use a Python built with loadable sqlite extensions)",
        ) from None


def connect(path: Path | str, *, read_only: bool = False) -> Any:
    """Open ``path`` with sqlite-vec loaded, in autocommit mode (transactions are explicit).

    The connection may be used from another thread than the one that opened it (edge runs all
    knowledge work on one worker thread), but only from one thread at a time.

    Raises:
        KnowledgeError: the extension cannot be loaded or the file cannot be opened.
    """
    module = driver()
    try:
        import sqlite_vec
    except ImportError:
        raise KnowledgeError(
            "sqlite-vec-missing",
            "the sqlite-vec package is not installed",
            fix="pip install 'sqlite-vec==0.1.9' (or: make deps)",
        ) from None
    target = f"file:{path}?mode=ro" if read_only else str(path)
    try:
        conn = module.connect(
            target, uri=read_only, check_same_thread=False, isolation_level=None, timeout=10.0
        )
    except module.Error as err:
        raise KnowledgeError(
            "db-open-failed",
            f"cannot open the manuals database {path}: {err}",
            fix="check the path and its permissions (knowledge.db)",
        ) from err
    try:
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
    except (AttributeError, module.Error) as err:
        conn.close()
        raise KnowledgeError(
            "sqlite-vec-load-failed",
            f"cannot load the sqlite-vec extension into SQLite {module.sqlite_version}: {err}",
            fix="reinstall sqlite-vec and sqlean.py (make deps); on 32-bit ARM use a 64-bit OS",
        ) from err
    conn.execute("pragma foreign_keys = on")
    if not read_only:
        # WAL lets the daemon search while `edge ingest` writes from another process.
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")
    _LOGGER.debug("opened %s with %s (SQLite %s)", path, module.__name__, module.sqlite_version)
    return conn


def sqlite_version() -> str:
    """Version of the SQLite library the chosen driver uses."""
    return str(driver().sqlite_version)
