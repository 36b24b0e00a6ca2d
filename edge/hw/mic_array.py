"""The USB mic array as a daemon part: hot-plug, tuning on every connection, LED ring, AEC status.

:class:`MicArray` polls for a ReSpeaker (pyusb; an absent libusb means "no array"), applies the
tuning profile on every (re)connection and reads it back, reports ``ComponentStatus("mic-array")``
and mirrors the assistant's state on the LED ring. All USB calls run on one worker thread.

Pure helpers: :func:`capture_layout` (which channel of a capture device is the processed one) and
:func:`needs_software_aec` (hardware AEC only cancels audio played *through* the array).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from edge.aio import EngineThread, TaskSet
from edge.bus import EventBus, Subscription
from edge.config import EchoCancel, MicArrayConfig
from edge.events import AssistantState, ComponentStatus, StateChanged
from edge.hw import Emit
from edge.hw.xvf import (
    VENDOR_ID,
    XVF3000_PID,
    XVF3800_PID,
    ArrayKind,
    MicArrayDevice,
    MicArrayError,
    for_product,
)

_LOGGER = logging.getLogger(__name__)

ARRAY_NAMES: dict[ArrayKind, tuple[str, ...]] = {
    "xvf3000": ("respeaker 4 mic array", "arrayuac10", "usb mic array"),
    "xvf3800": ("xvf3800",),
}
"""Fragments of the ALSA/PortAudio device names of each array (lower case)."""


@dataclass(frozen=True, slots=True)
class FoundArray:
    """An array seen on the USB bus."""

    kind: ArrayKind
    identity: str
    """Bus/address (changes on re-enumeration, so a replug is noticed)."""
    transport: Any
    """Its control endpoint (a ``ControlTransport``)."""
    product_id: int


@dataclass(frozen=True, slots=True)
class ArrayStatus:
    """What the daemon knows about the connected array."""

    kind: ArrayKind
    firmware: str
    tuned: bool
    """True when every tuning parameter read back as written."""
    mismatches: tuple[str, ...] = ()
    """Parameters that did not read back as written."""


@dataclass(frozen=True, slots=True)
class CaptureLayout:
    """How to open a capture device: how many channels, and which one to keep."""

    channels: int
    pick: int
    array: ArrayKind | None


def array_kind(device_name: str) -> ArrayKind | None:
    """Which ReSpeaker a sound device name belongs to, if any."""
    name = device_name.lower()
    for kind, fragments in ARRAY_NAMES.items():
        if any(f in name for f in fragments):
            return kind
    return None


def capture_layout(device_name: str, max_input_channels: int) -> CaptureLayout:
    """Channels to open and the processed one to keep.

    XVF-3000: 1-channel firmware has only the processed channel; 6-channel firmware has it on
    ch0 (ch1-4 raw mics, ch5 playback reference). XVF3800: left (ch0) is the processed output
    (AEC + beamformer + post-processing); never average L and R, they are different signals.
    Anything else: open one channel and let ALSA downmix.
    """
    kind = array_kind(device_name)
    if kind is None or max_input_channels <= 1:
        return CaptureLayout(1, 0, kind)
    return CaptureLayout(max_input_channels, 0, kind)


@dataclass(frozen=True, slots=True)
class AecDecision:
    """Who removes the assistant's voice from the mic."""

    mode: Literal["hardware", "software", "none"]
    reason: str

    @property
    def software(self) -> bool:
        """True when edge must run its own echo canceller."""
        return self.mode == "software"


def needs_software_aec(
    echo_cancel: EchoCancel,
    array: ArrayStatus | None,
    output_device: str,
) -> AecDecision:
    """Decide the echo path from ``listen.echo_cancel``, the array status and the playback device.

    The array cancels only what it plays itself (its USB playback is the AEC's reference); a
    voice played through HDMI, a headset or another card reaches the mic uncancelled.
    """
    if echo_cancel == "none":
        return AecDecision("none", "echo cancellation is off (listen.echo_cancel = none)")
    if echo_cancel in ("software", "webrtc"):
        return AecDecision("software", f"configured (listen.echo_cancel = {echo_cancel})")
    if array is None:
        return AecDecision("software", "no mic array with hardware AEC is connected")
    if not array.tuned:
        bad = ", ".join(array.mismatches) or "unknown"
        return AecDecision("software", f"array tuning did not read back ({bad})")
    if array_kind(output_device) != array.kind:
        return AecDecision(
            "software",
            f"playback goes to {output_device!r}, not through the {array.kind}: it has no echo "
            "reference",
        )
    return AecDecision("hardware", f"{array.kind} cancels its own playback")


