"""Read-backs: which readings and incidents are confirmed before acting, and what is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.dialogue.checkback import CheckBack, doubts, readback
from edge.dialogue.dialogue import Dialogue, DialogueSettings
from edge.dialogue.state import StateFile
from edge.events import TurnId
from edge.hearing.bias import Correction, Heard
from edge.tools.base import ToolRequest
from edge.tools.incident import NAME as INCIDENT
from edge.tools.readings import NAME as READING

pytestmark = pytest.mark.unit

PREPARED = {
    "component_id": "GBX",
    "parameter": "Oil sump temperature",
    "value": 92.0,
    "value_text": "92",
    "unit": "°C",
    "unit_assumed": False,
}


class Manuals:
    """What the check-back asks of the manuals: a component's name."""

    def component_name(self, component_id: str, document: str | None = None) -> str | None:
        return "Gearbox" if component_id == "GBX" else None


def test_clear_readings_act_at_once() -> None:
    assert doubts(READING, PREPARED, None) == ()
    sure = Heard("gearbox oil sump is 92", "gearbox oil sump is 92", confidence=0.9)
    assert doubts(READING, PREPARED, sure) == ()


def test_what_makes_words_doubtful() -> None:
    guessed = {**PREPARED, "component_guessed": True}
    assert doubts(READING, guessed, None) == ("component not said",)
    assumed = {**PREPARED, "unit_assumed": True}
    assert doubts(READING, assumed, None) == ("unit not said",)
    unsure = Heard("oil leak", "oil leak", confidence=0.41)
    assert doubts(INCIDENT, {}, unsure) == ("recognition confidence 0.41",)
    fixed = Heard("E-117", "E 170", corrections=(Correction("code", "E 170", "E-117", 0.8),))
    assert doubts(INCIDENT, {}, fixed) == ("corrected 'E 170' to 'E-117'",)
    # An incident's component is not needed: many have none.
    assert doubts(INCIDENT, {"component_guessed": True}, None) == ()


def test_what_is_read_back() -> None:
    assert (
        readback(READING, PREPARED, "Gearbox")
        == "Gearbox oil sump temperature, 92 degrees Celsius?"
    )
    incident = {"severity": "high", "description": "oil leak at the gearbox."}
    assert (
        readback(INCIDENT, incident, None)
        == "Log a high severity incident: oil leak at the gearbox?"
    )


def test_a_doubtful_reading_is_held_until_yes(tmp_path: Path) -> None:
    dialogue = Dialogue(DialogueSettings(), StateFile(tmp_path / "d.json"), now=100.0)
    check = CheckBack(dialogue, Manuals(), clock=lambda: 100.0)
    clear = ToolRequest(TurnId(1), "gearbox oil sump temperature is 92 degrees")
    assert check(READING, {"value": 92}, PREPARED, clear) is None
    # "It reads 92 degrees" after a gearbox question: the part is the conversation's guess.
    vague = ToolRequest(TurnId(2), "it reads 92 degrees", component_id="GBX")
    guessed = {**PREPARED, "component_guessed": True}
    asked = check(READING, {"value": 92}, guessed, vague)
    assert asked is not None and asked.speech == (
        "Gearbox oil sump temperature, 92 degrees Celsius?",
    )
    pending = dialogue.take_pending(101.0)
    assert pending is not None and pending.transcript == vague.transcript
    assert pending.arguments == {"value": 92} and pending.intent == READING
    off = Dialogue(DialogueSettings(checkback=False), now=100.0)
    assert CheckBack(off, Manuals(), clock=lambda: 100.0)(READING, {}, guessed, vague) is None


def test_cancel_drops_only_a_read_back_that_was_heard(tmp_path: Path) -> None:
    from edge.dialogue.control import Command, Control
    from edge.dialogue.state import Pending

    dialogue = Dialogue(DialogueSettings(), StateFile(tmp_path / "d.json"), now=100.0)
    question = "Log a high severity incident: hydraulic oil leak at the yaw drive?"
    pending = Pending(INCIDENT, "log a high ...", {}, question, 100.0)
    dialogue.hold(pending, 100.0)
    # "Never mind" cut the turn before the read-back was heard: it is asked again later.
    dialogue.handle(Control(Command.CANCEL), 101.0, readback_heard=False)
    assert dialogue.state.pending == pending
    dialogue.handle(Control(Command.CANCEL), 102.0)  # heard, then cancelled: dropped
    assert dialogue.state.pending is None
