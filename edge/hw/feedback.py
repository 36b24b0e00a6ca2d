"""Status LED and buzzer on GPIO: the assistant's state as light and sound.

The patterns are data (:data:`PATTERNS`), played by one named task on the event loop, so every
backend (gpiozero, Jetson.GPIO, gpiod) shows the same thing and tests can read the mapping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from edge.aio import TaskSet
from edge.bus import EventBus, Subscription
from edge.config import FeedbackConfig
from edge.errors import EdgeError
from edge.events import AssistantState, ComponentStatus, StateChanged
from edge.hw import Emit
from edge.hw.board import BoardProfile
from edge.hw.gpio import DigitalOut, open_output

_LOGGER = logging.getLogger(__name__)

Steps = tuple[tuple[bool, int], ...]
"""(output on?, milliseconds) steps of a pattern."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """How a state looks and sounds."""

    led: Steps
    """LED steps; a single step is a steady level."""
    repeat: bool
    """Loop the LED steps until the state changes."""
    beep: Steps = ()
    """Buzzer steps played once on entering the state."""


PATTERNS: dict[AssistantState, Pattern] = {
    AssistantState.IDLE: Pattern(led=((False, 0),), repeat=False),
    # Steady light plus one short chirp: "talk now", noticeable with gloves and ear defenders.
    AssistantState.LISTENING: Pattern(led=((True, 0),), repeat=False, beep=((True, 60),)),
    AssistantState.THINKING: Pattern(led=((True, 120), (False, 120)), repeat=True),
    AssistantState.SPEAKING: Pattern(led=((True, 700), (False, 150)), repeat=True),
    AssistantState.ERROR: Pattern(
        led=((True, 60), (False, 60)),
        repeat=True,
        beep=((True, 120), (False, 80), (True, 120), (False, 80), (True, 120)),
    ),
}
"""The state -> pattern map shared by the GPIO LED (the wearable and LED ring have their own)."""


class GpioFeedback:
    """Drives the board's status LED and buzzer from ``StateChanged`` events on the bus.

    Construct with ``GpioFeedback(config.feedback, board, bus, bus.publish)``; ``await start()``.
    """

    name = "feedback-gpio"

    def __init__(
        self,
        config: FeedbackConfig,
        board: BoardProfile,
        bus: EventBus,
        emit: Emit,
        *,
        opener: Callable[..., DigitalOut] = open_output,
    ) -> None:
        self._config = config
        self._board = board
        self._bus = bus
        self._emit = emit
        self._opener = opener
        self._led: DigitalOut | None = None
        self._buzzer: DigitalOut | None = None
        self._sub: Subscription | None = None
        self._tasks = TaskSet(self.name)
        self._led_task: asyncio.Task[None] | None = None
        self._beep_task: asyncio.Task[None] | None = None
        self.state = AssistantState.IDLE
        """The state now shown."""

    async def start(self) -> None:
        """Open the LED/buzzer pins the profile has and follow the assistant's state."""
        gpio = self._board.gpio
        if not self._board.has_gpio:
            return
        try:
            if self._config.led and gpio.led_pin is not None:
                self._led = self._opener(gpio, gpio.led_pin)
            if self._config.buzzer and gpio.buzzer_pin is not None:
                self._buzzer = self._opener(gpio, gpio.buzzer_pin)
        except EdgeError as err:  # every library failure arrives as a GpioError (edge.hw.gpio)
            self._emit(ComponentStatus(self.name, False, err.message, err.fix or ""))
        if self._led is None and self._buzzer is None:
            return
        self._sub = self._bus.subscribe(self.name, StateChanged, size=16)
        self._tasks.spawn(self._follow(self._sub), "follow")

    async def stop(self) -> None:
        """Stop following, turn everything off, release the pins."""
        if self._sub is not None:
            self._sub.close()
            self._sub = None
        await self._tasks.close()
        for out in (self._led, self._buzzer):
            if out is not None:
                with contextlib.suppress(Exception):  # a pin already gone must not block stop
                    out.close()
        self._led = self._buzzer = None

    def show(self, state: AssistantState) -> None:
        """Switch to ``state``'s pattern now (also used directly by tests and ``edge devices``)."""
        self.state = state
        pattern = PATTERNS[state]
        for task in (self._led_task, self._beep_task):
            if task is not None:
                task.cancel()
        self._led_task = self._beep_task = None
        if self._led is not None:
            self._led_task = self._tasks.spawn(
                _play(self._led, pattern.led, pattern.repeat), f"led-{state}"
            )
        if self._buzzer is not None:
            self._buzzer.set(False)
            if pattern.beep:
                self._beep_task = self._tasks.spawn(
                    _play(self._buzzer, pattern.beep, False), f"beep-{state}"
                )

    async def _follow(self, sub: Subscription) -> None:
        async for event in sub:
            self.show(event.new)


async def _play(out: DigitalOut, steps: Steps, repeat: bool) -> None:
    """Play ``steps`` on ``out`` once, or until cancelled; a blinking output ends off."""
    try:
        while True:
            for on, ms in steps:
                out.set(on)
                if ms:
                    await asyncio.sleep(ms / 1000)
            if not repeat:
                if len(steps) > 1 or steps[-1][1]:
                    out.set(False)
                return
    except asyncio.CancelledError:
        out.set(False)
        raise
