"""The telemetry message: what the device knows about itself, every ``telemetry_interval_s``.

Pure but for the clock and the callables it is given. Any figure that cannot be had is null;
metrics and facts come from anywhere, so they are made JSON-safe and can never stop telemetry.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from edge import schemas
from edge.report.payload import DeviceIdentity, iso_utc, versions

if TYPE_CHECKING:
    from edge.report.service import ReportHealth

_LOGGER = logging.getLogger(__name__)


def telemetry_message(
    identity: DeviceIdentity,
    health: ReportHealth,
    metrics: Callable[[], Mapping[str, Any]] | None,
    facts: Callable[[], Mapping[str, Any]] | None,
) -> bytes:
    """The telemetry payload: queue depth, latency, device facts, versions, delivery health."""
    figures: Any = {}
    if metrics is not None:
        try:
            figures = metrics()
        except Exception as err:  # noqa: BLE001 - metrics must never stop telemetry
            figures = {"error": type(err).__name__}
    known: Mapping[str, Any] = {}
    if facts is not None:
        try:
            known = facts()
        except Exception as err:  # noqa: BLE001 - a missing fact must never stop telemetry
            _LOGGER.debug("Device facts unavailable: %s", err)
    body = {
        "schema": schemas.schema_id("telemetry"),
        "ts": iso_utc(time.time()),
        "device_id": identity.device_id,
        "site": identity.site,
        "queue_depth": health.pending,
        "latency_ms": latency_ms(figures),
        "disk": known.get("disk"),
        "cpu_temp_c": known.get("cpu_temp_c"),
        "mic": known.get("mic"),
        "wearable": known.get("wearable"),
        "versions": versions(identity),
        "health": {
            "connected": health.connected,
            "refused": health.refused,
            "inflight": health.inflight,
            "sent": health.sent,
            "session": health.session,
            "last_error": health.last_error,
        },
        "metrics": _jsonable(figures),
    }
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


LATENCY_STAGE = "endpoint_to_first_audio"
"""The stage telemetry reports as the device's latency: end of the turn to first audio."""


def latency_ms(figures: Any) -> dict[str, Any] | None:
    """p50/p95 of :data:`LATENCY_STAGE` in milliseconds from a metrics snapshot, if any."""
    stage = figures.get("stages", {}).get(LATENCY_STAGE) if isinstance(figures, Mapping) else None
    if not isinstance(stage, Mapping):
        return None
    try:
        return {
            "p50": round(float(stage["p50"]) * 1000, 1),
            "p95": round(float(stage["p95"]) * 1000, 1),
            "n": int(stage["n"]),
        }
    except (KeyError, TypeError, ValueError):
        return None


def _jsonable(value: Any, depth: int = 0) -> Any:
    # Metrics come from anywhere: make them JSON-safe (no NaN, no objects), bounded in depth.
    if depth > 6:
        return None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None
