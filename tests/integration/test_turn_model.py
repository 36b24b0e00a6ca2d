"""The end-of-turn model (smart-turn v3.2) on speech the repo makes: finished or not?"""

from __future__ import annotations

import numpy as np
import pytest

from edge.engines.base import EngineContext, TurnEngine
from edge.engines.registry import load_engine
from edge.models import ModelStore
from edge.voices import speak

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> TurnEngine:
    context = EngineContext(ModelStore(tmp_path_factory.mktemp("models")))
    engine: TurnEngine = load_engine("turn", "smart-turn", {}, context)
    return engine


def audio(text: str, voice: str = "piper", silence_s: float = 0.1) -> np.ndarray:
    samples = speak(text, voice).astype(np.float32) / 32768.0
    return np.concatenate([samples, np.zeros(int(silence_s * 16_000), np.float32)])


@pytest.mark.parametrize("voice", ["piper", "espeak:en-us"])
@pytest.mark.parametrize(
    "text",
    [
        "What torque do the M24 yaw brake caliper bolts need?",
        "Log a high severity incident: oil leak at the gearbox.",
        "How do I lock out the turbine before work?",
    ],
)
def test_a_finished_request_is_the_end_of_the_turn(
    model: TurnEngine, voice: str, text: str
) -> None:
    assert model.end_probability(audio(text, voice)) >= 0.5


@pytest.mark.parametrize("voice", ["piper", "espeak:en-us"])
@pytest.mark.parametrize("text", ["The gearbox oil temperature is, um", "Check this reading, the"])
def test_a_hesitation_is_not(model: TurnEngine, voice: str, text: str) -> None:
    assert model.end_probability(audio(text, voice)) < 0.5


def test_only_the_last_eight_seconds_count(model: TurnEngine) -> None:
    # What was said long before cannot change the verdict on how the utterance ends (and the
    # end is what is read, not the first 8 s).
    end = audio("The gearbox oil temperature is, um")
    noise = np.random.default_rng(0).normal(0, 0.05, 20 * 16_000).astype(np.float32)
    long = model.end_probability(np.concatenate([noise, end]))
    assert long == model.end_probability(np.concatenate([noise[-10 * 16_000 :], end]))
    assert long < 0.5
