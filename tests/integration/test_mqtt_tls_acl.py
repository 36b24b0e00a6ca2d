"""Mutual TLS, passwords and per-device ACLs, with the repo's own deploy/mosquitto files."""

import asyncio
import json
import logging
import os
import re
import signal
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from edge.config import Config, DeviceConfig, ReportConfig
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker, Recorder, make_pki, mosquitto_available
from edge.report.service import ReportingService

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
PASSWORDS = {"dev-001": "pw-dev-001-Zq8", "dev-002": "pw-dev-002-Xr4", "fleet-manager": "pw-fm-Kd2"}


class Fleet:
    """A broker running deploy/mosquitto/mosquitto.conf with the paths replaced."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pki = make_pki(tmp / "pki", ["dev-001", "dev-002", "fleet-manager"])
        self.rogue = make_pki(tmp / "rogue", ["dev-001"])  # same CN, another CA
        passwd = tmp / "passwd"
        for user, password in PASSWORDS.items():
            flags = ["-b", "-c"] if not passwd.exists() else ["-b"]
            subprocess.run(["mosquitto_passwd", *flags, str(passwd), user, password], check=True)
        self.acl = tmp / "acl"
        self.acl.write_text((DEPLOY / "acl").read_text())
        conf = (DEPLOY / "mosquitto.conf").read_text()
        # The test broker supplies its own loopback listener and data folder.
        conf = re.sub(r"(?m)^(listener|persistence_location|per_listener_settings)\b.*$", "", conf)
        for old, new in {
            "/etc/mosquitto/ca/fleet-ca.crt": self.pki / "ca.crt",
            "/etc/mosquitto/certs/broker.crt": self.pki / "broker.crt",
            "/etc/mosquitto/certs/broker.key": self.pki / "broker.key",
            "/etc/mosquitto/passwd": passwd,
            "/etc/mosquitto/acl": self.acl,
        }.items():
            assert old in conf
            conf = conf.replace(old, str(new))
        self.broker = LocalBroker(tmp / "broker", conf)
        for user, password in PASSWORDS.items():
            (tmp / f"{user}.pass").write_text(password + "\n")

    def device(self, device_id: str, user: str, pki: Path | None = None) -> Config:
        pki = pki or self.pki
        return Config(
            device=DeviceConfig(id=device_id, site="site-a", state_dir=self.tmp / device_id),
            report=ReportConfig(
                host="127.0.0.1",
                port=self.broker.port,
                tls=True,
                ca_file=self.pki / "ca.crt",
                cert_file=pki / f"{user}.crt",
                key_file=pki / f"{user}.key",
                username=user,
                password_file=self.tmp / f"{user}.pass",
                reconnect_min_s=0.05,
                reconnect_max_s=0.5,
                refused_retry_s=3600,
                telemetry_interval_s=0,
            ),
        )

    def manager(self) -> Recorder:
        def setup(client: Any) -> None:
            client.tls_set(
                ca_certs=str(self.pki / "ca.crt"),
                certfile=str(self.pki / "fleet-manager.crt"),
                keyfile=str(self.pki / "fleet-manager.key"),
            )
            client.username_pw_set("fleet-manager", PASSWORDS["fleet-manager"])

        return Recorder(self.broker.port, client_id="fleet-manager", setup=setup)


@pytest.fixture
def fleet(tmp_path: Path) -> Any:
    fleet = Fleet(tmp_path)
    fleet.broker.start()
    yield fleet
    fleet.broker.stop()


async def connected_within(service: ReportingService, seconds: float) -> bool:
    for _ in range(int(seconds / 0.02)):
        if service.connected:
            return True
        await asyncio.sleep(0.02)
    return False


def test_device_with_its_certificate_and_password_gets_through(fleet: Fleet) -> None:
    manager = fleet.manager()

    async def scenario() -> str:
        service = ReportingService(fleet.device("dev-001", "dev-001"))
        await service.start()
        receipt = await service.reporter.report(IncidentDraft(Severity.LOW, "hatch seal worn"))
        assert await service.flush(15.0)
        await service.stop()
        return receipt.incident_id

    def statuses(recorder: Recorder) -> list[dict[str, Any]]:
        return [json.loads(m.payload) for m in recorder.snapshot() if m.topic.endswith("/status")]

    incident_id = asyncio.run(scenario())
    # The offline status is published last, at stop: wait for it too, not only the incident.
    assert manager.wait_for(
        lambda r: (
            incident_id in r.incident_ids()
            and statuses(r)[-1:] != []
            and statuses(r)[-1].get("reason") == "shutdown"
        ),
        10.0,
    ), statuses(manager)
    manager.close()
    assert statuses(manager)[0]["online"] is True


def test_client_without_a_valid_certificate_is_refused(
    fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    # No client certificate at all: the TLS handshake fails.
    bare = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="dev-001", protocol=mqtt.MQTTv5)
    bare.tls_set(ca_certs=str(fleet.pki / "ca.crt"))
    bare.username_pw_set("dev-001", PASSWORDS["dev-001"])
    refused = False
    try:
        bare.connect("127.0.0.1", fleet.broker.port, keepalive=5)
        for _ in range(50):
            if bare.loop(0.1) != mqtt.MQTT_ERR_SUCCESS:
                refused = True
                break
    except (ssl.SSLError, OSError):
        refused = True
    assert refused and not bare.is_connected()

    caplog.set_level(logging.DEBUG)
    logging.getLogger("edge.report.paho").setLevel(logging.DEBUG)

    async def attempt(config: Config) -> tuple[bool, int, str | None]:
        service = ReportingService(config)
        await service.start()
        await service.reporter.report(IncidentDraft(Severity.HIGH, "oil leak"))
        up = await connected_within(service, 1.0)
        await service.stop(flush_timeout_s=0)
        health = service.health()
        return up, health.pending, health.last_error

    # A certificate from another CA, with the right CN and password: refused, kept, retried later.
    up, pending, error = asyncio.run(attempt(fleet.device("dev-001", "dev-001", fleet.rogue)))
    assert (up, pending) == (False, 1) and error
    # The fleet's certificate but the wrong password: refused at CONNACK.
    (fleet.tmp / "dev-001.pass").write_text("wrong-password\n")
    up, pending, error = asyncio.run(attempt(fleet.device("dev-001", "dev-001")))
    assert (up, pending) == (False, 2) and error
    for password in PASSWORDS.values():  # secrets are never logged, even at DEBUG
        assert password not in caplog.text
    assert "wrong-password" not in caplog.text


def test_acl_denied_publish_stays_in_the_outbox_and_is_reported(fleet: Fleet) -> None:
    manager = fleet.manager()
    # A device whose id does not match its broker account: the ACL refuses its topic.
    config = fleet.device("dev-002", "dev-001")
    refusals: list[tuple[str, str]] = []

    async def refused() -> str:
        service = ReportingService(config, on_refused=lambda i, r: refusals.append((i, r)))
        await service.start()
        receipt = await service.reporter.report(IncidentDraft(Severity.HIGH, "blade crack"))
        for _ in range(500):
            if refusals:
                break
            await asyncio.sleep(0.02)
        assert await service.flush(5.0)  # nothing *due*: the refused row waits for its retry
        row = service.outbox.get(receipt.incident_id)
        assert row.state == "pending" and row.refused and row.last_error == "Not authorized"
        assert service.health().refused == 1 and not service.health().ok
        await service.stop()
        return receipt.incident_id

    incident_id = asyncio.run(refused())
    assert refusals == [(incident_id, "Not authorized")]
    conf = fleet.tmp / "dev-002.toml"
    conf.write_text(_toml(config))
    listed = _incidents(conf, "list", "--json")
    assert json.loads(listed.stdout.splitlines()[0])["state"] == "refused"

    # The operator fixes the ACL and reloads the broker; `edge incidents retry` delivers it.
    with fleet.acl.open("a") as acl:
        acl.write("\nuser dev-001\ntopic write fleet/v1/+/dev-002/#\n")
    assert fleet.broker.proc is not None
    os.kill(fleet.broker.proc.pid, signal.SIGHUP)
    retry = _incidents(conf, "retry", incident_id[:8], "--wait", "15")
    assert "delivered" in retry.stdout, retry.stdout + retry.stderr
    assert manager.wait_for(lambda r: incident_id in r.incident_ids(), 10.0)
    manager.close()


def _incidents(conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge.commands.incidents", "-c", str(conf), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _toml(config: Config) -> str:
    r, d = config.report, config.device
    return (
        f'[device]\nid = "{d.id}"\nsite = "{d.site}"\nstate_dir = "{d.state_dir}"\n'
        f'[report]\nhost = "{r.host}"\nport = {r.port}\ntls = true\nca_file = "{r.ca_file}"\n'
        f'cert_file = "{r.cert_file}"\nkey_file = "{r.key_file}"\nusername = "{r.username}"\n'
        f'password_file = "{r.password_file}"\nreconnect_min_s = 0.05\nreconnect_max_s = 0.5\n'
    )


def test_console_commands_reach_only_their_device_under_tls_and_the_acl(fleet: Fleet) -> None:
    from edge.fleet.console import Console, ConsoleSettings
    from edge.report.mqtt import Broker
    from tests.integration.fleet_env import until

    console_broker = Broker(
        "127.0.0.1",
        fleet.broker.port,
        "fleet-console",
        tls=True,
        ca_file=fleet.pki / "ca.crt",
        cert_file=fleet.pki / "fleet-manager.crt",
        key_file=fleet.pki / "fleet-manager.key",
        username="fleet-manager",
        password=PASSWORDS["fleet-manager"],
    )
    forged = {
        "schema": "edge.command/1",
        "command_id": "0badc0de-0000-4000-8000-000000000001",
        "action": "close",
        "device_id": "dev-001",
        "site": "site-a",
        "by": {"user": "mallory", "role": "dispatcher"},
        "issued_at": "2026-11-30T09:00:00.000Z",
    }

    async def scenario() -> None:
        console = Console(ConsoleSettings(database=fleet.tmp / "fleet.db", port=0), console_broker)
        await console.start(web=False)
        device = ReportingService(fleet.device("dev-001", "dev-001"))
        await device.start()
        receipt = await device.reporter.report(IncidentDraft(Severity.HIGH, "gearbox oil leak"))
        assert await until(lambda: console.stats.stored_incidents == 1)
        # Another device tries to close dev-001's incident: the broker drops it (ACL).
        rogue = ReportingService(fleet.device("dev-002", "dev-002"), status=False)
        await rogue.start()
        assert await until(lambda: rogue.connected)
        assert rogue._link is not None
        payload = json.dumps({**forged, "incident_id": receipt.incident_id}).encode()
        rogue._link.publish("fleet/v1/site-a/dev-001/cmd/incident", payload, qos=1)
        await console.act(receipt.incident_id, "acknowledge", user="dana", role="dispatcher")
        assert await until(
            lambda: device.lifecycle.state(receipt.incident_id).state == "acknowledged"
        )
        await asyncio.sleep(1.0)  # time for a forged close to arrive, were it let through
        assert device.lifecycle.state(receipt.incident_id).state == "acknowledged"
        history = [e.detail for e in console.queries.history(receipt.incident_id)]
        assert await until(
            lambda: (
                "device applied acknowledge"
                in [e.detail for e in console.queries.history(receipt.incident_id)]
            )
        ), history
        await rogue.stop()
        await device.stop()
        await console.stop()

    asyncio.run(scenario())
