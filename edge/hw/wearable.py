"""The PTT wearable over serial: handshake, button events, state/LED/haptic commands, link loss.

Protocol: ``hardware/wearable/PROTOCOL.md``; framing and reliability: :mod:`edge.hw.wire` (the
same file runs on the wearable). One named task owns the port: it opens it (retrying every
``reconnect_ms``), asks for HELLO, answers HELLO_ACK, then feeds received bytes and a 50 ms tick
to the :class:`~edge.hw.wire.Channel`. A reader thread only hands bytes to the loop.

Link loss (unplug, no valid frame for ``timeout_ms``, or a message unacknowledged after all
retries) ends an active PTT turn with ``PttReleased(reason="link-lost")``, publishes
``ComponentStatus("wearable", ok=False)`` and a ``Notice``; the task then reconnects by itself.

A flood on the line (a loose connector, a babbling MCU) never stalls the event loop: the reader
thread hands over at most :data:`READ_BYTES` per chunk and at most :data:`INBOX_CHUNKS` chunks
at a time (then it waits, and the OS buffer takes the rest), the deframer works on whole runs
between delimiters, and the link task yields to the loop after every chunk. ``stop()`` ends the
reader and transmit threads (joined, bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from edge.aio import EngineThread, TaskSet
from edge.bus import EventBus, Subscription
from edge.config import PttConfig, WearableConfig
from edge.events import AssistantState, ComponentStatus, Notice, StateChanged
from edge.hw import Emit, wire
from edge.hw.ptt import PttEvent, PttLogic

_LOGGER = logging.getLogger(__name__)

TICK_S = 0.05
"""Resolution of retransmits and heartbeats."""
READ_BYTES = 4096
"""Most bytes one read hands to the event loop (a few milliseconds of work at most)."""
INBOX_CHUNKS = 16
"""Chunks handed over but not yet handled; the reader waits beyond this (bounded memory)."""
STOP_LIMIT_S = 2.0
"""Longest wait for the transmit thread on stop (a write times out after 1 s)."""
LOW_BATTERY_PCT = 15

STATE_CODES = {
    AssistantState.IDLE: wire.STATE_IDLE,
    AssistantState.LISTENING: wire.STATE_LISTENING,
    AssistantState.THINKING: wire.STATE_THINKING,
    AssistantState.SPEAKING: wire.STATE_SPEAKING,
    AssistantState.ERROR: wire.STATE_ERROR,
}


class PortLost(Exception):
    """The serial port failed (unplugged)."""


def open_serial(config: WearableConfig) -> Any:
    """Open the wearable's port with pyserial (``/dev/...`` or any pyserial URL)."""
    import serial

    return serial.serial_for_url(
        config.url, baudrate=config.baud, timeout=0.1, write_timeout=1.0, exclusive=True
    )


