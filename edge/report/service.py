"""The long-lived reporting service the daemon composes: outbox, reporter, forwarder, MQTT link.

Usage (the daemon, ``edge incidents``, tests)::

    service = ReportingService(config, metrics=metrics.snapshot)
    tool = IncidentTool(service.reporter)        # and any other tool that raises incidents
    await service.start()                        # returns at once, even with the broker down
    ...
    await service.stop(flush_timeout_s=5.0)      # offline status, bounded flush, nothing lost

paho is imported only when delivery is enabled and the service starts (``edge.report.mqtt``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge.aio import TaskSet
from edge.config import Config
from edge.report.base import IncidentDraft, IncidentReceipt, IncidentReporter
from edge.report.errors import ReportError
from edge.report.forwarder import Forwarder, wait_event
from edge.report.lifecycle import Announcement, Lifecycle
from edge.report.outbox import Outbox, OutboxCounts, OutboxRow
from edge.report.payload import DeviceIdentity, restamp, status_payload, topic
from edge.report.reporter import OutboxReporter
from edge.report.telemetry import telemetry_message

if TYPE_CHECKING:
    from edge.report.mqtt import Inbound, MqttLink

_LOGGER = logging.getLogger(__name__)

_COUNT_REFRESH_S = 5.0
"""Outbox counts are re-read this often, so incidents stored by ``edge incidents`` show up."""


def outbox_path(config: Config) -> Path:
    """The outbox file: ``report.outbox`` or ``<state_dir>/outbox.db``."""
    return config.report.outbox or config.device.state_dir / "outbox.db"


def model_versions(config: Config) -> dict[str, str]:
    """Engine and model per role from the config, e.g. ``{"stt": "faster-whisper:base"}``."""
    out = {}
    for role in ("wake", "vad", "stt", "llm", "tts", "embed"):
        choice = getattr(config, role)
        options = choice.options or {}
        model = next((str(options[k]) for k in ("model", "voice", "name") if k in options), "")
        out[role] = f"{choice.engine}:{model}" if model else choice.engine
    return out


class UnavailableReporter:
    """Stands in when the outbox cannot be opened at all (unwritable state dir, full disk).

    Every report fails with the reason, so the technician hears "report it by radio" at once,
    while manual questions and readings are still answered.
    """

    def __init__(self, error: ReportError) -> None:
        self.error = error

    async def report(self, draft: IncidentDraft) -> IncidentReceipt:
        """Always fails: nothing can be stored."""
        raise self.error


def open_reporting(
    config: Config, **options: Any
) -> tuple[ReportingService | None, IncidentReporter]:
    """The reporting service, or None and an :class:`UnavailableReporter` when it cannot open.

    ``options`` go to :class:`ReportingService`. A corrupt outbox does not count: the service
    moves it aside and starts a fresh one.
    """
    try:
        service = ReportingService(config, **options)
    except ReportError as err:
        _LOGGER.error(
            "Incidents cannot be stored on this device: %s (fix: %s); answering without them",
            err.message,
            err.fix,
        )
        return None, UnavailableReporter(err)
    return service, service.reporter


@dataclass(frozen=True, slots=True)
class ReportHealth:
    """How incident delivery is doing (for telemetry, ``edge doctor`` and LEDs)."""

    enabled: bool
    """Delivery over MQTT is configured on."""
    connected: bool
    """The broker connection is up."""
    pending: int
    """Incidents stored and not yet acknowledged (the queue depth)."""
    refused: int
    """Pending incidents the broker refused (check the broker ACL)."""
    inflight: int
    """Published, awaiting acknowledgement."""
    sent: int
    """Acknowledged since start."""
    session: int
    """Birth/death session number."""
    last_error: str | None
    """Latest connection problem or refusal."""
    fix: str | None = None
    """What to do about ``last_error``, when known."""

    @property
    def ok(self) -> bool:
        """Connected and nothing refused."""
        return self.connected and self.refused == 0


class ReportingService:
    """Stores incidents durably and delivers them to the fleet whenever a broker is reachable.

    Args:
        config: edge's settings (``device`` and ``report`` sections are used).
        metrics: any callable returning a JSON-like dict (e.g. ``Metrics.snapshot``), sent as
            telemetry every ``report.telemetry_interval_s``.
        models: model per role for the payload's ``versions``; default from ``config``.
        client_suffix: added to the MQTT client id, so a CLI run never takes over the daemon's
            session.
        status: publish the retained birth/death status (with a will) and telemetry; False for
            CLI tools, which must not mark the device offline when they exit.
        on_refused: called on the event loop with ``(incident_id, reason)`` when the broker
            refuses an incident (the daemon can tell the technician).
        on_command: called on the event loop when control acted on one of this device's
            incidents and the technician should be told (see :meth:`announcements`).
        facts: returns what the device knows about itself for telemetry (disk, temperature,
            mic, wearable; see ``edge.report.facts``).
        manuals: manual title -> short sha256, for the status and telemetry ``versions``.
        poll_s: how often the outbox is checked for due rows without being woken (s).

    Raises:
        ReportError: the outbox cannot be opened.
    """

    def __init__(
        self,
        config: Config,
        *,
        metrics: Callable[[], Mapping[str, Any]] | None = None,
        models: Mapping[str, str] | None = None,
        client_suffix: str = "",
        status: bool = True,
        on_refused: Callable[[str, str], None] | None = None,
        on_command: Callable[[], None] | None = None,
        facts: Callable[[], Mapping[str, Any]] | None = None,
        manuals: Mapping[str, str] | None = None,
        poll_s: float = 5.0,
    ) -> None:
        self._config = config
        self._settings = config.report
        self._metrics = metrics
        self._client_suffix = client_suffix
        self._status = status
        self.identity = DeviceIdentity(
            config.device.id,
            config.device.site,
            models=dict(models or model_versions(config)),
            manuals=dict(manuals or {}),
        )
        """Device id, site and versions put in every payload."""
        self.outbox = Outbox(outbox_path(config))
        """The durable outbox (shared with ``edge incidents``)."""
        self.lifecycle = Lifecycle(self.outbox, self.identity)
        """Control's commands on this device's incidents (same file as the outbox)."""
        self._on_command = on_command
        self._facts = facts
        self._commands: asyncio.Queue[Inbound] = asyncio.Queue()
        self.forwarder = Forwarder(
            self.outbox,
            window=self._settings.inflight,
            poll_s=poll_s,
            refused_retry_s=self._settings.refused_retry_s,
            on_refused=on_refused,
            stamp=self._stamped,
        )
        self.reporter = OutboxReporter(
            self.outbox,
            self.identity,
            topic_prefix=self._settings.topic_prefix,
            expiry_s=self._settings.message_expiry_s,
            on_stored=self._stored,
        )
        """The :class:`~edge.report.base.IncidentReporter` to hand to tools."""
        self._status_topic = topic(self._settings.topic_prefix, self.identity, "status")
        self._telemetry_topic = topic(self._settings.topic_prefix, self.identity, "telemetry")
        self._command_topic = topic(self._settings.topic_prefix, self.identity, "cmd") + "/#"
        self._result_topic = topic(self._settings.topic_prefix, self.identity, "cmd-result")
        self._link: MqttLink | None = None
        self._tasks = TaskSet("reporting")
        self._counts = OutboxCounts(0, 0, 0)
        self._changed = asyncio.Event()
        self._started = False

    def set_manuals(self, manuals: Mapping[str, str]) -> None:
        """The manuals on the device (title -> short sha256), for status and telemetry."""
        self.identity = dataclasses.replace(self.identity, manuals=dict(manuals))

    @property
    def queue_depth(self) -> int:
        """Incidents not yet acknowledged by the broker (refreshed every few seconds)."""
        return self._counts.pending

    @property
    def connected(self) -> bool:
        """The broker connection is up."""
        return self._link is not None and self._link.connected

    def warnings(self) -> list[str]:
        """Problems recovered from that the fleet should hear of (in the birth status)."""
        moved = self.outbox.quarantined
        if moved is None:
            return []
        return [f"incident outbox was corrupt; moved to {moved} and a fresh one started"]

    def health(self) -> ReportHealth:
        """A snapshot of delivery health."""
        link = self._link
        error = self.forwarder.last_error or (link.last_error if link else None)
        fix = link.last_fix if link is not None and not self.forwarder.last_error else None
        if not self._settings.enabled:
            error = "delivery disabled (report.enabled = false)"
            fix = "set report.enabled = true and the broker in [report]"
        return ReportHealth(
            enabled=self._settings.enabled,
            connected=self.connected,
            pending=self._counts.pending,
            refused=self._counts.refused,
            inflight=self.forwarder.inflight,
            sent=self.forwarder.sent,
            session=link.session if link else 0,
            last_error=error,
            fix=fix,
        )

    async def start(self) -> None:
        """Start delivering; returns at once (the broker may be unreachable for hours).

        Raises:
            ReportError: ``mqtt-config`` when TLS files or the password file are unusable.
        """
        if self._started:
            return
        self._started = True
        keep_s = self._settings.keep_sent_days * 86_400
        pruned = await asyncio.to_thread(self.outbox.prune, time.time() - keep_s)
        if pruned:
            _LOGGER.info(
                "Pruned %d delivered incidents older than %.0f days", pruned, keep_s / 86400
            )
        self._counts = await asyncio.to_thread(self.outbox.counts)
        if self._settings.enabled:
            await self._start_link()
        self.forwarder.start()
        self._tasks.spawn(self._count_loop(), "counts")
        if self._status and self._settings.enabled:
            self._tasks.spawn(self._command_loop(), "commands")
        if self._status and self._settings.enabled and self._settings.telemetry_interval_s > 0:
            self._tasks.spawn(self._telemetry_loop(), "telemetry")
        _LOGGER.info("Reporting started: %d incidents pending", self._counts.pending)

    async def _start_link(self) -> None:
        from edge.report.mqtt import Broker, MqttLink, Will  # paho stays out of core imports

        broker = Broker.from_config(self._settings, self._config.device, self._client_suffix)

        def will_payload(session: int) -> bytes:
            return status_payload(
                online=False, session=session, reason="lwt", ts=time.time(), identity=self.identity
            )

        self._link = MqttLink(
            broker,
            self,
            asyncio.get_running_loop(),
            will=Will(self._status_topic, will_payload, self._settings.will_delay_s)
            if self._status
            else None,
            next_session=self.outbox.next_session,
            reconnect_min_s=self._settings.reconnect_min_s,
            reconnect_max_s=self._settings.reconnect_max_s,
            inflight=self._settings.inflight,
            # Only the daemon takes commands: CLI tools must not consume them.
            subscribe=(self._command_topic,) if self._status else (),
            on_message=self._inbound if self._status else None,
        )
        self.forwarder.link = self._link
        await asyncio.to_thread(self._link.start)

    async def flush(self, timeout_s: float) -> bool:
        """Wait until every due incident is acknowledged; False when ``timeout_s`` ran out."""
        done = await self.forwarder.flush(timeout_s)
        self._counts = await asyncio.to_thread(self.outbox.counts)
        return done

    async def stop(self, flush_timeout_s: float = 5.0) -> None:
        """Stop gracefully: flush if connected (bounded), publish offline status, disconnect.

        Nothing is lost: whatever is not acknowledged stays in the outbox for the next start.
        """
        if not self._started:
            return
        self._started = False
        link = self._link
        flushing = link is not None and link.connected and flush_timeout_s > 0
        if flushing and not await self.forwarder.flush(flush_timeout_s):
            _LOGGER.info("Stopping with incidents still pending; they go at next start")
        await self._tasks.close()
        if link is not None and self._status:
            # A normal DISCONNECT suppresses the will, so say "offline" ourselves, retained.
            offline = status_payload(
                online=False,
                session=link.session,
                reason="shutdown",
                ts=time.time(),
                identity=self.identity,
            )
            await asyncio.to_thread(
                link.publish_and_wait, self._status_topic, offline, retain=True, timeout_s=2.0
            )
        if link is not None:
            await asyncio.to_thread(link.stop)
        await asyncio.sleep(0)  # run the acknowledgements paho's thread handed off last
        await self.forwarder.close()  # ...and record them, so they are not sent again
        self._counts = await asyncio.to_thread(self.outbox.counts)
        self.lifecycle.close()
        self.outbox.close()

    # -- link events (on the event loop) ---------------------------------------------------------

    def link_up(self, session: int, session_present: bool) -> None:
        """Connected: publish the retained birth status, then drain."""
        link = self._link
        if link is not None and self._status:
            birth = status_payload(
                online=True,
                session=session,
                reason="connected",
                ts=time.time(),
                identity=self.identity,
                warnings=self.warnings(),
            )
            link.publish(self._status_topic, birth, qos=1, retain=True)
        self.forwarder.link_up()

    # -- fleet commands ---------------------------------------------------------------------------

    def _inbound(self, message: Inbound) -> None:
        self._commands.put_nowait(message)

    async def _command_loop(self) -> None:
        # One at a time, in arrival order: "acknowledge" then "close" must not swap.
        while True:
            message = await self._commands.get()
            link = self._link
            assert link is not None
            handled = await asyncio.to_thread(self.lifecycle.handle, message.payload)
            # Stored (or refused) first, acknowledged after: a crash in between re-delivers it.
            link.publish(self._result_topic, handled.result, qos=1)
            link.ack(message)
            if handled.announcement is not None and self._on_command is not None:
                self._on_command()

    async def announcements(self) -> list[Announcement]:
        """What control did that the technician has not been told yet, oldest first."""
        return await asyncio.to_thread(self.lifecycle.pending_announcements)

    async def announced(self, command_id: str) -> None:
        """The technician was told: remember it and report it to the console."""
        result = await asyncio.to_thread(self.lifecycle.mark_announced, command_id)
        link = self._link
        if result is not None and link is not None:
            link.publish(self._result_topic, result, qos=1)

    def link_down(self, reason: str) -> None:
        """Disconnected: nothing to do (paho reconnects; in-flight messages are kept)."""
        _LOGGER.debug("Link down: %s", reason)

    def link_acked(self, mid: int, ok: bool, reason: str) -> None:
        """The broker answered a message."""
        if self.forwarder.acked(mid, ok, reason):
            self._changed.set()

    # -- internals --------------------------------------------------------------------------------

    def _stamped(self, row: OutboxRow) -> tuple[str, bytes]:
        """Where and what to publish for ``row``: under the device's identity as it is now."""
        where = topic(self._settings.topic_prefix, self.identity, "incident")
        payload = restamp(row.payload, self.identity)
        if where != row.topic:
            _LOGGER.info("Incident %s stored as %s, sent as %s", row.incident_id, row.topic, where)
        return where, payload

    def _stored(self) -> None:
        self.forwarder.wake()
        self._changed.set()

    async def _count_loop(self) -> None:
        while True:
            await wait_event(self._changed, _COUNT_REFRESH_S)
            self._changed.clear()
            try:
                self._counts = await asyncio.to_thread(self.outbox.counts)
            except Exception as err:  # noqa: BLE001 - a count is cosmetic; keep the old one
                _LOGGER.debug("Cannot count the outbox: %s", err)
            self.forwarder.wake()  # rows from other processes, or refusals now due
            await asyncio.sleep(0.2)  # at most five counts a second during a burst

    async def _telemetry_loop(self) -> None:
        while True:
            await asyncio.sleep(self._settings.telemetry_interval_s)
            link = self._link
            if link is None or not link.connected:
                continue  # telemetry is a snapshot; old ones are not worth queueing
            link.publish(self._telemetry_topic, self.telemetry(), qos=0)

    def telemetry(self) -> bytes:
        """The telemetry message (``edge/schemas/telemetry-v1.json``)."""
        return telemetry_message(self.identity, self.health(), self._metrics, self._facts)
