"""Wearable framing (COBS + CRC-16/CCITT-FALSE) and the stop-and-wait channel, incl. fuzzing."""

from __future__ import annotations

import ast
import binascii
import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.hw import wire

pytestmark = pytest.mark.unit

FIRMWARE = Path(__file__).resolve().parents[2] / "hardware" / "wearable" / "firmware"


def test_crc_is_ccitt_false() -> None:
    assert wire.crc16(b"123456789") == 0x29B1
    for data in (b"", b"\x00", bytes(range(256)), b"edge" * 40):
        assert wire.crc16(data) == binascii.crc_hqx(data, 0xFFFF)


@given(st.binary(max_size=600))
def test_cobs_round_trip_has_no_zero(data: bytes) -> None:
    encoded = wire.cobs_encode(data)
    assert 0 not in encoded
    assert len(encoded) <= len(data) + len(data) // 254 + 1
    assert wire.cobs_decode(encoded) == data


def test_frame_round_trip_with_zeros_in_payload() -> None:
    frame = wire.encode(wire.BUTTON, 7, 0, b"\x00\x01\x00\xff", wire.FLAG_ACK_REQ)
    assert frame.count(0) == 1 and frame.endswith(b"\x00")
    assert wire.decode(frame[:-1]) == (wire.BUTTON, 7, 0, wire.FLAG_ACK_REQ, b"\x00\x01\x00\xff")


def test_bit_flip_is_rejected() -> None:
    frame = bytearray(wire.encode(wire.BUTTON, 1, 0, b"\x01"))
    frame[3] ^= 0x04
    with pytest.raises(wire.FrameError):
        wire.decode(bytes(frame[:-1]))


def test_resync_after_garbage_and_split_reads() -> None:
    d = wire.Deframer()
    stream = (
        b"\x13\x37garbage\x00"
        + wire.encode(wire.BUTTON, 1, 0, b"\x01")
        + wire.encode(wire.BUTTON, 2, 0, b"\x00")
    )
    frames = []
    for i in range(0, len(stream), 3):  # a slow UART: 3 bytes at a time
        frames += d.feed(stream[i : i + 3])
    ok = []
    for raw in frames:
        with contextlib.suppress(wire.FrameError):
            ok.append(wire.decode(raw))
    assert [(m, s, p) for m, s, _, _, p in ok] == [
        (wire.BUTTON, 1, b"\x01"),
        (wire.BUTTON, 2, b"\x00"),
    ]


def test_runaway_frame_is_dropped() -> None:
    d = wire.Deframer(max_len=16)
    assert d.feed(b"\x05" * 100) == []
    assert d.dropped == 1
    good = wire.encode(wire.HEARTBEAT, 0, 0, b"")
    assert [wire.decode(f)[0] for f in d.feed(b"\x00" + good)] == [wire.HEARTBEAT]


# -- fuzzing the decoder --------------------------------------------------------------------------

