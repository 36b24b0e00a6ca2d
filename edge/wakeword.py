"""When a wake word score counts as the wake word: threshold, patience, refractory period, echo.

Pure decision logic: the caller (the listener) feeds each chunk's scores with its stream time and
whether the assistant is speaking; nothing here reads a clock or touches audio.

Rules, in order:
1. While the device speaks and echo cancellation is not active, the wake word is ignored: the
   assistant's own voice ("... ask Jarvis ...") must not wake it, and without AEC the mic hears it.
2. Within ``refractory_s`` of stream time after a detection, nothing is detected (the phrase
   stays in the model's window for ~1.5 s and would fire again).
3. A wake word is detected when its score is at least ``threshold`` on ``patience`` consecutive
   chunks; a single chunk below the threshold starts the count again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from edge.events import WakeDetected


@dataclass(frozen=True, slots=True)
class WakeGateSettings:
    """How strict the wake word decision is."""

    threshold: float = 0.5
    """Score (0..1) a chunk needs to count."""
    patience: int = 2
    """Consecutive 80 ms chunks at or above the threshold."""
    refractory_s: float = 2.0
    """Stream seconds after a detection during which nothing is detected."""

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"wake threshold {self.threshold} is outside (0, 1]")
        if self.patience < 1:
            raise ValueError(f"wake patience {self.patience} must be at least 1")
        if self.refractory_s < 0:
            raise ValueError(f"wake refractory period {self.refractory_s} s is negative")


class WakeGate:
    """Turns per-chunk scores into at most one :class:`WakeDetected` per utterance."""

    def __init__(self, settings: WakeGateSettings | None = None) -> None:
        self.settings = settings or WakeGateSettings()
        self._streak: dict[str, int] = {}
        self._peak: dict[str, float] = {}
        self._last_detection: float | None = None
        self.suppressed_by_echo = 0
        """Chunks with a score over the threshold that were ignored while the device spoke."""

    def update(
        self,
        scores: Mapping[str, float],
        stream_time: float,
        *,
        speaking: bool = False,
        echo_cancelled: bool = False,
    ) -> WakeDetected | None:
        """Account for one chunk; return a detection when the rules above say so.

        Args:
            scores: score per wake word for this chunk (``WakeEngine.scores``).
            stream_time: stream time of the end of this chunk (s).
            speaking: True while the assistant's voice is playing.
            echo_cancelled: True when that voice is removed from the mic (hardware or software
                AEC active), so a wake word over it is the technician's.
        """
        threshold = self.settings.threshold
        if speaking and not echo_cancelled:
            if any(s >= threshold for s in scores.values()):
                self.suppressed_by_echo += 1
            self._clear()
            return None
        if self.in_refractory(stream_time):
            self._clear()
            return None
        best: WakeDetected | None = None
        for name, score in scores.items():
            if score >= threshold:
                self._streak[name] = self._streak.get(name, 0) + 1
                self._peak[name] = max(self._peak.get(name, 0.0), score)
            else:
                self._streak.pop(name, None)
                self._peak.pop(name, None)
                continue
            if self._streak[name] >= self.settings.patience:
                peak = self._peak[name]
                if best is None or peak > best.score:
                    best = WakeDetected(name=name, score=peak, stream_time=stream_time)
        if best is not None:
            self._last_detection = stream_time
            self._clear()
        return best

    def in_refractory(self, stream_time: float) -> bool:
        """True while a recent detection blocks new ones."""
        last = self._last_detection
        return last is not None and stream_time - last < self.settings.refractory_s

    def reset(self) -> None:
        """Forget streaks and the last detection (a new stream starts)."""
        self._clear()
        self._last_detection = None

    def _clear(self) -> None:
        self._streak.clear()
        self._peak.clear()
