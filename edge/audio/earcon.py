"""The acknowledgement tick: a short, soft two-tone sound for "stop", "cancel" and "never mind".

Made here, not recorded: two 45 ms sine tones (880 Hz then 660 Hz, falling, as "done" sounds),
each with a raised-cosine fade so it does not click, at -18 dBFS.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from edge.events import Int16Array

TONES_HZ: Final = (880.0, 660.0)
TONE_S: Final = 0.045
LEVEL_DBFS: Final = -18.0


def tick(rate: int) -> Int16Array:
    """The tick as mono int16 samples at ``rate``."""
    n = int(rate * TONE_S)
    t = np.arange(n) / rate
    fade = min(n // 4, int(rate * 0.008))
    window = np.ones(n)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))
    window[:fade], window[n - fade :] = ramp, ramp[::-1]
    amplitude = 32767 * 10 ** (LEVEL_DBFS / 20)
    tones = [amplitude * window * np.sin(2 * np.pi * hz * t) for hz in TONES_HZ]
    return np.concatenate(tones).astype(np.int16)
