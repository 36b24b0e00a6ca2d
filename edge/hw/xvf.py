"""USB control of ReSpeaker mic arrays: XVF-3000 (2886:0018) and XVF3800 (2886:001A).

Both take vendor control transfers addressed to the device, so ``snd-usb-audio`` keeps the audio
interfaces. The transport is a :class:`ControlTransport` (pyusb's ``Device`` in production, a
recorded-transfer fake in tests). Parameters set over USB are lost on power-cycle, so the tuning
profile is applied, and read back, on every (re)connection.

Sources: respeaker/usb_4_mic_array ``tuning.py`` (XVF-3000 parameters; its ``tostring()`` is
``bytes()`` here), respeaker/pixel_ring ``usb_pixel_ring_v2.py`` (LED ring), and
respeaker/reSpeaker_XVF3800_USB_4MIC_ARRAY ``python_control/xvf_host.py`` (XVF3800; its int32
reads return raw bytes, decoded properly here).
"""

from __future__ import annotations

import logging
import math
import struct
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from edge.config import MicArrayConfig
from edge.errors import EdgeError
from edge.events import AssistantState

_LOGGER = logging.getLogger(__name__)

VENDOR_ID: Final = 0x2886
XVF3000_PID: Final = 0x0018
XVF3800_PID: Final = 0x001A

OUT: Final = 0x40
"""bmRequestType: host-to-device | vendor | device (pyusb CTRL_OUT|CTRL_TYPE_VENDOR|RECIPIENT)."""
IN: Final = 0xC0
"""bmRequestType: device-to-host | vendor | device."""
TIMEOUT_MS: Final = 1000
"""Upstream waits 100 s; a daemon must not hang on a wedged device."""

ArrayKind = Literal["xvf3000", "xvf3800"]


class MicArrayError(EdgeError):
    """The mic array refused or garbled a control transfer."""


class ControlTransport(Protocol):
    """A USB device's control endpoint (pyusb ``usb.core.Device`` satisfies it)."""

    def ctrl_transfer(
        self,
        bmRequestType: int,  # noqa: N803 (pyusb's parameter names)
        bRequest: int,  # noqa: N803
        wValue: int = 0,  # noqa: N803
        wIndex: int = 0,  # noqa: N803
        data_or_wLength: bytes | int | None = None,  # noqa: N803
        timeout: int | None = None,
    ) -> bytes | int:
        """Send (data) or receive (length) one control transfer."""
        ...


@dataclass(frozen=True, slots=True)
class Check:
    """A parameter read back after writing it."""

    name: str
    wanted: float
    got: float | None

    @property
    def ok(self) -> bool:
        """True when the read-back value matches (floats within 2 %)."""
        if self.got is None:
            return False
        return math.isclose(self.got, self.wanted, rel_tol=0.02, abs_tol=1e-6)


# -- XVF-3000 (ReSpeaker USB Mic Array v2.0) ------------------------------------------------------

XVF3000_PARAMS: Final[dict[str, tuple[int, int, bool]]] = {
    # name: (block id, offset, is_int)
    "AECFREEZEONOFF": (18, 7, True),
    "HPFONOFF": (18, 27, True),
    "AECSILENCEMODE": (18, 31, True),
    "AGCONOFF": (19, 0, True),
    "AGCMAXGAIN": (19, 1, False),
    "STATNOISEONOFF": (19, 8, True),
    "NONSTATNOISEONOFF": (19, 11, True),
    "ECHOONOFF": (19, 14, True),
    "NLATTENONOFF": (19, 18, True),
    "VOICEACTIVITY": (19, 32, True),
    "STATNOISEONOFF_SR": (19, 33, True),
    "NONSTATNOISEONOFF_SR": (19, 34, True),
    "DOAANGLE": (21, 0, True),
}

_PIXEL_RING: Final = 0x1C
"""wIndex of every LED ring command."""


