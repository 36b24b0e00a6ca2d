"""Recognition bias: codes, units, numbers and command words restored by sound, with a record."""

from __future__ import annotations

from typing import Any

import pytest

from edge.hearing.bias import Heard, Lexicon, hear
from edge.hearing.phonetic import code_readings, digit_readings, similarity, word_phonemes

pytestmark = pytest.mark.unit

CODES = ["E-101", "E-110", "E-115", "E-117", "E-118", "E-120", "H-412", "L-01", "L-03", "M24",
         "M30", "M36", "GO-320S", "WG-2", "HTW-1500"]  # fmt: skip
LEXICON = Lexicon(
    codes={c.replace("-", "").lower(): c for c in CODES},
    units=frozenset({"bar", "°C", "rpm", "N·m", "mm", "%", "mm/s"}),
    component_units={"PITCH-HYD": frozenset({"bar"}), "GBX": frozenset({"°C", "bar", "mm/s"})},
)


def test_digit_groups_are_read_every_way_people_say_them() -> None:
    readings = [" ".join(r) for r in digit_readings("412")]
    assert "four one two" in readings
    assert "four twelve" in readings
    assert "four hundred twelve" in readings
    assert "fifteen hundred" in [" ".join(r) for r in digit_readings("1500")]
    assert "oh one" in [" ".join(r) for r in digit_readings("01")]


@pytest.mark.parametrize(
    ("said", "restored"),
    [
        ("Fault H-400-12 on the pump.", "Fault H-412 on the pump."),  # "four hundred twelve"
        ("What does fault code E-170 mean?", "What does fault code E-117 mean?"),  # -teen/-ty
        ("the lift shows L-3", "the lift shows L-03"),
    ],
)
def test_a_code_that_does_not_exist_is_restored_to_the_one_that_sounds_alike(
    said: str, restored: str
) -> None:
    heard = hear(said, LEXICON)
    assert heard.text == restored
    assert heard.raw == said
    (correction,) = heard.corrections
    assert correction.kind == "code" and correction.similarity >= 0.8
    assert heard.doubtful  # a code restored by sound is read back before it is acted on


@pytest.mark.parametrize(
    ("said", "restored"),
    [
        ("What does fault code 118 mean?", "What does fault code E-118 mean?"),  # letter lost
        ("Eror 117 on the gearbox.", "Eror E-117 on the gearbox."),  # a cue misheard
        ("What does fault code 4012 mean?", "What does fault code H-412 mean?"),  # "four-twelve"
        ("What does he 117 mean?", "What does E-117 mean?"),  # the letter heard as a word
        ("The lift is showing you 0 3.", "The lift is showing you 0 3."),  # one digit: no code
    ],
)
def test_a_code_whose_letter_was_lost_or_heard_as_a_word_is_restored(
    said: str, restored: str
) -> None:
    heard = hear(said, LEXICON)
    assert heard.text == restored
    assert heard.doubtful == (said != restored)


def test_a_bare_number_that_is_a_value_is_no_code() -> None:
    for text in (
        "Gearbox oil sump temperature is 117.",  # a value, however it sounds
        "Torque wrench pressure 120 bar.",  # a value with its unit
        "What was the reading at 118 yesterday?",
        "The tower has 110 steps.",  # no cue, no letter before it
    ):
        assert hear(text, LEXICON).text == text, text


def test_a_known_code_written_apart_is_written_as_the_manuals_print_it() -> None:
    heard = hear("How much GO 320 S oil?", LEXICON)
    assert heard.text == "How much GO-320S oil?"
    assert heard.corrections[0].similarity == 1.0 and not heard.doubtful


def test_a_known_code_is_left_alone() -> None:
    heard = hear("What does E-117 mean, and M30?", LEXICON)
    assert heard.text == "What does E-117 mean, and M30?" and heard.corrections == ()


def test_a_code_that_sounds_like_several_is_left_as_heard_and_marked() -> None:
    heard = hear("What does E-119 mean?", LEXICON)
    assert heard.text == "What does E-119 mean?"
    assert heard.ambiguous == ("E-119",) and heard.doubtful


def test_a_code_is_never_moved_to_another_family() -> None:
    # "L-17" sounds a little like "E-117" but a lift code is not a turbine fault code.
    assert hear("The lift shows L-17.", LEXICON).corrections == ()
    assert hear("Fault code A-117.", LEXICON).corrections == ()  # A is another vowel


