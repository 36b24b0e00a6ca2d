import asyncio

import numpy as np
import pytest

from edge.audio.playback import PlaybackQueue
from edge.events import Speech

pytestmark = pytest.mark.unit


def speech(text: str, seconds: float, rate: int = 16000) -> Speech:
    return Speech(text, np.full(int(seconds * rate), 1000, dtype=np.int16), rate)


def test_pull_plays_in_order_then_silence() -> None:
    q = PlaybackQueue(16000)
    a = q.enqueue(speech("one", 0.1))
    b = q.enqueue(speech("two", 0.1))
    out = np.concatenate([q.pull(800, at=i * 0.05) for i in range(6)])
    assert (out[:3200] == 1000).all() and (out[3200:] == 0).all()
    assert a.complete and b.complete and not q.busy
    assert a.first_heard_at == 0.0 and b.first_heard_at == pytest.approx(0.1)


def test_clear_drops_everything_and_records_the_stop() -> None:
    q = PlaybackQueue(16000)
    a = q.enqueue(speech("long", 1.0))
    b = q.enqueue(speech("next", 1.0))
    q.pull(1600, at=0.0)
    dropped = q.clear()
    assert dropped == [a, b] and a.dropped and b.dropped
    assert a.played == 1600 and a.heard_fraction == pytest.approx(0.1)
    assert (q.pull(1600, at=0.1) == 0).all()
    assert q.stopped_at == 0.1


def test_pause_keeps_position_and_resume_continues() -> None:
    q = PlaybackQueue(16000)
    a = q.enqueue(speech("x", 0.2))
    q.pull(800, at=0.0)
    q.pause()
    assert (q.pull(800, at=0.05) == 0).all() and q.stopped_at == 0.05
    q.resume()
    q.pull(800, at=0.1)
    assert a.played == 1600


def test_resample_to_device_rate() -> None:
    q = PlaybackQueue(16000)
    item = q.enqueue(speech("x", 1.0, rate=22050))
    assert len(item.samples) == pytest.approx(16000, abs=2)


def test_drain_waits_until_played_and_clear_releases_it() -> None:
    async def scenario() -> tuple[bool, bool]:
        q = PlaybackQueue(16000)
        q.enqueue(speech("x", 0.1))
        waiter = asyncio.ensure_future(q.drain())
        await asyncio.sleep(0.01)
        waiting = not waiter.done()
        q.clear()
        await asyncio.wait_for(waiter, 1.0)
        return waiting, waiter.done()

    assert asyncio.run(scenario()) == (True, True)


def test_listeners_see_every_pulled_block() -> None:
    q = PlaybackQueue(16000)
    seen: list[tuple[int, float]] = []
    q.add_listener(lambda block, at: seen.append((len(block), at)))
    q.enqueue(speech("x", 0.05))
    q.pull(512, at=1.0)
    q.pull(512, at=1.032)
    assert seen == [(512, 1.0), (512, 1.032)]
