"""WebRTC AEC3 on synthetic echo: the assistant's voice is removed, the technician's is kept.

The far end is piper speech (what the loudspeaker plays); the echo is that speech through a room
impulse response (delay plus reflections, ``EchoPath``) with a little noise. Echo return loss
enhancement (ERLE) is measured after the canceller has converged.
"""

from __future__ import annotations

import numpy as np
import pytest

from edge.audio.echo import SoftwareAec
from edge.audio.pcm import float_to_int16
from edge.audio.sim import EchoPath
from edge.voices import speak

pytestmark = pytest.mark.integration

RATE = 16_000
BLOCK = 512  # capture blocks of 32 ms, as the listener reads them


def _power_db(x: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-9))


def _cancel(mic: np.ndarray, far: np.ndarray) -> np.ndarray:
    aec = SoftwareAec(RATE)
    out = [aec.process(mic[i : i + BLOCK], far[i : i + BLOCK]) for i in range(0, len(mic), BLOCK)]
    return np.concatenate(out)


def _room(far: np.ndarray, echo: EchoPath, noise_dbfs: float = -65.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    wet = np.convolve(far.astype(np.float32) / 32768, echo.impulse_response(RATE))[: len(far)]
    noise = rng.normal(0, 10 ** (noise_dbfs / 20), len(far))
    return wet + noise


def _far_end() -> np.ndarray:
    said = (
        "Lockout and tagout procedure, nine steps. Step one: inform the control room and record "
        "the work order number in the turbine log. Step two: stop the turbine with the service "
        "switch and wait until the rotor speed is below one r p m."
    )
    return speak(said, rate=RATE)


@pytest.mark.parametrize("echo", [EchoPath(gain_db=-6), EchoPath(gain_db=0, delay_ms=60)])
def test_echo_return_loss_enhancement_is_at_least_15_db(echo: EchoPath) -> None:
    far = _far_end()
    mic = float_to_int16(_room(far, echo))
    out = _cancel(mic, far)
    settled = slice(3 * RATE, len(out))  # after AEC3 has converged (it adapts within ~1-2 s)
    erle = _power_db(mic[settled]) - _power_db(out[settled])
    print(f"ERLE {erle:.1f} dB ({echo})")
    assert erle >= 15.0


def test_the_technician_speaking_over_the_echo_is_kept() -> None:
    far = _far_end()
    near = speak("Stop. What is the yaw brake pressure?", rate=RATE).astype(np.float32) / 32768
    start = 5 * RATE
    room = _room(far, EchoPath(gain_db=-6))
    room[start : start + len(near)] += near * 0.5
    out = _cancel(float_to_int16(room), far)
    span = slice(start, start + len(near))
    kept = _power_db(out[span]) - _power_db(float_to_int16(near * 0.5))
    assert kept > -6.0  # double talk: the near-end voice loses at most a few dB
