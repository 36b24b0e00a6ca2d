"""The fault probe of issue 13 with real processes, models and brokers; each test names its item.

4: an error during the parallel model load reaches stderr, every time. 5 and 8: ``edge run`` with
no microphone, a Pi board profile on a machine without Pi GPIO and an unknown wake word model
names each broken part with its fix, keeps running and delivers a stored incident. 6: ``edge
incidents log`` exits 3 when the incident was stored but not delivered, and names a certificate
the device does not trust. 12: the state ``edge ingest`` creates first is private; ``edge doctor``
run by root checks as the service user; ``make install`` refuses a Python the service user cannot
run. Unit-level probes: ``tests/unit/test_faults.py``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.engines.base import EngineContext
from edge.hw.gpio import pi_gpio_problem
from edge.models import ModelStore
from edge.report.localbroker import LocalBroker, mosquitto_available
from edge.report.outbox import Outbox
from edge.voices import speak_to_file
from tests.integration.test_mqtt_tls_acl import Fleet, _toml
from tests.integration.test_service import StderrTail

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
needs_mosquitto = pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto")


def edge(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge", *args],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- item 4: errors during the parallel load are never swallowed -----------------------------------


def test_item04_an_unknown_stt_model_is_reported_on_every_run(tmp_path: Path) -> None:
    """Before: 6 runs in 9 exited 2 with nothing on stderr (llama.cpp held fd 2 on /dev/null)."""
    question = speak_to_file("What is the torque for the yaw brake?", tmp_path / "q.wav")
    env = {"EDGE_DEVICE__STATE_DIR": str(tmp_path / "state"), "EDGE_STT__OPTIONS__MODEL": "nosuch"}
    for run in range(10):
        result = edge("ask", str(question), env=env)
        assert result.returncode == 2, (run, result.stderr)
        assert "error: no model named 'nosuch'" in result.stderr, (run, result.stderr)
        assert "fix: use one of" in result.stderr, run


def test_item04_loading_the_llm_leaves_fd_2_alone(tmp_path: Path) -> None:
    from edge.engines.llama import LlamaCpp

    before = os.fstat(2)
    seen: list[tuple[int, int]] = []

    class Probe(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:  # runs while llama.cpp loads
            now = os.fstat(2)
            seen.append((now.st_dev, now.st_ino))

    logger = logging.getLogger("edge.engines.llama.cpp")
    probe = Probe(logging.DEBUG)
    old_level = logger.level
    logger.addHandler(probe)
    logger.setLevel(logging.DEBUG)
    try:
        LlamaCpp(LlamaCpp.Options(), EngineContext(ModelStore(tmp_path / "models")))
    finally:
        logger.removeHandler(probe)
        logger.setLevel(old_level)
    assert seen, "llama.cpp's log did not reach Python logging"
    assert set(seen) == {(before.st_dev, before.st_ino)}


# -- items 5 and 8: broken parts are reported, the rest runs ---------------------------------------


@needs_mosquitto
def test_item05_item08_run_without_mic_gpio_or_wake_model_reports_each_and_delivers(
    tmp_path: Path,
) -> None:
    with LocalBroker(tmp_path / "broker") as broker:
        config = tmp_path / "edge.toml"
        config.write_text(
            f'[device]\nid = "dev-f"\nsite = "site-f"\nboard = "pi5"\n'
            f'state_dir = "{tmp_path / "state"}"\n'
            '[audio]\ninput_device = "no-such-mic"\noutput_device = "no-such-speaker"\n'
            '[wake.options]\nmodels = ["oww-no-such-word"]\n'
            f'[report]\nhost = "127.0.0.1"\nport = {broker.port}\ntls = false\n'
            "enabled = true\nreconnect_min_s = 0.05\nreconnect_max_s = 0.5\n"
            "telemetry_interval_s = 0\n"
        )
        stored = edge(
            "-c", str(config), "incidents", "log", "--severity", "low", "--store-only", "pump"
        )
        assert stored.returncode == 0, stored.stderr
        incident = stored.stdout.split()[1]
        daemon = subprocess.Popen(
            [sys.executable, "-m", "edge", "-c", str(config), "run"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        log = StderrTail(daemon.stderr)
        try:
            log.wait_for(r"mic unavailable: no capture device 'no-such-mic' \(fix: .*", 180)
            log.wait_for(r"speaker unavailable: no playback device 'no-such-speaker'", 10)
            log.wait_for(r"wake unavailable: no model named 'oww-no-such-word'.*fix:", 10)
            if pi_gpio_problem() is not None:  # not a Pi (every CI machine)
                log.wait_for(r"ptt-gpio unavailable: pin 17: .*\(fix: .*lgpio", 10)
            # The rest runs: the stored incident is delivered while the microphone is missing.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _state(tmp_path, incident) != "sent":
                time.sleep(0.2)
            assert daemon.poll() is None, log.text()[-3000:]
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(30)
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
    stderr = log.text()
    assert _state(tmp_path, incident) == "sent", stderr[-3000:]
    assert code == 0 and "Traceback" not in stderr, stderr[-3000:]


def test_item05_unusable_broker_files_are_reported_and_questions_still_answered(
    tmp_path: Path,
) -> None:
    """Before: a CA file that cannot be read stopped ``edge run`` (exit 2), answers included."""
    question = speak_to_file("Hello, can you hear me?", tmp_path / "q.wav")
    config = tmp_path / "edge.toml"
    config.write_text(
        f'[device]\nstate_dir = "{tmp_path / "state"}"\n'
        f'[report]\nhost = "127.0.0.1"\nca_file = "{tmp_path / "no-such-ca.crt"}"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "edge", "-c", str(config), "run", "--source", str(question)]
        + ["--speed", "0", "--gap", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "broker unavailable: incident delivery off, incidents are stored: cannot load" in (
        result.stderr
    )
    assert "fix: check report.ca_file" in result.stderr
    assert "heard:" in result.stdout and "answer:" in result.stdout, result.stdout


def _state(tmp_path: Path, incident_id: str) -> str:
    outbox = Outbox(tmp_path / "state" / "outbox.db")
    try:
        return outbox.get(incident_id).state
    finally:
        outbox.close()


# -- item 6: not delivered is an exit status; a certificate not trusted is named -------------------


@needs_mosquitto
def test_item06_log_exits_3_and_names_an_untrusted_certificate(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path)
    fleet.broker.start()
    try:
        good = fleet.device("dev-001", "dev-001")
        conf = tmp_path / "good.toml"
        conf.write_text(_toml(good))
        delivered = edge("-c", str(conf), "incidents", "log", "--severity", "low", "broker test")
        assert delivered.returncode == 0, delivered.stdout + delivered.stderr
        assert "delivered" in delivered.stdout

        rogue = tmp_path / "rogue.toml"
        rogue.write_text(
            _toml(good).replace(str(fleet.pki / "ca.crt"), str(fleet.rogue / "ca.crt"))
        )
        for args in (["log", "--severity", "high", "oil leak"], ["retry"]):
            result = edge("-c", str(rogue), "incidents", *args, "--wait", "3")
            assert result.returncode == 3, (args, result.stdout, result.stderr)
            assert "not delivered: 127.0.0.1:" in result.stderr
            assert "TLS certificate not trusted" in result.stderr, result.stderr
            assert "fix: check report.ca_file" in result.stderr
            assert "kept in the outbox" in result.stderr and "exit status 3" in result.stderr
    finally:
        fleet.broker.stop()


def test_item06_log_with_reporting_off_is_stored_and_says_so(tmp_path: Path) -> None:
    env = {"EDGE_DEVICE__STATE_DIR": str(tmp_path / "state"), "EDGE_REPORT__ENABLED": "false"}
    result = edge("incidents", "log", "--severity", "low", "pump noise", env=env)
    assert result.returncode == 3
    assert result.stdout.startswith("stored ") and "report.enabled = false" in result.stderr


# -- item 12: private state, doctor as the service user, a readable Python -------------------------


def test_item12_state_created_first_by_ingest_is_private(tmp_path: Path) -> None:
    state = tmp_path / "fresh" / "state"
    env = {"EDGE_DEVICE__STATE_DIR": str(state)}
    manual = REPO / "samples" / "manuals" / "htw1500-torque-wrench.txt"
    ingested = edge("ingest", str(manual), env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert mode(state) == 0o700 and mode(state / "manuals.db") == 0o600
    stored = edge("incidents", "log", "--severity", "low", "--store-only", "pump noise", env=env)
    assert stored.returncode == 0, stored.stderr
    assert mode(state / "outbox.db") == 0o600


def _runnable_by_others(path: str) -> bool:
    real = Path(os.path.realpath(path))
    return all(mode(p) & 0o001 for p in real.parents) and mode(real) & 0o005 == 0o005


@pytest.mark.skipif(os.geteuid() != 0, reason="checks what root's doctor does")
def test_item12_doctor_as_root_checks_as_the_service_user(tmp_path: Path) -> None:
    env = {"EDGE_SERVICE_USER": "nobody", "EDGE_DEVICE__STATE_DIR": str(tmp_path / "state")}
    result = edge("doctor", "--wait", "1", "--broker-timeout", "1", env=env)
    assert "Traceback" not in result.stdout + result.stderr
    if _runnable_by_others(sys.executable):
        assert "checking as user nobody" in result.stdout
        assert "checked as nobody" in result.stdout
    else:  # a development venv on pyenv under /root: exactly what the service could not run
        assert result.returncode == 1
        assert "FAIL  user  user nobody cannot run edge's Python" in result.stdout
        assert "Permission denied" in result.stdout and "PYTHON=/usr/bin/python3" in result.stdout
    as_root = edge("doctor", "--as-root", "--json", "--wait", "1", "--broker-timeout", "1", env=env)
    rows = {row["name"]: row for row in json.loads(as_root.stdout)["checks"]}
    assert rows["user"]["status"] == "skip" and "checked as root" in rows["user"]["detail"]


def test_item12_install_refuses_a_python_the_service_user_cannot_run(tmp_path: Path) -> None:
    hidden = tmp_path / "home" / "admin"
    hidden.mkdir(parents=True)
    hidden.chmod(0o700)
    python = hidden / "python3"
    # A copy of a Python that runs from anywhere (Debian's finds its stdlib by its build prefix).
    shutil.copy2(
        os.path.realpath(shutil.which("python3", path="/usr/bin") or sys.executable), python
    )
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "install", f"DESTDIR={tmp_path / 'r'}"],
        env={**os.environ, "PYTHON": str(python)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"is under {hidden} (mode 700)" in result.stderr, result.stderr
    assert "make install PYTHON=/usr/bin/python3" in result.stderr
    assert not (tmp_path / "r" / "opt").exists()  # refused before anything was built