class Xvf3000:
    """Tuning and LED ring of a ReSpeaker USB Mic Array v2.0."""

    kind: ArrayKind = "xvf3000"

    def __init__(self, transport: ControlTransport) -> None:
        self.transport = transport

    def version(self) -> str:
        """Firmware version byte."""
        data = bytes(_read(self.transport, 0x80, 0, 1))
        return str(data[0]) if data else "?"

    def write(self, name: str, value: float) -> None:
        """Set parameter ``name``."""
        block, offset, is_int = XVF3000_PARAMS[name]
        if is_int:
            payload = struct.pack("<iii", offset, int(value), 1)
        else:
            payload = struct.pack("<ifi", offset, float(value), 0)
        _write(self.transport, 0, block, payload)

    def read(self, name: str) -> float:
        """Read parameter ``name`` (floats come back as mantissa * 2**exponent)."""
        block, offset, is_int = XVF3000_PARAMS[name]
        command = 0x80 | offset | (0x40 if is_int else 0)
        data = bytes(_read(self.transport, command, block, 8))
        if len(data) < 8:
            raise MicArrayError("mic-array-read", f"{name}: short answer ({len(data)} bytes)")
        mantissa, exponent = struct.unpack("<ii", data[:8])
        return float(mantissa) if is_int else mantissa * 2.0**exponent

    def profile(self, config: MicArrayConfig) -> dict[str, float]:
        """Parameter values for ``config``: AEC adapting, suppression and AGC as asked."""
        on = 1 if config.noise_suppression else 0
        echo = 1 if config.echo_suppression else 0
        return {
            "AECFREEZEONOFF": 0,
            "ECHOONOFF": echo,
            "NLATTENONOFF": echo,
            "STATNOISEONOFF": on,
            "NONSTATNOISEONOFF": on,
            "STATNOISEONOFF_SR": on,
            "NONSTATNOISEONOFF_SR": on,
            "HPFONOFF": {0: 0, 70: 1, 125: 2, 180: 3}[config.hpf_hz],
            "AGCONOFF": 1 if config.agc else 0,
            "AGCMAXGAIN": round(10 ** (config.agc_max_gain_db / 20), 3),
        }

    def apply(self, config: MicArrayConfig) -> list[Check]:
        """Write the profile, then read every value back."""
        wanted = self.profile(config)
        for name, value in wanted.items():
            self.write(name, value)
        return [Check(name, value, self._try_read(name)) for name, value in wanted.items()]

    def show(self, state: AssistantState, brightness: int) -> None:
        """Show the assistant's state on the 12-LED ring (pixel_ring v2 commands)."""
        _write(self.transport, 0x20, _PIXEL_RING, bytes([min(31, brightness)]))
        command, data = {
            AssistantState.IDLE: (1, bytes([0, 0, 0, 0])),  # mono colour: black
            AssistantState.LISTENING: (2, bytes([0])),  # "listen"
            AssistantState.THINKING: (3, bytes([0])),  # "wait"
            AssistantState.SPEAKING: (4, bytes([0])),  # "speak"
            AssistantState.ERROR: (1, bytes([255, 0, 0, 0])),  # mono red
        }[state]
        _write(self.transport, command, _PIXEL_RING, data)

    def _try_read(self, name: str) -> float | None:
        try:
            return self.read(name)
        except MicArrayError as err:
            _LOGGER.warning("Mic array read of %s failed: %s", name, err)
            return None


# -- XVF3800 --------------------------------------------------------------------------------------

XVF3800_PARAMS: Final[dict[str, tuple[int, int, int, str]]] = {
    # name: (resource id, command id, value count, type)
    "VERSION": (48, 0, 3, "uint8"),
    "SHF_BYPASS": (33, 70, 1, "uint8"),
    "AEC_HPFONOFF": (33, 1, 1, "int32"),
    "AEC_AECCONVERGED": (33, 3, 1, "int32"),
    "AEC_ASROUTONOFF": (33, 35, 1, "int32"),
    "AUDIO_MGR_OP_L": (35, 15, 2, "uint8"),
    "AUDIO_MGR_OP_R": (35, 19, 2, "uint8"),
    "PP_AGCONOFF": (17, 10, 1, "int32"),
    "PP_AGCMAXGAIN": (17, 11, 1, "float"),
    "PP_MIN_NS": (17, 21, 1, "float"),
    "PP_MIN_NN": (17, 22, 1, "float"),
    "PP_ECHOONOFF": (17, 23, 1, "int32"),
    "PP_NLATTENONOFF": (17, 27, 1, "int32"),
    "LED_EFFECT": (20, 12, 1, "uint8"),
    "LED_BRIGHTNESS": (20, 13, 1, "uint8"),
    "LED_COLOR": (20, 16, 1, "uint32"),
}

_FORMATS: Final = {"uint8": "B", "int32": "i", "uint32": "I", "float": "f"}
_STATUS_OK: Final = 0
_STATUS_RETRY: Final = 64
_MAX_RETRIES: Final = 50


