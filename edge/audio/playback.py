"""The playback queue between a turn (which enqueues speech) and a device (which pulls samples).

The device side (:meth:`PlaybackQueue.pull`) may run on an audio thread; everything it shares with
the event loop is behind one lock. Each enqueued :class:`Playback` counts the samples actually
pulled, so after a barge-in the turn knows exactly what the technician heard.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from edge.audio.pcm import float_to_int16, int16_to_float, resample
from edge.events import Int16Array, Speech

PullListener = Callable[[Int16Array, float], None]
"""Called with every block the device pulled (silence included) and when it is heard (clock s)."""


@dataclass(eq=False)
class Playback:
    """One piece of speech in the queue and how much of it was played."""

    text: str
    """Words of this piece."""
    samples: Int16Array
    """Audio at the queue's rate."""
    played: int = 0
    """Samples pulled by the device so far."""
    dropped: bool = False
    """True when cleared before it finished."""
    first_heard_at: float | None = None
    """Clock time its first sample reached the speaker."""
    finished_at: float | None = None
    """Clock time its last sample reached the speaker."""
    filler: bool = False
    """True for fillers, which are not part of the answer."""
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def complete(self) -> bool:
        """True when every sample was played."""
        return self.played >= len(self.samples)

    @property
    def heard_fraction(self) -> float:
        """Share of this piece that was played, 0..1."""
        return 1.0 if len(self.samples) == 0 else min(1.0, self.played / len(self.samples))


class PlaybackQueue:
    """FIFO of speech, pulled in blocks by an output device; clearable at once."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._queue: collections.deque[Playback] = collections.deque()
        self._paused = False
        self._listeners: list[PullListener] = []
        self._idle_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.stopped_at: float | None = None
        """Clock time the speaker last fell silent because of a pause or a clear."""
        self._emitting = False

    # -- app side ---------------------------------------------------------------------------------

    def enqueue(self, speech: Speech, *, filler: bool = False) -> Playback:
        """Queue ``speech`` for playback (resampled to the device rate) and return its handle."""
        samples = speech.samples
        if speech.rate != self.rate:
            samples = float_to_int16(resample(int16_to_float(samples), speech.rate, self.rate))
        item = Playback(speech.text, samples, filler=filler)
        with self._lock:
            self._queue.append(item)
        return item

    def clear(self) -> list[Playback]:
        """Drop everything queued, including the piece now playing; return what was dropped."""
        with self._lock:
            dropped = list(self._queue)
            self._queue.clear()
            for item in dropped:
                item.dropped = True
                item._done.set()
        self._wake_idle_waiters()
        return dropped

    def pause(self) -> None:
        """Stop playing at the next block; queued audio is kept."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        """Continue after :meth:`pause` where playback stopped."""
        with self._lock:
            self._paused = False

    @property
    def paused(self) -> bool:
        """True while paused."""
        return self._paused

    @property
    def busy(self) -> bool:
        """True while anything is queued or playing."""
        with self._lock:
            return bool(self._queue)

    def now_playing(self) -> Playback | None:
        """The piece the device is playing (started, not finished), if any."""
        with self._lock:
            head = self._queue[0] if self._queue else None
            return head if head is not None and head.played > 0 and not self._paused else None

    def queued_seconds(self) -> float:
        """Audio still to play (s)."""
        with self._lock:
            return sum(len(p.samples) - p.played for p in self._queue) / self.rate

    async def drain(self) -> None:
        """Wait until the queue is empty (played or cleared)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if not self._queue:
                return
            self._idle_waiters.append((loop, future))
        await future

    def add_listener(self, listener: PullListener) -> None:
        """Receive every pulled block (the echo reference for software AEC and simulations)."""
        self._listeners.append(listener)

    # -- device side ------------------------------------------------------------------------------

    def pull(self, n: int, at: float) -> Int16Array:
        """Return the next ``n`` samples to play (silence when idle or paused).

        Args:
            n: block length in samples.
            at: clock time at which the first of these samples reaches the speaker.
        """
        out = np.zeros(n, dtype=np.int16)
        emptied = False
        with self._lock:
            if self._emitting and (self._paused or not self._queue):
                # Audio was flowing and stops now: by a pause, a clear, or the answer's end.
                self.stopped_at = at
            filled = 0
            while not self._paused and filled < n and self._queue:
                item = self._queue[0]
                take = min(n - filled, len(item.samples) - item.played)
                if item.first_heard_at is None:
                    item.first_heard_at = at + filled / self.rate
                out[filled : filled + take] = item.samples[item.played : item.played + take]
                item.played += take
                filled += take
                if item.complete:
                    item.finished_at = at + filled / self.rate
                    item._done.set()
                    self._queue.popleft()
                    emptied = not self._queue
            self._emitting = filled > 0
        for listener in self._listeners:
            listener(out, at)
        if emptied:
            self._wake_idle_waiters()
        return out

    def _wake_idle_waiters(self) -> None:
        with self._lock:
            if self._queue:
                return
            waiters, self._idle_waiters = self._idle_waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
