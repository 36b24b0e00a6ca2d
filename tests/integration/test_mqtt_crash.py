"""A process killed with SIGKILL between storing and publishing: the incident still arrives."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from edge.report.localbroker import LocalBroker, Recorder, mosquitto_available
from edge.report.outbox import Outbox

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

DAEMON = textwrap.dedent(
    """
    import asyncio, sys
    from edge.config import load_config
    from edge.report.base import IncidentDraft, Severity
    from edge.report.service import ReportingService

    async def main():
        service = ReportingService(load_config(sys.argv[1]))
        await service.start()
        for i in range(100_000):
            draft = IncidentDraft(Severity.MEDIUM, f"vibration alarm {i}", source="device")
            receipt = await service.reporter.report(draft)
            print(receipt.incident_id, flush=True)  # only after report() returned: stored

    asyncio.run(main())
    """
)


def write_config(tmp: Path, port: int) -> Path:
    path = tmp / "edge.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [device]
            id = "dev-001"
            site = "site-a"
            state_dir = "{tmp / "state"}"
            [report]
            host = "127.0.0.1"
            port = {port}
            tls = false
            keepalive_s = 5
            will_delay_s = 0
            reconnect_min_s = 0.05
            reconnect_max_s = 0.5
            telemetry_interval_s = 0
            """
        )
    )
    return path


def incidents(conf: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge.commands.incidents", "-c", str(conf), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def kill(proc: subprocess.Popen[Any]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def test_killed_after_storing_before_publishing_is_delivered_after_restart(tmp_path: Path) -> None:
    broker = LocalBroker(tmp_path / "broker")
    broker.start()
    recorder = Recorder(broker.port, client_id="fleet-manager")
    broker.stop()  # nothing can be published: the kill lands between storing and publishing
    conf = write_config(tmp_path, broker.port)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edge.commands.incidents",
            "-c",
            str(conf),
            "log",
            "--severity",
            "high",
            "--component",
            "GBX",
            "oil leak at the gearbox",
            "--wait",
            "60",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed only once the row is committed
        assert line.startswith("stored "), line
        incident_id = line.split()[1]
    finally:
        kill(proc)
    assert Outbox(tmp_path / "state" / "outbox.db").get(incident_id).state == "pending"

    broker.start()
    try:
        done = incidents(conf, "retry", "--wait", "20")  # the restarted process delivers it
        assert done.returncode == 0 and "delivered" in done.stdout, done.stdout + done.stderr
        assert recorder.wait_for(lambda r: incident_id in r.incident_ids(), 10.0)
        listed = incidents(conf, "list", "--json")
        (row,) = [json.loads(x) for x in listed.stdout.splitlines()]
        assert (row["incident_id"], row["state"]) == (incident_id, "sent")
    finally:
        recorder.close()
        broker.stop()


def test_daemon_killed_mid_stream_loses_nothing_and_its_will_says_offline(tmp_path: Path) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        recorder = Recorder(broker.port, client_id="fleet-manager")
        conf = write_config(tmp_path, broker.port)
        proc = subprocess.Popen(
            [sys.executable, "-c", DAEMON, str(conf)], stdout=subprocess.PIPE, text=True
        )
        stored: list[str] = []
        try:
            assert proc.stdout is not None
            while len(stored) < 200:  # bounded by the daemon's own pace; it never stops itself
                line = proc.stdout.readline()
                assert line, "daemon exited early"
                stored.append(line.strip())
        finally:
            kill(proc)  # at a random point: storing, publishing, awaiting acks, committing
        assert recorder.wait_for(lambda r: _last_status(r).get("reason") == "lwt", 10.0)

        pending = Outbox(tmp_path / "state" / "outbox.db").counts().pending
        done = incidents(conf, "retry", "--wait", "30")
        assert done.returncode == 0, done.stdout + done.stderr
        assert recorder.wait_for(lambda r: set(stored) <= set(r.incident_ids()), 15.0)
        recorder.close()
        assert Outbox(tmp_path / "state" / "outbox.db").counts().pending == 0
        print(f"pending after the kill: {pending}; delivered after restart")


def _last_status(recorder: Recorder) -> dict[str, Any]:
    statuses = [m for m in recorder.snapshot() if m.topic.endswith("/status")]
    return json.loads(statuses[-1].payload) if statuses else {}
