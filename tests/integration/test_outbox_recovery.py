"""A corrupt incident outbox never stops the assistant: `edge ask` answers, the file is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge.report.outbox import Outbox, quarantined_copies
from edge.voices import speak_to_file
from tests.integration.knowledge_env import database_copy

pytestmark = pytest.mark.integration


def test_edge_ask_answers_and_logs_with_a_corrupt_outbox(tmp_path: Path) -> None:
    state = tmp_path / "state"
    database_copy("markdown", state / "manuals.db")
    outbox = state / "outbox.db"
    outbox.write_bytes(b"\x13\x37 half-written page " * 2000)
    questions = [
        speak_to_file("What is the torque for the yaw brake caliper bolts?", tmp_path / "q1.wav"),
        speak_to_file(
            "Log a low severity incident: loose cable tray in the tower.", tmp_path / "q2.wav"
        ),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "edge", "ask", *map(str, questions)],
        env={**os.environ, "EDGE_DEVICE__STATE_DIR": str(state)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "900" in done.stdout  # the manual question is answered
    assert "Logged a low severity incident" in done.stdout  # and the incident is stored ...
    [moved] = quarantined_copies(outbox)
    assert moved.read_bytes().startswith(b"\x13\x37")  # ... while the damaged file is kept
    assert f"moved to {moved}" in done.stderr  # and said where it went
    fresh = Outbox(outbox)
    try:
        assert fresh.counts().pending == 1
    finally:
        fresh.close()
