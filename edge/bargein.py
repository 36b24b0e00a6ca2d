"""Telling the technician's voice from the assistant's own echo, and when to interrupt. Pure logic.

:class:`EchoGuard` learns how loud the assistant's own voice comes back into the microphone (after
any echo cancellation) relative to what is being played, and only lets through frames clearly
louder than that. It learns from frames it judged to be echo, so the technician's speech never
teaches it; until it has heard the room it assumes the echo is as loud as the playback.

:class:`OnsetDetector` turns per-frame verdicts into three moments: *onset* (pause playback at
once, well inside 100 ms), *confirmed* (interrupt the turn) and *rejected* (resume playback).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EchoGuardSettings:
    """Echo guard tuning (levels in dB)."""

    margin_db: float = 6.0
    """How much louder than the expected echo a frame must be to count as the technician."""
    prior_gain_db: float = 0.0
    """Assumed echo level relative to playback before any has been measured."""
    playing_floor_db: float = -55.0
    """Playback quieter than this (dBFS) counts as silence: nothing to guard against."""
    learn_down: float = 0.03
    """Per-frame smoothing when the echo gets quieter (e.g. as AEC converges)."""
    learn_up: float = 0.5
    """Per-frame smoothing when the echo gets louder (react fast: false barge-ins are costly)."""


class EchoGuard:
    """Decides whether a loud mic frame during playback can be the technician and not echo."""

    def __init__(self, settings: EchoGuardSettings | None = None) -> None:
        self.settings = settings or EchoGuardSettings()
        self.echo_gain_db = self.settings.prior_gain_db
        """Current estimate of mic level minus playback level for pure echo (dB)."""
        self.frames_learned = 0

    def is_user(self, mic_db: float, playback_db: float) -> bool:
        """True when a frame at ``mic_db`` may hold the technician's voice over ``playback_db``.

        The caller should still check the VAD; this only rules out echo.
        """
        if playback_db < self.settings.playing_floor_db:
            return True
        user = mic_db > playback_db + self.echo_gain_db + self.settings.margin_db
        if not user:
            self._learn(mic_db - playback_db)
        return user

    def _learn(self, gain_db: float) -> None:
        rate = self.settings.learn_up if gain_db > self.echo_gain_db else self.settings.learn_down
        self.echo_gain_db += rate * (gain_db - self.echo_gain_db)
        self.frames_learned += 1


class Onset(enum.Enum):
    """What an onset detector's frame means."""

    NONE = "none"
    ONSET = "onset"
    """Speech began: pause playback now."""
    CONFIRMED = "confirmed"
    """Enough speech: interrupt the turn."""
    REJECTED = "rejected"
    """It stopped too soon: resume playback."""


@dataclass(frozen=True, slots=True)
class OnsetSettings:
    """Durations (s) for onset, confirmation and rejection."""

    onset_s: float = 0.064
    confirm_s: float = 0.25
    resume_s: float = 0.5


class OnsetDetector:
    """Consecutive speech frames make an onset; more speech confirms it; silence rejects it."""

    def __init__(self, settings: OnsetSettings) -> None:
        self.settings = settings
        self.onset_at: float | None = None
        """Stream time the current candidate's speech began (None when there is none)."""
        self.last_onset_at: float | None = None
        """Stream time the latest candidate began (kept after it is confirmed or rejected)."""
        self._run = 0.0
        self._speech = 0.0
        self._silence = 0.0
        self._run_start = 0.0

    @property
    def active(self) -> bool:
        """True between an onset and its confirmation or rejection."""
        return self.onset_at is not None

    def update(self, now: float, duration: float, speech: bool) -> Onset:
        """Account for one frame ending at stream time ``now``."""
        if self.onset_at is None:
            if not speech:
                self._run = 0.0
                return Onset.NONE
            if self._run == 0.0:
                self._run_start = now - duration
            self._run += duration
            if self._run + 1e-9 >= self.settings.onset_s:
                self.onset_at = self.last_onset_at = self._run_start
                self._speech, self._silence = self._run, 0.0
                return Onset.ONSET
            return Onset.NONE
        if speech:
            self._speech += duration
            self._silence = 0.0
            if self._speech + 1e-9 >= self.settings.confirm_s:
                self.reset()
                return Onset.CONFIRMED
            return Onset.NONE
        self._silence += duration
        if self._silence + 1e-9 >= self.settings.resume_s:
            self.reset()
            return Onset.REJECTED
        return Onset.NONE

    def reset(self) -> None:
        """Forget any candidate."""
        self._run = 0.0
        self._speech = 0.0
        self._silence = 0.0
        self.onset_at = None
