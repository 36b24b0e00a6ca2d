"""A flooded wearable link: the event loop's longest stall while 1 MiB of garbage arrives.

A probe task sleeps 5 ms over and over; the stall is how much later than asked it wakes. Two
lines are flooded: a port whose buffer holds the whole MiB at once (a USB CDC device that
babbled while the host was busy: the case that held the loop 1.5 s), and the pty pair with the
simulated wearable (``tests/integration/sim_wearable.py``) writing the burst in 4 KiB pieces.
After each burst the wearable's button must still get through. Target: under 50 ms.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from bench.common import summary, table
from edge.config import WearableConfig
from edge.events import ComponentStatus, PttPressed
from edge.hw.wearable import WearableLink
from tests.integration.sim_wearable import BurstPort, SimWearable

BURST: Final = 1 << 20
PROBE_S: Final = 0.005
LINK: Final = WearableConfig(
    enabled=True, heartbeat_ms=100, timeout_ms=3000, retry_ms=50, retries=3, reconnect_ms=100
)


def run(out_dir: Path) -> dict[str, Any]:
    """Flood both lines, print the stalls, return them (ms)."""
    results = {"buffered_port": asyncio.run(_buffered()), "pty_sim": asyncio.run(_pty())}
    rows = [
        [name, f"{r['max_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['burst_s']:.2f}", r["after"]]
        for name, r in results.items()
    ]
    print(table(rows, ["line", "max stall ms", "p99 ms", "burst s", "after the burst"]))
    results["load_1m"] = os.getloadavg()[0]
    return results


class _Probe:
    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="probe")

    async def _run(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(PROBE_S)
            self.lags.append(time.perf_counter() - asked - PROBE_S)

    async def stop(self) -> dict[str, Any]:
        assert self._task is not None
        self._task.cancel()
        lags = summary([lag * 1000 for lag in self.lags])
        p99 = sorted(self.lags)[int(len(self.lags) * 0.99)] * 1000 if self.lags else 0.0
        return {"max_ms": lags["max"] or 0.0, "p99_ms": p99, "samples": lags["n"]}


async def _until(done: Callable[[], bool], limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def _buffered() -> dict[str, Any]:
    port = BurstPort()
    link = WearableLink(LINK, lambda event: None, open_port=lambda _: port)
    await link.start()
    await asyncio.sleep(0.3)
    probe = _Probe()
    probe.start()
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    with port._lock:  # noqa: SLF001 - the device's buffer fills while the host looks away
        port._buf.extend(os.urandom(BURST))  # noqa: SLF001
    drained = await _until(lambda: port.in_waiting == 0, 60.0)
    burst_s = time.perf_counter() - started
    await asyncio.sleep(0.3)
    figures = await probe.stop()
    await link.stop()
    return {**figures, "burst_s": burst_s, "after": "all read" if drained else "NOT drained"}


async def _pty() -> dict[str, Any]:
    import serial

    sim = SimWearable().start()
    events: list[Any] = []
    link = WearableLink(
        LINK,
        events.append,
        open_port=lambda _: serial.Serial(sim.path, 115200, timeout=0.1, write_timeout=1.0),
    )
    await link.start()
    try:
        await _until(lambda: link.linked, 10.0)
        probe = _Probe()
        probe.start()
        await asyncio.sleep(0.2)
        junk = os.urandom(BURST)

        def babble() -> None:
            with sim.lock:
                for i in range(0, BURST, 4096):
                    os.write(sim.master, junk[i : i + 4096])

        started = time.perf_counter()
        await asyncio.to_thread(babble)
        burst_s = time.perf_counter() - started
        await asyncio.sleep(0.3)
        figures = await probe.stop()
        sim.press()
        pressed = await _until(lambda: any(isinstance(e, PttPressed) for e in events), 10.0)
        lost = [e for e in events if isinstance(e, ComponentStatus) and not e.ok]
        after = "press arrived" if pressed else "press LOST"
        return {**figures, "burst_s": burst_s, "after": after + (", link lost" if lost else "")}
    finally:
        await link.stop()
        sim.unplug()
