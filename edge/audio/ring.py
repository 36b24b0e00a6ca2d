"""Fixed-size ring of mono int16 samples, for the pre-roll kept before every trigger."""

from __future__ import annotations

import numpy as np

from edge.events import Int16Array


class SampleRing:
    """Keeps the newest ``capacity`` samples and the stream time they end at."""

    def __init__(self, capacity: int, rate: int) -> None:
        if capacity <= 0:
            raise ValueError("ring capacity must be positive")
        self.rate = rate
        self._buf = np.zeros(capacity, dtype=np.int16)
        self._write = 0
        self._filled = 0
        self.end_time = 0.0
        """Stream time just after the newest sample (s)."""

    @property
    def capacity(self) -> int:
        """Most samples the ring holds."""
        return len(self._buf)

    def __len__(self) -> int:
        return self._filled

    def extend(self, samples: Int16Array, end_time: float) -> None:
        """Append samples that end at stream time ``end_time``."""
        n = len(samples)
        cap = len(self._buf)
        if n >= cap:
            self._buf[:] = samples[-cap:]
            self._write = 0
            self._filled = cap
        else:
            first = min(n, cap - self._write)
            self._buf[self._write : self._write + first] = samples[:first]
            self._buf[: n - first] = samples[first:]
            self._write = (self._write + n) % cap
            self._filled = min(cap, self._filled + n)
        self.end_time = end_time

    def last(self, seconds: float) -> tuple[Int16Array, float]:
        """Return up to ``seconds`` of the newest audio and the stream time it starts at."""
        n = min(self._filled, max(0, round(seconds * self.rate)))
        start = (self._write - n) % len(self._buf)
        if start + n <= len(self._buf):
            out = self._buf[start : start + n].copy()
        else:
            out = np.concatenate([self._buf[start:], self._buf[: (start + n) % len(self._buf)]])
        return out, self.end_time - n / self.rate

    def since(self, stream_time: float) -> Int16Array:
        """Return the audio from ``stream_time`` (clamped to what is kept) to the newest sample."""
        return self.last(max(0.0, self.end_time - stream_time))[0]
