"""The daemon as systemd runs it: a real `edge run` process under a fake NOTIFY_SOCKET.

The test binds the datagram socket systemd would, starts ``edge run --source ... --keep-open`` with
``NOTIFY_SOCKET`` and a short ``WATCHDOG_USEC``, and asks for an incident by voice with a real
mosquitto on loopback. It checks the notify contract (more start time while models load,
``READY=1`` once listening, watchdog pings at the asked cadence, ``STOPPING=1``) and that SIGTERM,
sent while the answer is still being produced, stops the daemon well within the unit's
``TimeoutStopSec`` with the incident delivered and the offline status published.

Pings stopping while the main loop or the capture stalls is checked in-process
(``tests/unit/test_notify.py``): a subprocess cannot be stalled from outside without also
stopping every thread (SIGSTOP), which would prove nothing about where the pings come from.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from edge.report.localbroker import LocalBroker, Recorder, mosquitto_available
from edge.report.outbox import Outbox
from edge.voices import speak_to_file

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "edge.service"
WATCHDOG_USEC = 2_000_000
"""The deadline handed to the daemon: it must ping every 1 s and never miss 2 s."""


def unit_seconds(key: str) -> float:
    """A ``...Sec=`` value of edge.service, in seconds (plain seconds or ``<n>min``)."""
    match = re.search(rf"(?m)^{key}=(\d+)(min|s)?$", UNIT.read_text())
    assert match, f"{key}= not found in {UNIT}"
    return float(match[1]) * (60 if match[2] == "min" else 1)


@dataclass
class NotifySocket:
    """The socket systemd would bind, with every datagram and the time it came (monotonic)."""

    path: Path
    received: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(self.path))
        self._sock.settimeout(0.1)
        self._running = True
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while self._running:
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            self.received.append((time.monotonic(), data.decode()))

    def times(self, field_: str) -> list[float]:
        """When datagrams holding the line ``field_`` arrived."""
        return [t for t, text in list(self.received) if field_ in text.split("\n")]

    def wait_for(self, field_: str, timeout_s: float) -> float:
        """The arrival time of the first ``field_`` (fails after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if found := self.times(field_):
                return found[0]
            time.sleep(0.05)
        pytest.fail(f"no {field_} within {timeout_s} s; got {self.received}")

    def close(self) -> None:
        self._running = False
        self._thread.join(2)
        self._sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(tmp_path / "notify.sock")
    yield sock
    sock.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    with LocalBroker(tmp_path / "broker") as running:
        yield running


def write_config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(
        f'[device]\nid = "dev-svc"\nsite = "site-s"\nstate_dir = "{tmp_path / "state"}"\n'
        f'[report]\nhost = "127.0.0.1"\nport = {port}\ntls = false\n'
        "reconnect_min_s = 0.05\nreconnect_max_s = 0.5\ntelemetry_interval_s = 0\n"
        # One file of speech, nobody to say "yes": a doubtful hearing must not hold the incident.
        "[dialogue]\ncheckback = false\n"
    )
    return path


class StderrTail:
    """Reads a pipe on a thread so the daemon never blocks on a full pipe; keeps every line."""

    def __init__(self, pipe: object) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            time.sleep(0.05)
        pytest.fail(f"no {pattern!r} within {timeout_s} s:\n{''.join(self.lines[-40:])}")

    def text(self) -> str:
        self._thread.join(5)
        return "".join(self.lines)


def test_daemon_under_systemd_notify_readies_pings_and_stops_on_sigterm(
    tmp_path: Path, notify: NotifySocket, broker: LocalBroker
) -> None:
    fleet = Recorder(broker.port, client_id="fleet-manager")
    question = speak_to_file(
        "Log a high severity incident: hydraulic oil leak at the pitch cylinder.",
        tmp_path / "incident.wav",
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "NOTIFY_SOCKET": str(notify.path),
        "WATCHDOG_USEC": str(WATCHDOG_USEC),
    }
    env.pop("WATCHDOG_PID", None)
    started = time.monotonic()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "edge", "--config", str(write_config(tmp_path, broker.port))]
        + ["--log-level", "INFO", "run", "--source", str(question), "--keep-open"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = StderrTail(daemon.stdout)
    log = StderrTail(daemon.stderr)
    try:
        ready = notify.wait_for("READY=1", unit_seconds("TimeoutStartSec"))
        # More start time was asked for before the models loaded; READY=1 came once they had.
        assert notify.times("EXTEND_TIMEOUT_USEC=300000000")[0] < ready
        assert ready - started > 1.0  # real models take seconds to load; READY is not sent early
        assert not [t for t in notify.times("WATCHDOG=1") if t < ready]

        incident = log.wait_for(r"Incident (\S+) stored", 120)[1]
        # SIGTERM while the answer to the incident is still being produced.
        assert not [line for line in out.lines if "answer:" in line]
        pings = [t for t in notify.times("WATCHDOG=1") if t > ready]
        term = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(unit_seconds("TimeoutStopSec"))
        stopped_in = time.monotonic() - term
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    stderr = log.text()
    assert code == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    # The answer in progress was cut, not finished after the signal nor left hanging.
    assert re.search(r"answer: .*\(interrupted\)", "".join(out.lines)), out.text()
    assert stopped_in < 10.0, stopped_in  # TimeoutStopSec is the limit; the budget is 5 s flush

    # Watchdog: pings at half the deadline, never a gap as long as the deadline itself.
    assert len(pings) >= 3
    gaps = [b - a for a, b in zip([ready, *pings], pings, strict=False)]
    assert max(gaps) < WATCHDOG_USEC / 1e6, gaps
    assert notify.times("STOPPING=1") and notify.times("STOPPING=1")[0] >= term

    # Nothing lost: the incident reached the fleet and the outbox holds nothing pending.
    assert fleet.wait_for(lambda r: incident in r.incident_ids(), 10.0)
    status = [m for m in fleet.snapshot() if m.topic.endswith("/status")]
    assert status and json.loads(status[-1].payload)["online"] is False
    fleet.close()
    outbox = Outbox(tmp_path / "state" / "outbox.db")
    try:
        counts = outbox.counts()
        assert (counts.pending, counts.sent) == (0, 1)
    finally:
        outbox.close()
