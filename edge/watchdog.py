"""The systemd watchdog: ping from the main loop, and only while the voice path is alive.

A ping proves three things at once: the event loop runs (the ping is sent from it, never from a
helper thread), the listener task is alive, and capture audio is still flowing through it (its
stream time advances). When any of these stops, the pings stop and systemd restarts edge after
``WatchdogSec``.

One exception: a microphone the audio source itself reports as gone (``ComponentStatus("mic",
ok=False)``, e.g. the array was unplugged) keeps the pings going. The source reopens the device
when it returns; a restart would not bring it back sooner, and repeated restarts would hit the
unit's start limit and leave the device down for good. The daemon reports the missing mic over
MQTT and in ``systemctl status`` instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edge.bus import EventBus, Subscription
from edge.events import ComponentStatus
from edge.notify import Notifier

_LOGGER = logging.getLogger(__name__)

FRAME_STALE_S = 10.0
"""Capture may stand still this long before the daemon counts as wedged (s)."""


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the daemon deserves a watchdog ping, and a line for ``systemctl status``."""

    ok: bool
    status: str


class Liveness:
    """Decides health from what the daemon can see (pure: time is an argument)."""

    def __init__(self, stale_s: float = FRAME_STALE_S) -> None:
        self.stale_s = stale_s
        """How long capture may stand still while the mic is not reported missing (s)."""
        self._last_stream_time: float | None = None
        self._moved_at: float | None = None

    def check(
        self, now: float, *, listener_alive: bool, stream_time: float, mic_ok: bool | None
    ) -> Health:
        """Health at monotonic time ``now``.

        Args:
            now: the current time (s).
            listener_alive: the listener task has not ended.
            stream_time: the listener's newest processed sample (s of capture).
            mic_ok: the audio source's latest verdict on its device (None: nothing said yet).
        """
        if not listener_alive:
            return Health(False, "unhealthy: the listener stopped")
        if stream_time != self._last_stream_time or self._moved_at is None:
            self._last_stream_time = stream_time
            self._moved_at = now
            return Health(True, "listening")
        if mic_ok is False:
            return Health(True, "no microphone: waiting for it to come back")
        if now - self._moved_at > self.stale_s:
            # A fixed text: the status (and the log line) changes only when the health does.
            return Health(False, f"unhealthy: no capture audio for over {self.stale_s:g} s")
        return Health(True, "listening")


class Watchdog:
    """Pings systemd every ``interval_s`` while :class:`Liveness` says the daemon is healthy.

    Run ``await watchdog.run(interval_s)`` as one of the daemon's tasks; cancel it to stop.
    """

    def __init__(
        self,
        notifier: Notifier,
        bus: EventBus,
        listener_task: asyncio.Future[Any],
        stream_time: Callable[[], float],
        *,
        stale_s: float = FRAME_STALE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notifier = notifier
        self._bus = bus
        self._listener_task = listener_task
        self._stream_time = stream_time
        self._clock = clock
        self.liveness = Liveness(stale_s)
        self.mic_ok: bool | None = None
        """The audio source's latest verdict on the microphone."""
        self.pings = 0
        """Pings sent so far."""

    def check(self) -> Health:
        """Health now."""
        return self.liveness.check(
            self._clock(),
            listener_alive=not self._listener_task.done(),
            stream_time=self._stream_time(),
            mic_ok=self.mic_ok,
        )

    async def run(self, interval_s: float) -> None:
        """Check and ping until cancelled."""
        # Sized for a long interval: component changes are rare, and dropping one logs a warning.
        sub = self._bus.subscribe("watchdog", ComponentStatus, size=256)
        last = Health(True, "listening")  # what READY=1 already said
        try:
            while True:
                self._drain(sub)
                health = self.check()
                if health != last:
                    self._notifier.status(health.status)
                    if not health.ok:
                        _LOGGER.error("Watchdog pings stopped: %s", health.status)
                    elif not last.ok:
                        _LOGGER.warning("Watchdog pings resumed: %s", health.status)
                    last = health
                if health.ok and self._notifier.watchdog():
                    self.pings += 1
                await asyncio.sleep(interval_s)
        finally:
            sub.close()

    def _drain(self, sub: Subscription) -> None:
        while True:
            try:
                event = sub.get_nowait()
            except asyncio.QueueEmpty:
                return
            if isinstance(event, ComponentStatus) and event.component == "mic":
                self.mic_ok = event.ok
