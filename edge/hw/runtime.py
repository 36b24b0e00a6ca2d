"""The device path of ``edge run``: ALSA audio, GPIO/wearable PTT, mic array and wake word.

Everything between capture and playback is the daemon's (``edge.daemon``); this module only binds
the hardware to it. Not exercised on real hardware in CI: its parts are (``tests/unit``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

import numpy as np

from edge.errors import EdgeError
from edge.events import ComponentStatus, Int16Array, PttPressed, PttReleased
from edge.wakeword import WakeGate, WakeGateSettings

_LOGGER = logging.getLogger(__name__)


class GatedWake:
    """The listener's ``WakeDetector``: 80 ms chunks to a wake engine, decisions by a gate."""

    def __init__(self, engine: Any, gate: WakeGate, echo_cancelled: Callable[[], bool]) -> None:
        self._engine = engine
        self._gate = gate
        self._echo_cancelled = echo_cancelled
        self._chunk = int(engine.chunk_samples)
        self._buffer: Int16Array = np.zeros(0, dtype=np.int16)

    def feed(self, samples: Int16Array, now: float, *, speaking: bool) -> tuple[str, float] | None:
        """Add audio ending at stream time ``now``; return (name, score) on a detection."""
        self._buffer = np.concatenate([self._buffer, samples.astype(np.int16, copy=False)])
        hit: tuple[str, float] | None = None
        while len(self._buffer) >= self._chunk:
            chunk, self._buffer = self._buffer[: self._chunk], self._buffer[self._chunk :]
            end_time = now - len(self._buffer) / 16_000
            found = self._gate.update(
                self._engine.scores(chunk),
                end_time,
                speaking=speaking,
                echo_cancelled=self._echo_cancelled(),
            )
            if found is not None:
                hit = (found.name, found.score)
                self._engine.reset()
                self._buffer = np.zeros(0, dtype=np.int16)
        return hit


def array_denoises(config: Any, hardware: Any, source: Any) -> bool:
    """True while the mic array suppresses noise itself, so edge's suppressor stands aside."""
    from edge.hearing.denoise import array_suppresses
    from edge.hw.mic_array import array_kind

    array = hardware.mic_array.status if hardware.mic_array is not None else None
    device = getattr(getattr(source, "device", None), "name", None) or config.audio.input_device
    return array_suppresses(
        config.denoise.when,
        config.mic_array.noise_suppression,
        array_tuned=array is not None and array.tuned,
        capture_from_array=array is not None and array_kind(str(device)) == array.kind,
    )


async def run_on_device(config: Any) -> int:
    """Run edge on this board until SIGINT/SIGTERM; return the exit status."""
    from edge.audio.alsa import AlsaSink, AlsaSource
    from edge.audio.playback import PlaybackQueue
    from edge.daemon import Daemon, Devices
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.hw.assemble import build_hardware
    from edge.models import ModelStore

    daemon = Daemon(config)
    hardware = build_hardware(config, daemon.bus)
    playback = PlaybackQueue(16_000)
    source = AlsaSource(config.audio, daemon.bus.publish, board=hardware.board)
    sink = AlsaSink(config.audio, playback, daemon.bus.publish, board=hardware.board)

    def echo_cancelled() -> bool:
        output = sink.device.name if sink.device is not None else config.audio.output_device
        return hardware.aec(config.listen.echo_cancel, output).mode != "none"

    wake = None
    wake_failure: EdgeError | None = None
    if "wake" in config.listen.triggers:
        context = EngineContext(ModelStore(config.device.state_dir / "models"))
        try:
            engine = load_engine("wake", config.wake.engine, config.wake.options, context)
        except EdgeError as err:  # reported once the daemon's log runs; PTT still works
            wake_failure = err
        else:
            g = config.wake_gate
            gate = WakeGate(WakeGateSettings(g.threshold, g.patience, g.refractory_s))
            wake = GatedWake(engine, gate, echo_cancelled)

    async def run_output() -> None:
        await sink.start()
        try:
            await asyncio.Event().wait()
        finally:
            await sink.stop()

    async def forward_ptt() -> None:
        sub = daemon.bus.subscribe("ptt-to-session", PttPressed, PttReleased)
        try:
            async for event in sub:
                if daemon.path is None:
                    continue
                if isinstance(event, PttPressed):
                    daemon.path.session.ptt_pressed(event.source, event.at)
                else:
                    daemon.path.session.ptt_released(event.source, event.at, event.reason)
        finally:
            sub.close()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    devices = Devices(source, playback, run_output=run_output)
    await daemon.start(devices, wake=wake)
    if daemon.path is not None and daemon.path.listener.denoise is not None:
        daemon.path.listener.denoise.bypass = lambda: array_denoises(config, hardware, source)
    if wake_failure is not None:
        daemon.bus.publish(
            ComponentStatus("wake", False, wake_failure.message, wake_failure.fix or "")
        )
    daemon.tasks.spawn(forward_ptt(), "ptt")
    await hardware.start()
    try:
        await daemon.run(devices, stop)
    finally:
        await hardware.stop()
        await daemon.stop()
    return 0
