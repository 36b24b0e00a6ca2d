"""ReSpeaker control against a recorded-transfer fake that checks the exact request bytes."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest

from edge.bus import EventBus
from edge.config import MicArrayConfig
from edge.events import AssistantState, ComponentStatus, StateChanged, TurnId
from edge.hw.mic_array import (
    ArrayStatus,
    FoundArray,
    MicArray,
    capture_layout,
    needs_software_aec,
)
from edge.hw.xvf import IN, OUT, XVF3000_PARAMS, XVF3800_PARAMS, Xvf3000, Xvf3800

pytestmark = pytest.mark.unit


class Xvf3000Fake:
    """Records every control transfer and answers reads like the XVF-3000 firmware."""

    def __init__(self, ignore: tuple[str, ...] = ()) -> None:
        self.transfers: list[tuple[int, int, int, int, Any]] = []
        self.values: dict[tuple[int, int], float] = {}
        self.ignore = {XVF3000_PARAMS[n][:2] for n in ignore}

    def ctrl_transfer(
        self,
        bm: int,
        req: int,
        value: int = 0,
        index: int = 0,
        data: Any = None,
        timeout: Any = None,
    ) -> bytes | int:
        self.transfers.append((bm, req, value, index, bytes(data) if bm == OUT else data))
        if bm == OUT:
            if index in (18, 19, 21):
                offset, raw, kind = struct.unpack("<iii", bytes(data))
                number = float(raw) if kind == 1 else struct.unpack("<ifi", bytes(data))[1]
                if (index, offset) not in self.ignore:
                    self.values[(index, offset)] = number
            return len(data)
        if value == 0x80 and index == 0:
            return bytes([3])  # firmware version
        offset = value & 0x3F
        number = self.values.get((index, offset), 0.0)
        if value & 0x40:
            return struct.pack("<ii", int(number), 0)
        # Floats travel as mantissa * 2**exponent.
        return struct.pack("<ii", round(number * 2**20), -20)


def test_xvf3000_write_bytes_are_exact() -> None:
    fake = Xvf3000Fake()
    array = Xvf3000(fake)
    array.write("AGCONOFF", 1)
    array.write("AGCMAXGAIN", 2.0)
    assert fake.transfers == [
        # bmRequestType, bRequest, wValue, wIndex, payload = (offset, value, type=1 int)
        (0x40, 0, 0, 19, bytes.fromhex("000000000100000001000000")),
        # float: (offset 1, 2.0f, type 0)
        (0x40, 0, 0, 19, bytes.fromhex("010000000000004000000000")),
    ]


def test_xvf3000_read_requests_and_decoding() -> None:
    fake = Xvf3000Fake()
    array = Xvf3000(fake)
    fake.values[(19, 14)] = 1
    fake.values[(19, 1)] = 7.943
    assert array.read("ECHOONOFF") == 1
    assert array.read("AGCMAXGAIN") == pytest.approx(7.943, rel=1e-4)
    assert fake.transfers == [
        (IN, 0, 0x80 | 14 | 0x40, 19, 8),  # int: 0x80 | offset | 0x40, length 8
        (IN, 0, 0x80 | 1, 19, 8),  # float: 0x80 | offset
    ]


def test_xvf3000_profile_is_applied_and_verified() -> None:
    fake = Xvf3000Fake()
    config = MicArrayConfig(agc_max_gain_db=18.0, hpf_hz=125)
    checks = Xvf3000(fake).apply(config)
    assert all(c.ok for c in checks), checks
    written = {
        (t[3], struct.unpack("<i", t[4][:4])[0]): t[4] for t in fake.transfers if t[0] == OUT
    }
    assert written[(18, 7)] == bytes.fromhex("07000000 00000000 01000000")  # AEC adapting
    assert written[(18, 27)] == bytes.fromhex("1b000000 02000000 01000000")  # HPF 125 Hz
    assert struct.unpack("<ifi", written[(19, 1)])[1] == pytest.approx(7.943, rel=1e-3)  # 18 dB


def test_a_parameter_that_does_not_stick_is_reported() -> None:
    checks = Xvf3000(Xvf3000Fake(ignore=("ECHOONOFF",))).apply(MicArrayConfig())
    assert [c.name for c in checks if not c.ok] == ["ECHOONOFF"]


def test_xvf3000_led_ring_commands() -> None:
    fake = Xvf3000Fake()
    Xvf3000(fake).show(AssistantState.LISTENING, brightness=8)
    Xvf3000(fake).show(AssistantState.ERROR, brightness=40)
    assert fake.transfers == [
        (0x40, 0, 0x20, 0x1C, b"\x08"),  # brightness
        (0x40, 0, 2, 0x1C, b"\x00"),  # "listen"
        (0x40, 0, 0x20, 0x1C, b"\x1f"),  # clamped to 31
        (0x40, 0, 1, 0x1C, b"\xff\x00\x00\x00"),  # mono red
    ]


class Xvf3800Fake:
    """XVF3800 firmware: status byte first; answers "retry" (64) once per read."""

    def __init__(self) -> None:
        self.transfers: list[tuple[int, int, int, int, Any]] = []
        self.store: dict[tuple[int, int], bytes] = {(48, 0): bytes([2, 1, 1])}
        self.busy = True

    def ctrl_transfer(
        self,
        bm: int,
        req: int,
        value: int = 0,
        index: int = 0,
        data: Any = None,
        timeout: Any = None,
    ) -> bytes | int:
        self.transfers.append((bm, req, value, index, bytes(data) if bm == OUT else data))
        if bm == OUT:
            self.store[(index, value)] = bytes(data)
            return len(data)
        if self.busy:
            self.busy = False
            return bytes([64]) + bytes(data - 1)
        self.busy = True
        return bytes([0]) + self.store.get((index, value & 0x7F), bytes(data - 1))


def test_xvf3800_bytes_retry_and_version() -> None:
    fake = Xvf3800Fake()
    array = Xvf3800(fake)
    assert array.version() == "2.1.1"
    fake.transfers.clear()
    array.write("PP_AGCMAXGAIN", (8.0,))
    assert array.read("PP_AGCMAXGAIN") == (8.0,)
    assert fake.transfers == [
        (0x40, 0, 11, 17, bytes.fromhex("00000041")),  # cmdid 11, resid 17, float 8.0
        (0xC0, 0, 0x80 | 11, 17, 5),  # status byte + 4 bytes: "retry"
        (0xC0, 0, 0x80 | 11, 17, 5),
    ]


def test_xvf3800_profile_and_ring() -> None:
    fake = Xvf3800Fake()
    array = Xvf3800(fake)
    checks = array.apply(MicArrayConfig(hpf_hz=180))
    assert all(c.ok for c in checks), checks
    assert fake.store[(33, 1)] == struct.pack("<i", 4)  # HPF 180 Hz is value 4 on the XVF3800
    assert fake.store[(33, 70)] == b"\x00"  # SHF_BYPASS off: AEC running
    array.show(AssistantState.ERROR, brightness=8)
    assert fake.store[(20, 16)] == struct.pack("<I", 0xFF0000)
    assert fake.store[(20, 12)] == b"\x03"
    assert set(XVF3800_PARAMS) >= {"PP_ECHOONOFF", "AEC_AECCONVERGED"}


# -- pure decisions ---------------------------------------------------------------------------


def test_processed_channel_of_each_firmware() -> None:
    def layout(name: str, channels: int) -> tuple[int, int, str | None]:
        found = capture_layout(name, channels)
        return found.channels, found.pick, found.array

    v2 = "ReSpeaker 4 Mic Array (UAC1.0): USB Audio (hw:2,0)"
    assert layout(v2, 6) == (6, 0, "xvf3000")  # ch0 processed, ch1-4 raw, ch5 reference
    assert layout(v2, 1) == (1, 0, "xvf3000")
    assert layout("reSpeaker XVF3800 4-Mic Array: USB Audio (hw:3,0)", 2) == (2, 0, "xvf3800")
    assert layout("HDA Intel PCH: ALC257 Analog (hw:0,0)", 2) == (1, 0, None)


def test_software_aec_when_playback_bypasses_the_array() -> None:
    tuned = ArrayStatus("xvf3000", "3", tuned=True)
    through = "ReSpeaker 4 Mic Array (UAC1.0): USB Audio (hw:2,0)"
    assert needs_software_aec("hardware", tuned, through).mode == "hardware"
    hdmi = needs_software_aec("hardware", tuned, "vc4-hdmi-0: MAI PCM i2s-hifi-0 (hw:1,0)")
    assert hdmi.software and "no echo reference" in hdmi.reason
    assert needs_software_aec("hardware", None, through).software
    untuned = ArrayStatus("xvf3000", "3", tuned=False, mismatches=("ECHOONOFF",))
    assert "ECHOONOFF" in needs_software_aec("hardware", untuned, through).reason
    assert needs_software_aec("software", tuned, through).software
    assert needs_software_aec("none", tuned, through).mode == "none"


# -- hot-plug ---------------------------------------------------------------------------------


def test_retuned_on_every_connection_and_unplug_reported() -> None:
    async def scenario() -> tuple[list[Any], Xvf3000Fake, Xvf3000Fake]:
        first, second = Xvf3000Fake(), Xvf3000Fake()
        plan: list[list[FoundArray]] = [
            [FoundArray("xvf3000", "xvf3000@1:4", first, 0x0018)],
            [],
            [FoundArray("xvf3000", "xvf3000@1:5", second, 0x0018)],
        ]
        events: list[Any] = []
        bus = EventBus()
        array = MicArray(MicArrayConfig(poll_s=0.2), events.append, bus, finder=lambda: plan[0])
        await array.start()
        for step in range(3):
            await asyncio.wait_for(array.scanned.wait(), 5)
            array.scanned.clear()
            if step == 0:
                assert array.status is not None and array.status.tuned
                bus.publish(StateChanged(AssistantState.IDLE, AssistantState.SPEAKING, TurnId(1)))
            if step < 2:
                plan.pop(0)
        await array.stop()
        return events, first, second

    events, first, second = asyncio.run(scenario())
    statuses = [(e.ok, e.detail.split(":")[0]) for e in events if isinstance(e, ComponentStatus)]
    assert statuses == [
        (True, "xvf3000 fw 3"),
        (False, "xvf3000 unplugged"),
        (True, "xvf3000 fw 3"),
    ]
    for fake in (first, second):  # the profile went to both enumerations
        assert any(t[3] == 18 and t[4][:4] == b"\x07\x00\x00\x00" for t in fake.transfers)
    assert (0x40, 0, 4, 0x1C, b"\x00") in first.transfers  # "speak" on the ring
