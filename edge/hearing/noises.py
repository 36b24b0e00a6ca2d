"""Machinery noise and rooms, synthesized with numpy: the hearing test set's acoustic conditions.

Nothing is recorded or downloaded; each noise is a seeded model of a sound a technician works in:

- ``hum``: mains transformer / generator hum, 50 Hz and its harmonics (odd ones stronger), with
  slow amplitude drift;
- ``gear-whine``: a gear mesh tone (teeth x shaft speed, ~700 Hz) and its second harmonic with
  sidebands at the shaft rate, over low rumble;
- ``wind``: broadband wind on a nacelle: low-passed noise whose level follows gusts (0.1-0.5 Hz);
- ``hydraulic-pump``: a 9-piston pump at 1500 rpm: pressure ripple at 225 Hz and harmonics,
  pulsing at the shaft rate, plus flow hiss;
- ``compressor``: a reciprocating compressor: 25 Hz thumps with harmonics, valve clatter and a
  broadband air rush;
- ``impacts``: hammering: decaying metallic rings (random 1-4 kHz modes) 1-3 times a second over
  a low workshop bed.

Rooms are synthetic impulse responses: exponentially decaying noise with a given RT60 and a few
early reflections, the usual stand-in for a measured one (a nacelle is a steel box; RT60 0.4-0.8 s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from edge.events import Float32Array

RATE: Final = 16_000


def _t(n: int) -> np.ndarray:
    return np.arange(n) / RATE


def _lowpass_noise(
    rng: np.random.Generator, n: int, cutoff_hz: float, order: int = 2
) -> np.ndarray:
    """White noise shaped by a smooth low-pass in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum *= 1 / np.sqrt(1 + (f / cutoff_hz) ** (2 * order))
    return np.fft.irfft(spectrum, n)


