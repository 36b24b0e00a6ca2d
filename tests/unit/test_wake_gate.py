"""The wake decision: threshold, patience, refractory period, and the echo rule."""

from __future__ import annotations

import pytest

from edge.wakeword import WakeGate, WakeGateSettings

pytestmark = pytest.mark.unit


def run(gate: WakeGate, scores: list[float], start: float = 0.0, **rules: bool) -> list[float]:
    hits = []
    for i, score in enumerate(scores):
        t = start + (i + 1) * 0.08
        if gate.update({"hey_jarvis": score, "alexa": 0.0}, t, **rules) is not None:
            hits.append(round(t, 2))
    return hits


def test_patience_needs_consecutive_chunks() -> None:
    gate = WakeGate(WakeGateSettings(threshold=0.5, patience=2))
    assert run(gate, [0.9, 0.1, 0.9, 0.1]) == []  # never two in a row
    assert run(gate, [0.6, 0.7], start=10) == [10.16]


def test_refractory_period_blocks_a_second_detection() -> None:
    gate = WakeGate(WakeGateSettings(threshold=0.5, patience=1, refractory_s=2.0))
    assert run(gate, [0.9] * 10) == [0.08]  # one utterance, one detection
    assert run(gate, [0.9], start=2.0) == [2.08]  # 2 s later it counts again


def test_detection_reports_the_peak_score_and_best_name() -> None:
    gate = WakeGate(WakeGateSettings(threshold=0.5, patience=2))
    gate.update({"hey_jarvis": 0.95, "alexa": 0.6}, 0.08)
    hit = gate.update({"hey_jarvis": 0.7, "alexa": 0.6}, 0.16)
    assert hit is not None and hit.name == "hey_jarvis" and hit.score == 0.95


def test_ignored_while_speaking_without_echo_cancellation() -> None:
    gate = WakeGate(WakeGateSettings(patience=1))
    assert run(gate, [0.9, 0.9], speaking=True) == []
    assert gate.suppressed_by_echo == 2
    assert run(gate, [0.9], start=5, speaking=True, echo_cancelled=True) == [5.08]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        WakeGateSettings(threshold=0)
    with pytest.raises(ValueError):
        WakeGateSettings(patience=0)
