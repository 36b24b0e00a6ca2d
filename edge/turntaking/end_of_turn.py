"""The end-of-turn model, asked once per pause, off the event loop.

At a pause the listener hands the utterance so far to :class:`TurnJudge`; the model runs on its
own engine thread (tens of ms, too long for the loop that paces capture) and its verdict is kept
for that pause only: speech that resumes makes it stale, and the next pause asks again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from edge.aio import EngineThread, TaskSet
from edge.engines.base import TurnEngine
from edge.events import Int16Array

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TurnVerdict:
    """The model's answer for one pause."""

    key: tuple[int, float]
    """(turn id, stream time the speech before the pause ended)."""
    probability: float
    """Probability that the turn is over."""
    seconds: float
    """Wall time the model took."""


class TurnJudge:
    """Runs a :class:`~edge.engines.base.TurnEngine` for the pauses of the current capture."""

    def __init__(self, engine: TurnEngine, thread: EngineThread) -> None:
        self._engine = engine
        self._thread = thread
        self._tasks = TaskSet("turn")
        self._asked: tuple[int, float] | None = None
        self.latest: TurnVerdict | None = None
        """The newest verdict (for any pause)."""
        self.rate = engine.rate

    def ask(self, key: tuple[int, float], chunks: list[Int16Array]) -> None:
        """Judge the utterance made of ``chunks`` at the pause ``key`` (once per key)."""
        if key == self._asked:
            return
        self._asked = key
        keep = int(self._engine.max_seconds * self.rate)
        tail: list[Int16Array] = []
        length = 0
        for chunk in reversed(chunks):  # only the end matters: copy no more than the model reads
            tail.append(chunk)
            length += len(chunk)
            if length >= keep:
                break
        self._tasks.spawn(self._judge(key, tail[::-1]), name=f"judge:{key[0]}")

    def probability(self, key: tuple[int, float]) -> float | None:
        """The verdict for the pause ``key``, when it is in."""
        latest = self.latest
        return latest.probability if latest is not None and latest.key == key else None

    async def _judge(self, key: tuple[int, float], chunks: list[Int16Array]) -> None:
        def run() -> tuple[float, float]:
            started = time.perf_counter()
            audio = np.concatenate(chunks).astype(np.float32) / 32768.0
            return self._engine.end_probability(audio), time.perf_counter() - started

        probability, seconds = await self._thread.run(run)
        self.latest = TurnVerdict(key, probability, seconds)
        _LOGGER.debug("End of turn %d: p=%.2f in %.0f ms", key[0], probability, seconds * 1000)

    async def close(self) -> None:
        """Stop waiting for verdicts in flight."""
        await self._tasks.close()
