"""GPIO backend selection, Jetson.GPIO and libgpiod backends on fake modules, status feedback."""

from __future__ import annotations

import asyncio
import enum
import sys
import threading
import types
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from edge.bus import EventBus
from edge.config import FeedbackConfig, PttConfig
from edge.errors import ConfigError
from edge.events import AssistantState, PttPressed, PttReleased, StateChanged, TurnId
from edge.hw.board import GpioProfile, load_board
from edge.hw.feedback import PATTERNS, GpioFeedback
from edge.hw.gpio import GpioError, open_input, open_output
from edge.hw.ptt import GpioPtt

pytestmark = pytest.mark.unit


# -- board profiles --------------------------------------------------------------------------------


def test_shipped_profiles_select_their_backend() -> None:
    assert load_board("pi5").gpio.backend == "gpiozero"
    assert load_board("jetson-orin-nano").gpio.backend == "jetson-gpio"
    assert load_board("jetson-orin-nano-gpiod").gpio.backend == "gpiod"
    assert not load_board("generic").has_gpio


def test_profile_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('[gpio]\nbackend = "wiringpi"\n')
    with pytest.raises(ConfigError) as err:
        load_board(str(bad))
    assert "board.gpio.backend" in str(err.value)
    with pytest.raises(ConfigError, match="no board profile"):
        load_board("pi4")
    inconsistent = tmp_path / "x.toml"
    inconsistent.write_text('[gpio]\nbackend = "gpiozero"\npull = "up"\nactive_low = false\n')
    with pytest.raises(ConfigError, match="active_low"):
        load_board(str(inconsistent))


def test_no_backend_refuses_to_open() -> None:
    with pytest.raises(GpioError):
        open_input(GpioProfile(backend="none"), 1, lambda _: None)


def test_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "Jetson", None)
    monkeypatch.setitem(sys.modules, "Jetson.GPIO", None)
    with pytest.raises(GpioError) as err:
        open_input(load_board("jetson-orin-nano").gpio, 29, lambda _: None)
    assert err.value.code == "gpio-library-missing"


# -- Jetson.GPIO fake ------------------------------------------------------------------------------


class FakeJetsonGpio(types.ModuleType):
    BOARD, IN, OUT, BOTH, HIGH, LOW = "BOARD", "IN", "OUT", "BOTH", 1, 0

    def __init__(self) -> None:
        super().__init__("Jetson.GPIO")
        self.mode: str | None = None
        self.levels: dict[int, int] = {}
        self.callbacks: dict[int, Any] = {}
        self.cleaned: list[int] = []

    def getmode(self) -> str | None:
        return self.mode

    def setmode(self, mode: str) -> None:
        self.mode = mode

    def setup(self, pin: int, direction: str, initial: int = 1) -> None:
        self.levels[pin] = initial if direction == self.OUT else 1  # external pull-up

    def input(self, pin: int) -> int:
        return self.levels[pin]

    def output(self, pin: int, value: int) -> None:
        self.levels[pin] = value

    def add_event_detect(self, pin: int, edge: str, callback: Any) -> None:
        assert edge == self.BOTH
        self.callbacks[pin] = callback

    def remove_event_detect(self, pin: int) -> None:
        self.callbacks.pop(pin)

    def cleanup(self, pin: int) -> None:
        self.cleaned.append(pin)

    def drive(self, pin: int, level: int) -> None:
        """What the library's event thread does on an edge."""
        self.levels[pin] = level
        threading.Thread(target=self.callbacks[pin], args=(pin,)).start()


@pytest.fixture
def jetson(monkeypatch: pytest.MonkeyPatch) -> FakeJetsonGpio:
    fake = FakeJetsonGpio()
    package = types.ModuleType("Jetson")
    package.GPIO = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "Jetson", package)
    monkeypatch.setitem(sys.modules, "Jetson.GPIO", fake)
    return fake


