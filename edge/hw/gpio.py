"""Digital pins behind one small interface: gpiozero (Pi), Jetson.GPIO or libgpiod (Jetson).

gpiozero cannot run on Jetson (its pin factories need a Raspberry Pi revision code), so the board
profile's ``gpio.backend`` picks the library. Each library is imported only when its backend is
opened, so neither Jetson.GPIO nor gpiod is ever a dependency on a Pi or in CI.

Debouncing is not delegated to the libraries: edge does it in software (``edge.hw.ptt``) so that a
press is reported at its first edge, the same way on every backend (lgpio's hardware debounce
would delay every press by the bounce time, and gpiozero's mock pins ignore bounce entirely).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import threading
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from edge.errors import EdgeError
from edge.hw.board import GpioProfile

_LOGGER = logging.getLogger(__name__)

T = TypeVar("T")

OnChange = Callable[[bool], None]
"""Called from a library thread with the new level (True = active / pressed)."""


class GpioError(EdgeError):
    """A GPIO pin could not be opened."""


class DigitalIn(Protocol):
    """An input pin reporting changes through the ``OnChange`` given when it was opened."""

    def read(self) -> bool:
        """True when the input is active (button pressed)."""
        ...

    def close(self) -> None:
        """Release the pin."""
        ...


class DigitalOut(Protocol):
    """An output pin (LED, active buzzer)."""

    def set(self, on: bool) -> None:
        """Drive the output active (on) or inactive."""
        ...

    def close(self) -> None:
        """Turn off and release the pin."""
        ...


def _import(name: str) -> Any:
    """Import a hardware library lazily (tests substitute fakes through ``sys.modules``)."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise GpioError(
            "gpio-library-missing",
            f"the GPIO library {name} is not installed",
            fix=f"pip install {name.split('.')[0]} on this board, or choose another gpio.backend",
        ) from err


def open_input(profile: GpioProfile, pin: int, on_change: OnChange) -> DigitalIn:
    """Open ``pin`` as the PTT input of ``profile``'s backend.

    Raises:
        GpioError: whatever the library raised, with the fix (never the library's own type).
    """
    if profile.backend == "gpiozero":
        return _guarded(profile, pin, lambda: _GpiozeroIn(profile, pin, on_change))
    if profile.backend == "jetson-gpio":
        return _guarded(profile, pin, lambda: _JetsonIn(profile, pin, on_change))
    if profile.backend == "gpiod":
        return _guarded(profile, pin, lambda: _GpiodIn(profile, pin, on_change))
    raise GpioError("gpio-none", "this board profile has no GPIO backend", fix="set device.board")


def open_output(profile: GpioProfile, pin: int) -> DigitalOut:
    """Open ``pin`` as an output of ``profile``'s backend, initially off.

    Raises:
        GpioError: as :func:`open_input`.
    """
    if profile.backend == "gpiozero":
        return _guarded(profile, pin, lambda: _GpiozeroOut(pin))
    if profile.backend == "jetson-gpio":
        return _guarded(profile, pin, lambda: _JetsonOut(pin))
    if profile.backend == "gpiod":
        return _guarded(profile, pin, lambda: _GpiodOut(profile, pin))
    raise GpioError("gpio-none", "this board profile has no GPIO backend", fix="set device.board")


def _guarded(profile: GpioProfile, pin: int, make: Callable[[], T]) -> T:
    """Run ``make`` and turn any library failure into a :class:`GpioError` with a fix.

    GPIO libraries raise their own types (gpiozero's ``BadPinFactory`` is an ``ImportError``), and
    a board profile naming a Pi on a machine without Pi GPIO must be reported, not crash ``edge
    run``.
    """
    try:
        return make()
    except EdgeError:
        raise
    except Exception as err:
        raise _library_error(profile, pin, err) from err


def _library_error(profile: GpioProfile, pin: int, err: Exception) -> GpioError:
    if type(err).__name__ == "BadPinFactory":
        return GpioError(
            "gpio-no-pin-factory",
            f"pin {pin}: gpiozero cannot drive this machine's GPIO: {why_no_pin_factory()}",
            fix=NO_PI_GPIO_FIX,
        )
    return GpioError(
        "gpio-open-failed",
        f"pin {pin} ({profile.backend}): {type(err).__name__}: {err}",
        fix="check device.board, the wiring (hardware/wiring.md) and GPIO permissions",
    )


NO_PI_GPIO_FIX = (
    "on a Raspberry Pi 5, install lgpio in edge's virtualenv (make install does); on any other "
    'machine set device.board to its profile, or "generic" for none'
)
"""What to do when gpiozero finds no pin factory (``edge doctor`` says the same)."""

PI_MODEL = Path("/proc/device-tree/model")


def pi_gpio_problem(model_file: Path = PI_MODEL) -> str | None:
    """Why gpiozero cannot work here (not a Pi, lgpio missing), or None when it should."""
    try:
        model = model_file.read_text(encoding="utf-8", errors="replace").strip("\0\n ")
    except OSError:
        model = ""
    if "Raspberry Pi" not in model:
        return f"this machine is not a Raspberry Pi ({model or f'no {model_file}'})"
    if importlib.util.find_spec("lgpio") is None:
        return f"{model}: the lgpio package is not installed"
    return None


def why_no_pin_factory(model_file: Path = PI_MODEL) -> str:
    """Why gpiozero found no pin factory here: not a Pi, lgpio missing, or the chip refused."""
    return pi_gpio_problem(model_file) or (
        "the GPIO chip could not be opened (the edge user needs the gpio group)"
    )


# -- gpiozero (Raspberry Pi; MockFactory in tests) -------------------------------------------------


