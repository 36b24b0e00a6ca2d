"""How far an ingest has got: events from the ingestor, shown as a bar or as log lines.

The ingestor reports :class:`Progress` (pages read, texts embedded) to a callback. On a terminal
:class:`TerminalProgress` draws a bar with a rate and an ETA (tqdm, on stderr); anywhere else
(the journal, a pipe) :class:`LogProgress` writes at most one line per interval, so a long ingest
is visible without filling the log.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TextIO

_LOGGER = logging.getLogger(__name__)

Stage = Literal["reading", "embedding"]


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of one manual's ingest."""

    manual: str
    """The file being ingested."""
    stage: Stage
    """Reading its pages, or embedding its chunks (and table rows)."""
    done: int
    """Pages read, or texts embedded, so far."""
    total: int
    """Pages, or texts, in all."""
    unit: str
    """``"pages"`` or ``"texts"``."""


ProgressCallback = Callable[[Progress], None]


def eta_s(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left at the rate so far; None before there is a rate."""
    if done <= 0 or elapsed_s <= 0 or total <= done:
        return None if done <= 0 or elapsed_s <= 0 else 0.0
    return elapsed_s * (total - done) / done


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


class LogProgress:
    """A line at most every ``interval_s`` per stage (and one when a stage completes)."""

    def __init__(
        self,
        interval_s: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        emit: Callable[[str], None] = _LOGGER.info,
    ) -> None:
        self._interval_s = interval_s
        self._clock = clock
        self._emit = emit
        self._stage: tuple[str, str] | None = None
        self._started = 0.0
        self._last = 0.0

    def __call__(self, event: Progress) -> None:
        """Log ``event`` if the interval passed or the stage is complete."""
        now = self._clock()
        if self._stage != (event.manual, event.stage):
            self._stage = (event.manual, event.stage)
            self._started = self._last = now
        complete = event.done >= event.total
        if not complete and now - self._last < self._interval_s:
            return
        self._last = now
        elapsed = now - self._started
        left = eta_s(event.done, event.total, elapsed)
        tail = "" if complete else f", about {_duration(left)} left"
        self._emit(
            f"ingest {event.manual}: {event.stage} {event.done}/{event.total} {event.unit}{tail}"
        )


class TerminalProgress:
    """A tqdm bar per stage of each manual, on ``stream`` (stderr): count, rate and ETA."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: Any = None
        self._key: tuple[str, str] | None = None

    def __call__(self, event: Progress) -> None:
        """Move the bar (a new stage or manual starts a new bar)."""
        from tqdm import tqdm

        key = (event.manual, event.stage)
        if key != self._key:
            self.close()
            self._key = key
            name = event.manual if len(event.manual) <= 30 else "..." + event.manual[-27:]
            self._bar = tqdm(
                total=event.total,
                desc=f"{name}: {event.stage}",
                unit=f" {event.unit}",
                file=self._stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.2,
            )
        self._bar.n = event.done
        self._bar.refresh() if event.done >= event.total else self._bar.update(0)

    def close(self) -> None:
        """Remove the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._key = None


def progress_for(stream: TextIO) -> LogProgress | TerminalProgress:
    """A bar when ``stream`` is a terminal, else a line on ``stream`` every 15 s at most."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return TerminalProgress(stream)
    return LogProgress(emit=lambda line: print(line, file=stream, flush=True))
