"""Whisper's decoding loops are cut; people's own repetitions are kept."""

from __future__ import annotations

import pytest

from edge.engines.whisper import _cut_loop


@pytest.mark.parametrize(
    "decoded, kept",
    [
        ("Say that again. Say that again. Say that", "Say that again."),
        ("Hello? Can you hear me? Hello? Can you hear me? Hello?", "Hello? Can you hear me?"),
        (
            "Replace gearbox oil filter procedure. Replace gearbox oil filter procedure. Replace",
            "Replace gearbox oil filter procedure.",
        ),
        ("Lift shows L03, L5 shows L03, L5 shows L03, L5 shows L03, L", "Lift shows L03, L5"),
    ],
)
def test_loops_are_cut(decoded: str, kept: str) -> None:
    assert _cut_loop(decoded) == kept


@pytest.mark.parametrize(
    "said",
    [
        "Stop, stop. What is the torque?",
        "Wait, wait. Stop there.",
        "The M24 bolts, the M24 bolts need 900 newton metres.",
        "What is the torque for the yaw brake caliper bolts?",
    ],
)
def test_speech_is_kept(said: str) -> None:
    assert _cut_loop(said) == said
