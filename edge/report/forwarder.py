"""Moves incidents from the outbox to the broker: at least once, acknowledged before forgotten.

Runs on the event loop and never imports paho: it talks to a :class:`Link` (``edge.report.mqtt``)
whose events arrive here already handed off to the loop. Two tasks:

* the drain publishes the oldest due rows at QoS 1, at most ``window`` unacknowledged at a time,
  whenever it is woken (new incident, connection up, acknowledgement) or every ``poll_s``;
* the committer records acknowledgements in batches (one fsync per burst, not per incident).

A row is marked sent only for a success reason code; a refusal keeps it pending with the reason
and a later ``next_attempt_at``. Published-but-unacknowledged rows stay in flight across a
reconnect, because paho re-sends them itself; if the process dies they are still pending in the
outbox and go again after restart (duplicates carry the same id; readers de-duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from edge.aio import TaskSet
from edge.report.errors import ReportError
from edge.report.outbox import Outbox, OutboxRow

_LOGGER = logging.getLogger(__name__)

MIN_EXPIRY_S: Final = 3600
"""Broker-side expiry floor for incidents delivered after their ``expires_at`` (s): the device
never drops an incident itself, and a reader online within the hour still gets it."""


async def wait_event(event: asyncio.Event, timeout_s: float) -> None:
    """Wait until ``event`` is set or ``timeout_s`` passed, whichever is first.

    ``asyncio.timeout`` rather than ``wait_for``: on Python 3.11, ``wait_for`` can swallow a
    cancellation that races with the event being set, and the task then ignores ``stop()``.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            await event.wait()


class Link(Protocol):
    """The part of an MQTT connection the forwarder uses (see ``edge.report.mqtt.MqttLink``)."""

    @property
    def connected(self) -> bool:
        """True between a successful CONNACK and the loss of the connection."""
        ...

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int,
        retain: bool = False,
        expiry_s: int | None = None,
        key: str | None = None,
    ) -> int | None:
        """Queue a message; its message id, or None when it could not be queued."""
        ...


@dataclass(slots=True)
class _InFlight:
    key: str
    sent_at: float
    """Monotonic seconds when it was published (or when the link came back)."""


