"""Telling the technician's voice from the assistant's own echo, and when to interrupt. Pure logic.

:class:`EchoGuard` learns how loud the assistant's own voice comes back into the microphone (after
any echo cancellation) relative to what is being played, and only lets through frames clearly
louder than that. It learns from frames it judged to be echo, so the technician's speech never
teaches it; until it has heard the room it assumes the echo is as loud as the playback.

:class:`OnsetDetector` turns per-frame verdicts into three moments: *onset* (pause playback at
once, well inside 100 ms), *confirmed* (interrupt the turn) and *rejected* (resume playback).
"""

from __future__ import annotations

import collections
import enum
import math
from dataclasses import dataclass
from typing import Final

import numpy as np

_FRAME_S: Final = 0.032
"""The frame length the guard's settings are written for (s)."""


@dataclass(frozen=True, slots=True)
class EchoGuardSettings:
    """Echo guard tuning (levels in dB)."""

    margin_db: float = 6.0
    """How much louder than its expected echo a band must be to count as the technician."""
    prior_gain_db: float = 0.0
    """Assumed echo level relative to playback before any has been measured."""
    playing_floor_db: float = -65.0
    """Playback quieter than this in a band (dBFS) is silence there: nothing to guard against."""
    min_gain_db: float = -30.0
    """The most echo reduction the guard believes in. Cancellers do better on average, but not
    on the transients where a false barge-in starts (a loud syllable after a pause)."""
    tail_frames: int = 7
    """32 ms frames (~0.2 s) a band's playback still counts as heard: the echo path's delay plus
    the loud part of the reverberation. Longer tails make barge-in slower to accept a voice."""
    learn_down: float = 0.01
    """Smoothing per 32 ms when the echo gets quieter (e.g. as the canceller converges)."""
    learn_up: float = 0.5
    """Smoothing per 32 ms when the echo gets louder (react fast: false barge-ins are costly)."""


class EchoGuard:
    """Finds the part of a mic frame that cannot be the assistant's echo, band by band.

    Each frequency band learns how loud the echo comes back relative to what was played in that
    band (after any echo cancellation). Comparing bands, not whole frames, is what tells the
    technician from the echo: residual echo sits where the answer has energy, while their "s" or
    "t" lands where the answer, at that moment, has little.
    """

    def __init__(
        self, settings: EchoGuardSettings | None = None, bands: int = 16, frame_s: float = _FRAME_S
    ) -> None:
        """Create a guard for frames of ``frame_s`` seconds (settings are per 32 ms)."""
        self.settings = settings or EchoGuardSettings()
        self.bands = bands
        self.echo_gain_db = np.full(bands, float(self.settings.prior_gain_db))
        """Per band: mic level minus playback level for pure echo (dB)."""
        scale = frame_s / _FRAME_S
        self._played: collections.deque[np.ndarray] = collections.deque(
            maxlen=max(1, math.ceil(self.settings.tail_frames / scale - 1e-9))
        )
        self._learn_up = 1.0 - (1.0 - self.settings.learn_up) ** scale
        self._learn_down = 1.0 - (1.0 - self.settings.learn_down) ** scale

    def played(self, played_db: np.ndarray) -> None:
        """Band levels of what the speaker played during the latest frame (call every frame)."""
        self._played.append(played_db)

    def user_bands(self, mic_db: np.ndarray) -> np.ndarray:
        """Which bands of the latest mic frame are clearly louder than their expected echo.

        ``mic_db`` holds the frame's band levels (see :func:`edge.audio.pcm.band_levels_db`).
        Bands judged echo teach the guard their level; the caller should still ask the VAD
        whether what is left is speech.
        """
        if not self._played:
            return np.ones(self.bands, dtype=bool)
        playing = np.max(self._played, axis=0)
        quiet = playing < self.settings.playing_floor_db
        gain = mic_db - playing
        user: np.ndarray = quiet | (gain > self.echo_gain_db + self.settings.margin_db)
        learn = ~user
        rate = np.where(gain > self.echo_gain_db, self._learn_up, self._learn_down)
        self.echo_gain_db[learn] += rate[learn] * (gain[learn] - self.echo_gain_db[learn])
        np.maximum(self.echo_gain_db, self.settings.min_gain_db, out=self.echo_gain_db)
        return user


