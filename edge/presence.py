"""Whether the daemon runs on a state folder: an advisory lock it holds while it runs.

``edge ingest`` asks, so that next to a running daemon it embeds with fewer threads and a lower
priority and never starves the voice path. The lock is ``flock(2)`` on ``<state_dir>/daemon.lock``:
the kernel drops it when the process ends, however it ends, so a crash leaves no stale marker.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Final

_LOGGER = logging.getLogger(__name__)

LOCK_NAME: Final = "daemon.lock"


class DaemonLock:
    """Held by a running daemon; :meth:`release` (or process exit) lets go of it."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, state_dir: Path) -> DaemonLock:
        """Take the lock (a warning, never an error, if it cannot be taken)."""
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as err:
            _LOGGER.warning("Cannot create %s: %s", state_dir / LOCK_NAME, err)
            return cls(None)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            _LOGGER.warning("Another edge daemon already runs on %s", state_dir)
            os.close(fd)
            return cls(None)
        return cls(fd)

    def release(self) -> None:
        """Let go of the lock."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def daemon_running(state_dir: Path) -> bool:
    """True while a daemon holds the lock of ``state_dir``."""
    try:
        fd = os.open(state_dir / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # never started here (or not readable: then it is not ours to pace)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
