"""Push-to-talk: the pure logic, then a real gpiozero button on MockFactory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from edge.config import PttConfig
from edge.events import ComponentStatus, PttPressed, PttReleased
from edge.hw.board import load_board
from edge.hw.ptt import GpioPtt, PttLogic

pytestmark = pytest.mark.unit


def kinds(events: list[Any]) -> list[str]:
    return [
        "down" if isinstance(e, PttPressed) else f"up:{e.reason}"
        for e in events
        if isinstance(e, (PttPressed, PttReleased))
    ]


def test_hold_mode_press_and_release() -> None:
    logic = PttLogic("gpio", bounce_s=0.03)
    assert kinds(logic.edge(True, 1.0)) == ["down"]
    assert logic.talking
    assert kinds(logic.edge(False, 2.0)) == ["up:released"]
    assert not logic.talking


def test_bounce_is_ignored_and_settled_from_the_pin() -> None:
    logic = PttLogic("gpio", bounce_s=0.03)
    assert kinds(logic.edge(True, 1.000)) == ["down"]  # the first edge counts at once
    assert logic.edge(False, 1.005) == []  # contact bounce
    assert logic.edge(True, 1.010) == []
    assert logic.settle_due == pytest.approx(1.03)
    assert logic.settle(True, 1.03) == []  # still held: nothing happened
    assert logic.settle_due is None
    # A release lost inside the lockout is recovered by the settle read.
    logic.edge(False, 2.0)
    logic.edge(True, 2.01)
    logic.edge(False, 2.02)
    assert logic.settle_due is None or logic.settle_due == pytest.approx(2.03)
    logic.edge(True, 3.0)
    logic.edge(False, 3.01)  # the bounce swallowed the real release
    assert kinds(logic.settle(False, 3.03)) == ["up:released"]


def test_toggle_mode_tap_starts_next_tap_ends_long_press_holds() -> None:
    logic = PttLogic("gpio", mode="toggle", bounce_s=0.0, hold_s=0.4)
    assert kinds(logic.edge(True, 1.0)) == ["down"]
    assert logic.edge(False, 1.1) == []  # a tap: keep listening
    assert kinds(logic.edge(True, 5.0)) == ["up:released"]  # the next tap ends it
    assert logic.edge(False, 5.1) == []
    assert kinds(logic.edge(True, 9.0)) == ["down"]
    assert kinds(logic.edge(False, 10.0)) == ["up:released"]  # held 1 s: push-and-hold


def test_held_too_long_is_a_lost_release() -> None:
    logic = PttLogic("gpio", max_hold_s=60.0)
    logic.edge(True, 0.0)
    assert logic.timeout_due == 60.0
    assert logic.expire(59.0) == []
    assert kinds(logic.expire(60.0)) == ["up:timeout"]
    assert logic.edge(False, 70.0) == []  # the late real release does nothing
    assert kinds(logic.edge(True, 80.0)) == ["down"]


def test_force_release_only_when_talking() -> None:
    logic = PttLogic("wearable", bounce_s=0.0)
    assert logic.force_release(1.0, "link-lost") == []
    logic.edge(True, 2.0)
    assert kinds(logic.force_release(3.0, "link-lost")) == ["up:link-lost"]


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    saved = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


async def next_event(queue: asyncio.Queue[Any], kind: type) -> Any:
    while True:
        event = await asyncio.wait_for(queue.get(), timeout=5)
        if isinstance(event, kind):
            return event


def test_gpio_button_press_and_release_on_mock_pins(mock_pins: MockFactory) -> None:
    board = load_board("pi5")

    async def scenario() -> list[Any]:
        events: asyncio.Queue[Any] = asyncio.Queue()
        seen: list[Any] = []

        def emit(event: Any) -> None:
            seen.append(event)
            events.put_nowait(event)

        ptt = GpioPtt(PttConfig(bounce_ms=20), board, emit)
        await ptt.start()
        status = await next_event(events, ComponentStatus)
        assert status.ok and "pin 17" in status.detail
        pin = mock_pins.pin(17)
        assert pin.state == 1  # pulled up: idle high
        pin.drive_low()  # press
        pin.drive_high()  # bounce
        pin.drive_low()
        assert isinstance(await next_event(events, PttPressed), PttPressed)
        await asyncio.sleep(0.05)  # let the lockout end and the settle read run
        pin.drive_high()  # release
        released = await next_event(events, PttReleased)
        await ptt.stop()
        assert released.reason == "released"
        return seen

    seen = asyncio.run(scenario())
    assert kinds(seen) == ["down", "up:released"]


def test_gpio_stop_while_held_releases(mock_pins: MockFactory) -> None:
    async def scenario() -> list[Any]:
        seen: list[Any] = []
        ptt = GpioPtt(PttConfig(), load_board("pi5"), seen.append)
        await ptt.start()
        mock_pins.pin(17).drive_low()
        await asyncio.sleep(0)  # the hand-off runs on the next loop iteration
        await ptt.stop()
        return seen

    assert kinds(asyncio.run(scenario())) == ["down", "up:stopped"]


def test_generic_board_reports_no_pin() -> None:
    async def scenario() -> list[Any]:
        seen: list[Any] = []
        ptt = GpioPtt(PttConfig(), load_board("generic"), seen.append)
        await ptt.start()
        await ptt.stop()
        return seen

    seen = asyncio.run(scenario())
    assert isinstance(seen[0], ComponentStatus) and not seen[0].ok
