"""Private files: the state folder (0700) and its databases (0600), whoever creates them first.

The outbox holds incident reports and the manuals database the device's manuals; neither is for
other users of the machine. ``edge ingest``, ``edge incidents`` and the daemon may each be the
first to create the state folder, so each creates it, and its database, through these functions.
Folders and files that already exist keep their modes: the installer's ``systemd-tmpfiles`` makes
the service's state folder 0750 for group ``edge`` on purpose, and ``edge doctor`` warns about
anything open to every user.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents, each 0700; existing folders are left alone."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another process
            continue


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite then opens it as it is).

    SQLite creates a database's ``-wal`` and ``-shm`` files with the database's own mode, so they
    are private too.
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def open_to_others(path: Path) -> bool:
    """True when users outside the owner and group of ``path`` may read or enter it."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o007)
    except OSError:
        return False