_KINDS: dict[int, ArrayKind] = {XVF3000_PID: "xvf3000", XVF3800_PID: "xvf3800"}


def find_arrays() -> list[FoundArray]:
    """ReSpeaker arrays on the USB bus (empty when pyusb has no libusb backend)."""
    import usb.core

    try:
        devices = list(usb.core.find(find_all=True, idVendor=VENDOR_ID))
    except usb.core.NoBackendError:
        return []
    found = []
    for dev in devices:
        kind = _KINDS.get(int(dev.idProduct))
        if kind is not None:
            identity = f"{kind}@{dev.bus}:{dev.address}"
            found.append(FoundArray(kind, identity, dev, int(dev.idProduct)))
    return found


class MicArray:
    """Keeps a ReSpeaker tuned across hot-plugs and shows the assistant's state on its ring.

    Construct with ``MicArray(config.mic_array, bus.publish, bus)``; ``await start()``. Read
    ``status`` (None when no array) and pass it to :func:`needs_software_aec`.
    """

    name = "mic-array"

    def __init__(
        self,
        config: MicArrayConfig,
        emit: Emit,
        bus: EventBus | None = None,
        *,
        finder: Callable[[], list[FoundArray]] = find_arrays,
    ) -> None:
        self._config = config
        self._emit = emit
        self._bus = bus
        self._finder = finder
        self._usb = EngineThread("edge-usb")
        self._tasks = TaskSet(self.name)
        self._sub: Subscription | None = None
        self._device: MicArrayDevice | None = None
        self._identity: str | None = None
        self._state = AssistantState.IDLE
        self.status: ArrayStatus | None = None
        """The connected array, or None."""
        self.connections = 0
        """How many times an array was found and tuned."""
        self.scanned = asyncio.Event()
        """Set after every scan (tests wait on it)."""

    async def start(self) -> None:
        """Start watching the bus."""
        if not self._config.enabled:
            return
        if self._bus is not None and self._config.led_ring:
            self._sub = self._bus.subscribe(self.name, StateChanged, size=16)
            self._tasks.spawn(self._follow_state(self._sub), "led-ring")
        self._tasks.spawn(self._watch(), "watch")

    async def stop(self) -> None:
        """Stop watching; the ring is left dark."""
        if self._sub is not None:
            self._sub.close()
            self._sub = None
        await self._tasks.close()
        if self._device is not None and self._config.led_ring:
            await self._run(self._device.show, AssistantState.IDLE, self._config.led_brightness)
        self._usb.shutdown()

    async def _watch(self) -> None:
        while True:
            try:
                found = await self._usb.run(self._finder)
            except Exception as err:  # pyusb/libusb trouble must not end the watch
                _LOGGER.warning("Looking for a mic array failed: %s", err)
                found = []
            await self._reconcile(found[0] if found else None)
            self.scanned.set()
            await asyncio.sleep(self._config.poll_s)

    async def _reconcile(self, found: FoundArray | None) -> None:
        if found is None:
            if self._identity is not None:
                kind = self.status.kind if self.status else "array"
                self._forget()
                self._emit(ComponentStatus(self.name, False, f"{kind} unplugged"))
            return
        if found.identity == self._identity:
            return
        device = for_product(found.product_id, found.transport)
        try:
            firmware = await self._usb.run(device.version)
            checks = await self._usb.run(device.apply, self._config)
        except MicArrayError as err:
            _LOGGER.error("Tuning the %s failed: %s", found.kind, err)
            self._emit(ComponentStatus(self.name, False, f"{found.kind}: {err.message}"))
            return  # tried again at the next poll
        bad = tuple(c.name for c in checks if not c.ok)
        self._device, self._identity = device, found.identity
        self.status = ArrayStatus(found.kind, firmware, not bad, bad)
        self.connections += 1
        if bad:
            detail = f"{found.kind} fw {firmware}: did not read back {', '.join(bad)}"
        else:
            detail = f"{found.kind} fw {firmware}: tuned ({len(checks)} parameters verified)"
        self._emit(ComponentStatus(self.name, not bad, detail))
        if self._config.led_ring:
            await self._run(device.show, self._state, self._config.led_brightness)

    async def _follow_state(self, sub: Subscription) -> None:
        async for event in sub:
            self._state = event.new
            if self._device is not None:
                await self._run(self._device.show, event.new, self._config.led_brightness)

    async def _run(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            await self._usb.run(fn, *args)
        except MicArrayError as err:
            # The array is probably being unplugged; the next scan reports it.
            _LOGGER.warning("Mic array LED update failed: %s", err)

    def _forget(self) -> None:
        self._device = None
        self._identity = None
        self.status = None
