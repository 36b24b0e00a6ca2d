"""build_hardware picks the parts a config and board ask for, and starts/stops them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from edge.bus import EventBus
from edge.config import load_config
from edge.events import ComponentStatus, PttPressed
from edge.hw.assemble import build_hardware

pytestmark = pytest.mark.unit


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    saved = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


def test_generic_board_has_no_gpio_parts() -> None:
    hw = build_hardware(load_config(env={}), EventBus())
    assert hw.ptt is None and hw.feedback is None and hw.wearable is None
    assert hw.mic_array is not None
    assert hw.aec("hardware", "HDMI").software


def test_pi5_parts_start_press_and_stop(mock_pins: MockFactory) -> None:
    config = load_config(env={"EDGE_DEVICE__BOARD": "pi5", "EDGE_MIC_ARRAY__ENABLED": "false"})

    async def scenario() -> list[Any]:
        bus = EventBus()
        sub = bus.subscribe("test")
        hw = build_hardware(config, bus)
        assert [p.name for p in hw.parts] == ["ptt-gpio", "feedback-gpio"]
        await hw.start()
        mock_pins.pin(17).drive_low()
        events = []
        while not any(isinstance(e, PttPressed) for e in events):
            events.append(await asyncio.wait_for(sub.get(), 5))
        await hw.stop()
        return events

    events = asyncio.run(scenario())
    assert any(isinstance(e, ComponentStatus) and e.component == "ptt-gpio" for e in events)
