import pytest

from edge.turntaking.endpoint import (
    Decision,
    Endpointer,
    EndpointSettings,
    Words,
    judge_words,
    looks_complete,
)

pytestmark = pytest.mark.unit

FRAME = 0.032
SETTINGS = EndpointSettings(
    turn_pause_s=0.128, short_pause_s=0.4, long_pause_s=1.0, preflight_s=0.064
)


def run(
    ep: Endpointer,
    start: float,
    seconds: float,
    prob: float,
    complete: bool = False,
    *,
    words: Words | None = None,
    turn: float | None = None,
):
    """Feed ``seconds`` of frames with one VAD probability; return (decisions, end time)."""
    decisions = []
    t = start
    if words is None:
        words = Words.COMPLETE if complete else Words.UNKNOWN
    for _ in range(round(seconds / FRAME)):
        t += FRAME
        decisions.append(ep.update(t, FRAME, prob, words=words, turn=turn))
        if decisions[-1] in (Decision.END, Decision.ABANDON):
            break
    return decisions, t


def test_short_pause_mid_sentence_keeps_listening() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, t = run(ep, t, 0.6, 0.05, complete=False)  # "the torque for the ..." pause
    assert Decision.END not in decisions
    assert Decision.PREFLIGHT in decisions
    decisions, t = run(ep, t, 1.0, 0.9)
    assert Decision.END not in decisions


def test_short_pause_after_complete_transcript_ends_turn() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 2.0, 0.05, complete=True)
    assert decisions[-1] is Decision.END
    assert ep.end_reason == "complete"
    assert end - t == pytest.approx(0.4, abs=FRAME)


def test_long_pause_ends_turn_whatever_the_transcript() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 3.0, 0.05, complete=False)
    assert decisions[-1] is Decision.END
    assert ep.end_reason == "long-pause"
    assert end - t == pytest.approx(1.0, abs=FRAME)


def test_preflight_once_per_pause() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.0, 0.9)
    decisions, t = run(ep, t, 0.3, 0.05)
    assert decisions.count(Decision.PREFLIGHT) == 1
    _, t = run(ep, t, 0.5, 0.9)
    decisions, _ = run(ep, t, 0.3, 0.05)
    assert decisions.count(Decision.PREFLIGHT) == 1


def test_hysteresis_keeps_speech_through_a_dip() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    run(ep, 0.0, 0.5, 0.9)
    assert ep.update(0.532, FRAME, 0.4) is Decision.CONTINUE  # between the two thresholds
    assert ep.voiced


def test_no_speech_abandons_after_timeout() -> None:
    ep = Endpointer(EndpointSettings(no_speech_timeout_s=2.0), 0.0)
    decisions, t = run(ep, 0.0, 5.0, 0.01)
    assert decisions[-1] is Decision.ABANDON
    assert t == pytest.approx(2.0, abs=FRAME)


def test_blip_shorter_than_min_speech_does_not_start_turn() -> None:
    ep = Endpointer(EndpointSettings(min_speech_s=0.2, no_speech_timeout_s=10.0), 0.0)
    run(ep, 0.0, 0.064, 0.9)
    run(ep, 0.064, 2.0, 0.01)
    assert not ep.speech_started


def test_max_length_cuts_a_monologue() -> None:
    ep = Endpointer(EndpointSettings(max_utterance_s=3.0), 0.0)
    decisions, t = run(ep, 0.0, 10.0, 0.9)
    assert decisions[-1] is Decision.END and ep.end_reason == "max-length"


@pytest.mark.parametrize(
    "text, complete",
    [
        ("What is the torque for the yaw brake bolts?", True),
        ("Log a high severity incident.", True),
        ("What is the torque for the", False),
        ("What is the torque for the...", False),
        ("Check the oil and", False),
        ("Torque for the yaw brake bolts,", False),
        ("", False),
    ],
)
def test_looks_complete(text: str, complete: bool) -> None:
    assert looks_complete(text) is complete


def test_model_and_words_agreeing_end_the_turn_at_the_turn_pause() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 2.0, 0.05, words=Words.COMPLETE, turn=0.9)
    assert decisions[-1] is Decision.END and ep.end_reason == "turn"
    assert end - t == pytest.approx(0.128, abs=0.001)


def test_model_decides_an_unpunctuated_transcript() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 2.0, 0.05, words=Words.UNCLEAR, turn=0.9)
    assert ep.end_reason == "turn" and end - t == pytest.approx(0.128, abs=0.001)


@pytest.mark.parametrize("words", [Words.INCOMPLETE, Words.UNKNOWN])
def test_model_alone_never_cuts_words_that_stop_mid_sentence(words: Words) -> None:
    # "the torque for the ..." said with a falling voice: the model is sure, the words are not
    # (or not known yet: the transcript is needed to answer anyway, so waiting costs nothing).
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 3.0, 0.05, words=words, turn=0.99)
    assert ep.end_reason == "long-pause"
    assert end - t == pytest.approx(1.0, abs=FRAME)


def test_a_hesitant_model_leaves_complete_words_to_the_short_pause() -> None:
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 2.0, 0.05, words=Words.COMPLETE, turn=0.2)
    assert ep.end_reason == "complete"
    assert end - t == pytest.approx(0.4, abs=FRAME)


@pytest.mark.parametrize("turn, reason", [(0.95, "turn"), (0.7, "long-pause")])
def test_only_a_sure_model_ends_words_that_trail_off_on_a_comma(turn: float, reason: str) -> None:
    # "Yaw drive, gearbox oil quantity," said with a falling voice ends at the turn pause; said
    # so that the model is unsure ("Log a high severity incident, ...") it waits for the long one.
    ep = Endpointer(SETTINGS, 0.0)
    _, t = run(ep, 0.0, 1.5, 0.9)
    decisions, end = run(ep, t, 3.0, 0.05, words=Words.TRAILING, turn=turn)
    assert ep.end_reason == reason
    assert end - t == pytest.approx(0.128 if reason == "turn" else 1.0, abs=FRAME)


@pytest.mark.parametrize(
    "text, words",
    [
        (None, Words.UNKNOWN),
        ("What torque do the caliper bolts need?", Words.COMPLETE),
        ("What is the torque for the", Words.INCOMPLETE),
        ("Gearbox oil temperature is, um", Words.INCOMPLETE),
        ("Yaw drive, gearbox oil quantity,", Words.TRAILING),
        ("Log a high severity incident, the", Words.INCOMPLETE),
        ("The oil temperature:", Words.INCOMPLETE),
        ("Yes", Words.UNCLEAR),
    ],
)
def test_judge_words(text: str | None, words: Words) -> None:
    assert judge_words(text) is words