def run_ptt(board_name: str, press: Any, release: Any) -> list[Any]:
    async def scenario() -> list[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        ptt = GpioPtt(PttConfig(bounce_ms=0), load_board(board_name), queue.put_nowait)
        await ptt.start()
        status = await queue.get()
        assert status.ok, status
        press()
        pressed = await asyncio.wait_for(queue.get(), 5)
        release()
        released = await asyncio.wait_for(queue.get(), 5)
        await ptt.stop()
        return [pressed, released]

    return asyncio.run(scenario())


def test_jetson_backend_uses_board_numbering(jetson: FakeJetsonGpio) -> None:
    events = run_ptt("jetson-orin-nano", lambda: jetson.drive(29, 0), lambda: jetson.drive(29, 1))
    assert isinstance(events[0], PttPressed) and isinstance(events[1], PttReleased)
    assert jetson.mode == "BOARD"
    assert jetson.cleaned == [29]
    led = open_output(load_board("jetson-orin-nano").gpio, 31)
    led.set(True)
    assert jetson.levels[31] == 1
    led.close()
    assert jetson.levels[31] == 0


# -- libgpiod v2 fake ------------------------------------------------------------------------------


class Value(enum.Enum):
    INACTIVE = 0
    ACTIVE = 1


class FakeRequest:
    def __init__(self, config: dict[int, Any]) -> None:
        self.config = config
        self.values = dict.fromkeys(config, Value.INACTIVE)
        self.edge = threading.Event()
        self.released = False

    def wait_edge_events(self, timeout: timedelta) -> bool:
        return self.edge.wait(timeout.total_seconds())

    def read_edge_events(self) -> list[Any]:
        self.edge.clear()
        return [object()]

    def get_value(self, offset: int) -> Value:
        return self.values[offset]

    def set_value(self, offset: int, value: Value) -> None:
        self.values[offset] = value

    def release(self) -> None:
        self.released = True


@pytest.fixture
def gpiod(monkeypatch: pytest.MonkeyPatch) -> Any:
    line = types.ModuleType("gpiod.line")
    line.Value = Value  # type: ignore[attr-defined]
    line.Direction = enum.Enum("Direction", "INPUT OUTPUT")  # type: ignore[attr-defined]
    line.Edge = enum.Enum("Edge", "BOTH")  # type: ignore[attr-defined]
    line.Bias = enum.Enum("Bias", "PULL_UP PULL_DOWN AS_IS")  # type: ignore[attr-defined]
    module = types.ModuleType("gpiod")
    module.line = line  # type: ignore[attr-defined]
    module.requests = []  # type: ignore[attr-defined]

    class LineSettings:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

    class Chip:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> Chip:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def get_info(self) -> Any:
            return types.SimpleNamespace(label="tegra234-gpio")

    def request_lines(path: str, consumer: str, config: dict[int, Any]) -> FakeRequest:
        request = FakeRequest(config)
        module.requests.append((path, consumer, request))  # type: ignore[attr-defined]
        return request

    module.LineSettings = LineSettings  # type: ignore[attr-defined]
    module.Chip = Chip  # type: ignore[attr-defined]
    module.request_lines = request_lines  # type: ignore[attr-defined]
    module.is_gpiochip_device = lambda path: True  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gpiod", module)
    monkeypatch.setitem(sys.modules, "gpiod.line", line)
    monkeypatch.setattr("edge.hw.gpio.os.listdir", lambda _: ["gpiochip0", "null"])
    return module


def test_gpiod_backend_requests_the_line_with_edges(gpiod: Any) -> None:
    def press() -> None:
        request = gpiod.requests[0][2]
        request.values[105] = Value.ACTIVE
        request.edge.set()

    def release() -> None:
        request = gpiod.requests[0][2]
        request.values[105] = Value.INACTIVE
        request.edge.set()

    events = run_ptt("jetson-orin-nano-gpiod", press, release)
    assert isinstance(events[0], PttPressed) and isinstance(events[1], PttReleased)
    path, consumer, request = gpiod.requests[0]
    assert path == "/dev/gpiochip0" and consumer == "edge-ptt"
    settings = request.config[105].kwargs
    assert settings["active_low"] is True
    assert settings["edge_detection"] == gpiod.line.Edge.BOTH
    assert request.released


# -- status LED and buzzer -------------------------------------------------------------------------


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    saved = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


def test_every_state_has_a_pattern() -> None:
    assert set(PATTERNS) == set(AssistantState)
    assert PATTERNS[AssistantState.LISTENING].beep  # audible "talk now"
    assert PATTERNS[AssistantState.ERROR].beep
    assert not PATTERNS[AssistantState.IDLE].led[0][0]


def test_feedback_follows_state_changes(mock_pins: MockFactory) -> None:
    async def wait_for(predicate: Any) -> None:
        for _ in range(500):
            if predicate():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not reached")

    async def scenario() -> None:
        bus = EventBus()
        feedback = GpioFeedback(FeedbackConfig(), load_board("pi5"), bus, lambda e: None)
        await feedback.start()
        led, buzzer = mock_pins.pin(27), mock_pins.pin(22)
        bus.publish(StateChanged(AssistantState.IDLE, AssistantState.LISTENING, TurnId(1)))
        await wait_for(lambda: feedback.state is AssistantState.LISTENING)
        await wait_for(lambda: led.state == 1)
        await wait_for(lambda: any(s.state for s in buzzer.states[1:]))  # the chirp
        bus.publish(StateChanged(AssistantState.LISTENING, AssistantState.THINKING, TurnId(1)))
        await wait_for(lambda: len(led.states) >= 4)  # blinking
        bus.publish(StateChanged(AssistantState.THINKING, AssistantState.IDLE, TurnId(1)))
        await wait_for(lambda: feedback.state is AssistantState.IDLE and led.state == 0)
        await feedback.stop()

    asyncio.run(scenario())
