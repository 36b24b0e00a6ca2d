"""Telemetry: what the device knows about itself, in the telemetry schema."""

import json
from pathlib import Path

import pytest

from edge import schemas
from edge.config import Config, DeviceConfig, ReportConfig
from edge.events import ComponentStatus
from edge.report.facts import DeviceFacts, cpu_temperature
from edge.report.service import ReportingService
from edge.report.telemetry import latency_ms

pytestmark = pytest.mark.unit


def test_cpu_temperature_is_the_hottest_zone_or_none(tmp_path: Path) -> None:
    assert cpu_temperature(tmp_path) is None
    for i, milli in enumerate(("48312", "61040", "garbage")):
        zone = tmp_path / f"thermal_zone{i}"
        zone.mkdir()
        (zone / "temp").write_text(milli + "\n")
    assert cpu_temperature(tmp_path) == 61.0


def test_wearable_and_mic_follow_their_status_events(tmp_path: Path) -> None:
    facts = DeviceFacts(tmp_path, wearable=True, thermal=tmp_path)
    first = facts.snapshot()
    assert first["wearable"] == {"link": None, "battery_pct": None, "charging": None}
    assert first["mic"] is None and first["disk"]["total_mb"] > 0
    facts.observe(ComponentStatus("wearable", True, "linked (fw 1.2)"))
    facts.observe(ComponentStatus("wearable-battery", True, "85 % (3900 mV), charging"))
    facts.observe(ComponentStatus("mic", False, "unplugged"))
    later = facts.snapshot()
    assert later["wearable"]["link"] is True and later["wearable"]["battery_pct"] == 85
    assert later["wearable"]["charging"] is True
    assert later["mic"] == {"ok": False, "detail": "unplugged"}
    assert DeviceFacts(tmp_path).snapshot()["wearable"] is None  # no wearable: not "unknown"


def test_latency_is_reported_in_milliseconds() -> None:
    snapshot = {"stages": {"endpoint_to_first_audio": {"p50": 0.4123, "p95": 0.9, "n": 7}}}
    assert latency_ms(snapshot) == {"p50": 412.3, "p95": 900.0, "n": 7}
    assert latency_ms({"stages": {}}) is None and latency_ms(None) is None


def test_telemetry_message_follows_its_schema(tmp_path: Path) -> None:
    config = Config(
        device=DeviceConfig(id="dev-001", site="site-a", state_dir=tmp_path),
        report=ReportConfig(enabled=False),
    )
    facts = DeviceFacts(tmp_path, wearable=True, thermal=tmp_path)
    facts.observe(ComponentStatus("wearable-battery", True, "12 % (3500 mV)"))
    service = ReportingService(
        config,
        metrics=lambda: {"stages": {"endpoint_to_first_audio": {"p50": 0.5, "p95": 1.2, "n": 3}}},
        facts=facts.snapshot,
        manuals={"WT-2000 Maintenance Manual": "0123456789ab"},
    )
    body = json.loads(service.telemetry())
    service.outbox.close()
    assert schemas.problems("telemetry", body) == []
    assert body["latency_ms"]["p95"] == 1200.0 and body["wearable"]["battery_pct"] == 12
    assert body["versions"]["manuals"] == {"WT-2000 Maintenance Manual": "0123456789ab"}
    assert body["schema"] == "edge.telemetry/1" and body["queue_depth"] == 0
