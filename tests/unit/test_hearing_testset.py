"""The hearing test set: speech-weighted SNR, deterministic noise, the fixed split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.hearing.mix import mix, snr_db
from edge.hearing.noises import NOISES, noise, reverberate, room_impulse
from edge.hearing.testset import build, load_split

pytestmark = pytest.mark.unit

QUESTIONS = Path(__file__).resolve().parents[2] / "samples" / "questions"


def fake_speech(seconds: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * 16_000)) / 16_000
    syllables = (np.sin(2 * np.pi * 4 * t) > 0).astype(float)  # 4 Hz on/off like syllables
    voiced = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 20))
    return (0.02 * syllables * voiced + 0.001 * rng.standard_normal(len(t))).astype(np.float32)


@pytest.mark.parametrize("name", sorted(NOISES))
@pytest.mark.parametrize("snr", [20.0, 10.0, 5.0, 0.0])
def test_mixing_reaches_the_asked_speech_weighted_snr(name: str, snr: float) -> None:
    speech = fake_speech()
    bed = noise(name, 2.1, seed=3)
    mixed = mix(speech, bed, snr)
    assert np.max(np.abs(mixed)) < 0.95  # quiet enough that the mix was not scaled
    measured = snr_db(speech, mixed - speech)
    assert abs(measured - snr) < 0.5


def test_noise_and_rooms_are_the_same_for_the_same_seed() -> None:
    np.testing.assert_array_equal(noise("impacts", 1.0, 7), noise("impacts", 1.0, 7))
    assert not np.array_equal(noise("impacts", 1.0, 7), noise("impacts", 1.0, 8))
    np.testing.assert_array_equal(room_impulse(0.5, 1), room_impulse(0.5, 1))


def test_reverberation_keeps_length_and_level() -> None:
    x = fake_speech()
    y = reverberate(x, room_impulse(0.6, 2))
    assert len(y) == len(x)
    assert abs(np.sum(y**2) / np.sum(x**2) - 1) < 1e-3


def test_the_held_out_side_shares_no_voice_and_no_noise_with_dev_and_never_uses_piper() -> None:
    split = load_split()
    dev_voices = {v.voice + str(v.pitch) + str(v.speed) for v in split.dev.voices}
    held = {v.voice + str(v.pitch) + str(v.speed) for v in split.held_out.voices}
    assert not dev_voices & held
    assert not set(split.dev.noises) & set(split.held_out.noises)
    assert all(v.voice != "piper" for v in split.held_out.voices)
    assert (
        len(dev_voices | held) >= 6 and len(set(split.dev.noises) | set(split.held_out.noises)) >= 5
    )


def test_the_set_has_300_utterances_each_in_a_dev_and_a_held_out_voice() -> None:
    test = build(QUESTIONS)
    assert len(test.utterances) >= 300
    kinds = {u.kind for u in test.utterances}
    assert {"manual", "reading", "incident", "control", "code"} <= kinds
    held = test.select("held_out")
    assert len(held) == len(test.utterances)
    assert {i.voice.name for i in held} == {v.name for v in load_split().held_out.voices}
    assert {i.noise for i in held} == set(load_split().held_out.noises)
