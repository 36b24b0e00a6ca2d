"""Sound devices through PortAudio (sounddevice): listing, picking by name, opening, re-scanning.

PortAudio enumerates devices once, when it is initialised, so a USB array that comes back after
an unplug is invisible until PortAudio is re-initialised, which would break every open stream.
:class:`SoundDeviceBackend` therefore re-scans only when the kernel's card list
(``/proc/asound/cards``) changed, and first interrupts the other open streams so their owners
reopen them at once. Tests use a fake backend with the same :class:`StreamBackend` shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from edge.errors import AudioError

_LOGGER = logging.getLogger(__name__)

Direction = Literal["input", "output"]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A PortAudio device."""

    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_rate: float
    hostapi: str = "ALSA"

    def channels(self, direction: Direction) -> int:
        """Channels it offers in ``direction``."""
        return self.max_input_channels if direction == "input" else self.max_output_channels


class Stream(Protocol):
    """An open PortAudio stream."""

    def start(self) -> None:
        """Start calling the callback."""
        ...

    def close(self) -> None:
        """Stop and release the device."""
        ...


class StreamBackend(Protocol):
    """What the ALSA source and sink need from PortAudio."""

    def devices(self) -> list[DeviceInfo]:
        """Every device PortAudio knows now."""
        ...

    def default(self, direction: Direction) -> DeviceInfo | None:
        """The system default device for ``direction``."""
        ...

    def rescan(self) -> bool:
        """Re-enumerate if the set of sound cards changed; True when it did."""
        ...

    def open(
        self,
        direction: Direction,
        device: int | None,
        rate: int,
        channels: int,
        blocksize: int,
        callback: Callable[..., None],
        finished: Callable[[], None],
        interrupted: Callable[[], None],
    ) -> Stream:
        """Open (not start) a 16-bit stream; ``interrupted`` is called if a re-scan closes it."""
        ...


def pick_device(
    devices: Sequence[DeviceInfo],
    wanted: str,
    preferences: Sequence[str],
    direction: Direction,
    default: DeviceInfo | None,
) -> DeviceInfo | None:
    """The device named by ``wanted`` (exact name, else a case-insensitive fragment).

    ``wanted = "default"`` tries the board profile's ``preferences`` in order, then the system
    default. Returns None when nothing matches (the device is absent).
    """
    usable = [d for d in devices if d.channels(direction) > 0]
    names = list(preferences) if wanted == "default" else [wanted]
    for name in names:
        for device in usable:
            if device.name == name:
                return device
        for device in usable:
            if name.lower() in device.name.lower():
                return device
    return default if wanted == "default" else None


def cards_fingerprint(path: Path = Path("/proc/asound/cards")) -> str:
    """The kernel's list of sound cards (changes when a USB card comes or goes)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


class SoundDeviceBackend:
    """The real backend: sounddevice (PortAudio) with 16-bit streams."""

    def __init__(self, fingerprint: Callable[[], str] = cards_fingerprint) -> None:
        self._fingerprint = fingerprint
        self._seen = fingerprint()
        self._open: dict[int, tuple[Any, Callable[[], None]]] = {}

    @staticmethod
    def _sd() -> Any:
        try:
            import sounddevice
        except OSError as err:  # libportaudio2 missing
            raise AudioError(
                "portaudio-missing",
                f"PortAudio is not usable: {err}",
                fix="apt install libportaudio2",
            ) from err
        return sounddevice

    def devices(self) -> list[DeviceInfo]:
        """Every device PortAudio knows now."""
        sd = self._sd()
        apis = [api["name"] for api in sd.query_hostapis()]
        return [
            DeviceInfo(
                int(d["index"]),
                str(d["name"]),
                int(d["max_input_channels"]),
                int(d["max_output_channels"]),
                float(d["default_samplerate"]),
                apis[int(d["hostapi"])],
            )
            for d in sd.query_devices()
        ]

    def default(self, direction: Direction) -> DeviceInfo | None:
        """The system default device, if PortAudio has one."""
        index = self._sd().default.device[0 if direction == "input" else 1]
        if index is None or int(index) < 0:
            return None
        return next((d for d in self.devices() if d.index == int(index)), None)

    def rescan(self) -> bool:
        """Re-initialise PortAudio when the card list changed, interrupting open streams."""
        now = self._fingerprint()
        if now == self._seen:
            return False
        self._seen = now
        for stream, interrupted in list(self._open.values()):
            stream.close()
            interrupted()
        self._open.clear()
        sd = self._sd()
        sd._terminate()  # sounddevice's documented way to re-enumerate devices
        sd._initialize()
        _LOGGER.info("Sound cards changed; PortAudio re-scanned its devices")
        return True

    def open(
        self,
        direction: Direction,
        device: int | None,
        rate: int,
        channels: int,
        blocksize: int,
        callback: Callable[..., None],
        finished: Callable[[], None],
        interrupted: Callable[[], None],
    ) -> Stream:
        """Open a raw int16 stream (callback gets numpy arrays shaped (frames, channels))."""
        sd = self._sd()
        cls = sd.InputStream if direction == "input" else sd.OutputStream
        backend = self

        class _Tracked:
            def __init__(self) -> None:
                self.stream = cls(
                    device=device,
                    samplerate=rate,
                    channels=channels,
                    dtype="int16",
                    blocksize=blocksize,
                    # PortAudio's default is its "high" latency (~100 ms of buffer on ALSA).
                    # Audio already in the output buffer plays after a barge-in pause, and
                    # capture buffering delays every onset: barge-in needs the short one.
                    latency="low",
                    callback=callback,
                    finished_callback=finished,
                )
                backend._open[id(self)] = (self.stream, interrupted)

            def start(self) -> None:
                self.stream.start()

            def close(self) -> None:
                backend._open.pop(id(self), None)
                self.stream.close(ignore_errors=True)

        try:
            return _Tracked()
        except Exception as err:  # sounddevice.PortAudioError, ValueError
            raise AudioError("audio-device-open", f"cannot open {direction} device: {err}") from err


class Backoff:
    """Growing delays between reopen attempts (pure)."""

    def __init__(self, first_s: float = 0.5, max_s: float = 5.0, factor: float = 2.0) -> None:
        self.first_s = first_s
        self.max_s = max_s
        self.factor = factor
        self._next = first_s

    def next(self) -> float:
        """The delay before the next attempt (s)."""
        delay = self._next
        self._next = min(self.max_s, self._next * self.factor)
        return delay

    def reset(self) -> None:
        """After a success: start from ``first_s`` again."""
        self._next = self.first_s
