"""sd_notify protocol and watchdog health: datagrams on a real socket, health by pure logic."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.bus import EventBus
from edge.events import ComponentStatus
from edge.notify import Notifier
from edge.watchdog import Health, Liveness, Watchdog

pytestmark = pytest.mark.unit


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(5)
    yield path, server
    server.close()


def received(server: socket.socket) -> list[str]:
    server.setblocking(False)
    out = []
    try:
        while True:
            out.append(server.recv(4096).decode())
    except BlockingIOError:
        return out
    finally:
        server.settimeout(5)


def test_without_notify_socket_every_call_is_a_silent_no_op() -> None:
    notifier = Notifier.from_environment({})
    assert not notifier.enabled
    assert notifier.watchdog_interval_s is None
    assert not notifier.ready("listening")
    assert not notifier.watchdog()
    assert not notifier.stopping()


def test_states_arrive_as_one_datagram_each(notify_socket: tuple[str, socket.socket]) -> None:
    path, server = notify_socket
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": path})
    assert notifier.extend_timeout(300, "loading models")
    assert notifier.ready("listening")
    assert notifier.watchdog()
    assert notifier.stopping()
    assert received(server) == [
        "EXTEND_TIMEOUT_USEC=300000000\nSTATUS=loading models",
        "READY=1\nSTATUS=listening",
        "WATCHDOG=1",
        "STOPPING=1",
    ]


def test_a_status_cannot_smuggle_in_another_field(notify_socket: tuple[str, socket.socket]) -> None:
    path, server = notify_socket
    Notifier(path).status("no mic\nREADY=1")
    assert received(server) == ["STATUS=no mic READY=1"]


def test_abstract_socket_names_start_with_at() -> None:
    name = f"edge-test-notify-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind("\0" + name)
    server.settimeout(5)
    try:
        assert Notifier(f"@{name}").ready()
        assert server.recv(4096) == b"READY=1"
    finally:
        server.close()


def test_a_vanished_socket_is_reported_not_raised(tmp_path: Path) -> None:
    notifier = Notifier(str(tmp_path / "gone.sock"))
    assert not notifier.watchdog()
    assert not notifier.watchdog()


@pytest.mark.parametrize(
    ("env", "interval"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "soon"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval_is_half_the_deadline_and_only_for_us(
    env: dict[str, str], interval: float | None
) -> None:
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": "/run/x", **env}, pid=4242)
    assert notifier.watchdog_interval_s == interval


def test_liveness_needs_a_running_listener_and_moving_audio() -> None:
    live = Liveness(stale_s=10)
    assert live.check(0.0, listener_alive=True, stream_time=0.0, mic_ok=None).ok
    assert live.check(5.0, listener_alive=True, stream_time=5.0, mic_ok=True).ok
    assert live.check(14.0, listener_alive=True, stream_time=5.0, mic_ok=True).ok
    stalled = live.check(16.0, listener_alive=True, stream_time=5.0, mic_ok=True)
    assert stalled == Health(False, "unhealthy: no capture audio for over 10 s")
    assert live.check(17.0, listener_alive=True, stream_time=5.1, mic_ok=True).ok
    dead = live.check(18.0, listener_alive=False, stream_time=6.0, mic_ok=True)
    assert dead == Health(False, "unhealthy: the listener stopped")


def test_a_mic_the_source_reports_missing_keeps_the_pings_going() -> None:
    live = Liveness(stale_s=10)
    live.check(0.0, listener_alive=True, stream_time=3.0, mic_ok=True)
    health = live.check(600.0, listener_alive=True, stream_time=3.0, mic_ok=False)
    assert health.ok and "no microphone" in health.status


class FakeNotifier(Notifier):
    def __init__(self) -> None:
        super().__init__(None)
        self.sent: list[tuple[str, ...]] = []

    def send(self, *fields: str) -> bool:
        self.sent.append(fields)
        return True


def test_watchdog_stops_pinging_while_capture_stands_still_and_says_why() -> None:
    async def scenario() -> FakeNotifier:
        notifier, bus = FakeNotifier(), EventBus()
        now = [0.0]
        stream = [0.0]
        listener = asyncio.get_running_loop().create_future()
        dog = Watchdog(
            notifier, bus, listener, lambda: stream[0], stale_s=1.0, clock=lambda: now[0]
        )
        task = asyncio.create_task(dog.run(0.001))
        for step in range(40):
            now[0] = step * 0.1
            if step < 10 or step >= 30:
                stream[0] = step * 0.1  # audio flows, stalls for 2 s, flows again
            if step == 20:
                bus.publish(ComponentStatus("mic", False, "lost ReSpeaker"))
            if step == 25:
                bus.publish(ComponentStatus("mic", True, "ReSpeaker: 1 ch"))
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        listener.cancel()
        return notifier

    notifier = asyncio.run(scenario())
    statuses = [f[0] for f in notifier.sent if f[0].startswith("STATUS=")]
    assert statuses.count("STATUS=unhealthy: no capture audio for over 1 s") == 1
    assert "STATUS=no microphone: waiting for it to come back" in statuses
    assert statuses[-1] == "STATUS=listening"
    pings_by_status: dict[str, int] = {}
    status = ""
    for fields in notifier.sent:
        if fields == ("WATCHDOG=1",):
            pings_by_status[status] = pings_by_status.get(status, 0) + 1
        else:
            status = fields[0]
    unhealthy = [s for s in pings_by_status if "unhealthy" in s]
    assert pings_by_status.get("", 0) > 5  # before any change: READY=1 said "listening"
    assert pings_by_status.get("STATUS=listening", 0) > 5
    assert pings_by_status.get("STATUS=no microphone: waiting for it to come back", 0) > 1
    assert unhealthy == []  # not one ping while capture stood still with the mic present


def test_a_blocked_event_loop_sends_no_pings(notify_socket: tuple[str, socket.socket]) -> None:
    """The pings come from the loop itself: a loop wedged in blocking code goes silent."""
    path, server = notify_socket
    arrivals: list[float] = []

    async def scenario() -> tuple[float, float]:
        stream = [0.0]
        listener = asyncio.get_running_loop().create_future()
        dog = Watchdog(Notifier(path), EventBus(), listener, lambda: stream[0])
        task = asyncio.create_task(dog.run(0.02))
        for _ in range(10):
            stream[0] += 0.02
            await asyncio.sleep(0.02)
        blocked = time.monotonic()
        time.sleep(0.5)  # noqa: ASYNC251 - the point: a loop wedged in blocking work
        unblocked = time.monotonic()
        for _ in range(10):
            stream[0] += 0.02
            await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        listener.cancel()
        return blocked, unblocked

    server.setblocking(False)
    collector = threading.Thread(target=_collect, args=(server, arrivals), daemon=True)
    collector.start()
    blocked, unblocked = asyncio.run(scenario())
    collector.join(2)
    assert [t for t in arrivals if t < blocked]
    assert [t for t in arrivals if t > unblocked]
    assert not [t for t in arrivals if blocked + 0.01 < t < unblocked - 0.01]


def _collect(server: socket.socket, arrivals: list[float]) -> None:
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            if server.recv(4096) == b"WATCHDOG=1":
                arrivals.append(time.monotonic())
        except BlockingIOError:
            time.sleep(0.002)
