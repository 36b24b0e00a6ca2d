"""Wearable link: framing and reliability shared by the daemon and the wearable's firmware.

This one file runs unchanged on CPython (``edge.hw.wire``) and MicroPython (``wire`` on the
board, see ``hardware/wearable/README.md``). So: no ``typing``/``dataclasses``/``__future__``
imports, no f-strings, only ``struct`` from the standard library, annotations only in ``def``
lines (MicroPython ignores them) and ``# type:`` comments for attributes. CRC and COBS are
implemented here because MicroPython has no ``binascii.crc_hqx`` and no ``cobs`` package.

Wire format (``hardware/wearable/PROTOCOL.md``)::

    COBS( ver:u8 type:u8 seq:u8 ack:u8 flags:u8 payload[0..N] crc16:u16le ) 0x00

CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF; check value 0x29B1) over header and payload.
Reliable messages carry ``FLAG_ACK_REQ`` and a sequence number 1..255 of their own; the receiver
acknowledges each (``ACK`` with ``ack`` = that sequence) and drops a repeat of the last one it
saw, so a retransmission never acts twice. Unreliable frames (heartbeats, battery) use seq 0.
"""

import struct

PROTO = 1
"""Version of the message set, exchanged in HELLO / HELLO_ACK."""
FRAME_VERSION = 1
"""Version of the frame layout (first header byte)."""
HEADER_LEN = 5
MAX_PAYLOAD = 96
"""Largest payload a sender may put in one frame (bytes)."""
MAX_ENCODED = HEADER_LEN + MAX_PAYLOAD + 2 + 2
"""Longest COBS-encoded frame without its delimiter; longer input is dropped as noise."""

FLAG_ACK_REQ = 0x01

# Message types.
ACK = 0x01
NAK = 0x02
HELLO = 0x03
HELLO_ACK = 0x04
HEARTBEAT = 0x05
HELLO_REQ = 0x06
BUTTON = 0x10
BATTERY = 0x11
SET_STATE = 0x20
LED = 0x21
HAPTIC = 0x22
LOG = 0x40
ERROR = 0x7F

# BUTTON actions.
BUTTON_UP = 0
BUTTON_DOWN = 1
BUTTON_HOLD = 2

# SET_STATE / HEARTBEAT states.
STATE_IDLE = 0
STATE_LISTENING = 1
STATE_THINKING = 2
STATE_SPEAKING = 3
STATE_ERROR = 4
STATE_OFFLINE = 5

# NAK reasons.
NAK_TYPE = 1
NAK_LENGTH = 2
NAK_VERSION = 3
NAK_BUSY = 4


class FrameError(Exception):
    """A frame was damaged, truncated or of another version; it is dropped."""


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_CRC_TABLE = _crc_table()


def crc16(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (``crc16(b"123456789") == 0x29B1``)."""
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def cobs_encode(data: bytes) -> bytes:
    """Consistent Overhead Byte Stuffing: the result has no zero byte."""
    out = bytearray(1)
    code_at = 0
    code = 1
    for byte in data:
        if byte == 0:
            out[code_at] = code
            code_at = len(out)
            out.append(0)
            code = 1
            continue
        out.append(byte)
        code += 1
        if code == 0xFF:
            out[code_at] = code
            code_at = len(out)
            out.append(0)
            code = 1
    out[code_at] = code
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Undo :func:`cobs_encode`; raise :class:`FrameError` on malformed input."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise FrameError("zero byte inside a frame")
        end = i + code
        if end > n:
            raise FrameError("truncated frame")
        out.extend(data[i + 1 : end])
        i = end
        if code < 0xFF and i < n:
            out.append(0)
    return bytes(out)


def encode(mtype: int, seq: int, ack: int, payload: bytes = b"", flags: int = 0) -> bytes:
    """One frame on the wire, delimiter included."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload too long")
    body = struct.pack("<BBBBB", FRAME_VERSION, mtype, seq & 0xFF, ack & 0xFF, flags) + payload
    crc = crc16(body)
    return cobs_encode(body + struct.pack("<H", crc)) + b"\x00"


def decode(frame: bytes) -> tuple[int, int, int, int, bytes]:
    """``(type, seq, ack, flags, payload)`` of a frame without its delimiter."""
    raw = cobs_decode(frame)
    if len(raw) < HEADER_LEN + 2:
        raise FrameError("short frame")
    body = raw[:-2]
    if crc16(body) != struct.unpack_from("<H", raw, len(raw) - 2)[0]:
        raise FrameError("bad crc")
    version, mtype, seq, ack, flags = struct.unpack_from("<BBBBB", body, 0)
    if version != FRAME_VERSION:
        raise FrameError("frame version")
    return mtype, seq, ack, flags, bytes(body[HEADER_LEN:])


