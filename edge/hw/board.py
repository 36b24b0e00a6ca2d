"""Board profiles: which GPIO backend and pins, preferred sound devices, threads and models.

``device.board`` names a profile (``pi5``, ``jetson-orin-nano``, ``jetson-orin-nano-gpiod``,
``generic``) or is a path to a profile TOML. Profiles live in ``hardware/boards/`` in the repo and
in ``edge/data/boards/`` when installed; ``EDGE_BOARDS_DIR`` points elsewhere. Each is validated
like the config, so a typo names the key and the fix.
"""

from __future__ import annotations

import importlib.resources
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from edge.errors import ConfigError
from edge.settings import build, setting

GpioBackend = Literal["gpiozero", "jetson-gpio", "gpiod", "none"]


@dataclass(frozen=True, slots=True)
class GpioProfile:
    """Pins of the push-to-talk button, status LED and buzzer."""

    backend: GpioBackend = "none"
    """``gpiozero`` (Raspberry Pi), ``jetson-gpio`` (BOARD numbers), ``gpiod`` (line offsets)."""
    chip: str = "gpiochip0"
    """gpiod only: chip label (``tegra234-gpio``) or device path (``/dev/gpiochip0``)."""
    ptt_pin: int | None = setting(None, min=0, max=1023)
    """PTT input pin in the backend's numbering; None when there is no button."""
    pull: Literal["up", "down", "none"] = "up"
    """Bias of the PTT input: internal pull-up/down, or ``none`` for an external resistor."""
    active_low: bool = True
    """True when a pressed button reads low (button to ground)."""
    led_pin: int | None = setting(None, min=0, max=1023)
    """Status LED output pin, if fitted."""
    buzzer_pin: int | None = setting(None, min=0, max=1023)
    """Active buzzer output pin, if fitted."""

    def __post_init__(self) -> None:
        if self.pull == "up" and not self.active_low:
            raise ValueError("gpio.pull = 'up' means a pressed button reads low: set active_low")
        if self.pull == "down" and self.active_low:
            raise ValueError("gpio.pull = 'down' means a pressed button reads high: unset it")


@dataclass(frozen=True, slots=True)
class AudioProfile:
    """Sound devices this board usually has, best first."""

    input: tuple[str, ...] = ()
    """Capture device name fragments tried when ``audio.input_device = "default"``."""
    output: tuple[str, ...] = ()
    """Playback device name fragments tried when ``audio.output_device = "default"``."""


@dataclass(frozen=True, slots=True)
class ComputeProfile:
    """CPU budget."""

    threads: int = setting(2, min=1, max=64)
    """Threads the heavy engines (STT, LLM) may use."""


@dataclass(frozen=True, slots=True)
class ModelsProfile:
    """Model choices that suit this board (defaults the daemon may apply)."""

    stt: str = "tiny.en"
    """Speech-to-text model (a ``stt.options.model`` value), used when the config names none:
    base where the board has the time for it (it hears noisy speech better, see
    docs/hearing.md), tiny.en where the latency budget needs it."""
    wake_framework: Literal["onnx", "tflite"] = "onnx"
    """openWakeWord runtime."""
    denoise: str = "none"
    """Noise suppressor (``denoise.engine = "board"``): ``webrtc``, ``rnnoise``, ``deepfilternet``
    or ``none`` (see docs/hearing.md for the figures behind each board's choice)."""


@dataclass(frozen=True, slots=True)
class WearableProfile:
    """Where the PTT wearable usually appears."""

    url: str = "/dev/ptt-wearable"
    """Serial device (udev symlink) of the wearable."""


@dataclass(frozen=True, slots=True)
class BoardProfile:
    """Everything edge needs to know about the board it runs on."""

    name: str = "generic"
    """Profile name."""
    description: str = ""
    """One line for ``edge devices``."""
    gpio: GpioProfile = field(default_factory=GpioProfile)
    audio: AudioProfile = field(default_factory=AudioProfile)
    compute: ComputeProfile = field(default_factory=ComputeProfile)
    models: ModelsProfile = field(default_factory=ModelsProfile)
    wearable: WearableProfile = field(default_factory=WearableProfile)
    source: Path | None = None
    """File the profile was read from (None for the built-in generic one)."""

    @property
    def has_gpio(self) -> bool:
        """True when the board has a GPIO backend configured."""
        return self.gpio.backend != "none"


GENERIC = BoardProfile(name="generic", description="Generic Linux, no GPIO")
"""Used when ``device.board = "generic"``: no GPIO, system default sound devices."""


def boards_dir() -> Path:
    """Folder of the shipped profiles: ``EDGE_BOARDS_DIR``, the packaged copy, or the repo's."""
    if env := os.environ.get("EDGE_BOARDS_DIR"):
        return Path(env)
    packaged = importlib.resources.files("edge") / "data" / "boards"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "hardware" / "boards"


def available_boards() -> list[str]:
    """Names of the shipped profiles."""
    folder = boards_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else ["generic"]


def load_board(name_or_path: str) -> BoardProfile:
    """Load the profile ``name_or_path`` (a shipped name or a TOML path).

    Raises:
        ConfigError: unknown profile, unreadable file or invalid content (naming the key).
    """
    is_path = name_or_path.endswith(".toml") or os.sep in name_or_path
    path = Path(name_or_path).expanduser() if is_path else boards_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        if name_or_path == "generic":
            return GENERIC
        known = ", ".join(available_boards())
        raise ConfigError(
            "device.board",
            f"no board profile {name_or_path!r} ({path} not found)",
            fix=f"use one of {known}, or a path to a profile TOML",
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError("device.board", f"cannot read board profile {path}: {err}") from None
    raw.setdefault("name", path.stem)
    profile = build(BoardProfile, raw, "board")
    return BoardProfile(
        name=profile.name,
        description=profile.description,
        gpio=profile.gpio,
        audio=profile.audio,
        compute=profile.compute,
        models=profile.models,
        wearable=profile.wearable,
        source=path,
    )
