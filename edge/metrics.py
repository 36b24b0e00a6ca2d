"""Per-turn stage timings: the latency budget, made visible.

A :class:`TurnTimer` collects monotonic-clock marks during one turn; :meth:`TurnTimer.stages`
turns them into the budget's stages. :class:`Metrics` keeps the last turns for MQTT telemetry,
``edge run`` summaries and the benchmarks, and logs one line per turn.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

_LOGGER = logging.getLogger(__name__)

STAGES: Final = {
    "vad_hangover": ("speech_end", "endpoint"),
    "stt_final": ("endpoint", "stt_final"),
    "route": ("stt_final", "routed"),
    "llm_first_token": ("llm_start", "llm_first_token"),
    "llm_done": ("llm_start", "llm_done"),
    "tool": ("tool_start", "tool_end"),
    "tts_first_audio": ("tts_start", "tts_first_audio"),
    "endpoint_to_first_audio": ("endpoint", "first_audio"),
    "speech_end_to_first_audio": ("speech_end", "first_audio"),
    "speech_end_to_first_answer_audio": ("speech_end", "first_answer_audio"),
    "endpoint_to_first_answer_audio": ("endpoint", "first_answer_audio"),
    "barge_in_reaction": ("barge_in_onset", "playback_stopped"),
    "total": ("endpoint", "done"),
}
"""Stage name -> (start mark, end mark). ``endpoint`` is PTT release or the VAD's end decision."""


@dataclass
class TurnTimer:
    """Marks (monotonic seconds) taken during one turn."""

    turn_id: int
    trigger: str = ""
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, at: float | None = None, *, first: bool = True) -> None:
        """Record ``name`` at ``at`` (default: now); with ``first`` keep the earliest value."""
        if first and name in self.marks:
            return
        self.marks[name] = time.monotonic() if at is None else at

    def stages(self) -> dict[str, float]:
        """Seconds per stage, for the stages whose two marks were both taken."""
        out = {}
        for stage, (start, end) in STAGES.items():
            if start in self.marks and end in self.marks:
                out[stage] = round(self.marks[end] - self.marks[start], 4)
        return out


class Metrics:
    """Recent turns' stage timings, readable by telemetry and benchmarks."""

    def __init__(self, keep: int = 200) -> None:
        self._turns: collections.deque[tuple[int, str, dict[str, float]]] = collections.deque(
            maxlen=keep
        )
        self.counters: dict[str, int] = collections.defaultdict(int)
        """Event counts: turns, barge_ins, cache_hits, errors ..."""

    def record(self, timer: TurnTimer) -> dict[str, float]:
        """Store a finished turn and log its budget."""
        stages = timer.stages()
        self._turns.append((timer.turn_id, timer.trigger, stages))
        self.counters["turns"] += 1
        _LOGGER.info(
            "Turn %d (%s) timings: %s",
            timer.turn_id,
            timer.trigger,
            ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in stages.items()),
        )
        return stages

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to counter ``name``."""
        self.counters[name] += n

    def turns(self) -> list[tuple[int, str, dict[str, float]]]:
        """Recorded turns, oldest first: (turn id, trigger, stage seconds)."""
        return list(self._turns)

    def summary(self) -> dict[str, Mapping[str, float | int]]:
        """p50/p95/count per stage over the recorded turns (seconds)."""
        values: dict[str, list[float]] = collections.defaultdict(list)
        for _, _, stages in self._turns:
            for stage, seconds in stages.items():
                values[stage].append(seconds)
        return {
            stage: {
                "p50": float(np.percentile(v, 50)),
                "p95": float(np.percentile(v, 95)),
                "n": len(v),
            }
            for stage, v in values.items()
        }

    def snapshot(self) -> dict[str, object]:
        """Counters and stage summary, JSON-ready (for telemetry)."""
        return {"counters": dict(self.counters), "stages": self.summary()}
