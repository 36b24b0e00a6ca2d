"""openWakeWord on speech the repo makes: wake phrases fire, other speech does not."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edge.engines.base import EngineContext
from edge.engines.registry import load_engine
from edge.events import WakeDetected
from edge.models import ModelStore
from edge.voices import speak
from edge.wakeword import WakeGate, WakeGateSettings

pytestmark = pytest.mark.integration

CHUNK = 1280


@functools.cache
def engine(framework: str = "onnx") -> Any:
    context = EngineContext(ModelStore(Path("/nonexistent")))  # packaged models need no folder
    options = {"models": ["oww-hey_jarvis", "oww-alexa"], "framework": framework}
    return load_engine("wake", "openwakeword", options, context)


def padded(text: str, voice: str, speed: float = 1.0) -> np.ndarray:
    silence = np.zeros(16_000, dtype=np.int16)
    return np.concatenate([silence, speak(text, voice, speed=speed), silence])


def detections(audio: np.ndarray, framework: str = "onnx", **rules: Any) -> list[WakeDetected]:
    wake = engine(framework)
    wake.reset()
    gate = WakeGate(WakeGateSettings())
    found = []
    for i in range(0, len(audio) - CHUNK + 1, CHUNK):
        hit = gate.update(wake.scores(audio[i : i + CHUNK]), (i + CHUNK) / 16_000, **rules)
        if hit is not None:
            found.append(hit)
            wake.reset()
    return found


@pytest.mark.parametrize(
    ("text", "voice", "speed", "name"),
    [
        ("hey jarvis", "espeak:en-us", 1.0, "hey_jarvis"),
        ("hey jarvis", "espeak:en-gb", 0.9, "hey_jarvis"),
        ("hey jarvis", "piper", 1.0, "hey_jarvis"),
        ("alexa", "espeak:en-us", 1.0, "alexa"),
        ("alexa", "piper", 1.1, "alexa"),
    ],
)
def test_wake_phrases_are_detected_once(text: str, voice: str, speed: float, name: str) -> None:
    found = detections(padded(text, voice, speed))
    assert [d.name for d in found] == [name]
    assert found[0].score >= 0.5
    assert 1.0 < found[0].stream_time < len(padded(text, voice, speed)) / 16_000


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("Check the hydraulic pressure on the yaw brake before you climb.", "piper"),
        ("What is the torque for the blade bolts?", "espeak:en-us"),
        ("Log an incident: oil leak at the gearbox, severity two.", "espeak:en-gb"),
    ],
)
def test_other_speech_does_not_wake(text: str, voice: str) -> None:
    assert detections(padded(text, voice)) == []


def test_tflite_runtime_gives_the_same_decision() -> None:
    audio = padded("hey jarvis", "espeak:en-us")
    assert [d.name for d in detections(audio, "tflite")] == ["hey_jarvis"]


def test_wake_word_over_the_assistants_own_voice_needs_echo_cancellation() -> None:
    audio = padded("hey jarvis", "piper")
    assert detections(audio, speaking=True, echo_cancelled=False) == []
    assert len(detections(audio, speaking=True, echo_cancelled=True)) == 1


def test_listener_adapter_buffers_capture_blocks_into_80_ms_chunks() -> None:
    from edge.hw.runtime import GatedWake

    wake = GatedWake(engine(), WakeGate(WakeGateSettings()), echo_cancelled=lambda: False)
    engine().reset()
    audio = padded("hey jarvis", "espeak:en-us")
    hits = []
    for i in range(0, len(audio) - 512 + 1, 512):  # the listener's 32 ms blocks
        hit = wake.feed(audio[i : i + 512], (i + 512) / 16_000, speaking=False)
        if hit is not None:
            hits.append(hit[0])
    assert hits == ["hey_jarvis"]
