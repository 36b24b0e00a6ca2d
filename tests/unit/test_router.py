"""The intent router's rules, with vectors chosen by hand (the real embedder: test_routing.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from edge.events import Float32Array, ToolExample, ToolSpec
from edge.router import SemanticRouter

LOG = "Log an incident: oil leak."
LOOKUP = "What oil goes in the gearbox?"
READ = "Gearbox oil is at 80 degrees."
EXAMPLE_VECTORS = {LOG: (1.0, 0.0, 0.0, 0.0), LOOKUP: (0.0, 1.0, 0.0, 0.0), READ: (0, 0, 1.0, 0)}


class HandEmbedder:
    """Tool examples get the vectors above; anything else (the built-in replies) the last axis."""

    dim = 4
    model_name = "hand"

    def embed(self, texts: Sequence[str]) -> Float32Array:
        return np.array([EXAMPLE_VECTORS.get(t, (0.0, 0.0, 0.0, 1.0)) for t in texts], np.float32)


def spec(name: str, example: str, **kw: object) -> ToolSpec:
    return ToolSpec(name, "", {"type": "object"}, examples=(ToolExample(example),), **kw)  # type: ignore[arg-type]


@pytest.fixture
def router() -> SemanticRouter:
    specs = [
        spec("incident", LOG, cue_words=("incident", "log")),
        spec("manuals", LOOKUP),
        spec("reading", READ, needs_number=True),
    ]
    return SemanticRouter(HandEmbedder(), specs, fallback="manuals", cue_margin=0.15)


def near(incident: float, manuals: float, reading: float = 0.0) -> Float32Array:
    return np.array([incident, manuals, reading, 0.0], np.float32)


def test_a_statement_with_a_cue_word_wins_a_near_tie(router: SemanticRouter) -> None:
    said = "Critical incident, the rotor lock pin will not engage."
    assert router.route(near(0.45, 0.55), said).intent == "incident"
    assert router.route(near(0.35, 0.55), said).intent == "manuals"  # not near enough


def test_a_question_with_a_cue_word_is_no_tie_break(router: SemanticRouter) -> None:
    assert router.route(near(0.45, 0.55), "What counts as a critical incident?").intent == "manuals"
    assert router.route(near(0.45, 0.55), "Incident severity levels?").intent == "manuals"


def test_a_cued_tool_needs_its_cue_word(router: SemanticRouter) -> None:
    assert router.route(near(0.7, 0.4), "What PPE do I need in the nacelle?").intent == "manuals"
    assert router.route(near(0.7, 0.4), "Log it: the PPE locker is empty.").intent == "incident"


def test_a_wh_question_about_the_cued_tool_never_calls_it(router: SemanticRouter) -> None:
    assert router.route(near(0.7, 0.4), "How do I log an incident?").intent == "manuals"
    assert router.route(near(0.7, 0.4), "Can you log an incident: oil leak?").intent == "incident"


def test_a_reading_needs_a_number(router: SemanticRouter) -> None:
    assert (
        router.route(near(0, 0.3, 0.8), "What is the gearbox oil temperature?").intent == "manuals"
    )
    assert router.route(near(0, 0.3, 0.8), "The gearbox oil is at 85 degrees.").intent == "reading"


def test_an_example_without_its_cue_word_is_refused() -> None:
    bad = spec("incident", LOOKUP, cue_words=("incident",))
    with pytest.raises(ValueError, match="says none of its cue words"):
        SemanticRouter(HandEmbedder(), [bad], fallback="manuals")


def test_a_model_name_with_digits_is_no_reading(router: SemanticRouter) -> None:
    assert router.route(near(0, 0.3, 0.8), "What oil does the XY-75 take?").intent == "manuals"
    assert router.route(near(0, 0.3, 0.8), "VT 75 belt tension please").intent == "manuals"
    assert router.route(near(0, 0.3, 0.8), "VT 75 main motor is at 140 amps").intent == "reading"


def test_a_wh_question_with_a_number_asks_the_manuals(router: SemanticRouter) -> None:
    said = "what's the general torque for an M12 ten nine bolt"
    assert router.route(near(0, 0.3, 0.8), said).intent == "manuals"
    phrase = "longest stopping distance allowed at point six five metres a second"
    assert router.route(near(0, 0.3, 0.8), phrase).intent == "manuals"


def test_a_stated_value_goes_to_the_tool_that_recognizes_it_wherever_it_embeds() -> None:
    from edge.tools.reading_values import states_a_value

    specs = [
        spec("incident", LOG, cue_words=("incident", "log")),
        spec("manuals", LOOKUP),
        spec("reading", READ, needs_number=True, statement=states_a_value),
    ]
    router = SemanticRouter(HandEmbedder(), specs, fallback="manuals")
    nearer_the_manuals = near(0.1, 0.5, 0.2)
    for said in (
        "the compressor is pulling 245 amps",
        "battery is sagging to 39 volts under load",
        "thrust bearing on the duty pump is 170 Fahrenheit",
    ):
        assert router.route(nearer_the_manuals, said).intent == "reading", said
    for asked in (
        "union nut torque for a 16 millimetre tube",  # a size naming the part
        "tell me the torque for 24 mm bolts",  # a request
        "Is 245 amps too much for the compressor?",  # a question
        "the compressor is noisy",  # no value
        "log an incident: compressor pulling 245 amps",  # the incident's cue word
    ):
        assert router.route(nearer_the_manuals, asked).intent != "reading", asked


def test_a_request_opening_with_a_tools_command_goes_to_it_wherever_it_embeds() -> None:
    from edge.report.text import opens_with_command
    from edge.tools.reading_values import states_a_value

    specs = [
        spec("incident", LOG, cue_words=("incident", "log"), command=opens_with_command),
        spec("manuals", LOOKUP),
        spec("reading", READ, needs_number=True, statement=states_a_value),
    ]
    router = SemanticRouter(HandEmbedder(), specs, fallback="manuals")
    # A fault code pulls the words far toward the manuals' "What does fault code E-117 mean?".
    nearer_the_manuals = near(0.1, 0.7, 0.0)
    said = "Log a high severity incident, fault code E-117 keeps coming back."
    assert router.route(nearer_the_manuals, said).intent == "incident"
    # A reading inside the command too: the incident was asked for (the tool judges the value).
    said = "Log a medium severity incident, the gearbox oil sump reads 92 degrees."
    assert router.route(near(0.1, 0.2, 0.9), said).intent == "incident"
    for asked in ("How do I report an incident?", "What does E-117 mean for the log?"):
        assert router.route(nearer_the_manuals, asked).intent == "manuals", asked


def test_a_cue_verb_cues_only_as_a_verb() -> None:
    specs = [
        spec("incident", LOG, cue_words=("incident",), cue_verbs=("log", "report")),
        spec("manuals", LOOKUP),
    ]
    router = SemanticRouter(HandEmbedder(), specs, fallback="manuals", cue_margin=0.15)
    near_tie = near(0.45, 0.55)
    for said in ("Oil on the yaw deck, log it.", "Please report a cracked weld on the bracket."):
        assert router.route(near_tie, said).intent == "incident", said
    # A log that is read is no incident to file.
    for said in ("Event log shows eight starts in the last hour.", "The log shows a fault."):
        assert router.route(near(0.7, 0.4), said).intent == "manuals", said
