"""The dialogue over time: control words, follow-ups, topic life, read-backs, restarts, expiry."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from edge.dialogue.control import Command, Control
from edge.dialogue.dialogue import NOTHING_SAID, Dialogue, DialogueSettings
from edge.dialogue.present import Presented
from edge.dialogue.state import Expiry, Pending, StateFile
from tests.unit.test_dialogue_present import CALIPER, LOCKOUT, answer

pytestmark = pytest.mark.unit

T0 = 1_700_000_000.0


def dialogue(tmp_path: Path, now: float = T0, **settings: object) -> Dialogue:
    return Dialogue(DialogueSettings(**settings), StateFile(tmp_path / "dialogue.json"), now=now)  # type: ignore[arg-type]


def lock_out(d: Dialogue) -> Presented:
    """Ask for the lockout procedure at T0."""
    question = "How do I lock out the turbine?"
    return d.answered(
        question, answer(question, LOCKOUT), T0, component_id=None, named_component=False
    )


def say(d: Dialogue, text: str, now: float) -> tuple[str, ...]:
    control = d.control(text, now)
    assert control is not None, text
    return d.handle(control, now).speech


def test_a_procedure_moves_with_control_words_and_survives_a_restart(tmp_path: Path) -> None:
    d = dialogue(tmp_path)
    opened = lock_out(d)
    assert opened.speech[-1].startswith("Step 1 of 3:")
    assert say(d, "Next.", T0 + 30)[0].startswith("Step 2:")
    assert say(d, "Repeat.", T0 + 40)[0].startswith("Step 2:")
    # The daemon restarts: the procedure is where it was.
    again = dialogue(tmp_path, T0 + 60)
    procedure = again.state.procedure
    assert procedure is not None and procedure.at == 1
    assert say(again, "OK, done.", T0 + 61)[0].startswith("Step 3:")
    assert say(again, "What step am I on?", T0 + 62)[0].startswith("Step 3 of 3:")


def test_an_idle_procedure_expires_even_across_a_restart(tmp_path: Path) -> None:
    d = dialogue(tmp_path, expiry=Expiry(idle_s=600.0))
    lock_out(d)
    assert d.control("Next.", T0 + 599) is not None
    later = dialogue(tmp_path, T0 + 1200, expiry=Expiry(idle_s=600.0))
    assert later.state.procedure is None
    control = later.control("Next.", T0 + 1200)
    assert control is not None  # still "next", never a question for the manuals ...
    assert later.handle(control, T0 + 1200).speech == ("No procedure is open.",)  # ... but none


def test_stop_hushes_and_cancel_closes_the_procedure(tmp_path: Path) -> None:
    d = dialogue(tmp_path)
    lock_out(d)
    control = d.control("Stop.", T0 + 1)
    assert control is not None
    reply = d.handle(control, T0 + 1)
    assert reply.speech == () and reply.earcon and d.hushed
    assert d.state.procedure is not None  # stop never closes or restarts anything
    d.asked(T0 + 2)
    assert not d.hushed
    control = d.control("Never mind.", T0 + 3)
    assert control is not None and control.command == Command.CANCEL
    d.handle(control, T0 + 3)
    assert d.state.procedure is None and d.hushed


def test_repeat_slower_more_why_source(tmp_path: Path) -> None:
    d = dialogue(tmp_path, slower_pace=0.7)
    assert say(d, "Repeat.", T0) == (NOTHING_SAID,)
    question = "What torque do the M24 yaw brake caliper bolts need?"
    d.answered(
        question, answer(question, CALIPER), T0, component_id="YAW-BRK", named_component=True
    )
    control = d.control("Slower.", T0 + 1)
    assert control is not None
    slow = d.handle(control, T0 + 1)
    assert slow.pace == 0.7 and slow.speech[0].startswith("900 newton metres")
    more = say(d, "More.", T0 + 2)
    assert any("crosswise" in s for s in more)
    assert say(d, "Repeat.", T0 + 3) == more  # "repeat" after "more" repeats the details
    assert say(d, "Why?", T0 + 4)[0].startswith("Tighten the caliper bolts")
    assert say(d, "Source?", T0 + 5)[0].startswith("Source: WT-2000")


def test_follow_ups_use_the_last_table_and_value(tmp_path: Path) -> None:
    d = dialogue(tmp_path)
    question = "What torque do the M24 yaw brake caliper bolts need?"
    d.answered(
        question, answer(question, CALIPER), T0, component_id="YAW-BRK", named_component=True
    )
    halves = d.follow_up("And the caliper halves?", T0 + 1, names_other=False)
    assert halves is not None
    assert halves.speech == ("520 newton metres, M20.",)
    pounds = d.follow_up("In foot-pounds?", T0 + 2, names_other=False)
    assert pounds is not None  # the value now is the caliper halves'
    assert pounds.speech == ("About 384 pound-feet. The manual says 520 newton metres.",)
    assert d.follow_up("And the gearbox?", T0 + 3, names_other=True) is None
    assert d.follow_up("What is the oil type for the gearbox?", T0 + 3, names_other=False) is None


def test_the_topic_is_a_hint_with_a_short_life(tmp_path: Path) -> None:
    d = dialogue(tmp_path, topic_turns=2, expiry=Expiry(topic_s=100.0))
    question = "What torque do the M24 yaw brake caliper bolts need?"
    d.answered(
        question, answer(question, CALIPER), T0, component_id="YAW-BRK", named_component=True
    )
    d.asked(T0 + 1)
    assert d.topic(T0 + 1) == "YAW-BRK"
    d.asked(T0 + 2)
    assert d.topic(T0 + 2) is None  # two requests later
    d.answered(
        question, answer(question, CALIPER), T0, component_id="YAW-BRK", named_component=True
    )
    assert d.topic(T0 + 101) is None  # or 100 s later
    # An answer that found nothing never makes a component the topic.
    from edge.events import ToolResult

    nothing = ToolResult(("Nothing.",), ok=False, data={"found": False})
    d.answered("tyre pressure", nothing, T0 + 200, component_id="GBX", named_component=False)
    assert d.topic(T0 + 200) is None


def test_the_machine_is_the_manual_the_last_answer_came_from(tmp_path: Path) -> None:
    d = dialogue(tmp_path, expiry=Expiry(idle_s=600.0))
    assert d.machine(T0) is None
    lock_out(d)
    assert d.machine(T0 + 1) == LOCKOUT.document
    # It survives a restart, and an answer that found nothing does not move it.
    from edge.events import ToolResult

    again = dialogue(tmp_path, T0 + 2, expiry=Expiry(idle_s=600.0))
    nothing = ToolResult(("Nothing.",), ok=False, data={"found": False})
    again.answered("tyre pressure", nothing, T0 + 3, component_id=None, named_component=False)
    assert again.machine(T0 + 3) == LOCKOUT.document
    assert again.machine(T0 + 601) is None  # idle too long: the technician has moved on
    # Starting afresh at a known machine (an evaluation's manual) keeps only that.
    again.clear(T0 + 700, machine="SL-240 Service Lift")
    assert again.machine(T0 + 700) == "SL-240 Service Lift" and again.state.last is None


def test_a_read_back_waits_for_yes_and_expires(tmp_path: Path) -> None:
    d = dialogue(tmp_path, expiry=Expiry(pending_s=30.0))
    pending = Pending("check_reading", "oil sump is 92", {"value": 92}, "Gearbox ...?", T0)
    d.hold(pending, T0)
    yes = d.control("Yes.", T0 + 5)
    assert yes is not None and yes.command == Command.YES
    assert d.take_pending(T0 + 5) == pending and d.take_pending(T0 + 6) is None
    d.hold(pending, T0)
    # Expired: a plain "yes" is still a yes, to nothing ("There is nothing to confirm.").
    late = d.control("Yes.", T0 + 31)
    assert late is not None and late.command == Command.YES and d.take_pending(T0 + 31) is None
    assert d.control("Yes, and the caliper halves?", T0 + 31) is None  # more than a yes
    d.hold(replace(pending, at=T0 + 40), T0 + 40)
    control = d.control("No, it was 82 degrees.", T0 + 41)
    assert control is not None
    reply = d.handle(control, T0 + 41)
    assert reply.rest == "it was 82 degrees." and d.state.pending is None
    assert reply.speech == ()  # the new reading is the answer, not "say it again"


def test_a_request_waiting_for_what_it_lacks_survives_a_restart(tmp_path: Path) -> None:
    asked = Pending(
        "log_incident_report", "Log a high incident.", {}, "What happened?", T0, "description"
    )
    dialogue(tmp_path).hold(asked, T0)
    assert dialogue(tmp_path, T0 + 10).state.pending == asked


def test_a_damaged_state_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "dialogue.json"
    path.write_text("{not json")
    assert StateFile(path).load().procedures == ()
    path.write_text(json.dumps({"version": 99}))
    assert StateFile(path).load().last is None
    path.write_text(json.dumps({"version": 1, "procedures": [{"title": "x"}]}))
    assert StateFile(path).load().procedures == ()


def test_stop_before_a_question_answers_the_question(tmp_path: Path) -> None:
    d = dialogue(tmp_path)
    control = d.control("Stop. What is the yaw brake pressure?", T0)
    assert control is not None
    assert d.handle(control, T0).rest == "What is the yaw brake pressure?"
    junk = d.control("Stop, M2, M9.", T0)
    assert junk == Control(Command.STOP)  # too little after it to be a request
