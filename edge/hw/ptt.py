"""Push-to-talk: pure press/release logic, and the GPIO button that feeds it.

:class:`PttLogic` is pure (time is an argument). It turns raw button levels into ``PttPressed`` /
``PttReleased`` events:

- Debounce by leading-edge lockout: the first edge is accepted at once (a press starts listening
  with no added delay); edges within ``bounce_s`` after it are ignored, and when the lockout ends
  the caller re-reads the pin (:meth:`PttLogic.settle`) so a missed final edge is never lost.
- ``hold`` mode: talk while held. ``toggle`` mode: a tap starts, the next tap ends; a press held
  at least ``hold_s`` ends on release, like hold mode.
- A turn held longer than ``max_hold_s`` is released with ``reason="timeout"`` (a lost release).

:class:`GpioPtt` wires a pin (``edge.hw.gpio``) to the logic on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Literal

from edge.config import PttConfig
from edge.errors import EdgeError
from edge.events import ComponentStatus, PttPressed, PttReleased
from edge.hw import Emit
from edge.hw.board import BoardProfile
from edge.hw.gpio import DigitalIn, OnChange, open_input

_LOGGER = logging.getLogger(__name__)

PttEvent = PttPressed | PttReleased


class PttLogic:
    """Debounced, mode-aware PTT state for one button (pure; time passed in, seconds)."""

    def __init__(
        self,
        source: str,
        *,
        mode: Literal["hold", "toggle"] = "hold",
        bounce_s: float = 0.03,
        hold_s: float = 0.4,
        max_hold_s: float = 60.0,
    ) -> None:
        self.source = source
        self.mode = mode
        self.bounce_s = bounce_s
        self.hold_s = hold_s
        self.max_hold_s = max_hold_s
        self._level = False
        self._locked_until = float("-inf")
        self._needs_settle = False
        self._down_at: float | None = None
        self._swallow_up = False
        self.talking_since: float | None = None
        """Clock time the current turn's press was accepted; None when not talking."""

    @property
    def talking(self) -> bool:
        """True between a press event and its release event."""
        return self.talking_since is not None

    @property
    def settle_due(self) -> float | None:
        """When the caller should call :meth:`settle` (edges were ignored during a lockout)."""
        return self._locked_until if self._needs_settle else None

    @property
    def timeout_due(self) -> float | None:
        """When the caller should call :meth:`expire`."""
        return None if self.talking_since is None else self.talking_since + self.max_hold_s

    def edge(self, pressed: bool, at: float) -> list[PttEvent]:
        """A raw edge to level ``pressed`` at ``at``."""
        if pressed == self._level:
            return []
        if at < self._locked_until:
            self._needs_settle = True
            return []
        return self._accept(pressed, at)

    def settle(self, pressed: bool, at: float) -> list[PttEvent]:
        """The level read after a lockout; accept it if it differs from the accepted one."""
        self._needs_settle = False
        if pressed == self._level:
            return []
        return self._accept(pressed, at)

    def expire(self, at: float) -> list[PttEvent]:
        """Release a turn held longer than ``max_hold_s``."""
        due = self.timeout_due
        if due is None or at < due:
            return []
        self._swallow_up = self._level  # the eventual real release must not act again
        return [self._release(at, "timeout")]

    def force_release(self, at: float, reason: str) -> list[PttEvent]:
        """End an active turn because the button can no longer be trusted (link lost)."""
        self._level = False
        self._down_at = None
        self._swallow_up = False
        self._needs_settle = False
        return [self._release(at, reason)] if self.talking else []

    def _accept(self, pressed: bool, at: float) -> list[PttEvent]:
        self._level = pressed
        self._locked_until = at + self.bounce_s
        return self._down(at) if pressed else self._up(at)

    def _down(self, at: float) -> list[PttEvent]:
        self._down_at = at
        if self.talking:
            # Toggle mode's second tap, or a press after a timeout: the press ends the turn.
            self._swallow_up = True
            return [self._release(at, "released")]
        self._swallow_up = False
        self.talking_since = at
        return [PttPressed(self.source, at)]

    def _up(self, at: float) -> list[PttEvent]:
        down_at, self._down_at = self._down_at, None
        if self._swallow_up or not self.talking:
            self._swallow_up = False
            return []
        if self.mode == "toggle" and down_at is not None and at - down_at < self.hold_s:
            return []  # a tap: keep listening until the next tap
        return [self._release(at, "released")]

    def _release(self, at: float, reason: str) -> PttReleased:
        self.talking_since = None
        return PttReleased(self.source, at, reason)


