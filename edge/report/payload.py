"""Incident and status payloads, topics, and the versioned JSON Schema they follow.

Pure: times are arguments. The schemas ship as package data (``edge/schemas/``), so fleet
tools validate with the same files the tests use. Incidents are written as version 2 (version 1
plus component, reading and citation; see ``edge.schemas`` for the compatibility rule).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from edge import __version__, schemas
from edge.report.base import Citation, IncidentDraft, Reading
from edge.report.text import (
    MAX_DESCRIPTION,
    MAX_LABEL,
    MAX_TRANSCRIPT,
    bounded_text,
    clean_text,
    summarize,
)

SCHEMA_ID: Final = schemas.schema_id("incident")
"""Value of the payload's ``schema`` field (the version written)."""
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
    manuals: Mapping[str, str] = field(default_factory=dict)
    """Manual title -> first 12 hex digits of its sha256 (the manuals on the device)."""


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
    description, description_cut = bounded_text(draft.description, MAX_DESCRIPTION)
    if not description:
        raise ValueError("an incident needs a description")
    transcript, transcript_cut = bounded_text(draft.transcript, MAX_TRANSCRIPT)
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
        "transcript": transcript,
        # Fields cut to their bound: a shortened description is said, never silent.
        "truncated": [
            name
            for name, cut in (("description", description_cut), ("transcript", transcript_cut))
            if cut
        ],
        "component_id": component,
        "readings": [_reading(r) for r in draft.readings[:MAX_READINGS]],
        "component": _component(component, draft.component_name),
        "reading": _primary_reading(draft.readings),
        "citation": _citation(draft.citation),
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


def _component(component_id: str | None, name: str | None) -> dict[str, Any] | None:
    if component_id is None:
        return None
    return {"id": component_id, "name": clean_text(name, 128) or None}


def _primary_reading(readings: tuple[Reading, ...]) -> dict[str, Any] | None:
    if not readings:
        return None
    first = readings[0]
    return {
        "parameter": clean_text(first.parameter, MAX_LABEL),
        "value": _finite(first.value),
        "unit": clean_text(first.unit, MAX_LABEL),
        "limit": {"minimum": _finite(first.minimum), "maximum": _finite(first.maximum)},
    }


def _citation(citation: Citation | None) -> dict[str, Any] | None:
    document = clean_text(citation.document, 200) if citation is not None else ""
    if citation is None or not document:
        return None
    page = citation.page if isinstance(citation.page, int) and citation.page >= 1 else None
    return {
        "document": document,
        "section": clean_text(citation.section, 300) or None,
        "page": page,
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
        "schema": schemas.schema_id("status"),
        "versions": versions(identity),
    }
    if warnings:
        body["warnings"] = [clean_text(w, MAX_DESCRIPTION) for w in warnings]
    return encode(body)


def versions(identity: DeviceIdentity) -> dict[str, Any]:
    """What the device runs: edge, model per role, manuals (status and telemetry)."""
    return {
        "software": clean_text(identity.software, MAX_LABEL),
        "models": {
            clean_text(k, MAX_LABEL): clean_text(v, 128) for k, v in identity.models.items()
        },
        "manuals": {
            clean_text(k, 128): clean_text(v, MAX_LABEL) for k, v in identity.manuals.items()
        },
    }


def load_schema() -> dict[str, Any]:
    """The incident JSON Schema edge writes (see ``edge.schemas``)."""
    return schemas.load("incident")