def _bandpass_noise(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum *= 1 / np.sqrt(1 + (low / np.maximum(f, 1.0)) ** 4) / np.sqrt(1 + (f / high) ** 4)
    return np.fft.irfft(spectrum, n)


def _drift(rng: np.random.Generator, n: int, rate_hz: float, depth: float) -> np.ndarray:
    """A slow random gain around 1 (``depth`` 0..1)."""
    slow = _lowpass_noise(rng, n, rate_hz, order=4)
    slow /= np.max(np.abs(slow)) + 1e-12
    return 1.0 + depth * slow


def hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mains hum: 50 Hz and harmonics up to 1 kHz, odd harmonics stronger, drifting slowly."""
    t = _t(n)
    x = np.zeros(n)
    for k in range(1, 21):
        weight = (1.0 if k % 2 else 0.35) / k**0.7
        x += weight * np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 2 * np.pi))
    return np.asarray(x * _drift(rng, n, 0.3, 0.2) + 0.05 * _lowpass_noise(rng, n, 200))


def gear_whine(n: int, rng: np.random.Generator) -> np.ndarray:
    """Gear mesh whine with shaft-rate sidebands, over rumble."""
    t = _t(n)
    shaft = 25.0 * (1 + 0.01 * np.sin(2 * np.pi * 0.2 * t))  # speed wanders by 1 %
    phase = 2 * np.pi * np.cumsum(shaft) / RATE
    teeth = 28
    x = np.zeros(n)
    for harmonic, weight in ((1, 1.0), (2, 0.5), (3, 0.2)):
        carrier = np.sin(teeth * harmonic * phase)
        # Sidebands at +-shaft rate: amplitude modulation by the shaft's runout.
        x += weight * carrier * (1 + 0.5 * np.sin(phase + rng.uniform(0, 2 * np.pi)))
    return x + 0.6 * _lowpass_noise(rng, n, 150)


def wind(n: int, rng: np.random.Generator) -> np.ndarray:
    """Broadband wind with gusts: low-passed noise, level following a 0.1-0.5 Hz gust envelope."""
    gusts = np.clip(_drift(rng, n, 0.4, 0.8), 0.15, None)
    rush = _lowpass_noise(rng, n, 500, order=1) + 0.3 * _bandpass_noise(rng, n, 800, 5000)
    return np.asarray(rush * gusts)


def hydraulic_pump(n: int, rng: np.random.Generator) -> np.ndarray:
    """Axial piston pump: 225 Hz ripple and harmonics pulsing at the shaft rate, plus flow hiss."""
    t = _t(n)
    shaft = 25.0
    ripple = np.zeros(n)
    for k in range(1, 9):
        ripple += np.sin(2 * np.pi * 9 * shaft * k * t + rng.uniform(0, 2 * np.pi)) / k
    pulse = 0.6 + 0.4 * np.maximum(0, np.sin(2 * np.pi * shaft * t)) ** 2
    hiss = _bandpass_noise(rng, n, 1500, 6000)
    return ripple * pulse + 0.4 * hiss * pulse


def compressor(n: int, rng: np.random.Generator) -> np.ndarray:
    """Reciprocating compressor: 25 Hz thumps with harmonics, valve clatter, air rush."""
    t = _t(n)
    thump_rate = 25.0
    thumps = np.zeros(n)
    for k in range(1, 12):
        thumps += np.sin(2 * np.pi * thump_rate * k * t + rng.uniform(0, 2 * np.pi)) / k**0.5
    clatter = _bandpass_noise(rng, n, 2000, 7000)
    gate = (np.mod(t * thump_rate, 1.0) < 0.15).astype(float)
    rush = _bandpass_noise(rng, n, 300, 3000)
    return np.asarray(0.5 * thumps + 0.8 * clatter * gate + 0.4 * rush)


def impacts(n: int, rng: np.random.Generator) -> np.ndarray:
    """Hammer blows on steel: decaying modal rings, 1-3 per second, over a low bed."""
    x = 0.1 * _lowpass_noise(rng, n, 300)
    pos = int(rng.uniform(0.05, 0.4) * RATE)
    ring_n = int(0.4 * RATE)
    tr = np.arange(ring_n) / RATE
    while pos < n:
        ring = np.zeros(ring_n)
        for _ in range(4):
            f = rng.uniform(1000, 4000)
            ring += (
                rng.uniform(0.3, 1.0)
                * np.sin(2 * np.pi * f * tr)
                * np.exp(-tr * rng.uniform(8, 25))
            )
        ring[: int(0.003 * RATE)] += rng.standard_normal(int(0.003 * RATE)) * 2.0  # the strike
        end = min(n, pos + ring_n)
        x[pos:end] += rng.uniform(2, 5) * ring[: end - pos]
        pos += int(rng.uniform(0.33, 1.0) * RATE)
    return x


NOISES: Final[dict[str, Callable[[int, np.random.Generator], np.ndarray]]] = {
    "hum": hum,
    "gear-whine": gear_whine,
    "wind": wind,
    "hydraulic-pump": hydraulic_pump,
    "compressor": compressor,
    "impacts": impacts,
}
"""Every synthesized noise by name."""


def noise(name: str, seconds: float, seed: int) -> Float32Array:
    """``seconds`` of the named noise at 16 kHz, peak-normalised to 0.5, the same for a seed."""
    if name not in NOISES:
        raise ValueError(f"unknown noise {name!r}: one of {', '.join(NOISES)}")
    n = max(1, int(seconds * RATE))
    x = NOISES[name](n, np.random.default_rng(seed))
    x = x - float(np.mean(x))
    return np.asarray(0.5 * x / (np.max(np.abs(x)) + 1e-12), dtype=np.float32)


def room_impulse(rt60_s: float, seed: int, *, rate: int = RATE) -> Float32Array:
    """A synthetic room impulse response: direct sound, early reflections, exponential tail.

    The tail is noise decaying by 60 dB in ``rt60_s``, darker as it decays (high frequencies die
    first in a steel room with some absorption).
    """
    rng = np.random.default_rng(seed)
    n = int(rt60_s * rate)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * 10 ** (-3 * t / rt60_s)
    # Darken the tail progressively: mix in a low-passed copy weighted by time.
    dark = np.convolve(tail, np.ones(8) / 8, mode="same")
    mix = np.clip(t / rt60_s * 2, 0, 1)
    tail = (1 - mix) * tail + mix * dark
    tail[: int(0.005 * rate)] = 0  # reverberation starts after the early reflections
    h = 0.25 * tail / (np.sqrt(np.sum(tail**2)) + 1e-12)
    h[0] = 1.0
    for _ in range(5):
        delay = int(rng.uniform(0.002, 0.02) * rate)
        h[delay] += rng.uniform(0.2, 0.5) * rng.choice([-1, 1])
    return np.asarray(h / np.sqrt(np.sum(h**2)), dtype=np.float32)


def reverberate(speech: Float32Array, impulse: Float32Array) -> Float32Array:
    """``speech`` heard in the room of ``impulse``, same length and active level as the input."""
    wet = np.fft.irfft(
        np.fft.rfft(speech, len(speech) + len(impulse))
        * np.fft.rfft(impulse, len(speech) + len(impulse)),
        len(speech) + len(impulse),
    )[: len(speech)]
    gain = np.sqrt(np.sum(speech**2) / (np.sum(wet**2) + 1e-20))
    return np.asarray(wet * gain, dtype=np.float32)
