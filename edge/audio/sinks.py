"""Output devices that are not loudspeakers: record everything a playback queue plays."""

from __future__ import annotations

import asyncio
import time
from typing import Final

import numpy as np

from edge.aio import cancel_and_wait
from edge.audio.playback import PlaybackQueue
from edge.events import Int16Array

_POLL_S: Final = 0.005
_BLOCK_S: Final = 0.02


class RecordingDevice:
    """Pulls a playback queue as fast as audio arrives and keeps it (for ``edge ask`` and tests).

    There is no loudspeaker clock, so audio counts as heard the moment it is queued; timings then
    measure when each piece of speech was *ready*, which is what a file output can show.
    """

    def __init__(self, queue: PlaybackQueue) -> None:
        self.queue = queue
        self._chunks: list[Int16Array] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RecordingDevice:
        self._task = asyncio.get_running_loop().create_task(self._pump(), name="recording-device")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        self._drain_now()

    def take(self) -> Int16Array:
        """Everything recorded since the last call."""
        self._drain_now()
        out = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        self._chunks = []
        return out

    async def _pump(self) -> None:
        while True:
            self._drain_now()
            await asyncio.sleep(_POLL_S)

    def _drain_now(self) -> None:
        block = int(_BLOCK_S * self.queue.rate)
        while self.queue.busy and not self.queue.paused:
            samples = self.queue.pull(block, time.monotonic())
            self._chunks.append(samples)