def _gpiozero() -> Any:
    gpiozero = _import("gpiozero")
    # gpiozero warns once per pin factory it gives up on; the GpioError above says why, once.
    warnings.filterwarnings("ignore", category=gpiozero.exc.PinFactoryFallback)
    return gpiozero


class _GpiozeroIn:
    def __init__(self, profile: GpioProfile, pin: int, on_change: OnChange) -> None:
        gpiozero = _gpiozero()
        pull_up = {"up": True, "down": False, "none": None}[profile.pull]
        active_state = (not profile.active_low) if pull_up is None else None
        self._button = gpiozero.Button(
            pin, pull_up=pull_up, active_state=active_state, bounce_time=None
        )
        self._button.when_pressed = lambda: on_change(True)
        self._button.when_released = lambda: on_change(False)

    def read(self) -> bool:
        return bool(self._button.is_pressed)

    def close(self) -> None:
        self._button.when_pressed = None
        self._button.when_released = None
        self._button.close()


class _GpiozeroOut:
    def __init__(self, pin: int) -> None:
        gpiozero = _gpiozero()
        self._device = gpiozero.DigitalOutputDevice(pin, initial_value=False)

    def set(self, on: bool) -> None:
        self._device.value = 1 if on else 0

    def close(self) -> None:
        self._device.off()
        self._device.close()


# -- Jetson.GPIO (RPi.GPIO-style API, BOARD numbering) ---------------------------------------------


def _jetson() -> Any:
    gpio = _import("Jetson.GPIO")
    if gpio.getmode() is None:
        gpio.setmode(gpio.BOARD)
    return gpio


class _JetsonIn:
    def __init__(self, profile: GpioProfile, pin: int, on_change: OnChange) -> None:
        self._gpio = _jetson()
        self._pin = pin
        self._active = self._gpio.LOW if profile.active_low else self._gpio.HIGH
        # Jetson.GPIO ignores pull_up_down (warns); the profile asks for an external resistor.
        self._gpio.setup(pin, self._gpio.IN)
        self._gpio.add_event_detect(
            pin, self._gpio.BOTH, callback=lambda _channel: on_change(self.read())
        )

    def read(self) -> bool:
        return bool(self._gpio.input(self._pin) == self._active)

    def close(self) -> None:
        self._gpio.remove_event_detect(self._pin)
        self._gpio.cleanup(self._pin)


class _JetsonOut:
    def __init__(self, pin: int) -> None:
        self._gpio = _jetson()
        self._pin = pin
        self._gpio.setup(pin, self._gpio.OUT, initial=self._gpio.LOW)

    def set(self, on: bool) -> None:
        self._gpio.output(self._pin, self._gpio.HIGH if on else self._gpio.LOW)

    def close(self) -> None:
        self._gpio.output(self._pin, self._gpio.LOW)
        self._gpio.cleanup(self._pin)


# -- libgpiod v2 (PyPI "gpiod"): line offsets on a chip -------------------------------------------


def find_chip(gpiod: Any, chip: str) -> str:
    """Device path of ``chip``, given as a path or a label such as ``tegra234-gpio``."""
    if chip.startswith("/dev/"):
        return chip
    paths = sorted(f"/dev/{n}" for n in os.listdir("/dev") if n.startswith("gpiochip"))
    for path in paths:
        if not gpiod.is_gpiochip_device(path):
            continue
        with gpiod.Chip(path) as handle:
            if handle.get_info().label == chip or os.path.basename(path) == chip:
                return path
    raise GpioError(
        "gpio-chip-missing",
        f"no GPIO chip labelled {chip!r}",
        fix="list chips with gpiodetect and set gpio.chip in the board profile",
    )


class _GpiodIn:
    def __init__(self, profile: GpioProfile, pin: int, on_change: OnChange) -> None:
        gpiod = _import("gpiod")
        line = _import("gpiod.line")
        bias = {"up": line.Bias.PULL_UP, "down": line.Bias.PULL_DOWN, "none": line.Bias.AS_IS}
        settings = gpiod.LineSettings(
            direction=line.Direction.INPUT,
            edge_detection=line.Edge.BOTH,
            bias=bias[profile.pull],
            active_low=profile.active_low,
        )
        self._active = line.Value.ACTIVE
        self._pin = pin
        self._request = gpiod.request_lines(
            find_chip(gpiod, profile.chip), consumer="edge-ptt", config={pin: settings}
        )
        self._stop = threading.Event()
        self._on_change = on_change
        self._thread = threading.Thread(target=self._watch, name="edge-gpiod-ptt", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        # Bounded waits so close() is noticed within 0.2 s.
        while not self._stop.is_set():
            if self._request.wait_edge_events(timedelta(seconds=0.2)):
                self._request.read_edge_events()
                self._on_change(self.read())

    def read(self) -> bool:
        return bool(self._request.get_value(self._pin) == self._active)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        self._request.release()


class _GpiodOut:
    def __init__(self, profile: GpioProfile, pin: int) -> None:
        gpiod = _import("gpiod")
        line = _import("gpiod.line")
        self._values = (line.Value.INACTIVE, line.Value.ACTIVE)
        settings = gpiod.LineSettings(
            direction=line.Direction.OUTPUT, output_value=line.Value.INACTIVE
        )
        self._pin = pin
        self._request = gpiod.request_lines(
            find_chip(gpiod, profile.chip), consumer="edge-status", config={pin: settings}
        )

    def set(self, on: bool) -> None:
        self._request.set_value(self._pin, self._values[int(on)])

    def close(self) -> None:
        self.set(False)
        self._request.release()
