"""Fault suite, a flooded wearable link: a 1 MiB burst of garbage never holds the event loop,
the link survives it, and stop() ends the link's threads. Timings are in bench/link_flood.py."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import pytest
import serial

from edge.config import WearableConfig
from edge.events import PttPressed
from edge.hw import wire
from edge.hw.wearable import READ_BYTES, WearableLink
from tests.integration.sim_wearable import BurstPort, SimWearable
from tests.integration.test_wearable_link import FAST, Recorder, is_status

pytestmark = pytest.mark.integration

BURST = 1 << 20


def test_fault_flood_the_loop_never_handles_more_than_one_read_per_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fed: list[tuple[int, int]] = []  # (event-loop turn, bytes deframed)
    turn = [0]
    feed = wire.Deframer.feed

    def counting_feed(self: wire.Deframer, data: bytes) -> list[bytes]:
        fed.append((turn[0], len(data)))
        return feed(self, data)

    monkeypatch.setattr(wire.Deframer, "feed", counting_feed)
    port = BurstPort(os.urandom(BURST))

    async def scenario() -> None:
        async def turns() -> None:
            while True:
                turn[0] += 1
                await asyncio.sleep(0)

        counter = asyncio.create_task(turns())
        link = WearableLink(WearableConfig(enabled=True), Recorder(), open_port=lambda _: port)
        await link.start()
        try:
            for _ in range(3000):
                if sum(n for _, n in fed) >= BURST:
                    break
                await asyncio.sleep(0.01)
        finally:
            await link.stop()
            counter.cancel()

    asyncio.run(scenario())
    assert sum(n for _, n in fed) == BURST and port.in_waiting == 0  # all of it was read
    per_turn: dict[int, int] = {}
    for at, n in fed:
        per_turn[at] = per_turn.get(at, 0) + n
    assert max(per_turn.values()) <= READ_BYTES


def test_fault_flood_on_the_line_then_the_button_still_works() -> None:
    async def scenario() -> None:
        sim = SimWearable().start()
        rec = Recorder()

        def open_port(_: WearableConfig) -> Any:
            return serial.Serial(sim.path, 115200, timeout=0.1, write_timeout=1.0)

        link = WearableLink(FAST, rec, None, open_port=open_port)
        await link.start()
        try:
            await rec.wait(is_status(True, "linked"))
            junk = os.urandom(BURST)

            def babble() -> None:  # the wearable's side of the line floods it
                with sim.lock:
                    for i in range(0, BURST, 4096):
                        os.write(sim.master, junk[i : i + 4096])

            await asyncio.to_thread(babble)
            sim.press()
            pressed = await rec.wait(lambda e: isinstance(e, PttPressed))
            assert pressed.source == "wearable" and link.linked
        finally:
            await link.stop()
            sim.unplug()

    asyncio.run(scenario())


def test_fault_stop_ends_the_transmit_thread_even_mid_write() -> None:
    port = BurstPort(write_s=0.5)  # a write that blocks, like a full transmit buffer

    async def scenario() -> None:
        link = WearableLink(WearableConfig(enabled=True), Recorder(), open_port=lambda _: port)
        await link.start()
        assert await asyncio.to_thread(port.writing.wait, 5.0)  # its HELLO_REQ is being written
        await link.stop()

    asyncio.run(scenario())
    alive = [t.name for t in threading.enumerate() if t.name.startswith("edge-wearable")]
    assert alive == []
