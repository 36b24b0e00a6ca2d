"""The fleet console against a real mosquitto and real devices' reporting services."""

import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from edge import schemas
from edge.fleet.console import Console, ConsoleSettings
from edge.fleet.link import SessionTakenOver
from edge.fleet.queries import IncidentFilter
from edge.fleet.watch import FleetWatcher, SeenStore
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker, Recorder, mosquitto_available
from edge.report.mqtt import Broker
from edge.report.service import ReportingService
from tests.integration.fleet_env import device_config, until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]


@pytest.fixture
def broker(tmp_path: Path) -> Any:
    with LocalBroker(tmp_path / "broker") as running:
        yield running


def console_for(tmp: Path, port: int, **settings: Any) -> Console:
    options = {"database": tmp / "fleet.db", "port": 0, **settings}
    return Console(ConsoleSettings(**options), Broker("127.0.0.1", port, "fleet-console"))


def publish(port: int, topic: str, payload: bytes) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="tester", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.publish(topic, payload, qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def test_incident_reaches_the_console_and_control_reaches_the_technician(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = device_config(tmp_path, broker.port)
    told: list[str] = []

    async def scenario() -> tuple[str, str]:
        console = console_for(tmp_path, broker.port)
        await console.start(web=False)
        device: ReportingService

        def on_command() -> None:
            told.append("due")

        device = ReportingService(config, on_command=on_command)
        await device.start()
        assert await until(lambda: console.queries.device("site-a", "dev-001") is not None)
        receipt = await device.reporter.report(
            IncidentDraft(Severity.HIGH, "oil leak at the gearbox", component_id="GBX")
        )
        incident_id = receipt.incident_id
        assert await until(lambda: console.stats.stored_incidents == 1)
        await console.act(incident_id, "acknowledge", user="dana", role="dispatcher")
        assert await until(lambda: told == ["due"])
        (pending,) = await device.announcements()
        assert pending.text == "Control acknowledged the incident: oil leak at the gearbox."
        await device.announced(pending.command_id)

        def history() -> list[str]:
            return [str(e.detail) for e in console.queries.history(incident_id)]

        assert await until(lambda: "technician told of acknowledge" in history()), history()
        assert "device applied acknowledge" in history()
        row = console.queries.incident(incident_id)
        assert row is not None and row.state == "acknowledged"
        assert row.device["online"] is True  # the device as known when the incident arrived
        await device.stop()
        await console.stop()
        return incident_id, pending.command_id

    incident_id, _ = asyncio.run(scenario())
    conf = tmp_path / "dev.toml"
    conf.write_text(
        f'[device]\nid = "dev-001"\nsite = "site-a"\nstate_dir = "{tmp_path / "dev-001"}"\n'
    )
    listed = subprocess.run(
        [sys.executable, "-m", "edge.commands.incidents", "-c", str(conf), "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(x for x in listed.stdout.splitlines() if x.startswith(incident_id[:8]))
    assert "[control: acknowledged]" in line, listed.stdout


def test_bad_commands_are_refused_and_the_device_keeps_working(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = device_config(tmp_path, broker.port)
    recorder = Recorder(broker.port, client_id="results", topics=("fleet/v1/+/+/cmd-result",))
    cmd_topic = "fleet/v1/site-a/dev-001/cmd/incident"

    async def scenario() -> None:
        device = ReportingService(config)
        await device.start()
        assert await until(lambda: device.connected)
        receipt = await device.reporter.report(IncidentDraft(Severity.LOW, "hatch seal worn"))
        good = {
            "schema": "edge.command/1",
            "command_id": "6f1c1d2e-0000-4000-8000-000000000001",
            "incident_id": receipt.incident_id,
            "action": "close",
            "device_id": "dev-001",
            "site": "site-a",
            "by": {"user": "dana", "role": "dispatcher"},
            "issued_at": "2026-11-30T09:00:00.000Z",
        }
        bad = [
            b"\x00garbage",
            json.dumps(
                {
                    **good,
                    "command_id": good["command_id"][:-1] + "2",
                    "by": {"user": "val", "role": "viewer"},
                }
            ).encode(),
            json.dumps(
                {
                    **good,
                    "command_id": good["command_id"][:-1] + "3",
                    "incident_id": "6f1c1d2e-0000-4000-8000-0000000000ff",
                }
            ).encode(),
        ]
        for payload in bad:
            await asyncio.to_thread(publish, broker.port, cmd_topic, payload)
        await asyncio.to_thread(publish, broker.port, cmd_topic, json.dumps(good).encode())
        assert await until(lambda: len(recorder.snapshot()) == 4)
        assert device.connected
        assert device.lifecycle.state(receipt.incident_id).state == "closed"
        await device.stop()

    asyncio.run(scenario())
    results = [json.loads(m.payload) for m in recorder.snapshot()]
    recorder.close()
    assert all(schemas.problems("command-result", r) == [] for r in results)
    outcomes = [(r["outcome"], (r["reason"] or "").split(":")[0]) for r in results]
    assert outcomes == [
        ("refused", "malformed"),
        ("refused", "not-authorized"),
        ("refused", "unknown-incident"),
        ("applied", ""),
    ]


def test_nothing_is_lost_across_console_and_broker_restarts(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = device_config(tmp_path, broker.port)

    async def scenario() -> None:
        console = console_for(tmp_path, broker.port)
        await console.start(web=False)  # first start creates the persistent session
        assert await until(lambda: console.link is not None and console.link.connected.is_set())
        await console.stop()
        device = ReportingService(config)
        await device.start()
        for i in range(150):  # the console is down: the broker queues them
            await device.reporter.report(IncidentDraft(Severity.MEDIUM, f"vibration {i}"))
        assert await device.flush(30.0)
        await asyncio.to_thread(broker.restart)  # queued messages survive the broker's restart
        console = console_for(tmp_path, broker.port)
        await console.start(web=False)
        for i in range(150, 300):  # and the console's restart, while the device keeps sending
            await device.reporter.report(IncidentDraft(Severity.MEDIUM, f"vibration {i}"))
            if i == 200:
                await console.stop()
                console = console_for(tmp_path, broker.port)
                await console.start(web=False)
        assert await device.flush(30.0)
        assert await until(lambda: console.db.one("SELECT COUNT(*) FROM incidents") == (300,), 30)
        await device.stop()
        await console.stop()

    asyncio.run(scenario())


def test_a_watcher_whose_client_id_is_taken_stops_instead_of_splitting(
    broker: LocalBroker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = Broker("127.0.0.1", broker.port, "fleet-watch-host")

    async def scenario() -> None:
        first = FleetWatcher(endpoint, SeenStore(tmp_path / "a.db"))
        first_run = asyncio.ensure_future(first.watch(lambda p: None))
        assert await until(lambda: first.connected)
        second = FleetWatcher(endpoint, SeenStore(tmp_path / "b.db"))
        shown: list[str] = []
        second_run = asyncio.ensure_future(
            second.watch(lambda p: shown.append(p["incident_id"]), count=5, timeout_s=30)
        )
        with pytest.raises(SessionTakenOver, match="fleet-watch-host"):
            await asyncio.wait_for(first_run, 15)
        assert await until(lambda: second.connected)
        device = ReportingService(device_config(tmp_path, broker.port))
        await device.start()
        for i in range(5):
            await device.reporter.report(IncidentDraft(Severity.LOW, f"loose cover {i}"))
        stats = await second_run
        await device.stop()
        assert stats.shown == 5 and len(shown) == 5  # the whole stream, not half of it
        assert "Client id fleet-watch-host was in use by another fleet client" in caplog.text

    asyncio.run(scenario())


def test_watch_history_reads_the_console_store(broker: LocalBroker, tmp_path: Path) -> None:
    async def fill() -> None:
        console = console_for(tmp_path, broker.port)
        await console.start(web=False)
        device = ReportingService(device_config(tmp_path, broker.port))
        await device.start()
        for text in ("first thing", "second thing", "third thing"):
            await device.reporter.report(IncidentDraft(Severity.HIGH, text))
            # Incidents are stamped to the millisecond; two in one would tie (ordered by id).
            await asyncio.sleep(0.005)
        assert await until(lambda: console.stats.stored_incidents == 3)
        rows, _ = console.queries.incidents(IncidentFilter())
        await console.act(rows[0].incident_id, "close", user="dana", role="dispatcher")
        await device.stop()
        await console.stop()

    asyncio.run(fill())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "edge.commands.fleet",
            "watch",
            "--history",
            "2",
            "--database",
            str(tmp_path / "fleet.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and "second thing" in lines[0] and "third thing" in lines[1]
    assert lines[1].endswith("[closed]")
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "edge.commands.fleet",
            "watch",
            "--history",
            "2",
            "--database",
            str(tmp_path / "none.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "edge fleet serve" in missing.stderr


def test_metrics_need_the_token_and_discovery_announces_devices(
    broker: LocalBroker, tmp_path: Path
) -> None:
    discovery = Recorder(broker.port, client_id="hass", topics=("homeassistant/#",))

    async def scenario() -> str:
        console = console_for(tmp_path, broker.port, metrics_token="s3cret", hass_discovery=True)
        await console.start()
        device = ReportingService(device_config(tmp_path, broker.port))
        await device.start()
        await device.reporter.report(IncidentDraft(Severity.CRITICAL, "smoke in the cabinet"))
        assert await until(lambda: console.stats.stored_incidents == 1)
        url = f"http://127.0.0.1:{console.port}/metrics"

        def scrape(token: str | None) -> tuple[int, str]:
            request = urllib.request.Request(url)
            if token:
                request.add_header("Authorization", f"Bearer {token}")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as err:
                return err.code, ""

        assert (await asyncio.to_thread(scrape, None))[0] == 401
        assert (await asyncio.to_thread(scrape, "wrong"))[0] == 401
        status, text = await asyncio.to_thread(scrape, "s3cret")
        await device.stop()
        await console.stop()
        assert status == 200
        return text

    text = asyncio.run(scenario())
    assert 'edge_fleet_incidents{state="active",severity="critical"} 1' in text
    assert 'edge_device_online{site="site-a",device="dev-001"}' in text
    assert discovery.wait_for(lambda r: len(r.snapshot()) == 5, 10)
    configs = {m.topic: json.loads(m.payload) for m in discovery.snapshot()}
    discovery.close()
    online = configs["homeassistant/binary_sensor/edge_site_a_dev_001/online/config"]
    assert online["state_topic"] == "fleet/v1/site-a/dev-001/status"
    later = Recorder(broker.port, client_id="hass-later", topics=("homeassistant/#",))
    assert later.wait_for(lambda r: len(r.snapshot()) == 5, 10)  # retained for a later HA
    assert all(m.retain for m in later.snapshot())
    later.close()


def test_the_documented_mosquitto_sub_command_reads_incidents(
    broker: LocalBroker, tmp_path: Path
) -> None:
    import shutil

    if shutil.which("mosquitto_sub") is None:
        pytest.fail("mosquitto_sub is missing: apt-get install mosquitto-clients")
    # docs/fleet.md's first example, without TLS: one site's incidents, QoS 1, MQTT v5.
    reader = subprocess.Popen(
        ["mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", str(broker.port),
         "-q", "1", "-t", "fleet/v1/site-a/+/incident", "-C", "1", "-W", "20"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(0.5)  # subscribed before the incident goes out

    async def log() -> str:
        device = ReportingService(device_config(tmp_path, broker.port))
        await device.start()
        receipt = await device.reporter.report(IncidentDraft(Severity.HIGH, "blade crack"))
        assert await device.flush(10.0)
        await device.stop()
        return receipt.incident_id

    incident_id = asyncio.run(log())
    out, _ = reader.communicate(timeout=30)
    payload = json.loads(out)
    assert payload["incident_id"] == incident_id and schemas.problems("incident", payload) == []


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    import signal

    database = tmp_path / "fleet.db"
    serve = subprocess.Popen(
        [sys.executable, "-m", "edge.commands.fleet", "serve", "--no-broker",
         "--database", str(database), "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert serve.stdout is not None
    first = serve.stdout.readline()
    assert first.startswith("fleet console on http://127.0.0.1:"), first
    url = first.split(" on ", 1)[1].strip()
    with urllib.request.urlopen(url + "login", timeout=10) as page:
        assert page.status == 200
    serve.send_signal(signal.SIGTERM)
    out, err = serve.communicate(timeout=30)
    assert serve.returncode == 0, err
    assert "fleet console stopped" in out