class Deframer:
    """Splits a byte stream at zero bytes; resynchronises after noise or a mid-frame start."""

    def __init__(self, max_len: int = MAX_ENCODED) -> None:
        self.max_len = max_len
        self.buf = bytearray()
        self.overflow = False
        self.dropped = 0
        """Runaway frames discarded for being longer than ``max_len``."""

    def feed(self, data: bytes) -> list[bytes]:
        """Bytes in, complete frames (without delimiter) out.

        Works on runs between zero bytes (``find`` and slices run in C, on MicroPython too), so
        a megabyte of line noise costs milliseconds, not a Python step per byte.
        """
        if not isinstance(data, bytes):
            data = bytes(data)
        frames = []
        start = 0
        n = len(data)
        while start < n:
            end = data.find(b"\x00", start)
            if end < 0:
                self._take(data, start, n)
                break
            self._take(data, start, end)
            if self.buf and not self.overflow:
                frames.append(bytes(self.buf))
            self.buf = bytearray()
            self.overflow = False
            start = end + 1
        return frames

    def _take(self, data: bytes, start: int, end: int) -> None:
        if self.overflow or start >= end:
            return
        if len(self.buf) + end - start > self.max_len:
            self.overflow = True
            self.dropped += 1
            self.buf = bytearray()
        else:
            self.buf.extend(data[start:end])


class Channel:
    """Stop-and-wait reliability, duplicate suppression and liveness (time in ms, passed in)."""

    def __init__(
        self,
        retry_ms: int = 150,
        retries: int = 5,
        heartbeat_ms: int = 1000,
        timeout_ms: int = 3000,
        max_queue: int = 16,
    ) -> None:
        self.retry_ms = retry_ms
        self.retries = retries
        self.heartbeat_ms = heartbeat_ms
        self.timeout_ms = timeout_ms
        self.max_queue = max_queue
        self.deframer = Deframer()
        self.bad_frames = 0
        self.retransmits = 0
        self.duplicates = 0
        self.last_rx_ms = None  # type: int | None
        self.last_tx_ms = None  # type: int | None
        self._rseq = 0
        self._pending = None  # type: bytes | None
        self._pending_seq = 0
        self._pending_at = 0
        self._pending_tries = 0
        self._queue = []  # type: list[tuple[int, bytes]]
        self._last_rx_rseq = -1
        self._out = []  # type: list[bytes]

    def send(self, mtype: int, payload: bytes, now: int, reliable: bool = True) -> bool:
        """Queue a message; False when the reliable queue is full (the message is dropped)."""
        if not reliable:
            self._emit(encode(mtype, 0, 0, payload), now)
            return True
        if len(self._queue) >= self.max_queue:
            return False
        self._queue.append((mtype, payload))
        self._next(now)
        return True

    @property
    def busy(self) -> bool:
        """True while a reliable message waits for its acknowledgement."""
        return self._pending is not None or bool(self._queue)

    def receive(self, data: bytes, now: int) -> list[tuple[int, bytes]]:
        """Feed received bytes; return new ``(type, payload)`` messages (ACKs are consumed)."""
        messages = []
        for raw in self.deframer.feed(data):
            try:
                mtype, seq, ack, flags, payload = decode(raw)
            except FrameError:
                self.bad_frames += 1
                continue
            self.last_rx_ms = now
            if mtype == ACK:
                if self._pending is not None and ack == self._pending_seq:
                    self._pending = None
                    self._next(now)
                continue
            if flags & FLAG_ACK_REQ:
                self._emit(encode(ACK, 0, seq, b"\x00"), now)
                if seq == self._last_rx_rseq:
                    self.duplicates += 1
                    continue
                self._last_rx_rseq = seq
            messages.append((mtype, payload))
        return messages

    def poll(self, now: int) -> str | None:
        """Resend when due; report ``"failed"``, ``"timeout"`` or None.

        ``"failed"``: a reliable message got no ACK after all retries (it and the queue are
        dropped). ``"timeout"``: nothing valid was heard for ``timeout_ms``.
        """
        pending = self._pending
        if pending is not None and now - self._pending_at >= self.retry_ms:
            if self._pending_tries >= self.retries:
                self._pending = None
                self._queue = []
                return "failed"
            self._pending_at = now
            self._pending_tries += 1
            self.retransmits += 1
            self._emit(pending, now)
        if self.last_rx_ms is not None and now - self.last_rx_ms >= self.timeout_ms:
            return "timeout"
        return None

    def heartbeat_due(self, now: int) -> bool:
        """True when nothing was sent for a heartbeat period."""
        return self.last_tx_ms is None or now - self.last_tx_ms >= self.heartbeat_ms

    def take(self) -> bytes:
        """Bytes to write to the port now."""
        out = b"".join(self._out)
        self._out = []
        return out

    def reset(self) -> None:
        """Start a new session (after HELLO): forget sequence state, queued sends and liveness."""
        self._pending = None
        self._queue = []
        self._last_rx_rseq = -1
        self.last_rx_ms = None

    def _next(self, now: int) -> None:
        if self._pending is not None or not self._queue:
            return
        mtype, payload = self._queue.pop(0)
        self._rseq = self._rseq % 255 + 1
        frame = encode(mtype, self._rseq, 0, payload, FLAG_ACK_REQ)
        self._pending = frame
        self._pending_seq = self._rseq
        self._pending_at = now
        self._pending_tries = 0
        self._emit(frame, now)

    def _emit(self, frame: bytes, now: int) -> None:
        self._out.append(frame)
        self.last_tx_ms = now


