"""The composition root: builds everything from the config, runs it, stops it cleanly.

On a device the capture source and the loudspeaker are ALSA devices and push-to-talk comes from
GPIO or the wearable; under ``edge run --source`` they are a simulated room. Everything between is
the same code. Stopping (SIGTERM) cuts the current answer, lets side-effecting tools finish,
flushes the incident outbox if the broker is reachable, and publishes the offline status.

A broken part does not stop the daemon: the microphone, speaker, GPIO pins, wearable, mic array,
wake word and the broker settings (unreadable TLS or password files) each report their health on
the bus (``edge.component_log`` writes it to the log, with the fix, and repeats it every minute
while the part stays down) and retry on their own where they can. With no microphone, edge keeps
looking for one and meanwhile delivers stored incidents and reports its status to the fleet; it
exits non-zero only when nothing can run at all (settings invalid, the models missing or
unloadable).

Under systemd (``Type=notify``) the daemon reports its progress through ``edge.notify``: more
start time while the models load, ``READY=1`` once the listener runs, watchdog pings from the main
loop while the voice path is alive (``edge.watchdog``), and ``STOPPING=1`` when it stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from edge.aio import TaskSet
from edge.assistant import Assistant, load_assistant
from edge.audio.playback import PlaybackQueue
from edge.audio.source import AudioSource
from edge.bus import EventBus
from edge.component_log import ComponentLog
from edge.config import Config
from edge.events import ComponentStatus
from edge.listener import WakeDetector
from edge.live import VoicePath, build_voice_path
from edge.metrics import Metrics
from edge.notify import Notifier
from edge.presence import DaemonLock
from edge.report.errors import ReportError
from edge.toolset import default_tools
from edge.watchdog import FRAME_STALE_S, Watchdog

_LOGGER = logging.getLogger(__name__)

MODEL_LOAD_BUDGET_S = 300.0
"""Start time asked of systemd while the models load (a cold SD card on a Pi is slow)."""


@dataclass
class Devices:
    """Where audio comes from and goes to."""

    source: AudioSource
    playback: PlaybackQueue
    run_output: Callable[[], Coroutine[Any, Any, None]] | None = None
    """The output device's own loop, if it has one (an ALSA stream does; a simulation does not)."""
    stop_when_source_ends: bool = False
    """Stop the daemon once the source ended and the session is idle (files, scenarios)."""


