"""The microphone loop: echo cancellation, pre-roll, VAD, wake word, barge-in onsets, captures.

The mic never stops, including while the assistant speaks. Every frame is cleaned of the
assistant's own voice (edge's own canceller when the mic array cannot), kept in the pre-roll ring,
and scored by the VAD. While a capture is open its frames feed the streaming transcriber and the
endpointer; otherwise, during playback (barge-in) or with an open mic, an onset detector watches
for sound and speech that a per-band echo guard says cannot be the assistant. Frames judged to
hold only the assistant's voice teach the linear canceller the echo path. The listener only
reports; the session decides.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from edge.audio.echo import EchoReference, SoftwareAec
from edge.audio.linear_aec import LinearEchoCanceller
from edge.audio.pcm import band_levels_db, dbfs, power_sum_db
from edge.audio.ring import SampleRing
from edge.audio.source import AudioSource
from edge.engines.base import VadEngine
from edge.events import Int16Array, Trigger, TurnId
from edge.hearing.denoise import DenoiseStream
from edge.stt_stream import StreamingTranscriber
from edge.turntaking.bargein import EchoGuard, NoiseFloor, Onset, OnsetDetector, OnsetSettings
from edge.turntaking.end_of_turn import TurnJudge
from edge.turntaking.endpoint import Decision, Endpointer, EndpointSettings, judge_words

_LOGGER = logging.getLogger(__name__)

_SOUND_FROM_HZ = 500
"""Lowest frequency that counts towards a sound onset (see :meth:`Listener._process_frame`)."""
_MOSTLY_DB = 3.0
"""A frame is mostly the technician when bands louder than the echo hold at least half its power."""


class WakeDetector(Protocol):
    """Wake word detection with its gating (threshold, patience, refractory) applied."""

    def feed(self, samples: Int16Array, now: float, *, speaking: bool) -> tuple[str, float] | None:
        """Add capture audio ending at stream time ``now``; return (name, score) on a detection."""
        ...


class ListenerHandler(Protocol):
    """What the listener reports (the session implements it)."""

    def on_wake(self, name: str, score: float, stream_time: float) -> None:
        """The wake word was heard."""

    def on_onset(self, stream_time: float) -> None:
        """The technician may have started speaking (during playback, or with an open mic)."""

    def on_onset_confirmed(self, onset_time: float) -> None:
        """The technician is speaking; speech began at ``onset_time``."""

    def on_onset_rejected(self) -> None:
        """The candidate onset was too short to be speech."""

    def on_capture_end(self, capture: Capture, reason: str) -> None:
        """A capture ended (``reason``: an endpoint reason, ``ptt``, ``no-speech``...)."""

    def on_source_end(self) -> None:
        """The audio source ran out."""


@dataclass(eq=False)
class Capture:
    """One utterance being recorded and transcribed."""

    turn_id: TurnId
    trigger: Trigger
    started_at: float
    """Stream time of the first sample (pre-roll included)."""
    transcriber: StreamingTranscriber
    endpointer: Endpointer
    held: bool = False
    """True while a push-to-talk button holds the capture open (VAD pauses do not end it)."""
    ended_at: float | None = None
    """Stream time the capture ended."""
    reason: str = ""
    continued: bool = False
    """A later capture went on with this one's request: its turn was taken back."""
    samples: list[Int16Array] = field(default_factory=list)
    has_until: float = 0.0
    """Stream time up to which its audio is in ``samples`` (the pre-roll may run ahead of the
    VAD frame being scored)."""

    @property
    def speech_end(self) -> float | None:
        """Stream time the technician last spoke."""
        return self.endpointer.last_voice_at

    def audio(self) -> Int16Array:
        """Everything captured."""
        return np.concatenate(self.samples) if self.samples else np.zeros(0, np.int16)


