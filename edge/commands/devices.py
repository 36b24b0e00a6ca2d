"""``edge devices``: sound devices, mic arrays, serial ports and the board profile."""

from __future__ import annotations

import argparse
import json
from typing import Any

from edge.errors import EdgeError


def register(sub: Any) -> None:
    """Add ``edge devices`` to the CLI."""
    parser = sub.add_parser(
        "devices", help="list sound devices, USB mic arrays, serial ports and the board profile"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=_devices)


def gather(board_name: str) -> dict[str, Any]:
    """Everything ``edge devices`` shows, as plain data."""
    from edge.hw.board import load_board
    from edge.hw.mic_array import capture_layout, find_arrays
    from edge.hw.sound import SoundDeviceBackend

    board = load_board(board_name)
    report: dict[str, Any] = {
        "board": {
            "name": board.name,
            "description": board.description,
            "gpio": board.gpio.backend,
            "ptt_pin": board.gpio.ptt_pin,
            "led_pin": board.gpio.led_pin,
            "buzzer_pin": board.gpio.buzzer_pin,
        },
        "sound": [],
        "mic_arrays": [],
        "serial": [],
    }
    try:
        for d in SoundDeviceBackend().devices():
            layout = capture_layout(d.name, d.max_input_channels)
            report["sound"].append(
                {
                    "index": d.index,
                    "name": d.name,
                    "inputs": d.max_input_channels,
                    "outputs": d.max_output_channels,
                    "rate": d.default_rate,
                    "hostapi": d.hostapi,
                    "array": layout.array,
                    "capture_channel": layout.pick if d.max_input_channels else None,
                }
            )
    except EdgeError as err:
        report["sound_error"] = str(err)
    try:
        report["mic_arrays"] = [
            {"kind": a.kind, "usb": a.identity, "product_id": f"{a.product_id:#06x}"}
            for a in find_arrays()
        ]
    except Exception as err:  # pyusb without permission or backend
        report["mic_arrays_error"] = str(err)
    from serial.tools import list_ports

    report["serial"] = [
        {"device": p.device, "description": p.description, "hwid": p.hwid}
        for p in list_ports.comports()
    ]
    return report


def _devices(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args

    config = config_from_args(args)
    report = gather(config.device.board)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    board = report["board"]
    print(f"board     {board['name']}: {board['description']}")
    print(
        f"gpio      {board['gpio']} (ptt {board['ptt_pin']}, led {board['led_pin']}, "
        f"buzzer {board['buzzer_pin']})"
    )
    if "sound_error" in report:
        print(f"sound     {report['sound_error']}")
    if not report["sound"]:
        print("sound     no devices (no sound card, or PortAudio sees none)")
    for d in report["sound"]:
        note = f"  [{d['array']}, capture ch{d['capture_channel']}]" if d["array"] else ""
        print(
            f"sound {d['index']:>3} {d['name']}  in {d['inputs']} / out {d['outputs']} "
            f"@ {d['rate']:.0f} Hz{note}"
        )
    for a in report["mic_arrays"]:
        print(f"usb       {a['kind']} at {a['usb']}")
    if not report["mic_arrays"]:
        print(f"usb       {report.get('mic_arrays_error', 'no ReSpeaker mic array')}")
    for p in report["serial"]:
        print(f"serial    {p['device']}: {p['description']}")
    return 0