@dataclass
class Daemon:
    """A running edge: assistant, voice path, reporting and hardware."""

    config: Config
    bus: EventBus = field(default_factory=EventBus)
    assistant: Assistant | None = None
    path: VoicePath | None = None
    reporting: Any = None
    """``edge.report.service.ReportingService`` when incident reporting is on."""
    tasks: TaskSet = field(default_factory=lambda: TaskSet("daemon"))
    notifier: Notifier = field(default_factory=Notifier.from_environment)
    """systemd's notify socket (a silent no-op when not started by systemd)."""
    frame_stale_s: float = FRAME_STALE_S
    """Capture may stand still this long before the watchdog pings stop (s)."""
    facts: Any = None
    """``edge.report.facts.DeviceFacts``: disk, temperature, mic and wearable for telemetry."""
    control: Any = None
    """``edge.report.control.ControlMessages``: what control did with the technician's incidents,
    said through the assistant's notices (:func:`notice_speaker`)."""
    lock: DaemonLock | None = None
    """Tells ``edge ingest`` that the voice path runs here (it then ingests in the background)."""

    async def start(self, devices: Devices, *, wake: WakeDetector | None = None) -> None:
        """Load the models and wire every part (returns when ready to listen)."""
        from edge.report.control import ControlMessages
        from edge.report.facts import DeviceFacts
        from edge.report.service import open_reporting

        # First, so every part's failure from here on reaches the terminal and the journal.
        self.tasks.spawn(ComponentLog(self.bus).run(), "component-log")
        self.notifier.extend_timeout(MODEL_LOAD_BUDGET_S, "loading models")
        self.lock = DaemonLock.acquire(self.config.device.state_dir)
        metrics = Metrics()
        device = self.config.device
        self.facts = DeviceFacts(device.state_dir, wearable=self.config.wearable.enabled)
        self.reporting, reporter = open_reporting(
            self.config,
            metrics=metrics.snapshot,
            facts=self.facts.snapshot,
            on_command=lambda: self.control.due(),
        )
        if self.reporting is not None:
            self.control = ControlMessages(self.reporting, say=None)
        self.assistant = await load_assistant(
            self.config, lambda a: default_tools(a, reporter), metrics=metrics
        )
        if self.reporting is not None:
            self.reporting.set_manuals(await manual_versions(self.assistant))
        if self.control is not None:
            self.control.say = notice_speaker(self.assistant)
        self.path = build_voice_path(
            self.config, self.assistant, devices.source, devices.playback, self.bus, wake=wake
        )
        if self.reporting is not None:
            try:
                await self.reporting.start()
            except ReportError as err:
                # Unusable TLS or password files: incidents are still stored (the outbox works)
                # and the voice path runs; the log names the broker part every minute until fixed.
                why = f"incident delivery off, incidents are stored: {err.message}"
                self.bus.publish(ComponentStatus("broker", False, why, err.fix or ""))

    async def run(self, devices: Devices, stop: asyncio.Event) -> None:
        """Listen until ``stop`` is set (or the source ends, for simulations)."""
        assert self.path is not None
        listener = self.tasks.spawn(self.path.listener.run(), "listener")
        if self.facts is not None:
            self.tasks.spawn(self.facts.follow(self.bus), "device-facts")
        if self.control is not None:
            self.tasks.spawn(self.control.run(), "control-messages")
        if devices.run_output is not None:
            self.tasks.spawn(devices.run_output(), "output")
        self.notifier.ready("listening")
        interval = self.notifier.watchdog_interval_s
        if interval is not None:
            path = self.path
            dog = Watchdog(
                self.notifier,
                self.bus,
                listener,
                lambda: path.listener.stream_time,
                stale_s=self.frame_stale_s,
            )
            self.tasks.spawn(dog.run(interval), "watchdog")
        stopper = asyncio.ensure_future(stop.wait())
        waits: set[asyncio.Future[Any]] = {stopper, listener}
        while True:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                break
            if listener in done:
                if listener.exception() is not None:
                    raise listener.exception()  # type: ignore[misc]
                if devices.stop_when_source_ends:
                    await self.path.session.settle()
                    break
                waits.discard(listener)
        stopper.cancel()

    async def stop(self) -> None:
        """Cut the current answer, finish side effects, flush reports, release everything."""
        self.notifier.stopping("stopping")
        if self.path is not None:
            await self.path.session.close()
        await self.tasks.close()
        if self.reporting is not None:
            await self.reporting.stop()
        if self.assistant is not None:
            self.assistant.close()
        self.notifier.close()
        if self.lock is not None:
            self.lock.release()
        _LOGGER.info("edge stopped")


async def manual_versions(assistant: Assistant) -> dict[str, str]:
    """Title -> first 12 hex digits of the sha256 of each manual on the device."""
    knowledge = assistant.knowledge
    if knowledge is None:
        return {}
    try:
        docs = await assistant.threads["embed"].run(knowledge.documents)
    except Exception as err:  # noqa: BLE001 - versions are informative; never stop start-up
        _LOGGER.warning("Cannot list the manuals for the fleet status: %s", err)
        return {}
    return {doc.title: doc.sha256[:12] for doc in docs}


def notice_speaker(assistant: Assistant) -> Callable[[str], Coroutine[Any, Any, bool]]:
    """Control's messages through the assistant's notices (True once heard in full).

    The session says a notice at the next idle moment, or at the start of the next answer.
    """
    from edge.knowledge.units import speakable

    async def say(text: str) -> bool:
        return await assistant.notices.tell((speakable(text),))

    return say
