"""A capture holds every sample once, in order, however its start falls against the VAD's frames.

The listener judges onsets every 16 ms hop but scores speech every 32 ms frame, so a capture can
open between the two hops of a frame (a push-to-talk press, a confirmed barge-in): its pre-roll
already holds the first hop, which the frame must not add again.
"""

from __future__ import annotations

import numpy as np
import pytest

from edge.events import Int16Array, TurnId
from edge.listener import Capture, Listener, ListenerSettings

pytestmark = pytest.mark.unit


class Vad:
    rate = 16_000
    frame_samples = 512

    def speech_probability(self, frame: np.ndarray) -> float:
        return 0.9

    def reset(self) -> None:
        pass


class Source:
    rate = 16_000


class Transcriber:
    settled_text = None

    def __init__(self) -> None:
        self.pushed: list[Int16Array] = []

    def push(self, samples: Int16Array, voiced: bool) -> None:
        self.pushed.append(samples)

    def preflight(self) -> None:
        pass


class Handler:
    def __getattr__(self, name: str) -> object:
        return lambda *args: None


@pytest.mark.parametrize("hops_before_open", [2, 3, 4, 5])
def test_capture_opened_mid_frame_holds_each_sample_once(hops_before_open: int) -> None:
    transcriber = Transcriber()
    listener = Listener(
        Source(),  # type: ignore[arg-type]
        Vad(),
        Handler(),  # type: ignore[arg-type]
        lambda turn: transcriber,  # type: ignore[arg-type,return-value]
        ListenerSettings(preroll_s=0.5),
    )
    ramp = (np.arange(256 * 12) % 30_000).astype(np.int16)  # every sample tells its place
    for i in range(hops_before_open):
        listener.process(ramp[i * 256 : (i + 1) * 256])
    start = listener.stream_time - 0.016  # one hop of pre-roll
    capture: Capture = listener.open_capture(TurnId(1), "ptt", start, held=True)
    for i in range(hops_before_open, 12):
        listener.process(ramp[i * 256 : (i + 1) * 256])
    first = (hops_before_open - 1) * 256
    processed = 12 * 256 - (12 % 2) * 256
    assert np.array_equal(capture.audio(), ramp[first:processed])
    assert np.array_equal(np.concatenate(transcriber.pushed), ramp[first:processed])


def test_a_continued_capture_holds_both_parts_without_gap_or_overlap() -> None:
    # The technician went on with their request after the endpoint ended it: the new capture
    # starts with the first one's audio, then everything since it ended.
    transcribers: list[Transcriber] = []

    def new(turn: TurnId) -> Transcriber:
        transcribers.append(Transcriber())
        return transcribers[-1]

    listener = Listener(
        Source(),  # type: ignore[arg-type]
        Vad(),
        Handler(),  # type: ignore[arg-type]
        new,  # type: ignore[arg-type]
        ListenerSettings(preroll_s=0.5),
    )
    ramp = (np.arange(512 * 40) % 30_000).astype(np.int16)
    for i in range(4):
        listener.process(ramp[i * 512 : (i + 1) * 512])
    first = listener.open_capture(TurnId(1), "ptt", listener.stream_time, held=True)
    for i in range(4, 14):
        listener.process(ramp[i * 512 : (i + 1) * 512])
    listener.end_capture("turn")
    for i in range(14, 30):  # the pause, then speech: the onset is confirmed some frames in
        listener.process(ramp[i * 512 : (i + 1) * 512])
    onset = listener.stream_time - 0.3
    second = listener.open_capture(TurnId(2), "barge_in", onset - 0.5, continues=first)
    for i in range(30, 40):
        listener.process(ramp[i * 512 : (i + 1) * 512])
    assert np.array_equal(second.audio(), ramp[4 * 512 : 40 * 512])
    assert np.array_equal(np.concatenate(transcribers[1].pushed), ramp[4 * 512 : 40 * 512])
    assert second.started_at == first.started_at


def test_the_end_of_a_capture_is_no_onset_over_the_answer() -> None:
    # The capture opened on speech; its frames go to the endpointer, so "the technician is
    # speaking" was left as it was at the open. Taken as still true after the end, the first
    # silent hops made an onset over the answer being prepared, and playback paused ~250 ms.
    calls: list[str] = []

    class Recorder:
        def __getattr__(self, name: str) -> object:
            return lambda *args: calls.append(name)

    class Switch(Vad):
        probability = 0.9

        def speech_probability(self, frame: np.ndarray) -> float:
            return self.probability

    vad = Switch()
    listener = Listener(
        Source(),  # type: ignore[arg-type]
        vad,
        Recorder(),  # type: ignore[arg-type]
        lambda turn: Transcriber(),  # type: ignore[arg-type,return-value]
        ListenerSettings(preroll_s=0.5, open_mic=True, barge_in=True),
    )
    voice = (np.sin(np.arange(512 * 10) / 3.0) * 8000).astype(np.int16)
    for i in range(4):
        listener.process(voice[i * 512 : (i + 1) * 512])
    listener.open_capture(TurnId(1), "vad", listener.stream_time, held=True)
    for i in range(4, 10):
        listener.process(voice[i * 512 : (i + 1) * 512])
    listener.end_capture("turn")
    calls.clear()
    listener.turn_active = True  # the answer is being prepared
    vad.probability = 0.0
    for _ in range(20):
        listener.process(np.zeros(512, dtype=np.int16))
    assert "on_onset" not in calls, calls
