"""Checks of what a technician touches: sound devices, the mic array and its AEC, PTT, wearable.

The hardware parts are the daemon's own (``edge.hw.assemble.build_hardware``): they are started
for a few seconds, and their ``ComponentStatus`` reports become the verdicts. While edge.service
runs it holds the button and the wearable's port, so those are skipped with the service's word.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from edge.config import Config
from edge.doctor import Result
from edge.errors import EdgeError
from edge.events import ComponentStatus
from edge.hw.board import available_boards

DEVICES_FIX = (
    "plug it in; `edge devices` lists what edge sees; set audio.input_device/output_device"
)
WEARABLE_FIX = (
    "plug in and switch on the wearable; check wearable.url ({url}) exists (udev rule "
    "70-edge.rules: /dev/ptt-wearable) and that the edge user is in group dialout"
)


def check_audio(config: Config) -> list[Result]:
    """A capture and a playback device the daemon would choose (the same selection)."""
    from edge.hw.board import load_board
    from edge.hw.sound import Direction, SoundDeviceBackend, pick_device

    board = load_board(config.device.board)
    backend = SoundDeviceBackend()
    try:
        devices = backend.devices()
    except EdgeError as err:
        return [Result("audio", "fail", err.message, err.fix or DEVICES_FIX)]
    results = []
    wants: tuple[tuple[Direction, str, tuple[str, ...]], ...] = (
        ("input", config.audio.input_device, board.audio.input),
        ("output", config.audio.output_device, board.audio.output),
    )
    for direction, wanted, prefs in wants:
        name = "microphone" if direction == "input" else "speaker"
        default = backend.default(direction)
        device = pick_device(devices, wanted, prefs, direction, default)
        if device is None:
            detail = f"no {direction} device for {wanted!r} ({len(devices)} sound devices seen)"
            results.append(Result(name, "fail", detail, DEVICES_FIX))
        else:
            results.append(Result(name, "pass", f"{device.name} ({wanted})"))
    return results


def check_hardware(config: Config, service_active: bool, wait_s: float) -> list[Result]:
    """Start the configured hardware parts briefly; report the mic array, AEC, PTT, wearable."""
    return asyncio.run(_probe(config, service_active, wait_s))


async def _probe(config: Config, service_active: bool, wait_s: float) -> list[Result]:
    from dataclasses import replace

    from edge.bus import EventBus
    from edge.hw.assemble import build_hardware

    seen: dict[str, ComponentStatus] = {}

    def record(event: Any) -> None:
        if isinstance(event, ComponentStatus):
            seen[event.component] = event

    probe_config = config
    if service_active:  # the service holds the pin and the port: leave them alone
        probe_config = replace(
            config,
            wearable=replace(config.wearable, enabled=False),
            listen=replace(config.listen, triggers=()),
        )
    hw = build_hardware(probe_config, EventBus(), emit=record)
    await hw.start()
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            array_done = hw.mic_array is None or hw.mic_array.scanned.is_set()
            link_done = hw.wearable is None or hw.wearable.linked
            if array_done and link_done:
                break
            await asyncio.sleep(0.05)
        aec = hw.aec(config.listen.echo_cancel, config.audio.output_device)
        battery = seen.get("wearable-battery")
        results = [
            _mic_array(config, seen.get("mic-array"), hw.mic_array is not None),
            _aec(aec.mode, aec.reason),
            _ptt(config, hw.board, seen.get("ptt-gpio"), service_active),
            _wearable(config, seen.get("wearable"), battery, service_active, wait_s),
        ]
    finally:
        await hw.stop()
    return results


def _mic_array(config: Config, status: ComponentStatus | None, watched: bool) -> Result:
    if not watched:
        return Result("mic-array", "skip", "not used (mic_array.enabled = false)")
    if status is None:
        detail = "no ReSpeaker array on USB: a plain microphone needs software echo cancelling"
        fix = "plug in the array; if it is: lsusb | grep 2886, and the udev rule 70-edge.rules"
        return Result("mic-array", "warn", detail, fix)
    if status.ok:
        return Result("mic-array", "pass", status.detail)
    return Result(
        "mic-array",
        "fail",
        status.detail,
        "replug the array; check the udev rule (group audio) and `edge devices`",
    )


def _aec(mode: str, reason: str) -> Result:
    if mode == "hardware":
        return Result("echo-cancel", "pass", f"hardware: {reason}")
    if mode == "software":
        return Result("echo-cancel", "pass", f"software: {reason}")
    return Result(
        "echo-cancel",
        "warn",
        reason,
        "set listen.echo_cancel = software (or hardware with the array as the speaker)",
    )


def _ptt(config: Config, board: Any, status: ComponentStatus | None, busy: bool) -> Result:
    if "ptt" not in config.listen.triggers:
        return Result("ptt-button", "skip", "not used (listen.triggers has no ptt)")
    if busy:
        return Result("ptt-button", "skip", "held by the running edge.service")
    if not board.has_gpio or board.gpio.ptt_pin is None and config.ptt.pin is None:
        detail = f"board profile {board.name!r} has no PTT pin"
        if config.wearable.enabled:
            return Result("ptt-button", "skip", f"{detail}; push-to-talk comes from the wearable")
        boards = ", ".join(b for b in available_boards() if b != "generic")
        return Result("ptt-button", "warn", detail, f"set device.board to one of {boards}")
    if status is not None and status.ok:
        return Result("ptt-button", "pass", status.detail)
    detail = status.detail if status is not None else "the pin was not opened"
    return Result(
        "ptt-button",
        "fail",
        detail,
        (status.fix if status is not None else "")
        or "check the wiring (hardware/wiring.md), that the edge user is in group gpio, and "
        "that no other program holds the pin",
    )


def _wearable(
    config: Config,
    status: ComponentStatus | None,
    battery: ComponentStatus | None,
    busy: bool,
    wait_s: float,
) -> Result:
    if not config.wearable.enabled:
        return Result("wearable", "skip", "not used (wearable.enabled = false)")
    if busy:
        return Result("wearable", "skip", "held by the running edge.service")
    if status is not None and status.ok:
        extra = f"; {battery.detail}" if battery is not None else ""
        if battery is not None and not battery.ok:
            return Result("wearable", "warn", status.detail + extra, "charge the wearable")
        return Result("wearable", "pass", status.detail + extra)
    detail = status.detail if status is not None else f"no handshake within {wait_s:g} s"
    return Result("wearable", "fail", detail, WEARABLE_FIX.format(url=config.wearable.url))