class WearableLink:
    """The wearable as a PTT source and a state display.

    Construct with ``WearableLink(config.wearable, bus.publish, bus, ptt=config.ptt,
    max_hold_s=config.endpoint.ptt_max_s)`` and ``await start()``.
    """

    name = "wearable"

    def __init__(
        self,
        config: WearableConfig,
        emit: Emit,
        bus: EventBus | None = None,
        *,
        ptt: PttConfig | None = None,
        max_hold_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        open_port: Callable[[WearableConfig], Any] = open_serial,
    ) -> None:
        self._config = config
        self._emit = emit
        self._bus = bus
        self._clock = clock
        self._open_port = open_port
        mode = ptt.mode if ptt is not None else "hold"
        hold_s = (ptt.hold_ms if ptt is not None else 400) / 1000
        # The wearable debounces on the MCU, so no bounce lockout here.
        self.logic = PttLogic(
            "wearable", mode=mode, bounce_s=0.0, hold_s=hold_s, max_hold_s=max_hold_s
        )
        self._tasks = TaskSet(self.name)
        self._tx: EngineThread | None = None
        self._sub: Subscription | None = None
        self._channel = self._new_channel()
        self._port: Any = None
        self.linked = False
        """True between a completed handshake and link loss."""
        self.info: dict[str, Any] = {}
        """What the wearable said in its HELLO (firmware, serial, capabilities)."""
        self.battery: tuple[int, int, bool, int] | None = None
        """Last BATTERY report: (mV, %, charging, temperature in 0.1 C)."""
        self.links = 0
        """Completed handshakes so far (reconnections included)."""
        self._state = wire.STATE_IDLE
        self._reported: tuple[bool, str] | None = None
        self._last_press_count: int | None = None
        self._hello_req_at: int | None = None
        self._timeout: asyncio.TimerHandle | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background (an absent wearable is reported, not raised)."""
        if self._bus is not None:
            self._sub = self._bus.subscribe(self.name, StateChanged, size=16)
            self._tasks.spawn(self._follow_state(self._sub), "state")
        self._tx = EngineThread("edge-wearable-tx")
        self._tasks.spawn(self._run(self._tx), "link")

    async def stop(self) -> None:
        """Close the port and end an active turn (``reason="stopped"``)."""
        if self._sub is not None:
            self._sub.close()
            self._sub = None
        await self._tasks.close()
        if self._timeout is not None:
            self._timeout.cancel()
            self._timeout = None
        self._close_port()  # first: a write blocked on the port fails at once
        if self._tx is not None:
            await self._tx.close(STOP_LIMIT_S)
            self._tx = None
        self._publish(self.logic.force_release(self._clock(), "stopped"))

    # -- commands to the wearable ------------------------------------------------------------------

    def set_state(self, state: AssistantState) -> None:
        """Show ``state`` on the wearable (it maps states to LED and haptic itself)."""
        self._state = STATE_CODES.get(state, wire.STATE_IDLE)
        if self.linked:
            self._channel.send(wire.SET_STATE, bytes([self._state]), self._ms())

    def led(
        self, pattern: int, rgb: tuple[int, int, int], period_ms: int = 0, duration_ms: int = 0
    ) -> bool:
        """Override the LED (pattern 0 off, 1 solid, 2 blink); False when not linked."""
        if not self.linked:
            return False
        payload = wire.pack_led(pattern, rgb, period_ms, duration_ms)
        return self._channel.send(wire.LED, payload, self._ms())

    def haptic(self, on_ms: int, off_ms: int = 0, repeat: int = 1, intensity: int = 255) -> bool:
        """Vibrate the wearable; False when not linked."""
        if not self.linked:
            return False
        payload = wire.pack_haptic(on_ms, off_ms, repeat, intensity)
        return self._channel.send(wire.HAPTIC, payload, self._ms())

    # -- the link task -----------------------------------------------------------------------------

    async def _run(self, tx: EngineThread) -> None:
        while True:
            try:
                self._port = await asyncio.to_thread(self._open_port, self._config)
            except Exception as err:  # pyserial raises SerialException/OSError/ValueError
                self._report(False, f"not connected ({self._config.url}: {err})")
                await asyncio.sleep(self._config.reconnect_ms / 1000)
                continue
            try:
                await self._session(self._port, tx)
            except PortLost as err:
                self._lost(f"port closed: {err}")
            finally:
                self._close_port()
            await asyncio.sleep(self._config.reconnect_ms / 1000)

    async def _session(self, port: Any, tx: EngineThread) -> None:
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[bytes | BaseException] = asyncio.Queue()
        slots = threading.Semaphore(INBOX_CHUNKS)
        stop = threading.Event()
        reader = threading.Thread(
            target=_read_loop,
            args=(port, _Handoff(inbox, loop, slots), stop),
            name="edge-wearable-rx",
            daemon=True,
        )
        reader.start()
        self._channel = self._new_channel()
        self._hello_req_at = None
        try:
            while True:
                try:
                    data = await asyncio.wait_for(inbox.get(), timeout=TICK_S)
                except TimeoutError:
                    data = b""
                else:
                    slots.release()
                if isinstance(data, BaseException):
                    raise PortLost(str(data) or type(data).__name__)
                self._handle(data, self._ms())
                out = self._channel.take()
                if out:
                    try:
                        await tx.run(port.write, out)
                    except Exception as err:  # write on an unplugged port
                        raise PortLost(str(err)) from err
                elif data:
                    await asyncio.sleep(0)  # a queued flood must not hold the loop
        finally:
            stop.set()
            await asyncio.to_thread(reader.join, 1.0)

    def _handle(self, data: bytes, now: int) -> None:
        for mtype, payload in self._channel.receive(data, now):
            try:
                self._on_message(mtype, payload, now)
            except wire.FrameError as err:
                _LOGGER.warning("Wearable sent a malformed %#x message: %s", mtype, err)
        status = self._channel.poll(now)
        if status is not None and self.linked:
            detail = {"timeout": "no heartbeat", "failed": "no acknowledgement"}[status]
            self._lost(f"{detail} for {self._config.timeout_ms / 1000:.1f} s")
            self._channel = self._new_channel()
            self._hello_req_at = None
        if not self.linked:
            due = (
                self._hello_req_at is None or now - self._hello_req_at >= self._config.reconnect_ms
            )
            if due:
                self._hello_req_at = now
                self._channel.send(wire.HELLO_REQ, b"", now, reliable=False)
        elif self._channel.heartbeat_due(now):
            uptime = int(self._clock() * 1000)
            payload = wire.pack_heartbeat(uptime, self._state)
            self._channel.send(wire.HEARTBEAT, payload, now, reliable=False)

    def _on_message(self, mtype: int, payload: bytes, now: int) -> None:
        if mtype == wire.HELLO:
            self._on_hello(payload, now)
        elif not self.linked:
            return  # frames of an old session: ask again for HELLO (already scheduled)
        elif mtype == wire.BUTTON:
            self._on_button(payload)
        elif mtype == wire.BATTERY:
            self._on_battery(payload)
        elif mtype == wire.ERROR:
            code, detail = wire.unpack_error(payload)
            text = detail.decode("utf-8", "replace")
            _LOGGER.error("Wearable error %d: %s", code, text)
            self._emit(ComponentStatus(self.name, False, f"wearable error {code}: {text}"))
            self._reported = None  # the next good news is reported again
        elif mtype == wire.LOG:
            _LOGGER.info("Wearable: %s", payload[1:].decode("utf-8", "replace"))
        elif mtype == wire.NAK:
            _LOGGER.warning("Wearable refused a message (reason %s)", payload[:1].hex())

    def _on_hello(self, payload: bytes, now: int) -> None:
        proto, fw, build, hw_rev, caps, serial = wire.unpack_hello(payload)
        if proto != wire.PROTO:
            self._channel.send(wire.NAK, bytes([wire.NAK_VERSION]), now, reliable=False)
            self._report(False, f"wearable speaks protocol {proto}, edge speaks {wire.PROTO}")
            return
        was_linked = self.linked
        if was_linked:  # the wearable rebooted mid-session: a held button is gone
            self._publish(self.logic.force_release(self._clock(), "link-lost"))
        self._channel.reset()
        self._channel.last_rx_ms = now
        self.info = {
            "fw": ".".join(str(part) for part in fw),
            "build": f"{build:08x}",
            "hw_rev": hw_rev,
            "caps": caps,
            "serial": serial.hex(),
        }
        ack = wire.pack_hello_ack(self._config.heartbeat_ms, int(time.time() * 1000))
        self._channel.send(wire.HELLO_ACK, ack, now, reliable=False)
        self._channel.send(wire.SET_STATE, bytes([self._state]), now)
        self.linked = True
        self.links += 1
        self._last_press_count = None
        self._report(True, f"linked: firmware {self.info['fw']}, serial {self.info['serial']}")

    def _on_button(self, payload: bytes) -> None:
        _button, action, _t_ms, count = wire.unpack_button(payload)
        at = self._clock()
        if action == wire.BUTTON_DOWN:
            last = self._last_press_count
            if last is not None and count != (last + 1) & 0xFFFF:
                _LOGGER.warning("Wearable presses %s..%s were not all seen", last, count)
            self._last_press_count = count
            self._publish(self.logic.edge(True, at))
        elif action == wire.BUTTON_UP:
            self._publish(self.logic.edge(False, at))
        # BUTTON_HOLD is informational: hold vs toggle is decided here, by PttLogic.
        self._schedule_timeout()

    def _on_battery(self, payload: bytes) -> None:
        mv, pct, charging, temp = wire.unpack_battery(payload)
        previous = self.battery
        self.battery = (mv, pct, charging, temp)
        if previous is None or previous[1] // 5 != pct // 5 or previous[2] != charging:
            detail = f"{pct} % ({mv} mV){', charging' if charging else ''}"
            self._emit(ComponentStatus("wearable-battery", pct >= LOW_BATTERY_PCT, detail))
        if pct < LOW_BATTERY_PCT <= (previous[1] if previous else 100) and not charging:
            self._emit(Notice(f"Wearable battery low, {pct} percent."))

    def _lost(self, reason: str) -> None:
        was_linked = self.linked
        self.linked = False
        self._publish(self.logic.force_release(self._clock(), "link-lost"))
        self._report(False, f"link lost: {reason}")
        if was_linked:
            self._emit(Notice("Wearable disconnected."))

    # -- helpers -----------------------------------------------------------------------------------

    def _schedule_timeout(self) -> None:
        if self._timeout is not None:
            self._timeout.cancel()
            self._timeout = None
        due = self.logic.timeout_due
        if due is not None:
            loop = asyncio.get_running_loop()
            self._timeout = loop.call_later(max(0.0, due - self._clock()), self._expire)

    def _expire(self) -> None:
        self._timeout = None
        self._publish(self.logic.expire(self._clock()))

    async def _follow_state(self, sub: Subscription) -> None:
        async for event in sub:
            self.set_state(event.new)

    def _publish(self, events: list[PttEvent]) -> None:
        for event in events:
            self._emit(event)

    def _report(self, ok: bool, detail: str) -> None:
        if self._reported != (ok, detail):  # retries would otherwise repeat the same status
            self._reported = (ok, detail)
            self._emit(ComponentStatus(self.name, ok, detail))

    def _new_channel(self) -> wire.Channel:
        c = self._config
        return wire.Channel(c.retry_ms, c.retries, c.heartbeat_ms, c.timeout_ms)

    def _ms(self) -> int:
        return int(self._clock() * 1000)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):  # already gone when unplugged
                port.close()


class _Handoff:
    """Reader thread to event loop: at most ``INBOX_CHUNKS`` chunks in flight."""

    def __init__(
        self,
        inbox: asyncio.Queue[bytes | BaseException],
        loop: asyncio.AbstractEventLoop,
        slots: threading.Semaphore,
    ) -> None:
        self.inbox = inbox
        self.loop = loop
        self.slots = slots

    def put(self, item: bytes | BaseException, stop: threading.Event) -> bool:
        """Hand ``item`` over once there is room; False if stopped first."""
        while not self.slots.acquire(timeout=TICK_S):
            if stop.is_set():
                return False
        try:
            self.loop.call_soon_threadsafe(self.inbox.put_nowait, item)
        except RuntimeError:  # the loop closed during shutdown
            return False
        return True


def _read_loop(port: Any, handoff: _Handoff, stop: threading.Event) -> None:
    """Reader thread: blocking reads (0.1 s timeout) of at most ``READ_BYTES``, handed over."""
    while not stop.is_set():
        try:
            data = port.read(min(READ_BYTES, max(1, port.in_waiting)))
        except Exception as err:  # SerialException / OSError when the device goes away
            if not stop.is_set():
                handoff.put(err, stop)
            return
        if data and not handoff.put(bytes(data), stop):
            return
