"""The MQTT connection (paho-mqtt 2.x, MQTT v5): the only device module that imports paho.

Facts this relies on (verified on mosquitto 2.0.11; MQTT v5 spec, paho-mqtt 2.x docs):

* ``clean_start`` is False on *every* connect, the first included: mosquitto only persists a
  session across its own restart when the first CONNECT had ``clean_start=0``.
* MQTT v5, so a refused publish (ACL "Not authorized") comes back as a failure reason code; with
  3.1.1 it is a plain PUBACK and an outbox would wrongly forget the incident.
* paho keeps unacknowledged QoS 1 messages in memory and re-sends them on reconnect; memory is
  lost on a crash, hence the SQLite outbox in front.

paho's network thread runs every callback here. They only record state and hand events to the
event loop with ``loop.call_soon_threadsafe``; nothing here blocks the loop. Reconnection is
paho's own loop, with its delay reset before each attempt to our back-off with jitter, so a fleet
of devices coming back after a site-wide outage does not reconnect in lockstep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.config import DeviceConfig, ReportConfig
from edge.private import open_to_others
from edge.report.errors import ReportError
from edge.report.reach import connect_problem, refusal_problem

_LOGGER = logging.getLogger(__name__)


def backoff_delay(attempt: int, min_s: float, max_s: float, rand: float) -> float:
    """Delay before reconnect attempt ``attempt`` (1, 2, ...): doubling, capped, equal jitter.

    ``rand`` is uniform in [0, 1); the delay is between half the capped exponential and all of it.
    """
    cap = min(max_s, min_s * float(1 << max(0, min(attempt - 1, 32))))
    return cap / 2 + rand * cap / 2


@dataclass(frozen=True, slots=True)
class Broker:
    """Where and how to connect; secrets stay out of ``repr``."""

    host: str
    port: int
    client_id: str
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    keepalive_s: int = 30
    session_expiry_s: int = 604_800

    @classmethod
    def from_config(cls, report: ReportConfig, device: DeviceConfig, suffix: str = "") -> Broker:
        """The broker of ``[report]``; ``suffix`` is added to the client id (CLI tools).

        Raises:
            ReportError: ``mqtt-config`` when the password file cannot be read.
        """
        password = report.password
        if report.password_file is not None:
            password = read_password(report.password_file)
        return cls(
            host=report.host,
            port=report.port,
            client_id=(report.client_id or device.id) + suffix,
            tls=report.tls,
            ca_file=report.ca_file,
            cert_file=report.cert_file,
            key_file=report.key_file,
            username=report.username,
            password=password,
            keepalive_s=report.keepalive_s,
            session_expiry_s=report.session_expiry_s,
        )


def read_password(path: Path) -> str:
    """The first line of ``path`` (the content itself is never logged or shown)."""
    try:
        return (
            path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
        )
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise ReportError(
            "mqtt-config",
            f"cannot read the broker password file {path}: {reason}",
            fix="check report.password_file and its permissions",
        ) from None


def make_client(broker: Broker, *, manual_ack: bool = False) -> mqtt.Client:
    """A paho v5 client with TLS and credentials of ``broker`` applied (not connected).

    Raises:
        ReportError: ``mqtt-config`` when a CA, certificate or key cannot be loaded.
    """
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=broker.client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    paho_logger = logging.getLogger("edge.report.paho")
    if paho_logger.isEnabledFor(logging.DEBUG):
        # Only when debugging: paho logs every failed reconnect at ERROR, hours of noise offline.
        client.enable_logger(paho_logger)
    if broker.tls:
        client.tls_set_context(_tls_context(broker))
    if broker.username or broker.password:
        client.username_pw_set(broker.username or None, broker.password or None)
    return client


def _tls_context(broker: Broker) -> ssl.SSLContext:
    # create_default_context: CERT_REQUIRED and host name checks; without a CA file, system CAs.
    try:
        context = ssl.create_default_context(cafile=str(broker.ca_file) if broker.ca_file else None)
    except (OSError, ssl.SSLError) as err:
        raise _config_error("CA file", broker.ca_file, err) from None
    if broker.cert_file is not None and broker.key_file is not None:
        _warn_if_readable(broker.key_file)
        try:
            context.load_cert_chain(str(broker.cert_file), str(broker.key_file))
        except (OSError, ssl.SSLError) as err:
            raise _config_error("client certificate or key", broker.cert_file, err) from None
    return context


def _warn_if_readable(key_file: Path) -> None:
    # Group edge may read it (docs/install.md); every user may not (edge doctor: secrets).
    if open_to_others(key_file):
        _LOGGER.warning("Private key %s is readable by every user; chmod o-rwx it", key_file)


def _config_error(what: str, path: Path | None, err: Exception) -> ReportError:
    reason = getattr(err, "strerror", None) or getattr(err, "reason", None) or type(err).__name__
    return ReportError(
        "mqtt-config",
        f"cannot load the {what} {path}: {reason}",
        fix="check report.ca_file, report.cert_file and report.key_file",
    )


def _properties(packet_type: int) -> Properties:
    return Properties(packet_type)  # type: ignore[no-untyped-call]


def connect_properties(session_expiry_s: int) -> Properties:
    """CONNECT properties: how long the broker keeps our session while we are away."""
    props = _properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = session_expiry_s
    return props


class LinkEvents(Protocol):
    """Receives the link's events on the event loop."""

    def link_up(self, session: int, session_present: bool) -> None:
        """Connected (CONNACK success); ``session`` is the birth/death number in force."""

    def link_down(self, reason: str) -> None:
        """The connection was lost or refused."""

    def link_acked(self, mid: int, ok: bool, reason: str) -> None:
        """The broker answered message ``mid`` (for QoS 0: it was written)."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message the broker delivered to us (fleet commands); acknowledge it once handled."""

    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Will:
    """The retained status the broker publishes when we vanish."""

    topic: str
    payload: Callable[[int], bytes]
    """Payload for a session number."""
    delay_s: int = 5


