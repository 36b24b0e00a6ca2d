"""Control words: whole turns, wrapped in politeness, misheard, leading a request, or not at all."""

from __future__ import annotations

import pytest

from edge.dialogue.control import ALWAYS, CONFIRM, PROCEDURE, Command, parse, sound_key

pytestmark = pytest.mark.unit

EVERYTHING = set(Command)


@pytest.mark.parametrize(
    "said, command",
    [
        ("Stop.", Command.STOP),
        ("Stop talking!", Command.STOP),
        ("Quiet please.", Command.STOP),
        ("Okay, stop.", Command.STOP),
        ("Um, stop, stop.", Command.STOP),
        ("Cancel.", Command.CANCEL),
        ("Never mind.", Command.CANCEL),
        ("Nevermind", Command.CANCEL),
        ("Repeat.", Command.REPEAT),
        ("Say that again, please.", Command.REPEAT),
        ("Slower.", Command.SLOWER),
        ("Next.", Command.NEXT),
        ("OK, done.", Command.NEXT),
        ("What is the next step?", Command.NEXT),
        ("Back.", Command.BACK),
        ("What step am I on?", Command.WHERE),
        ("How many left?", Command.LEFT),
        ("Read all.", Command.READ_ALL),
        ("More.", Command.MORE),
        ("Details?", Command.MORE),
        ("Why?", Command.WHY),
        ("Source?", Command.SOURCE),
        ("Yes.", Command.YES),
        ("No.", Command.NO),
    ],
)
def test_whole_turn_control_words(said: str, command: Command) -> None:
    control = parse(said, EVERYTHING)
    assert control is not None and control.command == command and control.exact
    assert control.rest == ""


@pytest.mark.parametrize(
    "said, step",
    [
        ("Go to step 5.", 5),
        ("go to step five", 5),
        ("Step three.", 3),
        ("Skip to step twelve.", 12),
        ("go to step to", 2),  # whisper writes "to" for "two" after "step"
        ("Step 3, please.", 3),
    ],
)
def test_go_to_a_step_by_number(said: str, step: int) -> None:
    control = parse(said, EVERYTHING)
    assert control is not None and control.command == Command.GOTO and control.step == step


@pytest.mark.parametrize(
    "said",
    [
        "Stop the turbine.",
        "How do I stop the turbine?",
        "What is the next step of the lockout?",  # longer than a control phrase: a question
        "Next to the hatch?",
        "Stop, M2, M9.",  # a stop with junk: still no request to answer
        "Hello.",
        "Thank you.",
        "Gearbox.",
        "What about the M20?",
        "Why is the brake slipping?",
        "Step by step please explain the greasing",
    ],
)
def test_requests_are_not_taken_for_control_words(said: str) -> None:
    control = parse(said, EVERYTHING)
    assert control is None or (control.command == Command.STOP and control.rest), control


def test_a_stop_before_a_question_leaves_the_question() -> None:
    control = parse("Stop. What is the yaw brake pressure?", EVERYTHING)
    assert control is not None and control.command == Command.STOP
    assert control.rest == "What is the yaw brake pressure?"
    again = parse("Wait, wait. Next.", EVERYTHING)
    assert again is not None and again.command == Command.NEXT  # the request is itself one


def test_a_stop_after_the_assistants_own_echo_is_a_stop() -> None:
    control = parse("record the work order number in the turbine log. Stop.", EVERYTHING)
    assert control is not None and control.command == Command.STOP and not control.rest


def test_no_before_a_new_reading_keeps_the_reading() -> None:
    control = parse("No, it was 82 degrees.", EVERYTHING)
    assert control is not None and control.command == Command.NO
    assert control.rest == "it was 82 degrees."


def test_commands_only_mean_something_where_they_can() -> None:
    assert parse("Next.", ALWAYS) is None  # no procedure open
    assert parse("Yes.", ALWAYS | PROCEDURE) is None  # nothing to confirm
    assert parse("Yes.", ALWAYS | CONFIRM) is not None
    stop = parse("Stop.", ALWAYS)
    assert stop is not None and stop.command == Command.STOP


@pytest.mark.parametrize(
    "heard, command",
    [
        ("Start talking.", Command.STOP),  # measured: piper's "Stop talking." heard as "Start"
        ("Redal.", Command.READ_ALL),
        ("Flower.", Command.SLOWER),
        ("Y,", Command.WHY),
    ],
)
def test_measured_mishearings(heard: str, command: Command) -> None:
    control = parse(heard, EVERYTHING)
    assert control is not None and control.command == command


def test_a_short_turn_that_sounds_like_a_command_is_taken_for_it() -> None:
    necks = parse("Necks.", ALWAYS | PROCEDURE)
    assert necks is not None and necks.command == Command.NEXT and not necks.exact
    assert parse("Necks.", ALWAYS) is None  # not without a procedure
    assert parse("Hello.", EVERYTHING) is None  # "why" is too short to be heard into it


def test_sound_key_folds_what_whisper_confuses() -> None:
    assert sound_key("stob") == sound_key("stop")
    assert sound_key("bag") == sound_key("back")
    assert sound_key("council") == sound_key("counsel")
    assert sound_key("next") != sound_key("text")


def test_a_long_phrase_with_its_first_word_misheard_is_still_the_command() -> None:

    possible = set(ALWAYS) | set(PROCEDURE)
    heard = parse("Bring all the steps.", possible)  # "read all the steps", whisper tiny.en
    assert heard is not None and heard.command == Command.READ_ALL and not heard.exact
    assert parse("What is the torque?", possible) is None  # only the first word may differ
    assert parse("What is the first step?", possible) is None
    assert parse("Tell me the 3 steps", possible) is None  # a number is content