class NoiseFloor:
    """The level of the room when nobody talks: follows quiet frames at once, loud ones slowly."""

    def __init__(self, rise_db_per_s: float = 2.0, initial_db: float = -60.0) -> None:
        self.level_db = initial_db
        self._rise = rise_db_per_s

    def update(self, frame_db: float, duration: float) -> float:
        """Account for one frame; returns the floor before it (so a loud frame is judged fairly)."""
        floor = self.level_db
        self.level_db = min(frame_db, floor + self._rise * duration)
        return floor


class Onset(enum.Enum):
    """What an onset detector's frame means."""

    NONE = "none"
    ONSET = "onset"
    """Sound that is not the assistant began: pause playback now."""
    CONFIRMED = "confirmed"
    """Enough speech: interrupt the turn."""
    REJECTED = "rejected"
    """No speech followed soon enough: resume playback."""


@dataclass(frozen=True, slots=True)
class OnsetSettings:
    """Durations (s) for onset, confirmation and rejection."""

    onset_s: float = 0.032
    """Sound (speech, or clearly above the noise floor) needed to pause playback."""
    confirm_s: float = 0.25
    """Speech (by the VAD) needed after an onset to interrupt the turn."""
    resume_s: float = 0.3
    """No speech for this long after an onset resumes playback."""


class OnsetDetector:
    """Sound makes an onset; speech confirms it; a lack of speech rejects it.

    Onsets are judged on any sound that is not echo, not only on what the VAD calls speech:
    words like "stop" open with a fricative the VAD scores low for ~100 ms, and a pause is
    cheap to undo, while a late one is what the technician notices.
    """

    def __init__(self, settings: OnsetSettings) -> None:
        self.settings = settings
        self.onset_at: float | None = None
        """Stream time the current candidate's sound began (None when there is none)."""
        self.last_onset_at: float | None = None
        """Stream time the latest candidate began (kept after it is confirmed or rejected)."""
        self._run = 0.0
        self._run_start = 0.0
        self._speech = 0.0
        self._quiet = 0.0
        """Time since the last speech frame of the candidate (or since it began)."""

    @property
    def active(self) -> bool:
        """True between an onset and its confirmation or rejection."""
        return self.onset_at is not None

    def update(self, now: float, duration: float, sound: bool, speech: bool) -> Onset:
        """Account for one frame ending at stream time ``now``.

        Args:
            now: stream time at the end of the frame.
            duration: frame length (s).
            sound: the frame holds sound that is not the assistant's echo.
            speech: the frame holds speech that is not the assistant's echo (implies ``sound``).
        """
        if self.onset_at is None:
            if not (sound or speech):
                self.reset()
                return Onset.NONE
            if self._run == 0.0:
                self._run_start = now - duration
            self._run += duration
            self._count(duration, speech)
            if self._run + 1e-9 >= self.settings.onset_s:
                self.onset_at = self.last_onset_at = self._run_start
                return Onset.ONSET
            return Onset.NONE
        self._count(duration, speech)
        if self._speech + 1e-9 >= self.settings.confirm_s:
            self.reset()
            return Onset.CONFIRMED
        if self._quiet + 1e-9 >= self.settings.resume_s:
            self.reset()
            return Onset.REJECTED
        return Onset.NONE

    def _count(self, duration: float, speech: bool) -> None:
        if speech:
            self._speech += duration
            self._quiet = 0.0
        else:
            self._quiet += duration

    def reset(self) -> None:
        """Forget any candidate."""
        self._run = 0.0
        self._speech = 0.0
        self._quiet = 0.0
        self.onset_at = None
