"""`edge doctor` with nothing attached, and with simulated parts: a wearable on a pty, a button on
gpiozero's mock pins, and real mosquitto brokers (plain, and mutual TLS with passwords and ACLs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from edge.commands.doctor import checks
from edge.config import Config, load_config
from edge.doctor import Result, run_checks
from edge.report.localbroker import LocalBroker, free_port, mosquitto_available
from tests.integration.sim_wearable import SimWearable
from tests.integration.test_mqtt_tls_acl import Fleet
from tests.unit.test_ptt import mock_pins  # noqa: F401  (the fixture: gpiozero's mock pins)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

STATUSES = {"pass", "warn", "fail", "skip"}
NAMES = [
    "user",
    "python",
    "identity",
    "board",
    "wake-word",
    "secrets",
    "state",
    "sqlite",
    "models",
    "microphone",
    "speaker",
    "mic-array",
    "echo-cancel",
    "ptt-button",
    "wearable",
    "broker",
    "disk",
    "outbox",
    "clock",
    "service",
]


def doctor(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge", "--config", str(config), "doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=os.environ.copy(),
    )


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A device with nothing attached: the wearable's port and the broker are both absent."""
    config = tmp_path / "edge.toml"
    config.write_text(
        f'[device]\nstate_dir = "{tmp_path / "state"}"\n'
        f'[wearable]\nenabled = true\nurl = "{tmp_path / "no-such-tty"}"\n'
        f'[report]\nhost = "127.0.0.1"\nport = {free_port()}\ntls = false\n'
    )
    return config


def test_nothing_attached_gives_clear_failures_and_exit_status_1(bare: Path) -> None:
    started = time.monotonic()
    result = doctor(bare, "--json", "--wait", "1")
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    rows = {row["name"]: row for row in report["checks"]}
    assert [row["name"] for row in report["checks"]] == NAMES
    for row in report["checks"]:
        assert set(row) == {"name", "status", "detail", "fix", "seconds"}
        assert row["status"] in STATUSES and row["detail"]
        if row["status"] == "fail":
            assert row["fix"], row  # every failure says what to do
    assert rows["python"]["status"] == rows["sqlite"]["status"] == "pass"
    assert rows["wearable"]["status"] == "fail" and "no-such-tty" in rows["wearable"]["detail"]
    assert rows["broker"]["status"] == "fail" and "unreachable" in rows["broker"]["detail"]
    # The generic board has no PTT pin; push-to-talk would come from the (absent) wearable.
    assert rows["ptt-button"]["status"] == "skip" and "wearable" in rows["ptt-button"]["detail"]
    assert rows["disk"]["status"] == "warn"  # the state folder does not exist yet
    assert rows["service"]["status"] == "warn"  # no systemd as PID 1 in this sandbox
    assert took < 60, took  # nothing waited for longer than its own limit


def test_the_table_names_each_failure_and_its_fix(bare: Path) -> None:
    result = doctor(bare, "--wait", "1")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    broker = next(i for i, line in enumerate(lines) if line.startswith("FAIL  broker"))
    assert lines[broker + 1].strip().startswith("fix: check report.host/port")
    assert lines[-1].startswith("NOT READY: ")
    assert "Traceback" not in result.stdout + result.stderr


# -- simulated parts, in-process -----------------------------------------------------------------


@pytest.fixture
def wearable() -> Iterator[SimWearable]:
    sim = SimWearable().start()
    yield sim
    sim.unplug()


def run(config: Config) -> dict[str, Result]:
    return {r.name: r for r in run_checks(checks(config, wait_s=5.0, broker_timeout_s=5.0))}


@pytest.mark.usefixtures("mock_pins")
def test_simulated_button_wearable_and_broker_pass(tmp_path: Path, wearable: SimWearable) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        config = load_config(
            env={},
            overrides={
                "device.state_dir": str(tmp_path / "state"),
                "device.board": "pi5",
                "wearable.enabled": True,
                "wearable.url": wearable.path,
                "report.host": "127.0.0.1",
                "report.port": broker.port,
                "report.tls": False,
            },
        )
        results = run(config)
    assert results["ptt-button"].status == "pass", results["ptt-button"]
    assert "(gpiozero)" in results["ptt-button"].detail
    assert results["wearable"].status == "pass", results["wearable"]
    assert "firmware 1.0.0" in results["wearable"].detail and "80 %" in results["wearable"].detail
    assert results["broker"].status == "pass", results["broker"]
    assert "accepted edge-dev-doctor (no TLS)" in results["broker"].detail


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    fleet = Fleet(tmp_path)
    fleet.broker.start()
    yield fleet
    fleet.broker.stop()


def broker_result(config: Config) -> Result:
    config = replace(config, wearable=replace(config.wearable, enabled=False))
    return run(config)["broker"]


def test_broker_over_mutual_tls_accepts_the_device_and_its_certificate_age_is_told(
    fleet: Fleet,
) -> None:
    result = broker_result(fleet.device("dev-001", "dev-001"))
    assert "accepted dev-001-doctor (TLS, user dev-001)" in result.detail, result
    # The test CA issues 2-day certificates: connected, but the expiry is worth a warning.
    assert result.status == "warn" and "certificate expires in" in result.detail


def test_broker_with_an_untrusted_certificate_fails_on_tls(fleet: Fleet) -> None:
    config = fleet.device("dev-001", "dev-001")
    config = replace(config, report=replace(config.report, ca_file=fleet.rogue / "ca.crt"))
    result = broker_result(config)
    assert result.status == "fail" and "TLS certificate not trusted" in result.detail, result
    assert "report.ca_file" in result.fix


def test_broker_refusing_the_password_fails_with_the_connack_reason(
    fleet: Fleet, tmp_path: Path
) -> None:
    config = fleet.device("dev-001", "dev-001")
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("not-the-password\n")
    config = replace(config, report=replace(config.report, password_file=wrong))
    result = broker_result(config)
    assert result.status == "fail" and "refused edge" in result.detail, result
    assert "code 134" in result.detail or "code 135" in result.detail
