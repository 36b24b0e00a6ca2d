"""The console's MQTT connection: ingest the fleet's messages, publish commands, nothing lost.

* Subscribes with a persistent MQTT v5 session (``clean_start=False`` from the first connect,
  with a session expiry), so the broker queues what arrives while the console is down.
* Acknowledges each message only after its batch is committed (paho ``manual_ack``): a console
  killed mid-batch gets the batch again, and ingestion is idempotent by incident id.
* Commands are rows in the database first; each is published at QoS 1 and marked published only
  when the broker acknowledges it, so a console or broker restart re-sends, never drops.
* Another client with the same client id stops this one with a clear error instead of a tug
  of war that splits the stream between the two (see :mod:`edge.fleet.claim`).

paho's thread only hands messages to the event loop (``call_soon_threadsafe``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from edge.errors import EdgeError
from edge.fleet.claim import Claim
from edge.report.mqtt import Broker, connect_properties, make_client

_LOGGER = logging.getLogger(__name__)

BATCH: Final = 500
"""Messages per database transaction at most."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message as paho delivered it."""

    mid: int
    qos: int
    topic: str
    payload: bytes


class SessionTakenOver(EdgeError):
    """Another client connected with this client id and took the session over."""


class ConsoleLink:
    """Subscribes to ``topics`` on ``broker`` and hands batches to ``handle``.

    ``handle`` (a coroutine) must have stored the batch durably when it returns; only then are
    the messages acknowledged.
    """

    def __init__(
        self,
        broker: Broker,
        topics: Sequence[str],
        handle: Callable[[list[Incoming]], Awaitable[None]],
        *,
        reconnect_max_s: float = 10.0,
    ) -> None:
        self._broker = broker
        self.topics = list(topics)
        self._handle = handle
        self._reconnect_max_s = reconnect_max_s
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inbox: asyncio.Queue[Incoming] = asyncio.Queue()
        self._acked: dict[int, Callable[[], None]] = {}
        self.claim = Claim(broker.client_id)
        self.connected = asyncio.Event()
        """Set while connected and subscribed."""
        self.taken_over = asyncio.Event()
        """Set when another client took this client id's session over."""
        self.up = asyncio.Event()
        """Set (and cleared by the caller) on every successful connection."""

    def start(self) -> None:
        """Connect in paho's thread (returns at once; the broker may be down)."""
        self._loop = asyncio.get_running_loop()
        client = make_client(self._broker, manual_ack=True)
        client.reconnect_delay_set(1, max(1, int(self._reconnect_max_s)))
        client.max_inflight_messages_set(100)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=self._broker.keepalive_s,
            clean_start=False,
            properties=connect_properties(self._broker.session_expiry_s),
        )
        client.loop_start()
        self._client = client

    async def run(self) -> None:
        """Hand batches to ``handle`` until cancelled; acknowledge each after it was stored.

        Raises:
            SessionTakenOver: another client took the session over.
        """
        taken = asyncio.ensure_future(self.taken_over.wait())
        got: asyncio.Future[Incoming] | None = None
        try:
            while True:
                got = asyncio.ensure_future(self._inbox.get())
                done, _ = await asyncio.wait({got, taken}, return_when=asyncio.FIRST_COMPLETED)
                if taken in done:
                    raise SessionTakenOver(
                        "fleet-client-id-taken",
                        f"another client connected with client id {self._broker.client_id!r}"
                        " and took over this session; this one stops so the stream is not split",
                        fix="give each console or watcher its own --client-id",
                    )
                batch = [got.result()]
                while len(batch) < BATCH and not self._inbox.empty():
                    batch.append(self._inbox.get_nowait())
                await self._handle(batch)
                for item in batch:
                    if item.qos > 0:
                        self._client.ack(item.mid, item.qos)
        finally:
            taken.cancel()
            if got is not None and not got.done():
                got.cancel()

    def publish(self, topic: str, payload: bytes, on_acked: Callable[[], None]) -> bool:
        """Publish at QoS 1; ``on_acked`` runs on the loop after the broker's PUBACK."""
        if self._client is None or not self.connected.is_set():
            return False
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        props.ContentType = "application/json"
        info = self._client.publish(topic, payload, qos=1, properties=props)
        if info.rc != 0:
            return False
        self._acked[int(info.mid)] = on_acked
        return True

    def publish_retained(self, topic: str, payload: bytes) -> None:
        """Publish a retained QoS 1 message (discovery configs); fire and forget."""
        if self._client is not None:
            self._client.publish(topic, payload, qos=1, retain=True)

    async def stop(self) -> None:
        """Disconnect (the session stays on the broker) and join paho's thread."""
        client, self._client = self._client, None
        if client is None:
            return
        client.disconnect()
        await asyncio.to_thread(client.loop_stop)
        self.connected.clear()

    # -- paho thread ------------------------------------------------------------------------------

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            _LOGGER.warning("Broker refused the console: %s", reason)
            return
        client.subscribe([(t, 1) for t in self.topics])  # harmless with a present session
        self.claim.connected(client)
        _LOGGER.info(
            "Console connected to %s:%d (session present: %s)",
            self._broker.host,
            self._broker.port,
            flags.session_present,
        )
        self._hand_off(self._connected, True)

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self._hand_off(self._connected, False)

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        if msg.topic == self.claim.topic:
            if self.claim.received(client, msg) == "displaced":
                self._hand_off(self.taken_over.set)
            return
        item = Incoming(msg.mid, msg.qos, msg.topic, bytes(msg.payload))
        self._hand_off(self._inbox.put_nowait, item)

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        if reason.is_failure:
            _LOGGER.error("Broker refused a command (mid %d): %s; check its ACL", mid, reason)
            self._hand_off(self._acked.pop, mid, None)
            return
        self._hand_off(self._published, mid)

    # -- loop -------------------------------------------------------------------------------------

    def _connected(self, up: bool) -> None:
        if up:
            self.connected.set()
            self.up.set()
        else:
            self.connected.clear()

    def _published(self, mid: int) -> None:
        callback = self._acked.pop(mid, None)
        if callback is not None:
            callback()

    def _hand_off(self, fn: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # loop closed: unacknowledged, re-sent later
            loop.call_soon_threadsafe(fn, *args)
