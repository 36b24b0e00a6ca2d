"""A simulated room: a scripted microphone track, a speaker, and the echo between them.

Tests, benchmarks and ``edge run --source`` drive the live daemon path with this instead of ALSA.
Each capture block pulls the same span of audio from the speaker (the playback queue), so output
and input share one timeline, and the assistant's own voice can be mixed back into the microphone
through an :class:`EchoPath`, as a real room would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from edge.audio.pcm import load_audio
from edge.audio.playback import PlaybackQueue
from edge.audio.ring import SampleRing
from edge.events import AudioFrame, Int16Array

ScriptEvent = Callable[[str, float], None]
"""Called with an event name (``"ptt_down"``, ``"ptt_up"``) and its stream time."""
Condition = Callable[[str], bool]
"""Whether a condition a script waits for holds now (one of :data:`CONDITIONS`)."""
CONDITIONS = ("idle", "speaking", "filler")
"""What a script can wait for: nothing captured, thought about or played; an answer playing; a
filler playing."""
MAX_WAIT_S = 300.0
"""Longest a script waits for a condition (wall-clock seconds: a loaded machine may take minutes
to answer); then it goes on regardless."""

SPEAKER_KEEP_S = 600.0
"""Speaker audio a simulated room keeps by default (s): 19 MB at 16 kHz, however long it runs."""


@dataclass(frozen=True, slots=True)
class Span:
    """Where a scripted utterance sits on the timeline (stream seconds)."""

    label: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class EchoPath:
    """How the speaker's sound reaches the microphone."""

    gain_db: float = -6.0
    """Echo level relative to what is played (dB); -6 is a loud speaker close to the mic."""
    delay_ms: float = 30.0
    """Acoustic and device delay from speaker to mic (ms)."""
    taps: tuple[tuple[float, float], ...] = ((12.0, -12.0), (40.0, -20.0))
    """Reflections as (extra delay ms, level dB relative to the direct echo)."""

    def impulse_response(self, rate: int) -> np.ndarray:
        """The echo path as an FIR filter at ``rate``."""
        length = int((self.delay_ms + max((t for t, _ in self.taps), default=0.0)) * rate / 1000)
        h = np.zeros(length + 1, dtype=np.float32)
        base = 10 ** (self.gain_db / 20)
        h[int(self.delay_ms * rate / 1000)] += base
        for extra_ms, level_db in self.taps:
            h[int((self.delay_ms + extra_ms) * rate / 1000)] += base * 10 ** (level_db / 20)
        return h


@dataclass
class Script:
    """A microphone track built step by step: speech, silence and button presses."""

    rate: int = 16_000
    spans: list[Span] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    """(track time, name): ``ptt_down``, ``ptt_up``, or ``wait:<condition>:<seconds>``."""
    _chunks: list[Int16Array] = field(default_factory=list)
    _length: int = 0

    @property
    def duration(self) -> float:
        """Length of the track so far (s)."""
        return self._length / self.rate

    def say(self, audio: Path | Int16Array, label: str = "") -> Span:
        """Append speech (a WAV path or samples at ``rate``); return where it sits."""
        samples = load_audio(audio, self.rate) if isinstance(audio, (str, Path)) else audio
        start = self.duration
        self._append(samples)
        span = Span(label or f"utterance {len(self.spans) + 1}", start, self.duration)
        self.spans.append(span)
        return span

    def silence(self, seconds: float) -> None:
        """Append silence."""
        self._append(np.zeros(round(seconds * self.rate), dtype=np.int16))

    def press(self, at: float | None = None) -> None:
        """Press push-to-talk at stream time ``at`` (default: the end of the track so far)."""
        self.events.append((self.duration if at is None else at, "ptt_down"))

    def release(self, at: float | None = None) -> None:
        """Release push-to-talk at stream time ``at`` (default: the end of the track so far)."""
        self.events.append((self.duration if at is None else at, "ptt_up"))

    def wait(self, condition: str, then_s: float = 0.0) -> None:
        """Here the track pauses (silence) until ``condition`` holds, then ``then_s`` more.

        ``"idle"``: the assistant has answered, fallen quiet and finished its side effects;
        ``"speaking"``: its answer is playing (``then_s`` into it the script goes on: a barge-in
        lands mid-answer);
        ``"filler"``: a filler is playing (the request was routed, the answer is not ready).
        Waiting on the assistant instead of fixed pauses keeps a script right on a slow or loaded
        machine.
        Times of later speech and button events shift by the wait; :attr:`spans` keep track time.
        """
        if condition not in CONDITIONS:
            raise ValueError(f"unknown condition {condition!r}: use one of {CONDITIONS}")
        self.events.append((self.duration, f"wait:{condition}:{then_s:g}"))

    def track(self) -> Int16Array:
        """The whole microphone track."""
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def _append(self, samples: Int16Array) -> None:
        self._chunks.append(samples.astype(np.int16))
        self._length += len(samples)


