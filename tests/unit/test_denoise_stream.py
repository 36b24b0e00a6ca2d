"""The suppressor in the capture path: any blocks in, as many samples out, a fixed lag."""

from __future__ import annotations

import numpy as np
import pytest

from edge.audio.polyphase import Downsampler, Upsampler
from edge.events import Int16Array
from edge.hearing.denoise import DenoiseStream, array_suppresses, denoise_all

pytestmark = pytest.mark.unit


class Halver:
    """A stand-in suppressor: halves the signal, answers ``delay`` samples late."""

    rate = 16_000
    frame_samples = 160

    def __init__(self, delay: int = 48) -> None:
        self.delay_samples = delay
        self.calls = 0
        self.reset()

    def process(self, frame: Int16Array) -> Int16Array:
        self.calls += 1
        self._line = np.concatenate([self._line, frame // 2])
        out, self._line = self._line[:160], self._line[160:]
        return out.astype(np.int16)

    def reset(self) -> None:
        self._line = np.zeros(self.delay_samples, dtype=np.int16)


def ramp(n: int) -> Int16Array:
    return (np.arange(n) % 2000).astype(np.int16)


def test_blocks_of_any_length_come_back_the_same_length_and_delayed() -> None:
    engine = Halver()
    stream = DenoiseStream(engine)
    x = ramp(16_000)
    out, i = [], 0
    for size in [512, 100, 7, 1000, 333] * 100:
        if i >= len(x):
            break
        block = x[i : i + size]
        y = stream.process(block)
        assert len(y) == len(block)
        out.append(y)
        i += size
    y = np.concatenate(out)
    lag = stream.delay_samples
    assert lag == 160 + 48
    np.testing.assert_array_equal(y[lag:], x[: len(x) - lag] // 2)


def test_bypass_passes_audio_untouched_with_the_same_lag() -> None:
    stream = DenoiseStream(Halver(), bypass=lambda: True)
    x = ramp(3200)
    y = np.concatenate([stream.process(x[i : i + 320]) for i in range(0, 3200, 320)])
    np.testing.assert_array_equal(y[160:], x[:-160])


def test_a_whole_recording_is_aligned_with_its_input() -> None:
    x = ramp(10_001)
    y = denoise_all(Halver(delay=352), x)
    np.testing.assert_array_equal(y, x // 2)


def test_the_mic_arrays_own_suppression_turns_edges_off_only_when_it_really_works() -> None:
    on = {"array_tuned": True, "capture_from_array": True}
    assert array_suppresses("auto", True, **on)
    assert not array_suppresses("always", True, **on)
    assert not array_suppresses("auto", False, **on)
    assert not array_suppresses("auto", True, array_tuned=False, capture_from_array=True)
    assert not array_suppresses("auto", True, array_tuned=True, capture_from_array=False)


def test_resampling_to_48k_and_back_is_transparent_below_7khz() -> None:
    up, down = Upsampler(3), Downsampler(3)
    t = np.arange(16_000) / 16_000
    x = (np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    y = np.concatenate([down.process(up.process(x[i : i + 160])) for i in range(0, 16_000, 160)])
    lag = (up.delay + down.delay) // 3
    assert np.max(np.abs(y[lag + 200 :] - x[200 : len(x) - lag])) < 1e-3


def test_the_suppressor_is_chosen_by_name_or_by_the_board_profile() -> None:
    from edge.config import load_config
    from edge.hearing.denoise import engine_name
    from edge.hw.board import load_board

    assert engine_name(load_config(env={})) == load_board("generic").models.denoise
    pi = load_config(env={}, overrides={"device.board": "pi5"})
    assert engine_name(pi) == load_board("pi5").models.denoise
    named = load_config(env={}, overrides={"denoise.engine": "rnnoise"})
    assert engine_name(named) == "rnnoise"


def test_bad_suppressor_settings_name_the_key() -> None:
    from edge.config import load_config
    from edge.errors import ConfigError, EngineError

    with pytest.raises(ConfigError, match=r"denoise\.options"):
        load_config(env={}, overrides={"denoise.engine": "webrtc", "denoise.options.level": 9})
    with pytest.raises(EngineError, match="no denoise engine named"):
        load_config(env={}, overrides={"denoise.engine": "krisp"})
    with pytest.raises(ConfigError, match=r"denoise\.when"):
        load_config(env={}, overrides={"denoise.when": "sometimes"})
