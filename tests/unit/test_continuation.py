"""A request resumed right after the endpoint ended its turn continues it (pure decision)."""

from __future__ import annotations

import pytest

from edge.turntaking.continuation import continues

pytestmark = pytest.mark.unit


def decide(**changes: object) -> bool:
    facts: dict[str, object] = {
        "reason": "turn",
        "held": False,
        "speech_end": 10.0,
        "onset": 10.6,
        "window_s": 1.0,
        "acting": False,
    }
    facts.update(changes)
    return continues(**facts)  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", ["turn", "complete", "long-pause"])
def test_speech_soon_after_a_pause_ended_the_turn_continues_the_request(reason: str) -> None:
    assert decide(reason=reason)


def test_speech_after_the_window_is_a_new_request() -> None:
    assert decide(onset=11.0)  # the edge of the window still counts
    assert not decide(onset=11.05)


@pytest.mark.parametrize("reason", ["ptt", "ptt-timeout", "max-length", "no-speech"])
def test_only_a_turn_the_endpoint_ended_on_a_pause_is_taken_back(reason: str) -> None:
    # A release is the technician's word that they finished; a maximum length was no pause.
    assert not decide(reason=reason)


def test_a_held_capture_is_never_taken_back() -> None:
    assert not decide(held=True)


def test_a_request_that_may_have_started_a_side_effect_is_not_taken_back() -> None:
    assert not decide(acting=True)


def test_a_zero_window_turns_it_off() -> None:
    assert not decide(window_s=0.0)


def test_no_speech_or_an_onset_before_the_end_continues_nothing() -> None:
    assert not decide(speech_end=None)
    assert not decide(onset=9.9)