class GpioPtt:
    """The push-to-talk button on a GPIO pin of the board profile.

    Construct with ``GpioPtt(config.ptt, board, bus.publish, max_hold_s=config.endpoint.ptt_max_s)``
    and ``await start()`` on the event loop. Emits ``PttPressed``/``PttReleased(source="gpio")``
    and a ``ComponentStatus("ptt-gpio", ...)``.
    """

    name = "ptt-gpio"

    def __init__(
        self,
        config: PttConfig,
        board: BoardProfile,
        emit: Emit,
        *,
        max_hold_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        opener: Callable[..., DigitalIn] = open_input,
    ) -> None:
        self._config = config
        self._board = board
        self._emit = emit
        self._clock = clock
        self._opener = opener
        self.logic = PttLogic(
            "gpio",
            mode=config.mode,
            bounce_s=config.bounce_ms / 1000,
            hold_s=config.hold_ms / 1000,
            max_hold_s=max_hold_s,
        )
        self._input: DigitalIn | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}

    @property
    def pin(self) -> int | None:
        """The input pin: the config override, else the board profile's."""
        return self._config.pin if self._config.pin is not None else self._board.gpio.ptt_pin

    async def start(self) -> None:
        """Open the pin; report (not raise) when it cannot be opened."""
        self._loop = asyncio.get_running_loop()
        pin = self.pin
        if pin is None or not self._board.has_gpio:
            detail = f"board {self._board.name} has no PTT pin"
            self._emit(ComponentStatus(self.name, False, detail))
            return
        on_change: OnChange = self._from_thread
        try:
            self._input = self._opener(self._board.gpio, pin, on_change)
        except EdgeError as err:  # every library failure arrives as a GpioError (edge.hw.gpio)
            # Reported, not raised: the daemon logs it (edge.component_log) and runs without PTT.
            self._emit(ComponentStatus(self.name, False, err.message, err.fix or ""))
            return
        self._emit(ComponentStatus(self.name, True, f"pin {pin} ({self._board.gpio.backend})"))

    async def stop(self) -> None:
        """Release the pin; an active turn ends with ``reason="stopped"``."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._input is not None:
            self._input.close()
            self._input = None
        self._publish(self.logic.force_release(self._clock(), "stopped"))

    def _from_thread(self, pressed: bool) -> None:
        # Library thread: timestamp now, hand off, nothing else.
        at = self._clock()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_edge, pressed, at)

    def _on_edge(self, pressed: bool, at: float) -> None:
        self._publish(self.logic.edge(pressed, at))

    def _settle(self) -> None:
        self._timers.pop("settle", None)
        if self._input is not None:
            self._publish(self.logic.settle(self._input.read(), self._clock()))

    def _expire(self) -> None:
        self._timers.pop("expire", None)
        self._publish(self.logic.expire(self._clock()))

    def _publish(self, events: list[PttEvent]) -> None:
        for event in events:
            self._emit(event)
        self._schedule("settle", self.logic.settle_due, self._settle)
        self._schedule("expire", self.logic.timeout_due, self._expire)

    def _schedule(self, key: str, due: float | None, callback: Callable[[], None]) -> None:
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        if due is not None and self._loop is not None and self._input is not None:
            delay = max(0.0, due - self._clock())
            self._timers[key] = self._loop.call_later(delay, callback)
