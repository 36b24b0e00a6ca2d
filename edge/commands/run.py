"""``edge run``: the live daemon, on the device's audio hardware or on a simulated room.

``edge run --source question.wav`` plays WAV files into the live path as a microphone would (in
real time by default) and plays the answers into a simulated loudspeaker whose echo can be mixed
back into the microphone, so the whole daemon path runs without hardware. ``--scenario`` takes a
TOML script of utterances, pauses and push-to-talk presses.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tomllib
from pathlib import Path
from typing import Any

from edge.errors import ConfigError


def register(sub: Any) -> None:
    """Add ``edge run`` to the CLI."""
    parser = sub.add_parser("run", help="run the voice assistant (live, or on WAV files)")
    sim = parser.add_argument_group("simulated room (no audio hardware)")
    sim.add_argument("--source", type=Path, action="append", help="WAV file(s) spoken in turn")
    sim.add_argument("--scenario", type=Path, help="TOML scenario: utterances, pauses, PTT")
    sim.add_argument(
        "--trigger", choices=("ptt", "vad"), default="ptt", help="how --source utterances start"
    )
    sim.add_argument("--gap", type=float, default=6.0, help="seconds between --source files")
    sim.add_argument(
        "--speed", type=float, default=1.0, help="1.0 = real time; 0 = as fast as possible"
    )
    sim.add_argument("--echo-db", type=float, help="mix the answer back into the mic at this level")
    sim.add_argument(
        "--record",
        type=Path,
        help="write what the loudspeaker played (the last 10 min) to this WAV",
    )
    sim.add_argument(
        "--keep-open",
        action="store_true",
        help="after the script, keep listening to silence until SIGTERM/SIGINT (service tests)",
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args

    config = config_from_args(args)
    if args.source or args.scenario:
        return asyncio.run(_simulated(config, args))
    from edge.hw.runtime import run_on_device  # the device path: ALSA, GPIO, wearable, wake word

    return asyncio.run(run_on_device(config))


async def _simulated(config: Any, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from edge.audio.pcm import write_wav
    from edge.audio.playback import PlaybackQueue
    from edge.audio.sim import EchoPath, SimulatedSource
    from edge.daemon import Daemon, Devices

    script = _scenario(args.scenario) if args.scenario else _from_sources(args)
    if args.trigger == "vad" and not args.scenario:
        config = replace(config, listen=replace(config.listen, triggers=("vad",)))
    daemon = Daemon(config)
    playback = PlaybackQueue(script.rate)
    echo = EchoPath(gain_db=args.echo_db) if args.echo_db is not None else None

    def button(name: str, stream_time: float) -> None:
        assert daemon.path is not None
        at = source.clock_at(stream_time)
        if name == "ptt_down":
            daemon.path.session.ptt_pressed("script", at)
        else:
            daemon.path.session.ptt_released("script", at)

    source = SimulatedSource(
        script,
        speaker=playback,
        echo=echo,
        speed=args.speed or None,
        on_event=button,
        hold_open=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # --keep-open: the room stays open like a real microphone, so only a signal stops the daemon.
    devices = Devices(source, playback, stop_when_source_ends=not args.keep_open)
    await daemon.start(devices)
    printer = asyncio.ensure_future(_print_events(daemon))
    ended = None if args.keep_open else asyncio.ensure_future(_close_after_script(daemon, source))
    try:
        await daemon.run(devices, stop)
    finally:
        if ended is not None:
            ended.cancel()
        await daemon.stop()
        # After the stop, so the answer it cut is still printed (as interrupted).
        printer.cancel()
    if args.record:
        write_wav(args.record, source.speaker_track(), script.rate)
        print(f"loudspeaker recording: {args.record}")
    return 0


async def _close_after_script(daemon: Any, source: Any) -> None:
    # The room stays open after the script so answers can finish; close it once they have.
    await source.script_done.wait()
    await daemon.path.session.settle()
    source.close()


async def _print_events(daemon: Any) -> None:
    from edge.events import BargeIn, TranscriptEvent, TurnEnded

    sub = daemon.bus.subscribe("cli", TranscriptEvent, TurnEnded, BargeIn)
    async for event in sub:
        if isinstance(event, TranscriptEvent) and event.is_final:
            print(f"[{event.turn_id}] heard:  {event.text}", flush=True)
        elif isinstance(event, TurnEnded):
            cut = " (interrupted)" if event.interrupted else ""
            print(f"[{event.turn_id}] answer: {event.heard}{cut}", flush=True)
            stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in event.timings.items())
            print(f"[{event.turn_id}] times:  {stages}", flush=True)
        elif isinstance(event, BargeIn):
            reaction = (
                ""
                if event.reaction_s is None
                else f", playback stopped in {event.reaction_s * 1000:.0f} ms"
            )
            print(f"[{event.turn_id}] barge-in by {event.reason}{reaction}", flush=True)


def _from_sources(args: argparse.Namespace) -> Any:
    from edge.audio.sim import Script

    script = Script()
    script.silence(0.5)
    for path in args.source:
        if args.trigger == "ptt":
            script.press()
        script.say(path, label=path.name)
        script.silence(0.3)
        if args.trigger == "ptt":
            script.release()
        script.silence(args.gap)
    return script


def _scenario(path: Path) -> Any:
    """Read a scenario file.

    ``[[step]]`` tables hold ``say`` (a WAV path) or ``text`` (spoken by piper), ``silence``
    (seconds) and ``ptt = true`` (hold the button while saying it).
    """
    from edge.audio.sim import Script
    from edge.voices import speak

    try:
        steps = tomllib.loads(path.read_text(encoding="utf-8")).get("step", [])
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(str(path), f"cannot read the scenario: {err}") from None
    script = Script()
    for number, step in enumerate(steps, start=1):
        if "silence" in step:
            script.silence(float(step["silence"]))
        if "say" in step or "text" in step:
            audio = (path.parent / step["say"]) if "say" in step else speak(str(step["text"]))
            if step.get("ptt"):
                script.press()
            script.say(audio, label=f"step {number}")
            if step.get("ptt"):
                script.silence(0.2)
                script.release()
    if not script.spans:
        print(f"error: {path} has no [[step]] with say or text", file=sys.stderr)
    return script
