"""The :class:`~edge.report.base.IncidentReporter` of the device: draft -> payload -> outbox.

``report`` returns only after the incident is committed (fsynced) to the SQLite outbox; delivery
to the broker happens later, in :mod:`edge.report.forwarder`, whenever a network allows.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import uuid
from collections.abc import Callable, Hashable

from edge.report.base import IncidentDraft, IncidentReceipt
from edge.report.errors import ReportError
from edge.report.outbox import Outbox
from edge.report.payload import DeviceIdentity, build_incident, encode, topic
from edge.report.text import MAX_DESCRIPTION, clean_text

_LOGGER = logging.getLogger(__name__)

_RECENT = 64
"""Receipts remembered to make a repeated report of one turn idempotent."""


class OutboxReporter:
    """Stores incidents in ``outbox`` with ids, device identity, versions and times filled in.

    ``on_stored`` is called (on the event loop) after each new incident is committed, to wake the
    forwarder. ``clock`` gives Unix seconds (``created_at``); ``new_id`` makes incident ids.
    """

    def __init__(
        self,
        outbox: Outbox,
        identity: DeviceIdentity,
        *,
        topic_prefix: str = "fleet/v1",
        expiry_s: float = 7 * 86_400,
        on_stored: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._outbox = outbox
        self._identity = identity
        self._topic = topic(topic_prefix, identity, "incident")
        self._expiry_s = expiry_s
        self._on_stored = on_stored
        self._clock = clock
        self._new_id = new_id
        self._recent: collections.OrderedDict[Hashable, IncidentReceipt] = collections.OrderedDict()

    async def report(self, draft: IncidentDraft) -> IncidentReceipt:
        """Store ``draft`` durably and queue it for delivery; return once it is committed.

        The same draft reported twice in one turn (an LLM calling the tool twice) is stored once.

        Raises:
            ReportError: ``incident-invalid`` (no description) or ``outbox-unavailable``.
        """
        key = self._dedupe_key(draft)
        if key is not None and key in self._recent:
            _LOGGER.info("Incident repeated within turn %s; not stored twice", draft.turn_id)
            return self._recent[key]
        incident_id = self._new_id()
        created_at = self._clock()
        try:
            payload = build_incident(
                draft,
                incident_id=incident_id,
                identity=self._identity,
                created_at=created_at,
                expiry_s=self._expiry_s,
            )
        except ValueError as err:
            raise ReportError(
                "incident-invalid", f"cannot log an incident: {err}", fix="say what happened"
            ) from None
        # A worker thread keeps the event loop free during the fsync. If the caller is cancelled
        # meanwhile, the write still completes and the forwarder's poll will deliver it; turns
        # shield side-effecting tools, so the technician is still told.
        await asyncio.to_thread(
            self._outbox.put,
            incident_id=incident_id,
            topic=self._topic,
            payload=encode(payload),
            severity=draft.severity.value,
            summary=payload["summary"],
            source=draft.source,
            created_at=created_at,
            expires_at=created_at + self._expiry_s,
        )
        _LOGGER.info("Incident %s stored (%s, %s)", incident_id, draft.severity.value, draft.source)
        receipt = IncidentReceipt(
            incident_id, draft.severity, payload["summary"], tuple(payload["truncated"])
        )
        if key is not None:
            self._recent[key] = receipt
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        if self._on_stored is not None:
            self._on_stored()
        return receipt

    @staticmethod
    def _dedupe_key(draft: IncidentDraft) -> Hashable | None:
        if draft.turn_id is None:
            return None  # no turn to tie it to: every call is a new incident
        description = clean_text(draft.description, MAX_DESCRIPTION).casefold()
        return (draft.turn_id, draft.source, draft.severity, description, draft.component_id)
