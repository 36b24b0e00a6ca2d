"""Run a 48 kHz, 10 ms noise suppressor in edge's 16 kHz capture path.

RNNoise and DeepFilterNet were trained on 48 kHz audio in 480-sample frames. Each 160-sample
frame at 16 kHz is raised to 48 kHz, suppressed, and brought back down with a short streaming
filter (:mod:`edge.audio.polyphase`, 2 ms both ways together).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edge.audio.polyphase import Downsampler, Upsampler
from edge.events import Float32Array, Int16Array

FRAME_48K = 480
"""Samples per 10 ms frame at 48 kHz."""


class Rate48:
    """Wraps ``suppress`` (480 float samples at 48 kHz, int16 scale, in and out) for 16 kHz."""

    def __init__(self, suppress: Callable[[Float32Array], Float32Array]) -> None:
        self._suppress = suppress
        self._up = Upsampler(3)
        self._down = Downsampler(3)

    @property
    def resampling_delay(self) -> int:
        """Delay of the two filters, in samples at 16 kHz."""
        return (self._up.delay + self._down.delay) // 3

    def process(self, frame: Int16Array) -> Int16Array:
        """160 samples at 16 kHz through the 48 kHz suppressor."""
        high = self._up.process(frame.astype(np.float32))
        out = self._suppress(np.ascontiguousarray(high, dtype=np.float32))
        low = self._down.process(out)
        return np.clip(np.round(low), -32768, 32767).astype(np.int16)

    def reset(self) -> None:
        """Clear the filters."""
        self._up.reset()
        self._down.reset()