class Xvf3800:
    """Tuning and LED ring of a ReSpeaker XVF3800 4-mic array."""

    kind: ArrayKind = "xvf3800"

    def __init__(self, transport: ControlTransport) -> None:
        self.transport = transport

    def version(self) -> str:
        """Firmware version ``major.minor.patch``."""
        return ".".join(str(int(v)) for v in self.read("VERSION"))

    def write(self, name: str, values: tuple[float, ...]) -> None:
        """Set parameter ``name`` to ``values`` (one per value slot)."""
        resid, cmdid, count, kind = XVF3800_PARAMS[name]
        if len(values) != count:
            raise ValueError(f"{name} takes {count} values")
        fmt = "<" + _FORMATS[kind] * count
        cast = float if kind == "float" else int
        _write(self.transport, cmdid, resid, struct.pack(fmt, *(cast(v) for v in values)))

    def read(self, name: str) -> tuple[float, ...]:
        """Read parameter ``name``; retries while the device answers "busy" (status 64)."""
        resid, cmdid, count, kind = XVF3800_PARAMS[name]
        fmt = "<" + _FORMATS[kind] * count
        length = struct.calcsize(fmt) + 1
        for _ in range(_MAX_RETRIES):
            data = bytes(_read(self.transport, 0x80 | cmdid, resid, length))
            if not data:
                break
            if data[0] == _STATUS_RETRY:
                continue
            if data[0] != _STATUS_OK:
                raise MicArrayError("mic-array-read", f"{name}: status {data[0]}")
            if len(data) < length:
                raise MicArrayError("mic-array-read", f"{name}: short answer")
            return tuple(float(v) for v in struct.unpack(fmt, data[1:length]))
        raise MicArrayError("mic-array-busy", f"{name}: no answer after {_MAX_RETRIES} tries")

    def profile(self, config: MicArrayConfig) -> dict[str, tuple[float, ...]]:
        """Parameter values for ``config``."""
        echo = 1 if config.echo_suppression else 0
        floor_ns, floor_nn = (0.15, 0.3) if config.noise_suppression else (1.0, 1.0)
        return {
            "SHF_BYPASS": (0,),  # 0 = AEC/beamformer running
            "PP_ECHOONOFF": (echo,),
            "PP_NLATTENONOFF": (echo,),
            "PP_MIN_NS": (floor_ns,),
            "PP_MIN_NN": (floor_nn,),
            "AEC_HPFONOFF": ({0: 0, 70: 1, 125: 2, 180: 4}[config.hpf_hz],),
            "PP_AGCONOFF": (1 if config.agc else 0,),
            "PP_AGCMAXGAIN": (round(10 ** (config.agc_max_gain_db / 20), 3),),
        }

    def apply(self, config: MicArrayConfig) -> list[Check]:
        """Write the profile, then read every value back."""
        wanted = self.profile(config)
        for name, values in wanted.items():
            self.write(name, values)
        checks = []
        for name, values in wanted.items():
            try:
                got: float | None = self.read(name)[0]
            except MicArrayError as err:
                _LOGGER.warning("Mic array read of %s failed: %s", name, err)
                got = None
            checks.append(Check(name, values[0], got))
        return checks

    def show(self, state: AssistantState, brightness: int) -> None:
        """Show the assistant's state on the LED ring (effect 0 off, 1 breath, 3 colour, 4 DOA)."""
        effect, colour = {
            AssistantState.IDLE: (0, 0x000000),
            AssistantState.LISTENING: (4, 0x00FF00),  # direction of arrival: "I hear you there"
            AssistantState.THINKING: (1, 0x0000FF),
            AssistantState.SPEAKING: (3, 0x0000FF),
            AssistantState.ERROR: (3, 0xFF0000),
        }[state]
        self.write("LED_BRIGHTNESS", (min(255, brightness * 8),))
        if colour:
            self.write("LED_COLOR", (colour,))
        self.write("LED_EFFECT", (effect,))


MicArrayDevice = Xvf3000 | Xvf3800


def for_product(product_id: int, transport: ControlTransport) -> MicArrayDevice:
    """The driver for a ReSpeaker product id."""
    if product_id == XVF3000_PID:
        return Xvf3000(transport)
    if product_id == XVF3800_PID:
        return Xvf3800(transport)
    raise MicArrayError("mic-array-unknown", f"unsupported ReSpeaker product {product_id:#06x}")


def _write(transport: ControlTransport, value: int, index: int, payload: bytes) -> None:
    try:
        transport.ctrl_transfer(OUT, 0, value, index, payload, TIMEOUT_MS)
    except Exception as err:  # usb.core.USBError when the device is gone or refuses
        raise MicArrayError("mic-array-write", f"control write failed: {err}") from err


def _read(transport: ControlTransport, value: int, index: int, length: int) -> bytes:
    try:
        answer = transport.ctrl_transfer(IN, 0, value, index, length, TIMEOUT_MS)
    except Exception as err:
        raise MicArrayError("mic-array-read", f"control read failed: {err}") from err
    if isinstance(answer, int):
        raise MicArrayError("mic-array-read", "control read returned a length, not data")
    return bytes(answer)
