"""`edge fleet watch`: each incident shown once, per site, across watcher restarts."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from edge.config import Config, DeviceConfig, ReportConfig
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker, mosquitto_available
from edge.report.payload import load_schema
from edge.report.service import ReportingService

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]


def watch(port: int, tmp: Path, *args: str, timeout: float = 30) -> Any:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "edge.commands.fleet",
            "watch",
            "--broker",
            f"127.0.0.1:{port}",
            "--no-tls",
            "--client-id",
            "fm-test",
            "--seen-db",
            str(tmp / "seen.db"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def device(tmp: Path, port: int, device_id: str, site: str) -> Config:
    return Config(
        device=DeviceConfig(id=device_id, site=site, state_dir=tmp / device_id),
        report=ReportConfig(host="127.0.0.1", port=port, tls=False, telemetry_interval_s=0),
    )


async def log(config: Config, *descriptions: str) -> list[str]:
    service = ReportingService(config)
    await service.start()
    ids = [
        (await service.reporter.report(IncidentDraft(Severity.HIGH, d))).incident_id
        for d in descriptions
    ]
    assert await service.flush(15.0)
    await service.stop()
    return ids


def republish(port: int, config: Config, incident_id: str) -> None:
    """Send a stored incident again, as a device does after a crash before its bookkeeping."""
    from edge.report.outbox import Outbox
    from edge.report.service import outbox_path

    row = Outbox(outbox_path(config)).get(incident_id)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="replay", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.publish(row.topic, row.payload, qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def test_watcher_shows_each_incident_once_per_site_even_after_a_restart(tmp_path: Path) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        # First run: creates the persistent session, so the broker queues what comes next.
        first = watch(broker.port, tmp_path, "--site", "site-a", "--json", "--timeout", "2")
        assert first.returncode == 0 and first.stdout == "", first.stderr

        site_a = device(tmp_path, broker.port, "dev-001", "site-a")
        ids = asyncio.run(log(site_a, "oil leak at the gearbox", "cracked blade bolt"))
        asyncio.run(log(device(tmp_path, broker.port, "dev-009", "site-b"), "other site"))
        republish(broker.port, site_a, ids[0])  # a duplicate on the wire

        shown = watch(
            broker.port, tmp_path, "--site", "site-a", "--json", "--count", "2", "--timeout", "20"
        )
        assert shown.returncode == 0, shown.stderr
        lines = [json.loads(x) for x in shown.stdout.splitlines()]
        assert [p["incident_id"] for p in lines] == ids  # in order, once, site-a only
        for payload in lines:
            jsonschema.validate(payload, load_schema())

        # The device re-sends again; a restarted watcher must not show it again.
        republish(broker.port, site_a, ids[1])
        again = watch(broker.port, tmp_path, "--site", "site-a", "--json", "--timeout", "2")
        assert again.returncode == 0 and again.stdout == "", again.stdout


def test_human_output_and_status_lines(tmp_path: Path) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        asyncio.run(log(device(tmp_path, broker.port, "dev-001", "site-a"), "hub light out"))
        # Retained status is there at once; the incident went before anyone subscribed.
        out = watch(broker.port, tmp_path, "--status", "--timeout", "2")
        assert out.returncode == 0, out.stderr
        assert "site-a/dev-001 offline (shutdown" in out.stdout


def test_count_not_reached_is_a_failure_exit(tmp_path: Path) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        out: Any = watch(broker.port, tmp_path, "--count", "1", "--timeout", "1")
        assert out.returncode == 1
