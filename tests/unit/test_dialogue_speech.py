"""Speaking the dialogue's parts: no filler before a warning, the tick for stop, slower speech;
and scripts that wait on the assistant instead of fixed pauses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from edge.aio import EngineThread
from edge.audio.earcon import tick
from edge.audio.playback import PlaybackQueue
from edge.audio.sim import Script, SimulatedSource
from edge.audio.sinks import RecordingDevice
from edge.engines.base import synthesize_at
from edge.events import Int16Array, Speech, TurnId
from edge.metrics import TurnTimer
from edge.responder import Part
from edge.turn import Turn

pytestmark = pytest.mark.unit

RATE = 16_000


class Words:
    """A fake synthesizer: 0.1 s of tone per word; it cannot change its pace."""

    rate = RATE

    def synthesize(self, text: str) -> Int16Array:
        return np.full(int(0.1 * RATE) * len(text.split()), 900, dtype=np.int16)


class Paced(Words):
    """A fake synthesizer that can slow down."""

    def synthesize_paced(self, text: str, pace: float) -> Int16Array:
        return np.full(int(0.1 * RATE / pace) * len(text.split()), 900, dtype=np.int16)


async def slowly(parts: list[Part], delay_s: float) -> AsyncIterator[Part]:
    for part in parts:
        if part.kind == "sentence":
            await asyncio.sleep(delay_s)  # the answer takes long to prepare
        yield part


def speak(parts: list[Part], delay_s: float) -> tuple[list[str], list[bool], str]:
    async def scenario() -> tuple[list[str], list[bool], str]:
        thread = EngineThread("tts")
        queue = PlaybackQueue(RATE)
        thinking = Speech("One moment.", np.full(800, 500, dtype=np.int16), RATE)
        earcon = Speech("", tick(RATE), RATE)
        turn = Turn(
            TurnId(1),
            tts=Words(),
            tts_thread=thread,
            playback=queue,
            fillers={},
            timer=TurnTimer(1),
            thinking=thinking,
            thinking_after_s=0.05,
            earcon=earcon,
        )
        played: list[str] = []
        fillers: list[bool] = []
        async with RecordingDevice(queue):
            original = queue.enqueue

            def enqueue(speech: Speech, *, filler: bool = False) -> object:
                played.append(speech.text)
                fillers.append(filler)
                return original(speech, filler=filler)

            queue.enqueue = enqueue  # type: ignore[method-assign]
            await turn.speak(slowly(parts, delay_s))
        thread.shutdown()
        return played, fillers, turn.outcome(interrupted=False).heard

    return asyncio.run(scenario())


def test_a_slow_answer_gets_the_thinking_filler() -> None:
    played, fillers, _ = speak([Part("The answer.")], delay_s=0.3)
    assert played[0] == "One moment." and fillers[0]


def test_no_filler_plays_before_a_possible_warning() -> None:
    parts = [Part("", kind="hold"), Part("Warning: too hot.", urgent=True)]
    played, _, heard = speak(parts, delay_s=0.3)
    assert played == ["Warning: too hot."] and heard == "Warning: too hot."


def test_the_tick_is_played_but_nothing_is_heard() -> None:
    played, fillers, heard = speak([Part("", kind="earcon")], delay_s=0.0)
    assert played == [""] and fillers == [True] and heard == ""


def test_slower_speech_is_longer() -> None:
    normal = synthesize_at(Paced(), "four words said here")
    slow = synthesize_at(Paced(), "four words said here", 0.75)
    assert len(slow) == pytest.approx(len(normal) / 0.75, rel=0.01)
    # An engine that cannot slow down pauses after each clause instead.
    fallback = synthesize_at(Words(), "one two, three four.", 0.5)
    assert len(fallback) > len(Words().synthesize("one two, three four."))


def test_the_tick_is_short_and_soft() -> None:
    samples = tick(22050)
    assert 0.05 < len(samples) / 22050 < 0.15
    assert np.abs(samples).max() < 32767 * 0.2


def test_a_script_waits_for_the_assistant_before_going_on() -> None:
    """The second press comes 0.3 s after the answer ended, however long the answer took."""

    async def scenario() -> list[tuple[str, float]]:
        script = Script()
        script.silence(0.2)
        script.press()
        script.silence(0.1)
        script.release()
        script.wait("speaking", 0.2)  # barge in 0.2 s into the answer
        script.press()
        script.release()
        script.wait("idle", 0.3)
        script.press()
        script.silence(0.1)
        queue = PlaybackQueue(RATE)
        events: list[tuple[str, float]] = []
        answer_at: list[float] = []

        def holds(condition: str) -> bool:
            playing = queue.now_playing()
            if condition == "speaking":
                return playing is not None and not playing.filler
            return not queue.busy

        def on_event(name: str, at: float) -> None:
            events.append((name, round(at, 2)))
            if name == "ptt_up" and not answer_at:
                answer_at.append(at)
                # The answer comes 1 s of stream time after the release and lasts 1 s.
                queue.enqueue(Speech("answer", np.zeros(RATE, np.int16), RATE))

        source = SimulatedSource(
            script, speaker=queue, speed=None, on_event=on_event, condition=holds, hold_open=False
        )
        async for _ in source.frames():
            pass
        return events

    events = asyncio.run(scenario())
    names = [n for n, _ in events]
    assert names == ["ptt_down", "ptt_up", "ptt_down", "ptt_up", "ptt_down"]
    times = dict(enumerate(t for _, t in events))
    assert times[2] == pytest.approx(times[1] + 0.2, abs=0.07)  # 0.2 s into the answer
    assert times[4] >= times[1] + 1.0 + 0.3 - 0.07  # after the answer's second, plus 0.3 s
