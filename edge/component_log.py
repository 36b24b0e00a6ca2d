"""Every part's health reaches the terminal and the journal: a broken part is never silent.

The daemon's parts (microphone, speaker, push-to-talk pin, status LED, wearable, mic array, wake
word) report their health as ``ComponentStatus`` on the bus and keep retrying by themselves. Before
this log, only systemd's STATUS line said why ``edge run`` sat silent without a microphone.

:class:`ComponentNotes` (pure: time is an argument) decides what to write: a part that fails is
logged at ERROR with what to do; one that comes back at WARNING (both show at the default log
level); a part that stays broken is named again every ``remind_s`` seconds, so someone who opens
the terminal or ``journalctl`` later still finds it. :class:`ComponentLog` runs it on the bus.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from edge.bus import EventBus
from edge.events import ComponentStatus

_LOGGER = logging.getLogger("edge.parts")

REMIND_S = 60.0
"""A part still broken is named again this often (s)."""

FIXES = {
    "mic": "connect the microphone or set audio.input_device (`edge devices` lists them); "
    "edge keeps trying it and still delivers incidents meanwhile",
    "speaker": "connect the speaker or set audio.output_device (`edge devices` lists them)",
    "ptt-gpio": "run `edge doctor`; the wake word and the wearable still start turns",
    "feedback-gpio": "run `edge doctor`; only the status LED and buzzer are off",
    "wake": "check wake.options (`edge doctor` lists the wake models); push-to-talk still works",
    "wearable": "check the wearable's cable and battery, and wearable.url",
    "mic-array": "check the mic array's USB cable (`edge devices`)",
    "broker": "check [report] (`edge doctor` tests the broker), then restart edge",
}
"""What to do about a part that is down (the part's own detail says what happened)."""


@dataclass(frozen=True, slots=True)
class Note:
    """One line for the log."""

    level: int
    text: str


@dataclass
class _Down:
    detail: str
    since: float
    reminded: float


class ComponentNotes:
    """What to log about parts' health reports (pure; ``now`` in seconds, any clock)."""

    def __init__(self, remind_s: float = REMIND_S) -> None:
        self.remind_s = remind_s
        self._down: dict[str, _Down] = {}

    @property
    def down(self) -> dict[str, str]:
        """Parts broken now, with their latest detail."""
        return {name: state.detail for name, state in self._down.items()}

    def seen(self, event: ComponentStatus, now: float) -> Note | None:
        """A part reported its health; the line to log, or None when nothing changed."""
        state = self._down.get(event.component)
        if event.ok:
            if state is None:
                return None
            del self._down[event.component]
            return Note(
                logging.WARNING,
                f"{event.component} is back after {now - state.since:.0f} s: {event.detail}",
            )
        if state is not None and state.detail == event.detail:
            return None
        if state is None:
            self._down[event.component] = _Down(event.detail, now, now)
        else:
            state.detail, state.reminded = event.detail, now
        fix = event.fix or FIXES.get(event.component)  # the part's own fix is more precise
        text = f"{event.component} unavailable: {event.detail}"
        return Note(logging.ERROR, f"{text} (fix: {fix})" if fix else text)

    def reminders(self, now: float) -> list[Note]:
        """Lines for parts that stayed broken for another ``remind_s``."""
        notes = []
        for name, state in self._down.items():
            if now - state.reminded >= self.remind_s:
                state.reminded = now
                notes.append(
                    Note(
                        logging.ERROR,
                        f"{name} still unavailable after {now - state.since:.0f} s: {state.detail}",
                    )
                )
        return notes

    def next_reminder(self, now: float) -> float | None:
        """Seconds until the next reminder is due (None when every part is fine)."""
        if not self._down:
            return None
        return max(0.0, min(s.reminded + self.remind_s for s in self._down.values()) - now)


class ComponentLog:
    """Logs the bus's ``ComponentStatus`` reports; ``await run()`` as one of the daemon's tasks."""

    def __init__(
        self,
        bus: EventBus,
        *,
        remind_s: float = REMIND_S,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger = _LOGGER,
    ) -> None:
        self.notes = ComponentNotes(remind_s)
        self._clock = clock
        self._logger = logger
        # Subscribed at once, so reports made before the task first runs are not missed.
        self._sub = bus.subscribe("component-log", ComponentStatus, size=256)

    async def run(self) -> None:
        """Log until cancelled."""
        try:
            while True:
                wait = self.notes.next_reminder(self._clock())
                try:
                    event = await asyncio.wait_for(self._sub.get(), wait)
                except TimeoutError:
                    event = None
                now = self._clock()
                if event is not None:
                    self._write(self.notes.seen(event, now))
                for note in self.notes.reminders(now):
                    self._write(note)
        finally:
            self._sub.close()

    def _write(self, note: Note | None) -> None:
        if note is not None:
            self._logger.log(note.level, "%s", note.text)
