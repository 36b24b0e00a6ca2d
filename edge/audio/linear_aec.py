"""A linear echo canceller: a partitioned-block frequency-domain adaptive filter, in numpy.

Why not only WebRTC AEC3? Its residual echo suppressor treats the first 100-200 ms of the
technician's voice over the answer as echo and mutes it, which delays every barge-in by that much
and clips the first word ("Stop") from the capture. A linear filter only subtracts its estimate of
the echo: the technician's voice passes untouched from the first sample, and what echo remains is
quiet enough for the echo guard's level check.

The filter learns the echo path while only the assistant is talking. Adapting while the
technician talks (double talk) would teach it their voice, so the caller says, frame by frame,
whether the frame it just cancelled may be used to learn (:meth:`LinearEchoCanceller.learn`): the
barge-in detector already knows when someone is talking over the answer.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from edge.events import Int16Array

_PARTITIONS: Final = 4
"""Default filter length in blocks."""
_REGULARIZATION: Final = 0.05
"""Step-size regularization, as a fraction of the mean reference power per bin."""
_QUIET_DBFS: Final = -60.0
"""Reference quieter than this teaches nothing: the mic's own noise would swamp its echo."""


class LinearEchoCanceller:
    """Overlap-save PBFDAF (multi-delay filter) on blocks of ``block`` samples.

    The filter spans ``block * partitions`` samples of echo path: the default 512 x 4 at 16 kHz
    covers 128 ms of speaker-to-mic delay and early reflections, which is what an aligned
    reference leaves (the reverberant tail beyond it is what the echo guard's margin is for).
    """

    def __init__(
        self,
        *,
        block: int = 512,
        partitions: int = _PARTITIONS,
        step: float = 0.7,
    ) -> None:
        """Create the canceller.

        Args:
            block: samples per block; :meth:`cancel` takes exactly this many.
            partitions: filter length in blocks.
            step: normalized adaptation step (0..1]; larger learns faster, diverges sooner.
        """
        if not 0.0 < step <= 1.0:
            raise ValueError("step must be in (0, 1]")
        self.block = block
        self._step = step
        bins = block + 1
        self._weights = np.zeros((partitions, bins), dtype=np.complex128)
        self._spectra = np.zeros((partitions, bins), dtype=np.complex128)
        self._previous = np.zeros(block, dtype=np.float64)
        self._error = np.zeros(bins, dtype=np.complex128)
        self._power = np.zeros(bins, dtype=np.float64)
        quiet = 32768.0 * 10 ** (_QUIET_DBFS / 20)
        self._quiet = partitions * 2 * block * quiet**2
        """Summed per-bin power of a reference at :data:`_QUIET_DBFS`."""

    @classmethod
    def for_delay(cls, rate: int, block: int, delay_ms: int) -> LinearEchoCanceller:
        """A canceller whose filter spans ``delay_ms`` of extra delay plus the default echo path.

        The default path is what 4 blocks of 512 samples cover at 16 kHz (128 ms), whatever the
        block size: smaller blocks (faster barge-in) get more partitions.
        """
        span = _PARTITIONS * 512 / 16_000 + delay_ms / 1000
        return cls(block=block, partitions=math.ceil(span * rate / block - 1e-9))

    def cancel(self, mic: Int16Array, reference: Int16Array) -> Int16Array:
        """Subtract the estimated echo of ``reference`` from ``mic`` (one block each)."""
        if len(mic) != self.block or len(reference) != self.block:
            raise ValueError(f"the canceller takes blocks of {self.block} samples")
        ref = reference.astype(np.float64)
        spectrum = np.fft.rfft(np.concatenate([self._previous, ref]))
        self._previous = ref
        self._spectra = np.roll(self._spectra, 1, axis=0)
        self._spectra[0] = spectrum
        estimate = np.fft.irfft((self._weights * self._spectra).sum(axis=0))[self.block :]
        error = mic.astype(np.float64) - estimate
        self._error = np.fft.rfft(np.concatenate([np.zeros(self.block), error]))
        self._power = (np.abs(self._spectra) ** 2).sum(axis=0)
        return np.clip(np.round(error), -32768, 32767).astype(np.int16)

    def learn(self) -> None:
        """Adapt the filter to the block just cancelled (call only when nobody else talks)."""
        # Bins where the voice has little energy would otherwise get huge steps and diverge, and
        # near-silent playback would fit the filter to the mic's noise.
        if self._power.mean() < self._quiet:
            return
        floor = _REGULARIZATION * self._power.mean() + self._quiet
        gradient = np.conj(self._spectra) * (self._error / (self._power + floor))
        # Constrain each partition to a causal block-long response (overlap-save's linear part).
        update = np.fft.irfft(gradient, axis=1)
        update[:, self.block :] = 0.0
        self._weights += self._step * np.fft.rfft(update, axis=1)
