"""Home Assistant MQTT discovery for devices (optional: ``fleet.hass_discovery``).

Home Assistant's MQTT integration creates an entity for each retained config message on
``<discovery prefix>/<component>/<node id>/<object id>/config``. The entities read the devices'
own status and telemetry topics, so nothing is re-published: the connectivity sensor from the
retained status, the figures from telemetry (see Home Assistant's "MQTT Discovery" docs).
"""

from __future__ import annotations

from typing import Any, Final

from edge import __version__

_SENSORS: Final = (
    # object id, name, template, unit, device class
    ("queue_depth", "Incident queue", "{{ value_json.queue_depth }}", None, None),
    (
        "latency_p95",
        "Answer latency p95",
        "{{ (value_json.latency_ms or {}).p95 | default('unknown') }}",
        "ms",
        "duration",
    ),
    ("cpu_temp", "CPU temperature", "{{ value_json.cpu_temp_c }}", "°C", "temperature"),
    (
        "wearable_battery",
        "Wearable battery",
        "{{ (value_json.wearable or {}).battery_pct | default('unknown') }}",
        "%",
        "battery",
    ),
)


def discovery(
    discovery_prefix: str, fleet_prefix: str, site: str, device_id: str
) -> list[tuple[str, dict[str, Any]]]:
    """(topic, config) pairs announcing one device's entities."""
    node = f"edge_{site}_{device_id}".replace("-", "_")
    base = f"{fleet_prefix.rstrip('/')}/{site}/{device_id}"
    device = {
        "identifiers": [node],
        "name": f"edge {site}/{device_id}",
        "manufacturer": "edge",
        "model": "voice copilot",
        "sw_version": __version__,
    }
    out: list[tuple[str, dict[str, Any]]] = [
        (
            f"{discovery_prefix}/binary_sensor/{node}/online/config",
            {
                "name": "Online",
                "unique_id": f"{node}_online",
                "state_topic": f"{base}/status",
                "value_template": "{{ 'ON' if value_json.online else 'OFF' }}",
                "device_class": "connectivity",
                "device": device,
            },
        )
    ]
    for object_id, name, template, unit, device_class in _SENSORS:
        config: dict[str, Any] = {
            "name": name,
            "unique_id": f"{node}_{object_id}",
            "state_topic": f"{base}/telemetry",
            "value_template": template,
            "device": device,
        }
        if unit:
            config["unit_of_measurement"] = unit
        if device_class:
            config["device_class"] = device_class
        out.append((f"{discovery_prefix}/sensor/{node}/{object_id}/config", config))
    return out