class Forwarder:
    """Drains ``outbox`` through ``link`` (set ``link`` before :meth:`start`)."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        window: int = 10,
        poll_s: float = 5.0,
        refused_retry_s: float = 300.0,
        ack_timeout_s: float = 60.0,
        on_refused: Callable[[str, str], None] | None = None,
        stamp: Callable[[OutboxRow], tuple[str, bytes]] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link: Link | None = None
        self._outbox = outbox
        self._window = window
        self._poll_s = poll_s
        self._refused_retry_s = refused_retry_s
        self._ack_timeout_s = ack_timeout_s
        self._on_refused = on_refused
        self._stamp = stamp
        self._clock = clock
        self._monotonic = monotonic
        self._inflight: dict[int, _InFlight] = {}
        self._settling: set[str] = set()
        self._acks: list[str] = []
        self._refusals: list[tuple[str, str]] = []
        self._wake = asyncio.Event()
        self._commit = asyncio.Event()
        self._progress = asyncio.Event()
        self._tasks = TaskSet("forwarder")
        self.sent = 0
        """Incidents acknowledged by the broker since start."""
        self.refused = 0
        """Refusals since start."""
        self.last_error: str | None = None
        """Reason of the latest refusal, if any."""

    @property
    def inflight(self) -> int:
        """Incidents published and not yet acknowledged."""
        return len(self._inflight)

    def start(self) -> None:
        """Start the drain and commit tasks (on the running loop)."""
        self._tasks.spawn(self._drain_loop(), "drain")
        self._tasks.spawn(self._commit_loop(), "commit")

    async def close(self) -> None:
        """Stop both tasks and record the acknowledgements already received."""
        await self._tasks.close()
        with contextlib.suppress(ReportError):
            await self._commit_once()

    def wake(self) -> None:
        """Something may be due: look at the outbox now (call on the event loop)."""
        self._wake.set()

    def link_up(self) -> None:
        """The connection is back: unacknowledged messages get a fresh ack timeout."""
        now = self._monotonic()
        for entry in self._inflight.values():
            entry.sent_at = now
        self._wake.set()

    def acked(self, mid: int, ok: bool, reason: str) -> bool:
        """The broker answered message ``mid``; False when it was not an incident of ours."""
        entry = self._inflight.pop(mid, None)
        if entry is None:
            return False
        self._settling.add(entry.key)
        if ok:
            self._acks.append(entry.key)
        else:
            self._refusals.append((entry.key, reason))
        self._commit.set()
        return True

    async def flush(self, timeout_s: float) -> bool:
        """Wait until nothing due is left unacknowledged; False when ``timeout_s`` ran out."""
        deadline = self._monotonic() + timeout_s
        while True:
            if not self._inflight and not self._settling and not self._acks:
                due = await asyncio.to_thread(self._outbox.due, self._clock(), 1)
                if not due:
                    return True
                self._wake.set()
            left = deadline - self._monotonic()
            if left <= 0:
                return False
            self._progress.clear()
            await wait_event(self._progress, min(left, 0.5))

    async def _drain_loop(self) -> None:
        while True:
            await wait_event(self._wake, self._poll_s)
            self._wake.clear()
            link = self.link
            if link is None or not link.connected:
                continue
            self._forget_stale()
            space = self._window - len(self._inflight)
            if space <= 0:
                continue  # an acknowledgement will wake us
            busy = {e.key for e in self._inflight.values()} | self._settling
            try:
                rows = await asyncio.to_thread(self._outbox.due, self._clock(), space, busy)
            except ReportError as err:
                _LOGGER.error("Outbox unreadable, retrying: %s", err)
                continue
            published = 0
            for row in rows:
                where, payload = self._stamp(row) if self._stamp else (row.topic, row.payload)
                mid = link.publish(
                    where, payload, qos=1, expiry_s=self._expiry(row), key=row.incident_id
                )
                if mid is None:
                    break  # the link dropped meanwhile; link_up wakes us again
                self._inflight[mid] = _InFlight(row.incident_id, self._monotonic())
                published += 1
            if published:
                self._progress.set()
            if published == space:
                self._wake.set()  # there may be more; continue once the window has room

    def _expiry(self, row: OutboxRow) -> int:
        return max(int(row.expires_at - self._clock()), MIN_EXPIRY_S)

    def _forget_stale(self) -> None:
        # QoS 1 within one connection is always answered; a message unanswered this long was lost
        # in a library or broker fault, so publish it again (same id: readers de-duplicate).
        limit = self._monotonic() - self._ack_timeout_s
        for mid, entry in list(self._inflight.items()):
            if entry.sent_at < limit:
                _LOGGER.warning("No acknowledgement for incident %s; sending again", entry.key)
                del self._inflight[mid]

    async def _commit_loop(self) -> None:
        while True:
            await self._commit.wait()
            self._commit.clear()
            try:
                await self._commit_once()
            except ReportError as err:
                # The broker has them; if this keeps failing they are re-sent after a restart.
                _LOGGER.error("Cannot record acknowledgements yet: %s", err)
                await asyncio.sleep(1.0)
                self._commit.set()

    async def _commit_once(self) -> None:
        acks, refusals = self._acks, self._refusals
        self._acks, self._refusals = [], []
        try:
            if acks:
                await asyncio.to_thread(self._outbox.mark_sent, acks, self._clock())
            if refusals:
                retry_at = self._clock() + self._refused_retry_s
                await asyncio.to_thread(self._outbox.mark_refused, refusals, retry_at)
        except BaseException:
            self._acks[:0], self._refusals[:0] = acks, refusals  # keep them for the next try
            raise
        self.sent += len(acks)
        for key, reason in refusals:
            self.refused += 1
            self.last_error = reason
            _LOGGER.warning(
                "Broker refused incident %s (%s); kept in the outbox, retry in %.0f s",
                key,
                reason,
                self._refused_retry_s,
            )
            if self._on_refused is not None:
                self._on_refused(key, reason)
        self._settling.difference_update(acks)
        self._settling.difference_update(k for k, _ in refusals)
        self._progress.set()
        self._wake.set()