@dataclass(frozen=True, slots=True)
class ListenerSettings:
    """How the listener behaves."""

    preroll_s: float = 0.5
    """Audio kept from before a trigger or onset (s)."""
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)
    barge: OnsetSettings = field(default_factory=OnsetSettings)
    barge_threshold: float = 0.6
    """VAD probability counted as speech while the assistant is speaking."""
    onset_snr_db: float = 15.0
    """How far above the noise floor a frame that is not echo counts as sound for an onset."""
    open_mic: bool = False
    """Any speech starts a turn (the ``vad`` trigger)."""
    barge_in: bool = True
    """Speech over the assistant's answer can interrupt it."""
    ptt_max_s: float = 60.0
    """A PTT hold longer than this ends the capture."""


class Listener:
    """Runs the capture path frame by frame and reports to a :class:`ListenerHandler`."""

    def __init__(
        self,
        source: AudioSource,
        vad: VadEngine,
        handler: ListenerHandler,
        transcriber: Callable[[TurnId], StreamingTranscriber],
        settings: ListenerSettings,
        *,
        reference: EchoReference | None = None,
        aec: SoftwareAec | None = None,
        canceller: LinearEchoCanceller | None = None,
        guard: EchoGuard | None = None,
        wake: WakeDetector | None = None,
        denoise: DenoiseStream | None = None,
        turn: TurnJudge | None = None,
    ) -> None:
        """Create the listener.

        Args:
            source: capture audio (mono int16 at the VAD's rate).
            vad: voice activity detector, called inline (a frame costs ~0.1 ms).
            handler: receives what the listener notices.
            transcriber: makes a streaming transcriber for a new capture.
            settings: thresholds and durations.
            reference: the assistant's played audio, aligned with capture.
            aec: WebRTC AEC3, when the mic array cannot cancel (slower barge-in than ``canceller``).
            canceller: linear echo canceller, when the mic array cannot cancel; it learns from
                frames the listener judges to hold only the assistant's voice.
            guard: echo guard for barge-in; a fresh one when None.
            wake: wake word detector, when the wake trigger is on.
            denoise: noise suppressor, after echo cancellation and before everything that
                listens (VAD, wake word, onsets, STT).
            turn: the end-of-turn model, asked at each pause of a capture the VAD ends.
        """
        if source.rate != vad.rate:
            raise ValueError(f"capture at {source.rate} Hz but the VAD needs {vad.rate} Hz")
        self.settings = settings
        self.rate = source.rate
        self.source = source
        self._vad = vad
        self._handler = handler
        self._new_transcriber = transcriber
        self._reference = reference
        self._aec = aec
        self._canceller = canceller
        self._frame = vad.frame_samples
        self._hop = self._frame // 2
        """Onsets are judged every hop (16 ms at 16 kHz), speech every VAD frame (two hops)."""
        if canceller is not None and canceller.block != self._hop:
            raise ValueError(f"the echo canceller must work on blocks of {self._hop} samples")
        self.guard = guard or EchoGuard(frame_s=self._hop / self.rate)
        self._wake = wake
        self.denoise = denoise
        self._turn = turn
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_reference = np.zeros(0, dtype=np.int16)
        self._ring = SampleRing(int((settings.preroll_s + 3.0) * self.rate), self.rate)
        self._onsets = OnsetDetector(settings.barge)
        self._floor = NoiseFloor()
        self._sound_band = math.ceil(_SOUND_FROM_HZ / (self.rate / 2 / self.guard.bands))
        self._time = 0.0
        self._frame_parts: list[Int16Array] = []
        self._hops: list[tuple[float, float, float]] = []
        """This frame's hops while onsets are watched: (not-echo power, level, audible) in dB."""
        self._user = False
        """The latest frame held the technician's speech (not echo)."""
        self.capture: Capture | None = None
        self.speaking = False
        """Set by the session while assistant audio plays (the wake word may be ignored then)."""
        self.turn_active = False
        """Set by the session while a turn thinks or speaks: speech may interrupt it."""
        self.last_probability = 0.0

    @property
    def stream_time(self) -> float:
        """Stream time of the newest processed sample."""
        return self._time

    async def run(self) -> None:
        """Process frames until the source ends."""
        try:
            async for frame in self.source.frames():
                self.process(frame.samples)
        finally:
            if self._turn is not None:
                await self._turn.close()
        self._handler.on_source_end()

    def process(self, samples: Int16Array) -> None:
        """Process one block of capture audio (any length)."""
        if self._reference is not None:
            reference = self._reference.take(len(samples))
        else:
            reference = np.zeros(len(samples), dtype=np.int16)
        if self._aec is not None:
            # AEC3 may carry up to 10 ms to its next call: the reference then leads the mic by
            # that much, which the echo guard's tail absorbs.
            samples = self._aec.process(samples, reference)
        self._pending = np.concatenate([self._pending, samples])
        self._pending_reference = np.concatenate([self._pending_reference, reference])
        hop = self._hop
        while len(self._pending) >= hop and len(self._pending_reference) >= hop:
            block, self._pending = self._pending[:hop], self._pending[hop:]
            played = self._pending_reference[:hop]
            self._pending_reference = self._pending_reference[hop:]
            if self._canceller is not None:
                block = self._canceller.cancel(block, played)
            block = self._clean(block)
            if not self._process_hop(block, played) and self._canceller is not None:
                self._canceller.learn()
            self._frame_parts.append(block)
            if len(self._frame_parts) * hop >= self._frame:
                frame = np.concatenate(self._frame_parts)
                self._frame_parts = []
                self._process_frame(frame)

    def _clean(self, block: Int16Array) -> Int16Array:
        return block if self.denoise is None else self.denoise.process(block)

    # -- captures ---------------------------------------------------------------------------------

    def open_capture(
        self,
        turn_id: TurnId,
        trigger: Trigger,
        start: float,
        *,
        held: bool = False,
        continues: Capture | None = None,
    ) -> Capture:
        """Start capturing from stream time ``start`` (audio since then comes from the ring).

        ``continues``: an ended capture whose request this one goes on with (see
        :mod:`edge.turntaking.continuation`): its audio comes first, then everything since it
        ended, so both parts are transcribed as one utterance.
        """
        transcriber = self._new_transcriber(turn_id)
        speaking = trigger in ("barge_in", "vad")
        endpointer = Endpointer(self.settings.endpoint, self._time, speaking=speaking)
        capture = Capture(
            turn_id,
            trigger,
            max(start, self._ring.end_time - self._ring.capacity / self.rate),
            transcriber,
            endpointer,
            held=held,
        )
        if continues is not None:
            before = continues.audio()
            capture.started_at = continues.started_at
            capture.samples.append(before)
            transcriber.push(before, voiced=True)
            endpointer.first_voice_at = continues.endpointer.first_voice_at
            start = continues.has_until  # no gap and no overlap between the two parts
        backlog = self._ring.since(start)
        if len(backlog):
            capture.samples.append(backlog)
            transcriber.push(backlog, voiced=speaking)
        capture.has_until = self._ring.end_time
        self.capture = capture
        self._onsets.reset()
        return capture

    def end_capture(self, reason: str) -> Capture | None:
        """End the open capture now (push-to-talk release); returns it."""
        capture = self.capture
        if capture is not None:
            self._finish(capture, reason)
        return capture

    def _finish(self, capture: Capture, reason: str) -> None:
        capture.ended_at = self._time
        capture.reason = reason
        self.capture = None
        # "The technician is speaking" was last judged when the capture opened (the capture's
        # frames go to the endpointer instead): kept, it made the first silent hops after the
        # end an onset over the answer, and playback waited ~250 ms for it to be rejected.
        self._user = False
        self._onsets.reset()
        self._handler.on_capture_end(capture, reason)

    # -- per frame --------------------------------------------------------------------------------

    def _process_hop(self, block: Int16Array, played: Int16Array) -> bool:
        """Onset watch on one hop (half a VAD frame); True when it may hold the technician."""
        duration = len(block) / self.rate
        self._time += duration
        now = self._time
        self._ring.extend(block, now)
        level = dbfs(block)
        floor = self._floor.update(level, duration)
        self.guard.played(band_levels_db(played, self.guard.bands))
        if self.capture is not None:
            return True
        barging = self.turn_active and self.settings.barge_in
        if not (barging or (self.settings.open_mic and not self.turn_active)):
            self._onsets.reset()
            self._hops.clear()
            return self._user
        # While the assistant talks its voice is in the mic: only the part of the hop clearly
        # louder than the expected echo counts.
        mic = band_levels_db(block, self.guard.bands)
        not_echo = np.where(self.guard.user_bands(mic), mic, -120.0)
        audible = floor + self.settings.onset_snr_db
        self._hops.append((power_sum_db(not_echo), level, audible))
        # Sound: consonants the VAD is slow to call speech. They live above 500 Hz, while below
        # it are the nacelle's hum and the echo tails a linear canceller leaves longest. Judged
        # every hop (16 ms), not every VAD frame: the pause comes a hop sooner.
        sound = power_sum_db(not_echo[self._sound_band :]) >= audible
        match self._onsets.update(now, duration, sound, self._user):
            case Onset.ONSET:
                self._handler.on_onset(self._onsets.last_onset_at or now)
            case Onset.CONFIRMED:
                self._handler.on_onset_confirmed(self._onsets.last_onset_at or now)
            case Onset.REJECTED:
                self._handler.on_onset_rejected()
            case Onset.NONE:
                pass
        return self._user or self._onsets.active

    def _process_frame(self, frame: Int16Array) -> None:
        """Score one VAD frame: speech probability, wake word, the capture or the onset's speech."""
        prob = self._vad.speech_probability(frame.astype(np.float32) / 32768.0)
        self.last_probability = prob
        now = self._time
        if self._wake is not None:
            detection = self._wake.feed(frame, now, speaking=self.speaking)
            if detection is not None:
                self._handler.on_wake(detection[0], detection[1], now)
        capture = self.capture
        if capture is not None:
            self._hops.clear()
            self._feed_capture(capture, frame, len(frame) / self.rate, prob)
            return
        hops, self._hops = self._hops, []
        if not hops:
            self._user = prob >= self.settings.endpoint.threshold
            return
        # Speech over the answer: the VAD hears it (at a stricter threshold while the assistant
        # talks), and most of the frame's energy is neither echo nor the room.
        threshold = (
            self.settings.barge_threshold if self.speaking else self.settings.endpoint.threshold
        )
        voice = power_sum_db(np.array([h[0] for h in hops])) - 10 * math.log10(len(hops))
        level = power_sum_db(np.array([h[1] for h in hops])) - 10 * math.log10(len(hops))
        self._user = prob >= threshold and voice >= max(level - _MOSTLY_DB, hops[-1][2])

    def _feed_capture(
        self, capture: Capture, block: Int16Array, duration: float, prob: float
    ) -> None:
        # The frame's first hop may already be in the capture's pre-roll (opened mid-frame).
        fresh = min(len(block), max(0, round((self._time - capture.has_until) * self.rate)))
        new = block[len(block) - fresh :]
        capture.has_until = self._time
        if len(new):
            capture.samples.append(new)
            capture.transcriber.push(new, voiced=prob >= self.settings.endpoint.threshold)
        endpointer = capture.endpointer
        words = judge_words(capture.transcriber.settled_text)
        turn = None
        if self._turn is not None and endpointer.last_voice_at is not None:
            turn = self._turn.probability((capture.turn_id, endpointer.last_voice_at))
        decision = endpointer.update(self._time, duration, prob, words=words, turn=turn)
        if decision is Decision.PREFLIGHT:
            capture.transcriber.preflight()
            if self._turn is not None and not capture.held and endpointer.last_voice_at is not None:
                self._turn.ask((capture.turn_id, endpointer.last_voice_at), capture.samples)
        elif capture.held:
            if self._time - capture.started_at >= self.settings.ptt_max_s:
                self._finish(capture, "ptt-timeout")
        elif decision is Decision.END:
            self._finish(capture, endpointer.end_reason)
        elif decision is Decision.ABANDON:
            self._finish(capture, "no-speech")
