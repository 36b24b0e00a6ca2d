"""Microphone and speaker through PortAudio/ALSA, by device name, surviving unplug and replug.

:class:`AlsaSource` implements ``edge.audio.source.AudioSource``: mono int16 frames at 16 kHz of
``audio.block_ms``, keeping the processed channel of a multi-channel mic array. :class:`AlsaSink`
plays a :class:`~edge.audio.playback.PlaybackQueue` (``pull`` runs in the audio callback).

The PortAudio callbacks only copy and hand off (``loop.call_soon_threadsafe``). A device that
stops delivering (unplugged) is reported as ``ComponentStatus("mic"/"speaker", ok=False)`` and
reopened with growing back-off when it returns, without restarting the daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import numpy as np

from edge.aio import TaskSet
from edge.audio.playback import PlaybackQueue
from edge.config import AudioConfig
from edge.errors import AudioError
from edge.events import AudioFrame, ComponentStatus
from edge.hw import Emit
from edge.hw.board import BoardProfile
from edge.hw.mic_array import capture_layout
from edge.hw.sound import Backoff, DeviceInfo, SoundDeviceBackend, StreamBackend, pick_device

_LOGGER = logging.getLogger(__name__)

_LOST: Final = "lost"
_RESCAN: Final = "rescan"


@functools.cache
def default_backend() -> SoundDeviceBackend:
    """One PortAudio backend per process, shared by source and sink (re-scans coordinate)."""
    return SoundDeviceBackend()


class _Reporter:
    """ComponentStatus without repeats (a retry loop would otherwise say the same every time)."""

    def __init__(self, component: str, emit: Emit) -> None:
        self.component = component
        self._emit = emit
        self._last: tuple[bool, str] | None = None

    def __call__(self, ok: bool, detail: str) -> None:
        if (ok, detail) != self._last:
            self._last = (ok, detail)
            self._emit(ComponentStatus(self.component, ok, detail))


class AlsaSource:
    """The microphone: ``AlsaSource(config.audio, bus.publish, board=board)``, then ``frames()``."""

    name = "mic"

    def __init__(
        self,
        audio: AudioConfig,
        emit: Emit,
        *,
        board: BoardProfile | None = None,
        backend: StreamBackend | None = None,
        rate: int = 16_000,
        stall_s: float = 1.0,
        backoff: Backoff | None = None,
        max_queued: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self._audio = audio
        self._preferences = board.audio.input if board is not None else ()
        self._backend = backend or default_backend()
        self._report = _Reporter(self.name, emit)
        self._stall_s = stall_s
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._block = rate * audio.block_ms // 1000
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max_queued)
        self._stream: Any = None
        self._samples = 0
        self._offset: float | None = None
        self.device: DeviceInfo | None = None
        """The device now open."""
        self.overruns = 0
        """Blocks dropped because the consumer fell behind (or PortAudio reported overflow)."""
        self.reopened = 0
        """Successful opens after the first."""

    def clock_at(self, stream_time: float) -> float:
        """Monotonic clock time at which ``stream_time`` was captured (best estimate)."""
        return stream_time + (self._offset if self._offset is not None else 0.0)

    async def frames(self) -> AsyncIterator[AudioFrame]:
        """Frames until the consumer stops; device loss is reported and recovered inside."""
        loop = asyncio.get_running_loop()
        opens = 0
        try:
            while True:
                if not self._open(loop):
                    await asyncio.sleep(self._backoff.next())
                    self._backend.rescan()
                    continue
                self.reopened += 1 if opens else 0
                opens += 1
                self._backoff.reset()
                async for frame in self._deliver():
                    yield frame
        finally:
            self._close()

    async def _deliver(self) -> AsyncIterator[AudioFrame]:
        while True:
            try:
                item = await asyncio.wait_for(self._queue.get(), self._stall_s)
            except TimeoutError:
                item = _LOST
            if item == _RESCAN:
                self._close()
                return  # reopen at once, nothing to report
            if isinstance(item, str):
                self._report(False, f"lost {self._name()}: no audio for {self._stall_s:.1f} s")
                self._close()
                self._backend.rescan()
                return
            samples, arrived = item
            start = self._samples / self.rate
            self._samples += len(samples)
            # Earliest arrival minus stream time is the best estimate of capture latency.
            offset = arrived - self._samples / self.rate
            self._offset = offset if self._offset is None else min(self._offset, offset)
            yield AudioFrame(samples, self.rate, start)

    def _open(self, loop: asyncio.AbstractEventLoop) -> bool:
        try:
            devices = self._backend.devices()
            default = self._backend.default("input")
        except AudioError as err:
            self._report(False, err.message)
            return False
        device = pick_device(devices, self._audio.input_device, self._preferences, "input", default)
        if device is None:
            self._report(False, f"no capture device {self._audio.input_device!r}")
            return False
        layout = capture_layout(device.name, device.max_input_channels)
        callback = functools.partial(self._callback, loop, layout.pick)
        try:
            stream = self._backend.open(
                "input",
                device.index,
                self.rate,
                layout.channels,
                self._block,
                callback,
                lambda: _hand_off(loop, self._queue, _LOST),
                lambda: _hand_off(loop, self._queue, _RESCAN),
            )
            stream.start()
        except AudioError as err:
            self._report(False, f"{device.name}: {err.message}")
            return False
        except Exception as err:  # PortAudio refusing to start (device busy)
            self._report(False, f"{device.name}: {err}")
            return False
        self._stream, self.device = stream, device
        self._drain()
        self._offset = None
        detail = f"{device.name}: {layout.channels} ch, using ch{layout.pick}"
        self._report(True, detail)
        return True

    def _callback(
        self,
        loop: asyncio.AbstractEventLoop,
        pick: int,
        indata: Any,
        frames: int,
        _t: Any,
        status: Any,
    ) -> None:
        # Audio thread: copy the processed channel, timestamp, hand off. Nothing else.
        block = np.array(indata[:, pick], dtype=np.int16)
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(self._put, block, self._clock(), bool(status))

    def _put(self, block: Any, arrived: float, overflowed: bool) -> None:
        # Event loop: a slow consumer loses the oldest audio, never the newest.
        if overflowed:
            self.overruns += 1
        if self._queue.full():
            self._queue.get_nowait()
            self.overruns += 1
        self._queue.put_nowait((block, arrived))

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):  # an unplugged device may fail to close
                stream.close()

    def _name(self) -> str:
        return self.device.name if self.device else self._audio.input_device


def _hand_off(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Any], item: Any) -> None:
    """From any thread: queue ``item`` on the loop, dropping the oldest entry when full."""

    def put() -> None:
        if queue.full():
            queue.get_nowait()
        queue.put_nowait(item)

    with contextlib.suppress(RuntimeError):  # the loop is closing
        loop.call_soon_threadsafe(put)


class AlsaSink:
    """The speaker: ``AlsaSink(config.audio, queue, bus.publish, board=board)``; ``await start()``.

    ``device`` names the open device (pass ``device.name`` to ``needs_software_aec``). While the
    device is missing, queued speech is dropped (marked ``dropped``) so turns never wait for it.
    """

    name = "speaker"

    def __init__(
        self,
        audio: AudioConfig,
        queue: PlaybackQueue,
        emit: Emit,
        *,
        board: BoardProfile | None = None,
        backend: StreamBackend | None = None,
        block_ms: int = 20,
        stall_s: float = 1.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._audio = audio
        self._playback = queue
        self._preferences = board.audio.output if board is not None else ()
        self._backend = backend or default_backend()
        self._report = _Reporter(self.name, emit)
        self._block = queue.rate * block_ms // 1000
        self._stall_s = stall_s
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._tasks = TaskSet(self.name)
        self._events: asyncio.Queue[str] = asyncio.Queue()
        self._stream: Any = None
        self._pulled = 0
        self.device: DeviceInfo | None = None
        """The device now open."""

    async def start(self) -> None:
        """Open the device in the background (absence is reported, not raised)."""
        self._tasks.spawn(self._run(), "run")

    async def stop(self) -> None:
        """Close the device."""
        await self._tasks.close()
        self._close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._open(loop):
                self._playback.clear()  # nobody can hear it: let the turn move on
                await asyncio.sleep(self._backoff.next())
                self._backend.rescan()
                continue
            self._backoff.reset()
            reason = await self._watch()
            self._close()
            if reason == _LOST:
                self._report(False, f"lost {self.device.name if self.device else 'speaker'}")
                self._playback.clear()
                self._backend.rescan()

    async def _watch(self) -> str:
        last = -1
        while True:
            try:
                return await asyncio.wait_for(self._events.get(), self._stall_s)
            except TimeoutError:
                if self._pulled == last:
                    return _LOST  # the callback stopped: the device is gone
                last = self._pulled

    def _open(self, loop: asyncio.AbstractEventLoop) -> bool:
        try:
            devices = self._backend.devices()
            default = self._backend.default("output")
        except AudioError as err:
            self._report(False, err.message)
            return False
        wanted = self._audio.output_device
        device = pick_device(devices, wanted, self._preferences, "output", default)
        if device is None:
            self._report(False, f"no playback device {wanted!r}")
            return False
        channels = min(2, device.max_output_channels)
        try:
            stream = self._backend.open(
                "output",
                device.index,
                self._playback.rate,
                channels,
                self._block,
                self._callback,
                lambda: _hand_off(loop, self._events, _LOST),
                lambda: _hand_off(loop, self._events, _RESCAN),
            )
            stream.start()
        except Exception as err:  # AudioError, PortAudioError
            self._report(False, f"{device.name}: {getattr(err, 'message', err)}")
            return False
        self._stream, self.device = stream, device
        self._report(True, f"{device.name}: {channels} ch at {self._playback.rate} Hz")
        return True

    def _callback(self, outdata: Any, frames: int, time_info: Any, _status: Any) -> None:
        # Audio thread: PlaybackQueue.pull is built for this; no other work here.
        ahead = 0.0
        with contextlib.suppress(AttributeError, TypeError):
            ahead = max(0.0, float(time_info.outputBufferDacTime - time_info.currentTime))
        outdata[:] = self._playback.pull(frames, self._clock() + ahead)[:, None]
        self._pulled += 1

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
