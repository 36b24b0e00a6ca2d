"""What the device knows about its own health, for telemetry: disk, temperature, mic, wearable.

Each figure is read when telemetry is built, or follows the bus's ``ComponentStatus`` events; a
figure the device cannot know (no thermal zone, no wearable paired) is None, never a guess.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from edge.bus import EventBus
from edge.events import ComponentStatus

THERMAL: Final = Path("/sys/class/thermal")
"""Linux thermal zones (millidegrees Celsius in ``thermal_zone*/temp``)."""
_MICS: Final = ("mic", "mic-array")
_BATTERY: Final = re.compile(r"^(\d{1,3}) %(?: \((\d+) mV\))?(, charging)?")
"""``edge.hw.wearable``'s battery detail: ``"85 % (3900 mV), charging"``."""


def disk(path: Path) -> dict[str, float] | None:
    """Free and total megabytes of the file system holding ``path``."""
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return {
        "free_mb": round(usage.free / 1_048_576, 1),
        "total_mb": round(usage.total / 1_048_576, 1),
    }


def cpu_temperature(root: Path = THERMAL) -> float | None:
    """The hottest thermal zone in degrees Celsius, or None without one."""
    found = []
    for zone in root.glob("thermal_zone*/temp"):
        with contextlib.suppress(OSError, ValueError):
            found.append(int(zone.read_text().strip()) / 1000)
    return round(max(found), 1) if found else None


class DeviceFacts:
    """Collects the device's health figures; :meth:`snapshot` is the telemetry's part."""

    def __init__(self, state_dir: Path, *, wearable: bool = False, thermal: Path = THERMAL):
        self._state_dir = state_dir
        self._thermal = thermal
        self._wearable_enabled = wearable
        self._parts: dict[str, ComponentStatus] = {}

    def observe(self, event: ComponentStatus) -> None:
        """Remember the latest status of a part."""
        self._parts[event.component] = event

    async def follow(self, bus: EventBus) -> None:
        """Observe the bus's component status events until cancelled."""
        subscription = bus.subscribe("device-facts", ComponentStatus, size=64)
        try:
            async for event in subscription:
                self.observe(event)
        finally:
            subscription.close()

    def snapshot(self) -> Mapping[str, Any]:
        """``disk``, ``cpu_temp_c``, ``mic``, ``wearable`` as in telemetry-v1.json."""
        return {
            "disk": disk(self._state_dir),
            "cpu_temp_c": cpu_temperature(self._thermal),
            "mic": self._mic(),
            "wearable": self._wearable(),
        }

    def _mic(self) -> dict[str, Any] | None:
        for name in _MICS:
            if (part := self._parts.get(name)) is not None:
                return {"ok": part.ok, "detail": part.detail[:200]}
        return None

    def _wearable(self) -> dict[str, Any] | None:
        link = self._parts.get("wearable")
        battery = self._parts.get("wearable-battery")
        if link is None and battery is None and not self._wearable_enabled:
            return None
        out: dict[str, Any] = {
            "link": link.ok if link is not None else None,
            "battery_pct": None,
            "charging": None,
        }
        if link is not None:
            out["detail"] = link.detail[:200]
        match = _BATTERY.match(battery.detail) if battery is not None else None
        if match:
            out["battery_pct"] = min(100, int(match.group(1)))
            out["charging"] = match.group(3) is not None
        return out
