"""The assistant's own voice as a reference signal, and software echo cancellation (WebRTC AEC3).

Everything the playback device pulls is pushed here (resampled to the capture rate), so each
capture frame can be paired with what the speaker was playing at the same moment. The pairing
serves two users: :class:`SoftwareAec` subtracts the echo when the mic array cannot (the voice
plays elsewhere), and the echo guard compares levels during barge-in detection either way.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Final

import numpy as np

from edge.events import Int16Array

_AEC_FRAME_S: Final = 0.010
"""AEC3 works on 10 ms frames."""
_MAX_BACKLOG_S: Final = 1.0
"""Reference older than this is dropped (the capture side has fallen behind or stopped)."""


class EchoReference:
    """A FIFO of played audio at the capture rate, consumed in step with capture frames."""

    def __init__(self, rate: int = 16_000, playback_rate: int | None = None) -> None:
        """Create a reference for capture at ``rate`` of playback at ``playback_rate``."""
        self.rate = rate
        self._lock = threading.Lock()
        self._blocks: collections.deque[Int16Array] = collections.deque()
        self._queued = 0
        self._resampler: Any = None
        if playback_rate is not None and playback_rate != rate:
            import soxr

            self._resampler = soxr.ResampleStream(playback_rate, rate, 1, dtype="int16")

    def push(self, samples: Int16Array, at: float) -> None:
        """Add a block the device just played (called from the playback side, any thread)."""
        if self._resampler is not None:
            samples = np.asarray(self._resampler.resample_chunk(samples), dtype=np.int16)
        with self._lock:
            self._blocks.append(samples)
            self._queued += len(samples)
            limit = int(_MAX_BACKLOG_S * self.rate)
            while self._queued > limit and self._blocks:
                self._queued -= len(self._blocks.popleft())

    def take(self, n: int) -> Int16Array:
        """The next ``n`` reference samples, aligned with a capture frame (zeros when idle)."""
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        with self._lock:
            while filled < n and self._blocks:
                block = self._blocks[0]
                count = min(n - filled, len(block))
                out[filled : filled + count] = block[:count]
                filled += count
                if count == len(block):
                    self._blocks.popleft()
                else:
                    self._blocks[0] = block[count:]
                self._queued -= count
        return out


class SoftwareAec:
    """WebRTC AEC3 (pywebrtc-audio): removes the assistant's voice from the capture signal."""

    def __init__(self, rate: int = 16_000, delay_ms: int = 0) -> None:
        from pywebrtc_audio import EchoCanceller

        self.rate = rate
        self._frame = int(rate * _AEC_FRAME_S)
        self._aec = EchoCanceller(sample_rate=rate, num_channels=1, stream_delay_ms=delay_ms)
        self._mic = np.zeros(0, dtype=np.int16)
        self._ref = np.zeros(0, dtype=np.int16)

    def process(self, mic: Int16Array, reference: Int16Array) -> Int16Array:
        """Echo-cancel ``mic`` (paired sample for sample with ``reference``).

        AEC3 works on 10 ms frames, so up to 10 ms is carried to the next call: the result holds
        the cancelled samples of every complete frame so far.
        """
        if len(mic) != len(reference):
            raise ValueError("mic and reference blocks must have the same length")
        self._mic = np.concatenate([self._mic, mic])
        self._ref = np.concatenate([self._ref, reference])
        usable = len(self._mic) - len(self._mic) % self._frame
        out = np.empty(usable, dtype=np.int16)
        for i in range(0, usable, self._frame):
            piece = slice(i, i + self._frame)
            out[piece] = self._aec.process(self._mic[piece], self._ref[piece])
        self._mic, self._ref = self._mic[usable:], self._ref[usable:]
        return out
