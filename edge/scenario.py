"""Scripted conversations on a simulated room, for tests and benchmarks.

A :class:`~edge.audio.sim.Script` (speech, pauses, button presses, waits for the assistant) is
played into the live voice path in real time (or faster); the assistant's answers play into a
simulated loudspeaker whose sound can leak back into the microphone. The run returns everything
that happened, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from edge.assistant import Assistant
from edge.audio.playback import PlaybackQueue
from edge.audio.sim import EchoPath, Script, SimulatedSource
from edge.bus import EventBus
from edge.config import Config
from edge.events import BargeIn, Int16Array, StateChanged, TranscriptEvent, TurnEnded
from edge.live import VoicePath, build_voice_path


@dataclass
class ScenarioRun:
    """What happened during a scripted conversation."""

    script: Script
    events: list[Any] = field(default_factory=list)
    """Every bus event, in order."""
    played: Int16Array | None = None
    """What the loudspeaker played (at the script's rate)."""
    path: VoicePath | None = None

    @property
    def turns(self) -> list[TurnEnded]:
        """Finished turns."""
        return [e for e in self.events if isinstance(e, TurnEnded)]

    @property
    def barge_ins(self) -> list[BargeIn]:
        """Interruptions."""
        return [e for e in self.events if isinstance(e, BargeIn)]

    @property
    def finals(self) -> list[str]:
        """Final transcripts, in order."""
        return [e.text for e in self.events if isinstance(e, TranscriptEvent) and e.is_final]

    @property
    def interims(self) -> list[TranscriptEvent]:
        """Interim transcripts."""
        return [e for e in self.events if isinstance(e, TranscriptEvent) and not e.is_final]

    @property
    def states(self) -> list[str]:
        """States the assistant went through."""
        return [e.new.value for e in self.events if isinstance(e, StateChanged)]


async def run_scenario(
    config: Config,
    assistant: Assistant,
    script: Script,
    *,
    echo: EchoPath | None = None,
    noise_dbfs: float | None = None,
    speed: float | None = 1.0,
    limit_s: float = 120.0,
    observe: Callable[[Any], None] | None = None,
) -> ScenarioRun:
    """Play ``script`` into a fresh voice path; return when it and every answer are finished.

    ``observe`` sees every bus event the moment it is published (to note the state then).
    """
    bus = EventBus()
    if observe is not None:
        publish = bus.publish

        def observed(event: Any) -> None:
            publish(event)
            observe(event)

        bus.publish = observed  # type: ignore[method-assign]
    events = bus.subscribe("scenario", size=10_000)
    playback = PlaybackQueue(script.rate)
    run = ScenarioRun(script)

    def button(name: str, stream_time: float) -> None:
        assert run.path is not None
        at = source.clock_at(stream_time)
        if name == "ptt_down":
            run.path.session.ptt_pressed("script", at)
        else:
            run.path.session.ptt_released("script", at)

    def holds(condition: str) -> bool:
        assert run.path is not None
        if condition == "idle":
            # Quiet, and no side effect (an incident being stored) still on its way.
            working = assistant.responder is not None and len(assistant.responder.shielded) > 0
            return run.path.session.idle.is_set() and not playback.busy and not working
        playing = playback.now_playing()
        if playing is None:
            return False
        return playing.filler if condition == "filler" else not playing.filler

    source = SimulatedSource(
        script,
        block_ms=config.audio.block_ms,
        speaker=playback,
        echo=echo,
        noise_dbfs=noise_dbfs,
        speed=speed,
        on_event=button,
        condition=holds,
    )
    run.path = build_voice_path(config, assistant, source, playback, bus)
    listener = asyncio.ensure_future(run.path.listener.run())
    try:
        await asyncio.wait_for(_until_done(run.path, source), limit_s)
    finally:
        source.close()
        await asyncio.wait_for(listener, 5.0)
        await run.path.session.close()
    while True:
        try:
            run.events.append(events.get_nowait())
        except asyncio.QueueEmpty:
            break
    run.played = source.speaker_track()
    return run


async def _until_done(path: VoicePath, source: SimulatedSource) -> None:
    await source.script_done.wait()
    await path.session.settle()
