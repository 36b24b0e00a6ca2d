"""WebRTC noise suppression through webrtc-noise-gain (what wyoming-satellite uses).

The classic WebRTC NS: a Wiener filter over a noise spectrum it tracks while nobody speaks, on
10 ms frames at 16 kHz, with the audio processing module's high-pass filter in front. Very
cheap (well under 1 % of a core); strong on steady noise (hum, whine, pumps), weak on impacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.engines.base import EngineContext
from edge.events import Int16Array


class WebRtcNoiseSuppressor:
    """webrtc-noise-gain's ``AudioProcessor`` with noise suppression (and optional gain)."""

    requires = (("webrtc_noise_gain", "webrtc-noise-gain"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """WebRTC noise suppression settings."""

        level: int = 2
        """Suppression strength: 1 (6 dB), 2 (12 dB), 3 (18 dB), 4 (21 dB)."""
        auto_gain_dbfs: int = 0
        """Automatic gain target below full scale (1..31 dB); 0 turns gain control off."""

        def __post_init__(self) -> None:
            if not 1 <= self.level <= 4:
                raise ValueError("denoise.options.level must be 1..4")
            if not 0 <= self.auto_gain_dbfs <= 31:
                raise ValueError("denoise.options.auto_gain_dbfs must be 0..31")

    rate = 16_000
    frame_samples = 160
    delay_samples = 96
    """6 ms: the suppressor's overlapping analysis window (measured by cross-correlation)."""

    def __init__(self, options: Options, context: EngineContext) -> None:
        self.options = options
        self.reset()

    def reset(self) -> None:
        """A fresh processor (noise estimate and gain forgotten)."""
        from webrtc_noise_gain import AudioProcessor

        self._apm = AudioProcessor(self.options.auto_gain_dbfs, self.options.level)

    def process(self, frame: Int16Array) -> Int16Array:
        """Suppress noise in 10 ms (160 samples)."""
        result = self._apm.Process10ms(np.ascontiguousarray(frame, dtype="<i2").tobytes())
        return np.frombuffer(result.audio, dtype="<i2").astype(np.int16)
