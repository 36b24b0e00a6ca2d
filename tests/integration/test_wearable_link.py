"""The wearable link end to end: host WearableLink <-> pty <-> the reference firmware's logic."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import serial

from edge.bus import EventBus
from edge.config import PttConfig, WearableConfig
from edge.events import (
    AssistantState,
    ComponentStatus,
    Notice,
    PttPressed,
    PttReleased,
    StateChanged,
    TurnId,
)
from edge.hw import wire
from edge.hw.wearable import WearableLink
from tests.integration.sim_wearable import SimWearable

pytestmark = pytest.mark.integration

FAST = WearableConfig(
    enabled=True, heartbeat_ms=100, timeout_ms=300, retry_ms=50, retries=3, reconnect_ms=100
)


class Recorder:
    """Collects emitted events and lets a test wait for one (bounded)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Any) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait(self, predicate: Callable[[Any], bool], limit_s: float = 10.0) -> Any:
        async def scan() -> Any:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(scan(), limit_s)


def is_status(ok: bool, text: str = "") -> Callable[[Any], bool]:
    return lambda e: (
        isinstance(e, ComponentStatus)
        and e.component == "wearable"
        and e.ok is ok
        and text in e.detail
    )


async def until(predicate: Callable[[], bool], limit_s: float = 10.0) -> None:
    for _ in range(int(limit_s * 100)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


def opener(holder: dict[str, SimWearable]) -> Callable[[WearableConfig], Any]:
    def open_port(config: WearableConfig) -> Any:
        return serial.Serial(holder["sim"].path, 115200, timeout=0.1, write_timeout=1.0)

    return open_port


def test_press_release_and_state_display_over_a_pty() -> None:
    async def scenario() -> None:
        sim = SimWearable().start()
        bus, rec = EventBus(), Recorder()
        link = WearableLink(FAST, rec, bus, open_port=opener({"sim": sim}))
        await link.start()
        try:
            status = await rec.wait(is_status(True, "linked"))
            assert "firmware 1.0.0" in status.detail and link.info["serial"] == b"SIM00001".hex()
            battery = await rec.wait(lambda e: getattr(e, "component", "") == "wearable-battery")
            assert battery.ok and "80 %" in battery.detail
            sim.press()
            pressed = await rec.wait(lambda e: isinstance(e, PttPressed))
            assert pressed.source == "wearable"
            sim.release()
            released = await rec.wait(lambda e: isinstance(e, PttReleased))
            assert released.reason == "released"
            bus.publish(StateChanged(AssistantState.IDLE, AssistantState.THINKING, TurnId(1)))
            await until(lambda: sim.device.state == wire.STATE_THINKING)
            assert link.haptic(30, 0, 1, 200)
            await until(lambda: 200 in sim.motor.history)
        finally:
            await link.stop()
            sim.unplug()

    asyncio.run(scenario())


def test_missed_heartbeats_release_a_held_button_then_it_relinks() -> None:
    async def scenario() -> None:
        sim = SimWearable().start()
        rec = Recorder()
        link = WearableLink(FAST, rec, None, ptt=PttConfig(), open_port=opener({"sim": sim}))
        await link.start()
        try:
            await rec.wait(is_status(True, "linked"))
            sim.press()
            await rec.wait(lambda e: isinstance(e, PttPressed))
            sim.freeze()  # the MCU stops answering with the button still down
            released = await rec.wait(lambda e: isinstance(e, PttReleased))
            assert released.reason == "link-lost"
            await rec.wait(is_status(False, "no heartbeat"))
            await rec.wait(lambda e: isinstance(e, Notice) and "disconnected" in e.text)
            sim.release()
            sim.start()  # back in range: the host's HELLO_REQ gets a new handshake
            await rec.wait(lambda e: is_status(True, "linked")(e) and link.links == 2)
        finally:
            await link.stop()
            sim.unplug()

    asyncio.run(scenario())


def test_unplug_releases_and_a_new_device_is_picked_up() -> None:
    async def scenario() -> None:
        holder = {"sim": SimWearable().start()}
        rec = Recorder()
        link = WearableLink(FAST, rec, None, open_port=opener(holder))
        await link.start()
        try:
            await rec.wait(is_status(True, "linked"))
            holder["sim"].press()
            await rec.wait(lambda e: isinstance(e, PttPressed))
            old = holder["sim"]
            holder["sim"] = SimWearable()  # the next "enumeration", not yet running
            old.unplug()
            released = await rec.wait(lambda e: isinstance(e, PttReleased))
            assert released.reason == "link-lost"
            await rec.wait(is_status(False))
            holder["sim"].start()
            await rec.wait(lambda e: is_status(True, "linked")(e) and link.links == 2)
            holder["sim"].press()  # the new device works
            await rec.wait(lambda e: isinstance(e, PttPressed) and e is not rec.events[0])
        finally:
            await link.stop()
            holder["sim"].unplug()

    asyncio.run(scenario())


def test_absent_port_is_reported_once_and_retried() -> None:
    async def scenario() -> list[Any]:
        rec = Recorder()
        config = WearableConfig(enabled=True, url="/dev/does-not-exist", reconnect_ms=100)
        link = WearableLink(config, rec)
        await link.start()
        await rec.wait(is_status(False, "not connected"))
        await asyncio.sleep(0.35)  # several retries
        await link.stop()
        return rec.events

    events = asyncio.run(scenario())
    assert len([e for e in events if isinstance(e, ComponentStatus)]) == 1
