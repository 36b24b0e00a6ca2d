"""Live updates for open pages: a fan-out of small events to each server-sent-events stream.

Each open page has a bounded queue; a page that does not keep up loses its oldest events (it
can reload), so a slow browser never holds up ingestion.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

_QUEUE: Final = 256


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """Something changed: ``kind`` is ``incident``, ``incident-update`` or ``device``."""

    kind: str
    key: str
    """Incident id, or ``site/device``."""


class Hub:
    """Fans events out to every subscribed stream (all on the event loop)."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[LiveEvent]] = set()
        self.dropped = 0
        """Events lost by slow streams."""

    def subscribe(self) -> asyncio.Queue[LiveEvent]:
        """A new stream's queue; pass it to :meth:`unsubscribe` when the stream ends."""
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(_QUEUE)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[LiveEvent]) -> None:
        """Stop feeding ``queue``."""
        self._queues.discard(queue)

    @property
    def streams(self) -> int:
        """Open streams."""
        return len(self._queues)

    def publish(self, event: LiveEvent) -> None:
        """Queue ``event`` for every stream (never blocks)."""
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)
