"""Control's messages to the technician: handed to whatever speaks at the next idle moment.

The reporting service stores each applied fleet command with its sentence ("Control acknowledged
the incident: oil leak at the gearbox."). This loop hands pending sentences, oldest first, to
``say`` and marks each told once ``say`` returns True, which reports it back to the console. A
sentence not yet told stays pending in the outbox file, across restarts, until it is.

``say`` is the daemon's "speak at the next idle moment" hook: it must wait for a moment when no
turn is running, speak the text, and return True once it was heard (False if it was cut off, so
it is offered again). Without one, messages wait (logged once) and the console shows them as
applied but not yet told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from edge.report.forwarder import wait_event
from edge.report.lifecycle import Announcement

_LOGGER = logging.getLogger(__name__)

Say = Callable[[str], Awaitable[bool]]
"""Speak ``text`` at the next idle moment; True once the technician heard it."""


class Announcements(Protocol):
    """The part of ``ReportingService`` this loop uses."""

    async def announcements(self) -> list[Announcement]:
        """Pending sentences, oldest first."""
        ...

    async def announced(self, command_id: str) -> None:
        """The technician was told."""
        ...


class ControlMessages:
    """Tells the technician what control did with their incidents."""

    def __init__(self, source: Announcements, say: Say | None, *, poll_s: float = 60.0) -> None:
        self._source = source
        self.say = say
        """The speaking hook; may be set after construction (before :meth:`run`)."""
        self._poll_s = poll_s
        self._due = asyncio.Event()
        self._warned = False

    def due(self) -> None:
        """A new message arrived (the reporting service's ``on_command``)."""
        self._due.set()

    async def run(self) -> None:
        """Hand pending messages to ``say`` until cancelled (also those left from before)."""
        while True:
            await self.tell_pending()
            await wait_event(self._due, self._poll_s)
            self._due.clear()

    async def tell_pending(self) -> int:
        """Offer every pending message once; how many were told."""
        told = 0
        for announcement in await self._source.announcements():
            if self.say is None:
                if not self._warned:
                    _LOGGER.warning(
                        "Control's message waits: no way to speak it yet (%s)", announcement.text
                    )
                    self._warned = True
                return told
            if not await self.say(announcement.text):
                return told  # cut off: offered again at the next idle moment
            await self._source.announced(announcement.command_id)
            told += 1
        return told
