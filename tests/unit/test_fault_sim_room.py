"""Fault suite, a long simulated run: the simulated room keeps a bounded amount of speaker audio."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from edge.audio.sim import Script, SimulatedSource

pytestmark = pytest.mark.unit

RATE = 16_000


class CountingSpeaker:
    """Plays sample k as the value k % 30000, so any kept span can be checked exactly."""

    rate = RATE

    def __init__(self) -> None:
        self.next = 0

    def pull(self, n: int, at: float) -> np.ndarray:
        out = (np.arange(self.next, self.next + n) % 30_000).astype(np.int16)
        self.next += n
        return out


def test_fault_long_run_keeps_only_the_newest_speaker_audio() -> None:
    script = Script(rate=RATE)
    script.silence(20.0)
    speaker = CountingSpeaker()
    source = SimulatedSource(
        script,
        speed=None,
        speaker=speaker,
        hold_open=False,
        keep_s=2.0,  # type: ignore[arg-type]
    )

    async def drain() -> None:
        async for _ in source.frames():
            pass

    asyncio.run(drain())
    kept = source.speaker_track()
    assert source.played_samples == speaker.next >= 20 * RATE
    assert len(kept) == 2 * RATE  # not the 20 s played
    expected = (np.arange(speaker.next - 2 * RATE, speaker.next) % 30_000).astype(np.int16)
    assert np.array_equal(kept, expected)
    assert source.speaker_track_start == pytest.approx((speaker.next - 2 * RATE) / RATE)


def test_a_short_run_keeps_everything_from_stream_time_zero() -> None:
    script = Script(rate=RATE)
    script.silence(3.0)
    speaker = CountingSpeaker()
    source = SimulatedSource(script, speed=None, speaker=speaker, hold_open=False)  # type: ignore[arg-type]

    async def drain() -> None:
        async for _ in source.frames():
            pass

    asyncio.run(drain())
    assert len(source.speaker_track()) == speaker.next and source.speaker_track_start == 0.0
