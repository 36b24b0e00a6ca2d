"""Fan-out of control events to long-lived subscribers (LEDs, MQTT, serial link, metrics).

Only control events travel here, never audio, so a button press never waits behind PCM. Each
subscriber has its own bounded queue; a subscriber that falls behind loses its *oldest* events
(and the loss is counted) rather than slowing the publisher down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

_LOGGER = logging.getLogger(__name__)


class Subscription:
    """One subscriber's queue of events; iterate it with ``async for``."""

    def __init__(self, bus: EventBus, name: str, types: tuple[type[Any], ...], size: int) -> None:
        self.name = name
        self.types = types
        self.dropped = 0
        """Events lost because this subscriber was too slow."""
        self._bus = bus
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)

    def offer(self, event: Any) -> None:
        """Queue ``event`` if this subscriber wants it, dropping the oldest when full."""
        if self.types and not isinstance(event, self.types):
            return
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
            _LOGGER.warning("Bus subscriber %s is slow; dropped an event", self.name)
        self._queue.put_nowait(event)

    async def get(self) -> Any:
        """Wait for the next event."""
        return await self._queue.get()

    def get_nowait(self) -> Any:
        """Return the next event or raise ``asyncio.QueueEmpty``."""
        return self._queue.get_nowait()

    def close(self) -> None:
        """Stop receiving events."""
        self._bus.unsubscribe(self)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            yield await self._queue.get()


class EventBus:
    """Publish control events to every interested subscriber; publishing never blocks."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []

    def subscribe(self, name: str, *types: type[Any], size: int = 256) -> Subscription:
        """Receive events of ``types`` (all events when none are given)."""
        sub = Subscription(self, name, types, size)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Remove a subscription (idempotent)."""
        if sub in self._subs:
            self._subs.remove(sub)

    def publish(self, event: Any) -> None:
        """Hand ``event`` to every subscriber; must be called on the event loop thread."""
        for sub in list(self._subs):
            sub.offer(event)