class MqttLink:
    """A persistent MQTT v5 session to ``broker``, reconnecting with back-off and jitter.

    ``next_session`` returns a new, durable birth/death session number; it is called on paho's
    thread before the first connection and after each lost one. Without ``will`` (CLI tools that
    share the device's identity) no birth/death status is involved.

    With ``subscribe`` (topic filters) and ``on_message``, the link also receives: each message is
    handed to ``on_message`` on the event loop and acknowledged only when :meth:`ack` is called,
    so a command is not lost if the daemon dies before storing it.
    """

    def __init__(
        self,
        broker: Broker,
        events: LinkEvents,
        loop: asyncio.AbstractEventLoop,
        *,
        will: Will | None,
        next_session: Callable[[], int],
        reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 120.0,
        inflight: int = 10,
        rand: Callable[[], float] = random.random,
        subscribe: tuple[str, ...] = (),
        on_message: Callable[[Inbound], None] | None = None,
    ) -> None:
        self._broker = broker
        self._subscribe = subscribe if on_message is not None else ()
        self._on_inbound = on_message
        self._events = events
        self._loop = loop
        self._will = will
        self._next_session = next_session
        self._min_s = reconnect_min_s
        self._max_s = reconnect_max_s
        self._rand = rand
        self._attempt = 0
        self._connected = False
        self._stopping = False
        self.session = 0
        """Birth/death session number of the current (or next) connection."""
        self.last_error: str | None = None
        """Why the last connection attempt failed or ended, if it did."""
        self.last_fix: str | None = None
        """What to do about ``last_error``, when known (a certificate not trusted: the CA)."""
        self._client = make_client(broker, manual_ack=bool(self._subscribe))
        self._client.max_inflight_messages_set(inflight)
        self._client.max_queued_messages_set(0)  # the forwarder's window bounds the queue
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._client.on_log = self._on_log
        self._client.on_message = self._on_message
        self._log_error: str | None = None

    @property
    def connected(self) -> bool:
        """True between a successful CONNACK and the loss of the connection."""
        return self._connected

    @property
    def _where(self) -> str:
        return f"{self._broker.host}:{self._broker.port}"

    def start(self) -> None:
        """Begin connecting in paho's thread; returns at once (the broker may be down)."""
        self._arm_will()
        self._set_delay()
        self._client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=self._broker.keepalive_s,
            clean_start=False,
            properties=connect_properties(self._broker.session_expiry_s),
        )
        self._client.loop_start()

    def stop(self) -> None:
        """Disconnect normally (no will) and join paho's thread. Blocks up to a few seconds."""
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()
        self._connected = False

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int,
        retain: bool = False,
        expiry_s: int | None = None,
        key: str | None = None,
    ) -> int | None:
        """Queue a message (thread-safe, never blocks); its mid, or None if not queued."""
        props = _properties(PacketTypes.PUBLISH)
        props.ContentType = "application/json"
        if expiry_s is not None:
            props.MessageExpiryInterval = expiry_s
        if key is not None:
            props.UserProperty = ("idempotency-key", key)
        info = self._client.publish(topic, payload, qos=qos, retain=retain, properties=props)
        # While disconnected paho keeps QoS > 0 messages in memory and sends them on reconnect.
        if info.rc == mqtt.MQTT_ERR_SUCCESS or (info.rc == mqtt.MQTT_ERR_NO_CONN and qos > 0):
            return int(info.mid)
        return None

    def ack(self, message: Inbound) -> None:
        """Acknowledge a received message (thread-safe): the broker forgets it."""
        if message.qos > 0:
            self._client.ack(message.mid, message.qos)

    def publish_and_wait(
        self, topic: str, payload: bytes, *, retain: bool, timeout_s: float
    ) -> bool:
        """Publish at QoS 1 and block until acknowledged; False if not connected or too slow."""
        if not self._connected:
            return False
        props = _properties(PacketTypes.PUBLISH)
        props.ContentType = "application/json"
        info = self._client.publish(topic, payload, qos=1, retain=retain, properties=props)
        try:
            info.wait_for_publish(timeout_s)
        except (RuntimeError, ValueError):
            return False
        return bool(info.is_published())

    # -- paho thread ------------------------------------------------------------------------------

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            # e.g. "Not authorized", "Bad user name or password": the broker closes; we retry.
            problem = refusal_problem(reason, self._where)
            self.last_error, self.last_fix = problem.message, problem.fix
            level = logging.WARNING if self._attempt == 0 else logging.DEBUG  # once, not hourly
            _LOGGER.log(level, "%s", problem)
            return
        self._attempt = 0
        self._set_delay()
        self._connected = True
        self.last_error = self.last_fix = None
        if self._subscribe:
            # Also with a present session: harmless, and needed if the broker lost it.
            client.subscribe([(t, 1) for t in self._subscribe])
        _LOGGER.info(
            "Connected to %s:%d (session present: %s)",
            self._broker.host,
            self._broker.port,
            flags.session_present,
        )
        self._hand_off(self._events.link_up, self.session, bool(flags.session_present))

    def _on_connect_fail(self, client: Any, userdata: Any) -> None:
        # paho calls this inside its ``except OSError`` around the connect, so the exception is
        # at hand: a certificate the device does not trust is named as such, not "unreachable".
        problem = connect_problem(sys.exc_info()[1], self._where)
        self.last_error, self.last_fix = problem.message, problem.fix
        self._attempt += 1
        delay = self._set_delay()
        level = logging.WARNING if self._attempt == 1 else logging.DEBUG
        _LOGGER.log(level, "%s (attempt %d); next try in %.1f s", problem, self._attempt, delay)

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        was_connected, self._connected = self._connected, False
        if self._stopping:
            return
        self._attempt += 1
        delay = self._set_delay()
        if was_connected:
            self.last_error = f"connection lost: {reason}"
            _LOGGER.warning("%s; reconnecting in %.1f s", self.last_error, delay)
            self._arm_will()  # a new connection is a new birth/death session
        elif self._log_error is not None:
            # Refused before CONNACK, e.g. the broker rejected our certificate after the handshake.
            self.last_error = f"connection refused: {self._log_error}"
            level = logging.WARNING if self._attempt == 1 else logging.DEBUG
            _LOGGER.log(
                level, "%s (attempt %d); next try in %.1f s", self.last_error, self._attempt, delay
            )
        self._log_error = None
        self._hand_off(self._events.link_down, str(reason))

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self._hand_off(self._events.link_acked, mid, not reason.is_failure, str(reason))

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        if self._on_inbound is not None:
            item = Inbound(msg.mid, msg.qos, msg.topic, bytes(msg.payload))
            self._hand_off(self._on_inbound, item)

    def _on_log(self, client: Any, userdata: Any, level: int, text: str) -> None:
        # paho reports socket and TLS failures only in its log; keep the last one as the reason.
        # Error-level lines carry no credentials (CONNECT with its password is never logged).
        if level == mqtt.MQTT_LOG_ERR:
            self._log_error = text

    def _arm_will(self) -> None:
        if self._will is None:
            return
        try:
            self.session = self._next_session()
        except ReportError as err:  # keep the old number: a stale death is better than none
            _LOGGER.error("Cannot store the next session number: %s", err)
        props = _properties(PacketTypes.WILLMESSAGE)
        props.WillDelayInterval = self._will.delay_s
        self._client.will_set(
            self._will.topic, self._will.payload(self.session), qos=1, retain=True, properties=props
        )

    def _set_delay(self) -> float:
        # paho doubles its own delay; setting min == max before each wait makes it use ours.
        delay = backoff_delay(max(1, self._attempt), self._min_s, self._max_s, self._rand())
        self._client.reconnect_delay_set(delay, delay)  # type: ignore[arg-type]
        return delay

    def _hand_off(self, fn: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: we are shutting down
            self._loop.call_soon_threadsafe(fn, *args)
