"""sd_notify(3), hand-rolled: tell systemd when edge is ready, alive, busy starting, or stopping.

systemd hands a ``Type=notify`` service the datagram socket in ``$NOTIFY_SOCKET`` (a path, or an
abstract name starting with ``@``) and, with ``WatchdogSec=``, the deadline in ``$WATCHDOG_USEC``.
Without ``NOTIFY_SOCKET`` (a terminal, a test, ``edge run --source``) every call is a silent no-op,
so the daemon never needs to know how it was started.

No library: ``sdnotify``/``systemd-python`` add a dependency for ~40 lines, and ``systemd-python``
has no wheels (the protocol is sd_notify(3); the contract test is tests/unit/test_notify.py).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

_LOGGER = logging.getLogger(__name__)


class Notifier:
    """Sends state lines to systemd's notify socket; does nothing when there is none.

    Build it with :meth:`from_environment`. Calls never raise: a notify socket that went away
    must not take the daemon down (systemd then restarts it through the watchdog anyway).
    """

    def __init__(self, address: str | None, *, watchdog_usec: int | None = None) -> None:
        """Create a notifier for socket ``address`` (None: disabled).

        Args:
            address: ``$NOTIFY_SOCKET``: a filesystem path or ``@abstract-name``.
            watchdog_usec: the watchdog deadline meant for this process, if any (µs).
        """
        self._address: str | bytes | None = None
        if address:
            # A leading '@' names a socket in the abstract namespace, spelt with a NUL byte.
            self._address = b"\0" + address[1:].encode() if address.startswith("@") else address
        self.watchdog_usec = watchdog_usec
        """systemd's watchdog deadline for us (µs), or None when no watchdog applies to us."""
        self._socket: socket.socket | None = None
        self._failed = False

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, pid: int | None = None
    ) -> Notifier:
        """The notifier systemd set up for process ``pid`` (default: this one).

        The watchdog applies only when ``WATCHDOG_PID`` is unset or names ``pid``: a child that
        inherited the environment must not ping on its parent's behalf.
        """
        env = os.environ if env is None else env
        pid = os.getpid() if pid is None else pid
        usec: int | None = None
        try:
            usec = int(env.get("WATCHDOG_USEC", "")) or None
            owner = env.get("WATCHDOG_PID")
            if owner and int(owner) != pid:
                usec = None
        except ValueError:
            usec = None
        return cls(env.get("NOTIFY_SOCKET") or None, watchdog_usec=usec)

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self._address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """Seconds between ``WATCHDOG=1`` pings (half the deadline), or None for no watchdog."""
        if not self.enabled or not self.watchdog_usec:
            return None
        return self.watchdog_usec / 2e6

    def send(self, *fields: str) -> bool:
        """Send ``KEY=value`` fields in one datagram; True when it was sent."""
        if self._address is None or not fields:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except OSError as err:
            if not self._failed:  # once: a vanished socket would otherwise log every ping
                _LOGGER.warning("Cannot notify systemd at %r: %s", self._address, err)
                self._failed = True
            return False
        self._failed = False
        return True

    def ready(self, status: str = "") -> bool:
        """Startup finished: systemd considers the service started now."""
        return self.send("READY=1", *_status(status))

    def status(self, text: str) -> bool:
        """One line for ``systemctl status``."""
        return self.send(*_status(text))

    def watchdog(self) -> bool:
        """Keep-alive ping; only call it while the daemon is healthy."""
        return self.send("WATCHDOG=1")

    def extend_timeout(self, seconds: float, status: str = "") -> bool:
        """Ask for ``seconds`` more before systemd gives up on the current start or stop."""
        return self.send(f"EXTEND_TIMEOUT_USEC={max(1, round(seconds * 1e6))}", *_status(status))

    def stopping(self, status: str = "") -> bool:
        """Shutdown began (systemd then waits for the exit, up to ``TimeoutStopSec``)."""
        return self.send("STOPPING=1", *_status(status))

    def close(self) -> None:
        """Release the socket (later calls reopen it)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _status(text: str) -> tuple[str, ...]:
    # A newline would start a new field: a status must never smuggle in e.g. READY=1.
    line = " ".join(text.split())
    return (f"STATUS={line}",) if line else ()
