"""Incident and status payloads, topics, and the versioned JSON Schema they follow.

Pure: times are arguments. The schema ships as package data (``edge/report/schemas/``), so fleet
tools can validate with the same file the tests use.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Final

from edge import __version__
from edge.report.base import IncidentDraft, Reading
from edge.report.text import MAX_DESCRIPTION, MAX_LABEL, MAX_TRANSCRIPT, clean_text, summarize

SCHEMA_ID: Final = "edge.incident/1"
"""Value of the payload's ``schema`` field."""
SCHEMA_FILE: Final = "incident-v1.json"
"""JSON Schema of version 1, under ``edge/report/schemas/``."""
MAX_READINGS: Final = 32
"""Readings kept per incident."""


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who reports: filled into every payload and topic."""

    device_id: str
    """Device id (``[A-Za-z0-9_-]``)."""
    site: str
    """Site id (``[A-Za-z0-9_-]``)."""
    software: str = __version__
    """edge's version."""
    models: Mapping[str, str] = field(default_factory=dict)
    """Model in use per role, e.g. ``{"stt": "faster-whisper:tiny.en"}``."""


def topic(prefix: str, identity: DeviceIdentity, kind: str) -> str:
    """``<prefix>/<site>/<device>/<kind>``; kind is ``incident``, ``status`` or ``telemetry``."""
    return f"{prefix.rstrip('/')}/{identity.site}/{identity.device_id}/{kind}"


def iso_utc(ts: float) -> str:
    """``ts`` (Unix seconds) as RFC 3339 UTC with milliseconds: ``2025-01-31T08:00:00.000Z``."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_incident(
    draft: IncidentDraft,
    *,
    incident_id: str,
    identity: DeviceIdentity,
    created_at: float,
    expiry_s: float,
) -> dict[str, Any]:
    """The schema-valid payload of ``draft``; every text field is sanitised and bounded.

    Raises:
        ValueError: the description is empty after sanitising (callers check this first).
    """
    description = clean_text(draft.description, MAX_DESCRIPTION)
    if not description:
        raise ValueError("an incident needs a description")
    component = clean_text(draft.component_id, MAX_LABEL) or None
    return {
        "schema": SCHEMA_ID,
        "incident_id": incident_id,
        "idempotency_key": incident_id,
        "source": draft.source,
        "device_id": identity.device_id,
        "site": identity.site,
        "severity": draft.severity.value,
        "summary": summarize(description),
        "description": description,
        "transcript": clean_text(draft.transcript, MAX_TRANSCRIPT),
        "component_id": component,
        "readings": [_reading(r) for r in draft.readings[:MAX_READINGS]],
        "turn_id": int(draft.turn_id) if draft.turn_id is not None else None,
        "created_at": iso_utc(created_at),
        "expires_at": iso_utc(created_at + expiry_s),
        "versions": {
            "software": clean_text(identity.software, MAX_LABEL),
            "models": {
                clean_text(k, MAX_LABEL): clean_text(v, 128) for k, v in identity.models.items()
            },
        },
    }


def _reading(reading: Reading) -> dict[str, Any]:
    return {
        "component_id": clean_text(reading.component_id, MAX_LABEL),
        "parameter": clean_text(reading.parameter, MAX_LABEL),
        "value": _finite(reading.value),
        "unit": clean_text(reading.unit, MAX_LABEL),
        "minimum": _finite(reading.minimum),
        "maximum": _finite(reading.maximum),
    }


def _finite(value: float | None) -> float | None:
    # JSON has no NaN or infinity; a broken sensor value is kept as "unknown".
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def encode(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON (no NaN), the form stored in the outbox and published."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def restamp(payload: bytes, identity: DeviceIdentity) -> bytes:
    """``payload`` sent under ``identity``: its ``device_id`` and ``site`` are the current ones.

    An incident stored before the device was renamed (``device.id`` / ``site`` changed) goes out
    as the device it is now: the broker's ACL only lets it publish under its current name, and
    the fleet knows it by that name. Unchanged payloads are returned byte for byte.
    """
    try:
        body = json.loads(payload)
    except ValueError:
        return payload  # not ours to judge: the reader's schema check will say what is wrong
    if not isinstance(body, dict):
        return payload
    if body.get("device_id") == identity.device_id and body.get("site") == identity.site:
        return payload
    body["device_id"], body["site"] = identity.device_id, identity.site
    return encode(body)


def status_payload(
    *,
    online: bool,
    session: int,
    reason: str,
    ts: float,
    identity: DeviceIdentity,
    warnings: Sequence[str] = (),
) -> bytes:
    """Retained birth/death status; ``session`` tells a stale death from the current birth.

    ``warnings`` are problems the device recovered from on its own but a person should know
    about (a corrupt outbox moved aside); the key is present only when there are some.
    """
    body: dict[str, Any] = {
        "online": online,
        "session": session,
        "reason": reason,
        "ts": iso_utc(ts),
        "device_id": identity.device_id,
        "site": identity.site,
        "software": identity.software,
    }
    if warnings:
        body["warnings"] = [clean_text(w, MAX_DESCRIPTION) for w in warnings]
    return encode(body)


def load_schema() -> dict[str, Any]:
    """The incident JSON Schema (version 1) shipped with edge."""
    text = resources.files("edge.report").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
