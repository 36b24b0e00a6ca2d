"""Incidents reach a real mosquitto: offline first, through a broker restart, from the tool."""

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from edge.config import Config, DeviceConfig, ReportConfig
from edge.events import TurnId
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker, Recorder, mosquitto_available
from edge.report.payload import load_schema
from edge.report.service import ReportingService
from edge.tools.base import ToolRequest
from edge.tools.incident import ASK_SEVERITY, IncidentTool

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

SCHEMA = load_schema()


def config(tmp: Path, port: int, **report: Any) -> Config:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "tls": False,
        "keepalive_s": 5,
        "reconnect_min_s": 0.05,
        "reconnect_max_s": 0.5,
        "will_delay_s": 0,
        "telemetry_interval_s": 0,
    }
    settings.update(report)
    return Config(
        device=DeviceConfig(id="dev-001", site="site-a", state_dir=tmp / "state"),
        report=ReportConfig(**settings),
    )


def payloads(recorder: Recorder) -> dict[str, dict[str, Any]]:
    return {
        json.loads(m.payload)["incident_id"]: json.loads(m.payload)
        for m in recorder.snapshot()
        if m.topic.endswith("/incident")
    }


@pytest.fixture
def broker(tmp_path: Path) -> Any:
    with LocalBroker(tmp_path / "broker") as b:
        yield b


def test_incident_logged_while_broker_is_down_is_delivered_when_it_starts(
    broker: LocalBroker, tmp_path: Path
) -> None:
    recorder = Recorder(broker.port, client_id="fleet-manager")  # persistent session first
    broker.stop()

    async def scenario() -> str:
        service = ReportingService(config(tmp_path, broker.port))
        await service.start()
        receipt = await service.reporter.report(
            IncidentDraft(Severity.HIGH, "oil leak at the gearbox", component_id="GBX")
        )
        # report() returned: the incident is committed before anyone is told "logged".
        assert service.outbox.get(receipt.incident_id).state == "pending"
        assert not service.connected
        await asyncio.to_thread(broker.start)
        assert await service.flush(20.0)
        assert service.outbox.get(receipt.incident_id).state == "sent"
        await service.stop()
        return receipt.incident_id

    incident_id = asyncio.run(scenario())
    assert recorder.wait_for(lambda r: incident_id in r.incident_ids(), 10.0)
    recorder.close()
    message = next(m for m in recorder.snapshot() if m.topic.endswith("/incident"))
    assert message.topic == "fleet/v1/site-a/dev-001/incident"
    assert ("idempotency-key", incident_id) in message.user_properties
    payload = json.loads(message.payload)
    jsonschema.validate(payload, SCHEMA)
    assert payload["component_id"] == "GBX" and payload["severity"] == "high"


def test_incident_stored_before_a_rename_goes_out_under_the_new_identity(
    broker: LocalBroker, tmp_path: Path
) -> None:
    recorder = Recorder(broker.port, client_id="fleet-manager")
    broker.stop()
    before = config(tmp_path, broker.port)

    async def store() -> str:
        service = ReportingService(before)
        receipt = await service.reporter.report(IncidentDraft(Severity.LOW, "loose cable tray"))
        service.outbox.close()
        return receipt.incident_id

    incident_id = asyncio.run(store())
    # The installer renames the device (and its site) while the incident waits offline.
    after = Config(
        device=DeviceConfig(id="wtg-07", site="north", state_dir=before.device.state_dir),
        report=before.report,
    )
    broker.start()

    async def deliver() -> None:
        service = ReportingService(after)
        await service.start()
        assert await service.flush(20.0)
        await service.stop()

    asyncio.run(deliver())
    assert recorder.wait_for(lambda r: incident_id in r.incident_ids(), 10.0)
    recorder.close()
    (message,) = [m for m in recorder.snapshot() if m.topic.endswith("/incident")]
    assert message.topic == "fleet/v1/north/wtg-07/incident"
    payload = json.loads(message.payload)
    jsonschema.validate(payload, SCHEMA)
    assert (payload["device_id"], payload["site"]) == ("wtg-07", "north")
    assert payload["incident_id"] == incident_id