def test_a_code_letter_heard_as_one_that_rhymes_is_restored() -> None:
    heard = hear("Log a high severity incident, fault code D-117, keep coming back.", LEXICON)
    assert heard.text == "Log a high severity incident, fault code E-117, keep coming back."


def test_a_unit_the_manuals_do_not_use_is_restored_from_the_components_units() -> None:
    heard = hear("Pitch system pressure is 232 mAh.", LEXICON, component="PITCH-HYD")
    assert heard.text == "Pitch system pressure is 232 bar."
    assert [c.kind for c in heard.corrections] == ["unit"]


def test_spelled_numbers_before_a_unit_become_digits() -> None:
    heard = hear("The pressure is two hundred and ten bar.", LEXICON)
    assert heard.text == "The pressure is 210 bar."
    assert heard.corrections[0].kind == "number" and not heard.doubtful


def test_a_number_heard_as_letters_before_a_unit_is_restored_and_read_back() -> None:
    heard = hear("Accumulator precharge reads AD bar.", LEXICON)
    assert heard.text == "Accumulator precharge reads 80 bar."
    assert heard.corrections[0].kind == "value" and heard.doubtful
    assert hear("Oil at 9T degrees Celsius.", LEXICON).text == "Oil at 90 degrees Celsius."
    for text in ("The OK bar is bent.", "Check M30 bolts.", "Level NT percent."):
        assert hear(text, LEXICON).text == text, text


def test_numbers_without_a_unit_and_plain_units_are_untouched() -> None:
    for text in (
        "one of the cable tray covers is loose",
        "Generator speed reads 950 rpm.",
        "Gearbox oil is at 85 degrees Celsius, is that okay?",
    ):
        assert hear(text, LEXICON).text == text


@pytest.mark.parametrize(
    ("said", "restored"),
    [
        ("Laga high severity incident, oil leak.", "Log a high severity incident, oil leak."),
        ("Lotta critical incident, smoke.", "Log a critical incident, smoke."),
        (
            "Look a high severity incident, cracked weld.",
            "Log a high severity incident, cracked weld.",
        ),
        ("Blood a critical incident, smoke.", "Log a critical incident, smoke."),
        ("A high severity incident, oil leak.", "Log a high severity incident, oil leak."),
        ("Stob.", "Stop."),
    ],
)
def test_command_words_survive_mishearing(said: str, restored: str) -> None:
    heard = hear(said, LEXICON)
    assert heard.text == restored
    assert heard.corrections[0].kind == "command"


@pytest.mark.parametrize(
    "text",
    [
        "Log a critical incident, smoke.",
        "Log it as critical, smoke from the cabinet.",
        "Report a low severity incident, loose cover.",
        "What counts as a critical incident?",
        "Is this a high severity incident?",
        "Next.",
    ],
)
def test_commands_heard_right_and_questions_are_not_changed(text: str) -> None:
    assert hear(text, LEXICON).text == text


def test_low_confidence_is_doubtful_without_any_correction() -> None:
    assert Heard("stop", "stop", confidence=0.3).doubtful
    assert not Heard("stop", "stop", confidence=0.9).doubtful


def test_sounds_alike_words_are_close() -> None:
    assert similarity(word_phonemes("laga"), word_phonemes("log") + ("ae",)) > 0.8
    assert similarity(code_readings("E-170")[0], code_readings("M36")[0]) < 0.5


class MishearingStt:
    """Hears "Laga" for "log a", sure of it to 0.7."""

    rate = 16_000

    def transcribe(self, audio: Any, *, prompt: str | None = None, draft: bool = False) -> Any:
        from edge.engines.base import SttResult

        return SttResult("Laga high severity incident, oil leak.", len(audio) / 16_000, 0.0, 0.7)


def test_the_transcriber_applies_the_bias_and_keeps_the_record() -> None:
    import asyncio

    import numpy as np

    from edge.aio import EngineThread
    from edge.stt_stream import StreamingTranscriber

    async def scenario() -> tuple[str, Heard | None]:
        t = StreamingTranscriber(
            MishearingStt(),
            EngineThread("stt"),
            interim_s=None,
            bias=lambda text, sure: hear(text, LEXICON, confidence=sure),
        )
        t.push(np.ones(16_000, dtype=np.int16), voiced=True)
        final = await t.final()
        await t.close()
        return final, t.heard

    final, heard = asyncio.run(scenario())
    assert final == "Log a high severity incident, oil leak."
    assert heard is not None and heard.raw == "Laga high severity incident, oil leak."
    assert heard.confidence == 0.7 and heard.corrections[0].kind == "command"
