"""ALSA source and sink on a fake PortAudio backend: device choice, channels, unplug and replug."""

from __future__ import annotations

import asyncio
import threading
import time
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from edge.audio.alsa import AlsaSink, AlsaSource
from edge.audio.playback import PlaybackQueue
from edge.config import AudioConfig
from edge.errors import AudioError
from edge.events import ComponentStatus, Speech
from edge.hw.board import load_board
from edge.hw.sound import Backoff, DeviceInfo, pick_device

pytestmark = pytest.mark.unit

ARRAY = DeviceInfo(3, "ReSpeaker 4 Mic Array (UAC1.0): USB Audio (hw:2,0)", 6, 2, 16000.0)
LAPTOP = DeviceInfo(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", 2, 2, 48000.0)


class FakeStream:
    """Calls the callback from its own thread, like PortAudio; stops when the device goes."""

    def __init__(
        self,
        backend: FakeBackend,
        device: DeviceInfo,
        direction: str,
        channels: int,
        blocksize: int,
        callback: Callable[..., None],
        interrupted: Callable[[], None],
    ):
        self.backend, self.device, self.direction = backend, device, direction
        self.channels, self.blocksize, self.callback = channels, blocksize, callback
        self.interrupted = interrupted
        self.running = False
        self.thread: threading.Thread | None = None
        self.played: list[np.ndarray] = []

    def start(self) -> None:
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        n = 0
        while self.running and self.device.name in self.backend.present:
            if self.direction == "input":
                data = np.empty((self.blocksize, self.channels), dtype=np.int16)
                data[:, 0] = np.arange(n, n + self.blocksize) % 30000  # the processed channel
                data[:, 1:] = -1  # raw mics / reference: must never reach the pipeline
                self.callback(data, self.blocksize, None, None)
            else:
                out = np.zeros((self.blocksize, self.channels), dtype=np.int16)
                timing = types.SimpleNamespace(outputBufferDacTime=1.02, currentTime=1.0)
                self.callback(out, self.blocksize, timing, None)
                self.played.append(out[:, 0].copy())
            n += self.blocksize
            time.sleep(0.003)

    def close(self) -> None:
        self.running = False
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(2)


class FakeBackend:
    def __init__(self, *devices: DeviceInfo) -> None:
        self.all = list(devices)
        self.present = {d.name for d in devices}
        self.changed = False
        self.opens: list[tuple[str, str, int, int]] = []
        self.streams: list[FakeStream] = []

    def devices(self) -> list[DeviceInfo]:
        return [d for d in self.all if d.name in self.present]

    def default(self, direction: str) -> DeviceInfo | None:
        return None

    def rescan(self) -> bool:
        changed, self.changed = self.changed, False
        return changed

    def open(
        self,
        direction: str,
        device: int | None,
        rate: int,
        channels: int,
        blocksize: int,
        callback: Any,
        finished: Any,
        interrupted: Any,
    ) -> FakeStream:
        info = next((d for d in self.devices() if d.index == device), None)
        if info is None:
            raise AudioError("audio-device-open", f"device {device} is gone")
        self.opens.append((direction, info.name, channels, blocksize))
        stream = FakeStream(self, info, direction, channels, blocksize, callback, interrupted)
        self.streams.append(stream)
        return stream

    def unplug(self, device: DeviceInfo) -> None:
        self.present.discard(device.name)
        self.changed = True

    def replug(self, device: DeviceInfo) -> None:
        self.present.add(device.name)
        self.changed = True


def test_pick_device_by_name_fragment_and_board_preference() -> None:
    devices = [LAPTOP, ARRAY]
    prefs = load_board("pi5").audio.input
    assert pick_device(devices, "default", prefs, "input", LAPTOP) == ARRAY
    assert pick_device([LAPTOP], "default", prefs, "input", LAPTOP) == LAPTOP
    assert pick_device(devices, "hda intel", (), "input", None) == LAPTOP
    assert pick_device(devices, "XVF3800", (), "input", None) is None


def test_backoff_grows_and_resets() -> None:
    b = Backoff(0.5, 4.0)
    assert [b.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    b.reset()
    assert b.next() == 0.5


def statuses(events: list[Any], component: str) -> list[bool]:
    return [e.ok for e in events if isinstance(e, ComponentStatus) and e.component == component]


def test_source_keeps_the_processed_channel_and_survives_a_replug() -> None:
    backend = FakeBackend(LAPTOP, ARRAY)
    events: list[Any] = []
    source = AlsaSource(
        AudioConfig(block_ms=32),
        events.append,
        board=load_board("pi5"),
        backend=backend,
        stall_s=0.2,
        backoff=Backoff(0.02, 0.1),
    )

    async def scenario() -> list[Any]:
        frames = []
        async for frame in source.frames():
            frames.append(frame)
            if len(frames) == 5:
                backend.unplug(ARRAY)
            if len(frames) == 5 and source.reopened == 0:
                # Keep consuming: the generator reports the loss and retries by itself.
                asyncio.get_running_loop().call_later(0.4, backend.replug, ARRAY)
            if source.reopened == 1 and len(frames) >= 8:
                break
        return frames

    frames = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert backend.opens[0] == ("input", ARRAY.name, 6, 512)  # all six channels, 32 ms blocks
    assert all(len(f.samples) == 512 and f.samples.dtype == np.int16 for f in frames)
    assert (frames[0].samples >= 0).all()  # ch0 only, never the raw channels
    times = [f.stream_time for f in frames]
    assert times == sorted(times) and times[1] == pytest.approx(0.032)
    assert statuses(events, "mic")[:3] == [True, False, False] and statuses(events, "mic")[-1]
    assert source.reopened == 1 and len(backend.opens) == 2


def test_sink_plays_the_queue_and_drops_speech_while_unplugged() -> None:
    backend = FakeBackend(ARRAY)
    events: list[Any] = []
    queue = PlaybackQueue(16_000)
    sink = AlsaSink(
        AudioConfig(),
        queue,
        events.append,
        board=load_board("pi5"),
        backend=backend,
        stall_s=0.2,
        backoff=Backoff(0.02, 0.1),
    )
    speech = Speech("hello", (np.arange(3200) % 1000).astype(np.int16), 16_000)

    async def scenario() -> None:
        await sink.start()
        item = queue.enqueue(speech)
        await asyncio.wait_for(queue.drain(), 10)
        assert item.complete and item.first_heard_at is not None
        backend.unplug(ARRAY)
        for _ in range(500):
            if statuses(events, "speaker")[-1:] == [False]:
                break
            await asyncio.sleep(0.01)
        lost = queue.enqueue(speech)
        await asyncio.wait_for(queue.drain(), 10)  # dropped, not stuck
        assert lost.dropped
        backend.replug(ARRAY)
        for _ in range(500):
            if statuses(events, "speaker")[-1:] == [True]:
                break
            await asyncio.sleep(0.01)
        await sink.stop()

    asyncio.run(scenario())
    played = np.concatenate(backend.streams[0].played)
    start = int(np.flatnonzero(played)[0]) - 1
    assert np.array_equal(played[start : start + 3200], speech.samples)
    assert statuses(events, "speaker")[0] and statuses(events, "speaker")[-1]
    assert backend.opens[0][2] == 2  # stereo out: the mono voice goes to both channels


def test_streams_are_opened_with_low_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    # Output already buffered plays on after a barge-in pause: PortAudio's default ("high",
    # ~100 ms on ALSA) would add that much to every interruption.
    from edge.hw.sound import SoundDeviceBackend

    opened: list[dict[str, object]] = []

    class FakeStream:
        def __init__(self, **kwargs: object) -> None:
            opened.append(kwargs)

    class FakeSd:
        InputStream = OutputStream = FakeStream

    monkeypatch.setattr(SoundDeviceBackend, "_sd", staticmethod(lambda: FakeSd))
    backend = SoundDeviceBackend(fingerprint=lambda: "")
    for direction in ("input", "output"):
        backend.open(direction, 0, 16_000, 1, 256, lambda *a: None, lambda: None, lambda: None)
    assert [o["latency"] for o in opened] == ["low", "low"]
