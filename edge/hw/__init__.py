"""Hardware at the edge of the daemon: PTT buttons, status LEDs, the wearable, the mic array.

Each part is a small object with ``async start()`` / ``async stop()`` that reports through an
``emit`` callback (normally ``EventBus.publish``) on the event loop thread: ``PttPressed``,
``PttReleased``, ``ComponentStatus`` and ``Notice``. Hardware libraries (gpiozero, Jetson.GPIO,
gpiod, pyserial, pyusb) are imported only inside the parts that need them. ``edge.hw.assemble``
builds the parts a config asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Emit = Callable[[Any], None]
"""Receives control events on the event loop thread (e.g. ``EventBus.publish``)."""


class HardwarePart(Protocol):
    """A long-lived hardware component owned by the daemon."""

    name: str
    """Component name used in ``ComponentStatus`` events."""

    async def start(self) -> None:
        """Open the hardware (never raises for absent hardware: it reports and retries)."""
        ...

    async def stop(self) -> None:
        """Release the hardware; bounded, idempotent."""
        ...
