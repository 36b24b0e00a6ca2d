"""Mixing speech with noise at a given speech-weighted signal-to-noise ratio.

How SNR is defined here (the same for every figure edge reports):

- both signals are weighted by the same speech band: a band-pass of 200 Hz to 4 kHz (second-order
  slopes on both sides), where the energy that carries words lies. A 50 Hz hum that a voice does
  not mask counts for little; a 1 kHz whine counts in full;
- the speech level is the *active* speech level (in the spirit of ITU-T P.56): the mean power of
  the 20 ms frames within 35 dB of the loudest one, so pauses do not lower it;
- the noise level is its mean power over the whole clip.

``SNR = 10 log10(P_speech_active / P_noise)``, both band-weighted. A 10 dB SNR is a voice close to
a mic in a loud nacelle; 0 dB is shouting next to a running pump.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from edge.events import Float32Array

RATE: Final = 16_000
_FRAME: Final = 320
"""20 ms frames at 16 kHz."""
_ACTIVE_DB: Final = 35.0
_PEAK: Final = 0.95


def speech_band(x: Float32Array, rate: int = RATE) -> np.ndarray:
    """``x`` weighted by the speech band (200 Hz - 4 kHz, second-order slopes)."""
    f = np.fft.rfftfreq(len(x), 1 / rate)
    weight = 1 / np.sqrt(1 + (200 / np.maximum(f, 1.0)) ** 4) / np.sqrt(1 + (f / 4000) ** 4)
    return np.fft.irfft(np.fft.rfft(x) * weight, len(x))


def active_power(x: Float32Array, rate: int = RATE) -> float:
    """Mean power of the band-weighted frames within 35 dB of the loudest (the active level)."""
    y = speech_band(x, rate)
    frames = len(y) // _FRAME
    if frames == 0:
        return float(np.mean(y**2)) if len(y) else 0.0
    power = np.mean(y[: frames * _FRAME].reshape(frames, _FRAME) ** 2, axis=1)
    loud = power >= power.max() * 10 ** (-_ACTIVE_DB / 10)
    return float(np.mean(power[loud]))


def noise_power(x: Float32Array, rate: int = RATE) -> float:
    """Mean band-weighted power of ``x``."""
    return float(np.mean(speech_band(x, rate) ** 2))


def snr_db(speech: Float32Array, noise: Float32Array, rate: int = RATE) -> float:
    """The speech-weighted SNR of ``speech`` over ``noise`` (dB), as defined above."""
    return float(10 * np.log10(active_power(speech, rate) / max(noise_power(noise, rate), 1e-20)))


def mix(speech: Float32Array, noise: Float32Array, snr: float, rate: int = RATE) -> Float32Array:
    """``speech`` plus ``noise`` scaled to ``snr`` dB; the sum is scaled down if it would clip.

    ``noise`` must be at least as long as ``speech``; the first ``len(speech)`` samples are used.
    """
    if len(noise) < len(speech):
        raise ValueError("the noise is shorter than the speech")
    n = noise[: len(speech)].astype(np.float32)
    gain = np.sqrt(active_power(speech, rate) / max(noise_power(n, rate), 1e-20) / 10 ** (snr / 10))
    out = speech.astype(np.float64) + gain * n
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > _PEAK:
        out *= _PEAK / peak
    return np.asarray(out, dtype=np.float32)
