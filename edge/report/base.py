"""The reporting interface the rest of edge uses; the MQTT machinery stays behind it.

Core modules and tools depend only on :class:`IncidentReporter`. ``report`` returns once the
incident is stored durably, so the technician is told "logged" only when it cannot be lost.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, Protocol

from edge.events import TurnId


class Severity(enum.StrEnum):
    """How urgent an incident is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Reading:
    """A measured value, with the limits it was checked against when known."""

    component_id: str
    """Component measured, e.g. ``"GBX"``."""
    parameter: str
    """What was measured, e.g. ``"oil sump temperature"``."""
    value: float
    """The value as stated."""
    unit: str
    """Unit as stated, e.g. ``"°C"``."""
    minimum: float | None = None
    """Lower operating limit, in ``unit``."""
    maximum: float | None = None
    """Upper operating limit, in ``unit``."""


@dataclass(frozen=True, slots=True)
class Citation:
    """The manual passage an answer quoted: what the technician heard after "Source:"."""

    document: str
    """Document title."""
    section: str | None = None
    """Section path, e.g. ``"3 Yaw system > 3.3 Yaw brake caliper bolt torque"``."""
    page: int | None = None
    """Page (paged formats only)."""


@dataclass(frozen=True, slots=True)
class IncidentDraft:
    """What the device knows when an incident is raised; the reporter adds ids and versions."""

    severity: Severity
    """How urgent."""
    description: str
    """Short human description."""
    transcript: str = ""
    """The technician's words that led to it."""
    component_id: str | None = None
    """Component concerned, when known."""
    readings: tuple[Reading, ...] = ()
    """Measurements involved."""
    turn_id: TurnId | None = None
    """Turn that raised it."""
    source: Literal["technician", "device"] = "technician"
    """Who raised it: the technician asked, or the device (an out-of-range reading, a fault)."""
    citation: Citation | None = None
    """The manual passage quoted with it (the limit a reading broke), when there is one."""
    component_name: str | None = None
    """The component's name in the manuals, e.g. ``"gearbox"``."""


@dataclass(frozen=True, slots=True)
class IncidentReceipt:
    """Proof that an incident is stored and will be delivered."""

    incident_id: str
    """UUID, also the idempotency key."""
    severity: Severity
    summary: str
    """Short summary for the spoken confirmation."""
    truncated: tuple[str, ...] = ()
    """Fields cut to their bound (``"description"``): say so when confirming."""


class IncidentReporter(Protocol):
    """Stores incidents durably and delivers them to the fleet."""

    async def report(self, draft: IncidentDraft) -> IncidentReceipt:
        """Store ``draft`` durably and queue it for delivery; return when stored."""
        ...