frames = st.builds(
    lambda t, s, p, f: wire.encode(t, s, 0, p, f),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(max_size=wire.MAX_PAYLOAD),
    st.integers(0, 1),
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(noise: bytes) -> None:
    channel = wire.Channel()
    for start in range(0, len(noise), 64):
        channel.receive(noise[start : start + 64], 0)  # FrameError is handled inside
    d = wire.Deframer()
    for raw in d.feed(noise):
        with contextlib.suppress(wire.FrameError):
            wire.decode(raw)


@settings(max_examples=300, deadline=None)
@given(frames, st.integers(0, 10_000), st.integers(1, 255), st.binary(max_size=300))
def test_mutated_frames_are_rejected_or_exact_and_the_stream_resyncs(
    frame: bytes, where: int, xor: int, noise: bytes
) -> None:
    original = wire.decode(frame[:-1])
    body = bytearray(frame[:-1])
    body[where % len(body)] ^= xor
    d = wire.Deframer()
    good = wire.encode(wire.HEARTBEAT, 0, 0, b"ok")
    out = d.feed(noise + b"\x00" + bytes(body) + b"\x00" + good)
    decoded = []
    for raw in out:
        with contextlib.suppress(wire.FrameError):
            decoded.append(wire.decode(raw))
    # The frame after the damage always gets through; a damaged one never passes as another.
    assert decoded[-1] == (wire.HEARTBEAT, 0, 0, 0, b"ok")
    for item in decoded[:-1]:
        assert item == original or item[4] == b"ok" or raw_came_from_noise(item, noise)


def raw_came_from_noise(item: tuple[int, int, int, int, bytes], noise: bytes) -> bool:
    # Random noise may, with odds of 1 in 65536, hold a frame with a valid CRC of its own.
    return wire.encode(item[0], item[1], item[2], item[4], item[3])[:-1] in noise


@settings(max_examples=200, deadline=None)
@given(frames, st.integers(0, 1000))
def test_crc_field_damage_is_always_rejected(frame: bytes, bit: int) -> None:
    raw = bytearray(wire.cobs_decode(frame[:-1]))
    raw[-1 - (bit % 16) // 8] ^= 1 << (bit % 8)
    with pytest.raises(wire.FrameError):
        wire.decode(wire.cobs_encode(bytes(raw)))


# -- the channel over a bad line ------------------------------------------------------------------


def test_reliable_messages_arrive_once_in_order_over_a_lossy_line() -> None:
    a, b = wire.Channel(retry_ms=10, retries=8), wire.Channel(retry_ms=10, retries=8)
    sent = [bytes([i]) * 3 for i in range(40)]
    queued = list(sent)
    while queued and a.send(wire.BUTTON, queued[0], 0):
        queued.pop(0)
    assert queued  # more than the queue holds: the rest is sent as room frees up
    got: list[bytes] = []
    count = 0
    for now in range(0, 20_000, 5):
        for frame in split(a.take()):
            count += 1
            if count % 3 == 0:
                continue  # lost
            copies = 2 if count % 5 == 0 else 1  # duplicated
            for _ in range(copies):
                got += [p for t, p in b.receive(frame, now) if t == wire.BUTTON]
        for frame in split(b.take()):
            count += 1
            if count % 4 != 0:
                a.receive(frame, now)
        assert a.poll(now) != "failed"
        b.poll(now)
        while queued and a.send(wire.BUTTON, queued[0], now):
            queued.pop(0)
        if len(got) == len(sent):
            break
    assert got == sent
    assert a.retransmits > 0 and b.duplicates > 0


def test_no_ack_after_all_retries_fails_and_silence_times_out() -> None:
    a = wire.Channel(retry_ms=10, retries=2, timeout_ms=100)
    a.send(wire.BUTTON, b"x", 0)
    results = [a.poll(t) for t in range(0, 50, 10)]
    assert "failed" in results and not a.busy
    a.receive(wire.encode(wire.HEARTBEAT, 0, 0), 0)
    assert a.poll(99) is None and a.poll(100) == "timeout"


def split(data: bytes) -> list[bytes]:
    return [f + b"\x00" for f in data.split(b"\x00") if f]


def test_payload_helpers_round_trip() -> None:
    hello = wire.pack_hello((1, 2, 3), 0xDEADBEEF, 4, b"ABCDEFGH", 7)
    assert wire.unpack_hello(hello) == (wire.PROTO, (1, 2, 3), 0xDEADBEEF, 4, 7, b"ABCDEFGH")
    assert wire.unpack_hello_ack(wire.pack_hello_ack(250, 1 << 40)) == (wire.PROTO, 250, 1 << 40)
    assert wire.unpack_button(wire.pack_button(0, 1, 5, 70000)) == (0, 1, 5, 70000 & 0xFFFF)
    assert wire.unpack_battery(wire.pack_battery(3900, 67, True, -45)) == (3900, 67, True, -45)
    assert wire.unpack_led(wire.pack_led(2, (1, 2, 3), 300, 0)) == (2, (1, 2, 3), 300, 0)
    assert wire.unpack_haptic(wire.pack_haptic(40, 60, 2, 200)) == (40, 60, 2, 200)
    assert wire.unpack_error(wire.pack_error(9, b"motor")) == (9, b"motor")
    with pytest.raises(wire.FrameError):
        wire.unpack_button(b"\x00")


# -- the file really is shared, and stays inside MicroPython's language -------------------------


def test_firmware_uses_the_same_wire_file() -> None:
    shared = FIRMWARE / "wire.py"
    assert shared.is_symlink()
    assert shared.resolve() == Path(wire.__file__).resolve()


@pytest.mark.parametrize("name", ["wire.py", "wearable.py", "main.py"])
def test_firmware_sources_avoid_what_micropython_lacks(name: str) -> None:
    tree = ast.parse((FIRMWARE / name).read_text())
    allowed = {
        "struct",
        "time",
        "machine",
        "wire",
        "wearable",
        "neopixel",
        "usb.device",
        "usb.device.cdc",
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {a.name for a in node.names} <= allowed, ast.dump(node)
        elif isinstance(node, ast.ImportFrom):
            assert node.module in allowed, node.module
        # Annotated assignments and f-strings are avoided; typing/dataclasses are not importable.
        assert not isinstance(node, (ast.AnnAssign, ast.JoinedStr)), (name, node.lineno)