def test_broker_restart_while_1000_incidents_flow_loses_none(
    broker: LocalBroker, tmp_path: Path
) -> None:
    recorder = Recorder(broker.port, client_id="fleet-manager")
    total = 1000

    async def scenario() -> list[str]:
        service = ReportingService(config(tmp_path, broker.port, inflight=20))
        await service.start()
        ids: list[str] = []

        async def produce() -> None:
            for i in range(total):
                draft = IncidentDraft(Severity.MEDIUM, f"vibration alarm {i}", source="device")
                ids.append((await service.reporter.report(draft)).incident_id)

        producer = asyncio.create_task(produce())
        for _ in range(2000):  # bounded: until some are stored and some delivered
            if len(ids) >= 300 and service.forwarder.sent >= 50:
                break
            await asyncio.sleep(0.01)
        await asyncio.to_thread(broker.restart)  # mid-stream, with messages in flight
        await producer
        assert await service.flush(90.0)
        counts = await asyncio.to_thread(service.outbox.counts)
        assert (counts.pending, counts.sent) == (0, total)
        assert service.health().session >= 2  # the connection really was lost and re-made
        await service.stop()
        return ids

    ids = asyncio.run(scenario())
    assert recorder.wait_for(lambda r: set(ids) <= set(r.incident_ids()), 30.0)
    recorder.close()
    received = recorder.incident_ids()
    assert set(received) == set(ids)  # none lost, nothing foreign
    copies = Counter(received)
    by_id: dict[str, set[bytes]] = {}
    for m in recorder.snapshot():
        if m.topic.endswith("/incident"):
            by_id.setdefault(json.loads(m.payload)["incident_id"], set()).add(m.payload)
    assert all(len(v) == 1 for v in by_id.values())  # a duplicate is the very same incident
    print(f"duplicates after restart: {sum(c - 1 for c in copies.values())} of {total}")


def test_birth_and_graceful_offline_status_are_retained(
    broker: LocalBroker, tmp_path: Path
) -> None:
    async def scenario() -> None:
        service = ReportingService(config(tmp_path, broker.port, telemetry_interval_s=0.2))
        await service.start()
        for _ in range(500):
            if service.connected:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # a telemetry message or two
        assert service.health().ok
        await service.stop()

    asyncio.run(scenario())
    late = Recorder(broker.port, client_id="late-reader", topics=("fleet/v1/+/+/status",))
    assert late.wait_for(lambda r: len(r.snapshot()) == 1, 5.0)
    late.close()
    status = late.snapshot()[0]
    body = json.loads(status.payload)
    assert status.retain and body["online"] is False and body["reason"] == "shutdown"
    assert body["session"] >= 1


def test_telemetry_carries_queue_depth_and_metrics(broker: LocalBroker, tmp_path: Path) -> None:
    recorder = Recorder(broker.port, topics=("fleet/v1/+/+/telemetry",))

    async def scenario() -> None:
        service = ReportingService(
            config(tmp_path, broker.port, telemetry_interval_s=0.1),
            metrics=lambda: {"stages": {"total": {"p50": 0.8, "p95": float("nan")}}},
        )
        await service.start()
        await asyncio.to_thread(recorder.wait_for, lambda r: len(r.snapshot()) >= 1, 10.0)
        await service.stop()

    asyncio.run(scenario())
    recorder.close()
    body = json.loads(recorder.snapshot()[0].payload)
    assert body["queue_depth"] == 0 and body["health"]["connected"] is True
    assert body["metrics"]["stages"]["total"] == {"p50": 0.8, "p95": None}


def test_malformed_tool_arguments_never_crash_and_what_is_sent_is_bounded(
    broker: LocalBroker, tmp_path: Path
) -> None:
    recorder = Recorder(broker.port)
    huge = "gearbox \x00oil\x1b[2J leak\u202e " * 6000  # ~130 kB with control characters

    cases: list[tuple[Any, str]] = [
        ({"severity": "yellow", "description": "loose cover"}, "log the cover"),  # asks
        ({"severity": "urgent", "description": "lift brake slipping"}, "log it"),
        ({"severity": "high", "description": ""}, "log a high incident: oil leak at the gearbox"),
        ({"severity": "critical", "description": huge}, huge),
        (["not", "a", "mapping"], "Log a low severity incident: hub light out"),
        ({"severity": 7, "description": 12345}, "log a medium incident"),
    ]

    async def scenario() -> list[Any]:
        service = ReportingService(config(tmp_path, broker.port))
        await service.start()
        tool = IncidentTool(service.reporter)
        results = []
        for i, (arguments, transcript) in enumerate(cases):
            request = ToolRequest(turn_id=TurnId(i), transcript=transcript)
            results.append(await tool.run(arguments, request))
        assert await service.flush(20.0)
        await service.stop()
        return results

    results = asyncio.run(scenario())
    assert results[0].speech == (ASK_SEVERITY,) and not results[0].ok
    assert all(r.ok for r in results[1:]), [r.speech for r in results]
    sent_ids = [r.data["incident_id"] for r in results[1:]]
    assert recorder.wait_for(lambda r: set(sent_ids) <= set(r.incident_ids()), 10.0)
    recorder.close()
    got = payloads(recorder)
    for incident_id in sent_ids:
        jsonschema.validate(got[incident_id], SCHEMA)
    lift, oil, big, hub, number = (got[i] for i in sent_ids)
    assert lift["severity"] == "high"
    assert oil["description"] == "oil leak at the gearbox"
    assert len(big["description"]) <= 1000 and len(big["transcript"]) <= 2000
    assert not any(c in big["description"] for c in "\x00\x1b\u202e")
    assert (hub["severity"], hub["description"]) == ("low", "hub light out")
    assert (number["severity"], number["description"]) == ("medium", "12345")
    assert len(results[3].speech[0]) < 200  # the read-back stays short too
