"""A simulated wearable: the reference firmware's logic (CPython) on the far end of a pty."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
import tty
from pathlib import Path
from typing import Any

FIRMWARE = Path(__file__).resolve().parents[2] / "hardware" / "wearable" / "firmware"
if str(FIRMWARE) not in sys.path:
    sys.path.insert(0, str(FIRMWARE))

import wearable as firmware  # noqa: E402  (the firmware's own module, as on the board)


class PtyPort:
    """The wearable's side of the serial line: the pty master."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self) -> bytes | None:
        if not select.select([self.fd], [], [], 0)[0]:
            return None
        try:
            return os.read(self.fd, 512)
        except OSError:
            return None  # the host side is not open yet

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)


class Button:
    def __init__(self) -> None:
        self.level = 1  # pulled up: released

    def value(self) -> int:
        return self.level


class Led:
    def __init__(self) -> None:
        self.colour = (0, 0, 0)

    def rgb(self, r: int, g: int, b: int) -> None:
        self.colour = (r, g, b)


class Motor:
    def __init__(self) -> None:
        self.history: list[int] = []

    def value(self, level: int) -> None:
        self.history.append(level)


class SimWearable:
    """Runs ``firmware.Wearable.step`` every 2 ms in a thread, talking over a fresh pty."""

    def __init__(self, battery: tuple[int, int, bool, int] | None = (3950, 80, False, 250)) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        self.path = os.ttyname(self.slave)
        self.button = Button()
        self.led = Led()
        self.motor = Motor()
        self.device: Any = firmware.Wearable(
            PtyPort(self.master),
            self.button,
            self.led,
            self.motor,
            battery=(lambda: battery) if battery else None,
            serial=b"SIM00001",
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def start(self) -> SimWearable:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sim-wearable", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                self.device.step(int(time.monotonic() * 1000))
            time.sleep(0.002)

    def freeze(self) -> None:
        """Stop the MCU loop (a hang, or a radio out of range): the host misses heartbeats."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)

    def press(self) -> None:
        self.button.level = 0

    def release(self) -> None:
        self.button.level = 1

    def unplug(self) -> None:
        self.freeze()
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class BurstPort:
    """A serial port whose receive buffer holds ``burst`` bytes at once (a USB CDC device that
    babbled while the host was busy), then stays quiet. Writes may be made to block, like a
    full transmit buffer."""

    def __init__(self, burst: bytes = b"", write_s: float = 0.0) -> None:
        self._buf = bytearray(burst)
        self._lock = threading.Lock()
        self.write_s = write_s
        self.writing = threading.Event()
        self.is_open = True

    @property
    def in_waiting(self) -> int:
        with self._lock:
            return len(self._buf)

    def read(self, size: int = 1) -> bytes:
        with self._lock:
            data = bytes(self._buf[:size])
            del self._buf[:size]
        if not data:
            time.sleep(0.02)  # the read timeout of an idle line
            if not self.is_open:
                raise OSError("port closed")
        return data

    def write(self, data: bytes) -> int:
        self.writing.set()
        time.sleep(self.write_s)
        return len(data)

    def close(self) -> None:
        self.is_open = False
