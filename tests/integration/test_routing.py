"""The semantic intent router with the real embedder and the real tools' examples.

The requests below are not among the tools' examples: they are how technicians put things, and
how whisper tiny.en sometimes writes them down ("Log a" heard as "WUGA").
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest

from edge.assistant import Assistant
from edge.router import REPEAT, REPLY, SemanticRouter
from edge.tools.incident import NAME as INCIDENT
from edge.tools.manuals import NAME as MANUALS
from edge.tools.readings import NAME as READING
from tests.conftest import REPO

pytestmark = pytest.mark.integration

HELD_OUT = [
    ("Log a high severity incident: hydraulic oil leak at the pitch cylinder.", INCIDENT),
    ("WUGA High severity incident, Hydraulic oil leak at the pitch cylinder.", INCIDENT),
    ("Laga high-saverity incident will leak at the gearbox.", INCIDENT),
    ("High severity incident, hydraulic oil leak at the pitch cylinder.", INCIDENT),
    ("Critical incident, the rotor lock pin will not engage.", INCIDENT),
    ("Incident, critical: the nacelle crane hook latch is broken.", INCIDENT),
    ("Medium severity incident, the tower door seal is torn.", INCIDENT),
    ("Raise an incident, the anemometer is broken, low priority.", INCIDENT),
    ("Log this: cracked weld on the yaw bearing bracket, high severity.", INCIDENT),
    ("File a report, water ingress in the hub, medium.", INCIDENT),
    ("I need to log an incident about a loose ladder rung.", INCIDENT),
    ("Can you log an incident: the tower light is out?", INCIDENT),
    ("What counts as a critical incident?", MANUALS),
    ("How do I report an incident?", MANUALS),
    ("What is the torque for the yaw brake caliper bolts?", MANUALS),
    ("What is the torque for the UB right-calper bolts?", MANUALS),
    ("How much grease does the yaw bearing take?", MANUALS),
    ("What does error E-204 mean?", MANUALS),
    ("Where is the hydraulic oil leak usually on the pitch cylinder?", MANUALS),
    ("How do I bleed the yaw brake hydraulics?", MANUALS),
    ("The pitch pressure is low.", MANUALS),
    ("emergency descent of the service lift", MANUALS),
    ("Pitch accumulator pressure is 70 bar.", READING),
    ("The gearbox oil is at 85 degrees, is that okay?", READING),
    ("Main bearing temperature reads 95 Celsius.", READING),
    ("Hey, good afternoon.", REPLY),
    ("That's it for now, thank you.", REPLY),
    ("Sorry, could you say that again?", REPEAT),
]


@pytest.fixture(scope="module")
def router(assistant: Assistant) -> Iterator[SemanticRouter]:
    yield SemanticRouter(assistant.embedder, assistant.toolbox.specs(), fallback=MANUALS)


def route(router: SemanticRouter, assistant: Assistant, text: str) -> str:
    return router.route(assistant.embedder.embed([text])[0], text).intent


@pytest.mark.parametrize(("text", "intent"), HELD_OUT)
def test_requests_go_to_the_right_intent(
    router: SemanticRouter, assistant: Assistant, text: str, intent: str
) -> None:
    assert route(router, assistant, text) == intent


def test_no_sample_manuals_question_logs_an_incident(
    router: SemanticRouter, assistant: Assistant
) -> None:
    # Before cue words, five of these went to the incident tool ("What PPE do I need in the
    # nacelle?", "What's the pinion backlash on the yaw drive?").
    data = tomllib.loads((REPO / "samples" / "questions" / "manual_qa.toml").read_text())
    texts = [t for q in data["question"] for t in (q["text"], *q.get("paraphrases", ()))]
    logged = [t for t in texts if route(router, assistant, t) == INCIDENT]
    assert len(texts) > 100 and logged == []