# -- payloads (little-endian) ------------------------------------------------------------------


def pack_hello(
    fw: tuple[int, int, int], build: int, hw_rev: int, serial: bytes, caps: int
) -> bytes:
    """HELLO: proto, firmware version, build id, hardware revision, capabilities, 8-byte serial."""
    head = struct.pack("<BBBBIBH", PROTO, fw[0], fw[1], fw[2], build, hw_rev, caps)
    return head + (serial + b"\x00" * 8)[:8]


def unpack_hello(payload: bytes) -> tuple[int, tuple[int, int, int], int, int, int, bytes]:
    """``(proto, fw, build, hw_rev, caps, serial)``."""
    if len(payload) < 19:
        raise FrameError("short HELLO")
    proto, major, minor, patch, build, hw_rev, caps = struct.unpack_from("<BBBBIBH", payload, 0)
    return proto, (major, minor, patch), build, hw_rev, caps, bytes(payload[11:19])


def pack_hello_ack(heartbeat_ms: int, unix_ms: int) -> bytes:
    """HELLO_ACK: the host's proto, the heartbeat period to use, wall-clock time."""
    return struct.pack("<BHQ", PROTO, heartbeat_ms, unix_ms)


def unpack_hello_ack(payload: bytes) -> tuple[int, int, int]:
    """``(proto, heartbeat_ms, unix_ms)``."""
    if len(payload) < 11:
        raise FrameError("short HELLO_ACK")
    proto, heartbeat_ms, unix_ms = struct.unpack_from("<BHQ", payload, 0)
    return proto, heartbeat_ms, unix_ms


def pack_heartbeat(uptime_ms: int, state: int) -> bytes:
    """HEARTBEAT: sender uptime (wraps at 2**32 ms) and state."""
    return struct.pack("<IB", uptime_ms & 0xFFFFFFFF, state)


def pack_button(button: int, action: int, t_ms: int, press_count: int) -> bytes:
    """BUTTON: which button, up/down/hold, MCU time, presses since boot (detects a lost pair)."""
    return struct.pack("<BBIH", button, action, t_ms & 0xFFFFFFFF, press_count & 0xFFFF)


def unpack_button(payload: bytes) -> tuple[int, int, int, int]:
    """``(button, action, t_ms, press_count)``."""
    if len(payload) < 8:
        raise FrameError("short BUTTON")
    button, action, t_ms, count = struct.unpack_from("<BBIH", payload, 0)
    return button, action, t_ms, count


def pack_battery(mv: int, pct: int, charging: bool, temp_dc: int) -> bytes:
    """BATTERY: millivolts, percent, charging, temperature in tenths of a degree C."""
    return struct.pack("<HBBh", mv, pct, 1 if charging else 0, temp_dc)


def unpack_battery(payload: bytes) -> tuple[int, int, bool, int]:
    """``(mv, pct, charging, temp_dc)``."""
    if len(payload) < 6:
        raise FrameError("short BATTERY")
    mv, pct, charging, temp = struct.unpack_from("<HBBh", payload, 0)
    return mv, pct, charging != 0, temp


def pack_led(pattern: int, rgb: tuple[int, int, int], period_ms: int, duration_ms: int) -> bytes:
    """LED: pattern (0 off, 1 solid, 2 blink), colour, period, duration (0 = until next state)."""
    return struct.pack("<BBBBHH", pattern, rgb[0], rgb[1], rgb[2], period_ms, duration_ms)


def unpack_led(payload: bytes) -> tuple[int, tuple[int, int, int], int, int]:
    """``(pattern, rgb, period_ms, duration_ms)``."""
    if len(payload) < 8:
        raise FrameError("short LED")
    pattern, r, g, b, period, duration = struct.unpack_from("<BBBBHH", payload, 0)
    return pattern, (r, g, b), period, duration


def pack_haptic(on_ms: int, off_ms: int, repeat: int, intensity: int) -> bytes:
    """HAPTIC: pulse on/off times, number of pulses, intensity 0..255."""
    return struct.pack("<HHBB", on_ms, off_ms, repeat, intensity)


def unpack_haptic(payload: bytes) -> tuple[int, int, int, int]:
    """``(on_ms, off_ms, repeat, intensity)``."""
    if len(payload) < 6:
        raise FrameError("short HAPTIC")
    on_ms, off_ms, repeat, intensity = struct.unpack_from("<HHBB", payload, 0)
    return on_ms, off_ms, repeat, intensity


def pack_error(code: int, detail: bytes) -> bytes:
    """ERROR: a code and a short UTF-8 detail."""
    return struct.pack("<H", code) + detail[: MAX_PAYLOAD - 2]


def unpack_error(payload: bytes) -> tuple[int, bytes]:
    """``(code, detail)``."""
    if len(payload) < 2:
        raise FrameError("short ERROR")
    return struct.unpack_from("<H", payload, 0)[0], bytes(payload[2:])
