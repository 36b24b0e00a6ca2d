"""Streaming integer-ratio resampling (16 kHz <-> 48 kHz) with a short windowed-sinc filter.

Noise suppressors trained at 48 kHz (RNNoise, DeepFilterNet) sit in a 16 kHz capture path. A
general resampler (soxr) buffers tens of milliseconds before it returns anything; this one
returns every block at once, delayed by half its filter (1 ms at 48 kHz with 97 taps).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from edge.events import Float32Array

_TAPS_PER_PHASE: Final = 32


def _lowpass(factor: int) -> np.ndarray:
    """Windowed-sinc low-pass at the lower rate's Nyquist (90 % of it), at the higher rate."""
    taps = _TAPS_PER_PHASE * factor + 1  # odd: a whole-sample delay
    n = np.arange(taps) - (taps - 1) / 2
    cutoff = 0.9 / factor  # of the higher rate's Nyquist
    h = cutoff * np.sinc(cutoff * n) * np.kaiser(taps, 8.0)
    return np.asarray(h / h.sum(), dtype=np.float64)


class Upsampler:
    """Raise the rate by an integer ``factor``, block by block, keeping filter state."""

    def __init__(self, factor: int) -> None:
        self.factor = factor
        self._h = _lowpass(factor) * factor
        self._state = np.zeros(len(self._h) - 1)

    @property
    def delay(self) -> int:
        """Output delay in samples at the higher rate."""
        return (len(self._h) - 1) // 2

    def process(self, x: Float32Array) -> Float32Array:
        """``len(x) * factor`` samples."""
        up = np.zeros(len(x) * self.factor)
        up[:: self.factor] = x
        full = np.concatenate([self._state, up])
        y = np.convolve(full, self._h, mode="valid")
        self._state = full[len(full) - len(self._state) :]
        return y.astype(np.float32)

    def reset(self) -> None:
        """Clear the filter state."""
        self._state[:] = 0


class Downsampler:
    """Lower the rate by an integer ``factor``, block by block (blocks a multiple of it)."""

    def __init__(self, factor: int) -> None:
        self.factor = factor
        self._h = _lowpass(factor)
        self._state = np.zeros(len(self._h) - 1)

    @property
    def delay(self) -> int:
        """Output delay in samples at the higher (input) rate."""
        return (len(self._h) - 1) // 2

    def process(self, x: Float32Array) -> Float32Array:
        """``len(x) // factor`` samples."""
        if len(x) % self.factor:
            raise ValueError(f"blocks must be a multiple of {self.factor} samples")
        full = np.concatenate([self._state, np.asarray(x, dtype=np.float64)])
        y = np.convolve(full, self._h, mode="valid")[:: self.factor]
        self._state = full[len(full) - len(self._state) :]
        return y.astype(np.float32)

    def reset(self) -> None:
        """Clear the filter state."""
        self._state[:] = 0
