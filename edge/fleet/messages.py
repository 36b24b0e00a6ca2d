"""Fleet messages as the console reads them: topic parsing, validation, and the incident's columns.

Pure: no database, no MQTT. Every message is validated against its JSON Schema
(:mod:`edge.schemas`) before anything is stored; what fails is kept as a reject with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from edge import schemas

KINDS: Final = {
    "incident": "incident",
    "status": "status",
    "telemetry": "telemetry",
    "cmd-result": "command-result",
}
"""Last topic level -> schema kind, for the messages the console subscribes to."""


@dataclass(frozen=True, slots=True)
class Message:
    """One validated message from a device."""

    kind: str
    """Schema kind: ``incident``, ``status``, ``telemetry`` or ``command-result``."""
    site: str
    device_id: str
    payload: Mapping[str, Any]
    topic: str


@dataclass(frozen=True, slots=True)
class Reject:
    """A message that is not valid, and why."""

    topic: str
    reason: str
    raw: str


def subscriptions(prefix: str) -> list[str]:
    """Topic filters the console subscribes to under ``prefix``."""
    base = prefix.rstrip("/")
    return [f"{base}/+/+/{level}" for level in KINDS]


def parse(prefix: str, topic: str, raw: bytes) -> Message | Reject:
    """Validate ``raw`` arriving on ``topic``; a :class:`Message` or a :class:`Reject`.

    The topic's site and device must match the payload's: a device may only speak for itself.
    """
    text = raw[:4000].decode("utf-8", "replace")
    base = prefix.rstrip("/") + "/"
    parts = topic[len(base) :].split("/") if topic.startswith(base) else []
    if len(parts) != 3 or parts[2] not in KINDS:
        return Reject(topic, "not a fleet topic", text)
    site, device_id, level = parts
    kind = KINDS[level]
    payload = schemas.decode(raw)
    found = schemas.problems(kind, payload)
    if found:
        return Reject(topic, "; ".join(found), text)
    assert isinstance(payload, Mapping)
    if (payload.get("site"), payload.get("device_id")) != (site, device_id):
        return Reject(topic, "site or device_id differs from the topic", text)
    return Message(kind, site, device_id, payload, topic)


def unix(stamp: object) -> float | None:
    """An RFC 3339 time (``...Z``) as Unix seconds, or None."""
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def incident_columns(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The incidents table's columns for a valid incident payload (version 1 or 2)."""
    component = payload.get("component") or {}
    reading = payload.get("reading")
    if reading is None and payload.get("readings"):
        first = payload["readings"][0]  # version 1: the first reading, limits beside it
        reading = {
            "parameter": first["parameter"],
            "value": first["value"],
            "unit": first["unit"],
            "limit": {"minimum": first["minimum"], "maximum": first["maximum"]},
        }
    citation = payload.get("citation") or {}
    limit = (reading or {}).get("limit") or {}
    return {
        "incident_id": payload["incident_id"],
        "site": payload["site"],
        "device_id": payload["device_id"],
        "severity": payload["severity"],
        "source": payload["source"],
        "summary": payload["summary"],
        "description": payload["description"],
        "transcript": payload["transcript"],
        "component_id": component.get("id") or payload.get("component_id"),
        "component_name": component.get("name"),
        "reading_parameter": (reading or {}).get("parameter"),
        "reading_value": _number((reading or {}).get("value")),
        "reading_unit": (reading or {}).get("unit"),
        "reading_min": _number(limit.get("minimum")),
        "reading_max": _number(limit.get("maximum")),
        "citation_document": citation.get("document"),
        "citation_section": citation.get("section"),
        "citation_page": citation.get("page"),
        "created_at": unix(payload["created_at"]) or 0.0,
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def telemetry_columns(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The figures kept per telemetry message for the plots and the devices page."""
    latency = payload.get("latency_ms") or {}
    disk = payload.get("disk") or {}
    wearable = payload.get("wearable") or {}
    return {
        "queue_depth": payload.get("queue_depth"),
        "p50_ms": _number(latency.get("p50")),
        "p95_ms": _number(latency.get("p95")),
        "disk_free_mb": _number(disk.get("free_mb")),
        "cpu_temp_c": _number(payload.get("cpu_temp_c")),
        "battery_pct": wearable.get("battery_pct"),
    }
