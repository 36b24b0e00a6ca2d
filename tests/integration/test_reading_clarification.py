"""A reading that two limits fit is asked back, and the answer completes it.

With the real engines and the sample manuals: "the oil temperature" is a limit of more than one
machine (the wind turbine, the torque wrench), so the device asks which, naming them; the
technician's next words ("The gearbox.") are taken with the reading, which is then judged
against that part's limit. A question instead is a new request.
"""

from __future__ import annotations

import asyncio

import pytest

from edge.assistant import Assistant
from edge.events import TurnId
from edge.metrics import TurnTimer

pytestmark = pytest.mark.integration


def said(assistant: Assistant, text: str, turn: int) -> list[str]:
    assert assistant.responder is not None
    responder = assistant.responder

    async def go() -> list[str]:
        parts = [p async for p in responder.respond(text, TurnId(turn), TurnTimer(turn))]
        return [p.text for p in parts if p.kind == "sentence"]

    return asyncio.run(go())


def test_the_answer_to_which_one_completes_the_reading(fresh: Assistant) -> None:
    fresh.start_afresh()
    asked = said(fresh, "The oil temperature is 92 degrees.", 61)
    assert asked and asked[0].startswith("Which machine: the "), asked
    assert "WT-2000 Wind Turbine" in asked[0] and "Manual" not in asked[0], asked
    judged = said(fresh, "The gearbox.", 62)
    assert judged[0].startswith("Warning: gearbox oil sump temperature 92 degrees"), judged


def test_a_question_instead_of_the_answer_is_a_new_request(fresh: Assistant) -> None:
    fresh.start_afresh()
    asked = said(fresh, "The oil temperature is 92 degrees.", 71)
    assert asked[0].startswith("Which machine:"), asked
    answered = said(fresh, "What is the yaw brake pressure?", 72)
    assert any("bar" in s for s in answered) and not any("Warning" in s for s in answered)
    # The reading was dropped: a part named now is no answer to it.
    after = said(fresh, "The gearbox.", 73)
    assert not any(s.startswith("Warning") for s in after), after