class SimulatedSource:
    """Plays a :class:`Script` into the pipeline as a microphone would, optionally in real time."""

    def __init__(
        self,
        script: Script,
        *,
        block_ms: int = 32,
        speed: float | None = 1.0,
        speaker: PlaybackQueue | None = None,
        echo: EchoPath | None = None,
        noise_dbfs: float | None = None,
        on_event: ScriptEvent | None = None,
        hold_open: bool = True,
        seed: int = 0,
        keep_s: float = SPEAKER_KEEP_S,
        condition: Condition | None = None,
    ) -> None:
        """Create the source.

        Args:
            script: the microphone track and button events.
            block_ms: capture block length.
            speed: 1.0 paces blocks in real time; 2.0 twice as fast; None as fast as consumed.
            speaker: playback queue pulled in step with capture (its rate must equal the script's).
            echo: how the speaker leaks into the mic; None for no echo.
            noise_dbfs: level of white background noise; None for none.
            on_event: receives the script's button events when their time comes.
            hold_open: after the script, keep producing silence until closed.
            seed: noise generator seed, for repeatable runs.
            keep_s: how much of the speaker's output :meth:`speaker_track` keeps (the newest).
            condition: tells whether a condition the script waits for holds (without it the
                script's waits are skipped).
        """
        if speaker is not None and speaker.rate != script.rate:
            raise ValueError("the simulated speaker must run at the script's rate")
        self.rate = script.rate
        self.script = script
        self._block = round(block_ms * script.rate / 1000)
        self._speed = speed
        self._speaker = speaker
        self._echo_ir = echo.impulse_response(script.rate) if echo else None
        self._echo_tail = np.zeros(0, dtype=np.float32)
        self._noise = 32768 * 10 ** (noise_dbfs / 20) if noise_dbfs is not None else 0.0
        self._rng = np.random.default_rng(seed)
        self._on_event = on_event
        self._condition = condition
        self._hold_open = hold_open
        self._closed = False
        self._t0 = time.monotonic()
        # A ring, not a list of every block: a day-long simulation must not grow without end.
        self._played = SampleRing(max(1, round(keep_s * script.rate)), script.rate)
        self.played_samples = 0
        """Samples the speaker played in all (including those no longer kept)."""
        self._pos = 0
        self.script_done = asyncio.Event()
        """Set once the whole script has been played into the pipeline."""

    @property
    def stream_time(self) -> float:
        """Stream time of the next block to be produced (s)."""
        return self._pos / self.rate

    def clock_at(self, stream_time: float) -> float:
        """Monotonic time at which ``stream_time`` was 'captured'."""
        return self._t0 + stream_time / (self._speed or 1.0)

    def close(self) -> None:
        """End the stream after the current block."""
        self._closed = True

    def speaker_track(self) -> Int16Array:
        """What the speaker played, at the script's rate: all of it, or the newest ``keep_s``."""
        return self._played.last(len(self._played) / self.rate)[0]

    @property
    def speaker_track_start(self) -> float:
        """Stream time at which :meth:`speaker_track` starts (0 until ``keep_s`` has passed)."""
        return self._played.end_time - len(self._played) / self.rate

    async def frames(self) -> AsyncIterator[AudioFrame]:
        """Yield capture blocks, pacing them and mixing in speaker echo and noise."""
        track = self.script.track()
        # By time, and in the order they were scripted when at the same time (a release, then a
        # wait for the answer, then the next press).
        timeline = sorted(self.script.events, key=lambda e: e[0])
        self._t0 = time.monotonic()
        pos = 0  # samples of the track played into the microphone so far
        offset = 0  # samples of silence inserted by waits: stream position = pos + offset
        self._pos = 0
        waiting: _Wait | None = None
        while not self._closed:
            stream_time = (pos + offset) / self.rate
            while waiting is None and timeline and timeline[0][0] * self.rate <= pos:
                at, name = timeline.pop(0)
                if name.startswith("wait:"):
                    if self._condition is not None:
                        _, condition, then_s = name.split(":")
                        waiting = _Wait(condition, float(then_s), stream_time)
                elif self._on_event is not None:
                    self._on_event(name, at + offset / self.rate)
            if waiting is not None and waiting.done(self._condition, stream_time):
                waiting = None
                continue  # the events right after the wait happen now
            if pos >= len(track) and waiting is None and not timeline:
                if not self._hold_open:
                    return
                self.script_done.set()
            mic = np.zeros(self._block, dtype=np.float32)
            if waiting is None:
                chunk = track[pos : pos + self._block]
                mic[: len(chunk)] = chunk
            if self._speaker is not None:
                played = self._speaker.pull(self._block, self.clock_at(stream_time))
                self._played.extend(played, stream_time + len(played) / self.rate)
                self.played_samples += len(played)
                mic += self._echo(played)
            if self._noise:
                mic += self._rng.normal(0.0, self._noise, self._block).astype(np.float32)
            samples = np.clip(mic, -32768, 32767).astype(np.int16)
            if self._speed is not None:
                delay = self.clock_at(stream_time + self._block / self.rate) - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)
            yield AudioFrame(samples, self.rate, stream_time)
            if waiting is None:
                pos += self._block
            else:
                offset += self._block
            self._pos = pos + offset

    def _echo(self, played: Int16Array) -> np.ndarray:
        if self._echo_ir is None:
            return np.zeros(len(played), dtype=np.float32)
        full = np.convolve(played.astype(np.float32), self._echo_ir)
        full[: len(self._echo_tail)] += self._echo_tail
        self._echo_tail = full[len(played) :]
        return full[: len(played)]


@dataclass
class _Wait:
    """A pause of the script until a condition holds, then ``then_s`` more."""

    condition: str
    then_s: float
    started: float
    """Stream time the wait began."""
    held_since: float | None = None
    began_at: float = field(default_factory=time.monotonic)
    """Wall-clock time the wait began."""

    def done(self, holds: Condition | None, stream_time: float) -> bool:
        if holds is None:
            return True
        if self.held_since is None and holds(self.condition):
            self.held_since = stream_time
        if self.held_since is not None:
            return stream_time - self.held_since >= self.then_s
        return time.monotonic() - self.began_at >= MAX_WAIT_S
