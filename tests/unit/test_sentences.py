import asyncio

import pytest

from edge.sentences import SentenceSplitter, lead_clause, split_sentences

pytestmark = pytest.mark.unit


def split(text: str, piece: int = 3, **kw: int) -> list[str]:
    """Feed ``text`` a few characters at a time, as an LLM would."""
    splitter = SentenceSplitter(**kw)
    out: list[str] = []
    for i in range(0, len(text), piece):
        out += splitter.feed(text[i : i + piece])
    return out + splitter.flush()


def test_two_sentences_split_at_full_stop() -> None:
    assert split("Torque the bolts to 210 newton metres. Then check the gap.") == [
        "Torque the bolts to 210 newton metres.",
        "Then check the gap.",
    ]


def test_decimal_numbers_and_units_stay_whole() -> None:
    text = "Tighten to 5.5 Nm at first. Final value is 12.75 Nm."
    assert split(text) == ["Tighten to 5.5 Nm at first.", "Final value is 12.75 Nm."]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "The gap is approx. 0.4 mm, e.g. after a run-in. Check it weekly."
    assert split(text) == ["The gap is approx. 0.4 mm, e.g. after a run-in.", "Check it weekly."]


def test_list_numbers_do_not_end_sentences() -> None:
    text = "Steps: 1. Remove the cover. 2. Lock the rotor."
    assert split(text) == ["Steps: 1. Remove the cover.", "2. Lock the rotor."]


def test_question_and_exclamation_marks() -> None:
    assert split("Is the rotor locked? Stop now! Good.", min_chars=4) == [
        "Is the rotor locked?",
        "Stop now!",
        "Good.",
    ]


def test_sentence_is_held_until_the_next_character_proves_it_ended() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Torque is 5.") == []  # could still become "5.5"
    assert splitter.feed("5 Nm. ") == ["Torque is 5.5 Nm."]


def test_short_pieces_join_the_next_sentence() -> None:
    assert split("Yes. The brake holds at 200 bar.") == ["Yes. The brake holds at 200 bar."]


def test_run_on_sentence_is_cut_at_a_comma() -> None:
    text = "a" * 30 + ", " + "b" * 30 + ", " + "c" * 30
    pieces = split(text, max_chars=70)
    assert all(len(p) <= 70 for p in pieces)
    assert "".join(pieces).replace(",", "").replace(" ", "") == text.replace(",", "").replace(
        " ", ""
    )


def test_newline_ends_a_list_item() -> None:
    assert split("Check the oil level\nCheck the filter\n") == [
        "Check the oil level",
        "Check the filter",
    ]


def test_async_stream() -> None:
    async def pieces():
        for p in ["The limit ", "is 85 °C. ", "Stop the turbine ", "above it."]:
            yield p

    async def collect() -> list[str]:
        return [s async for s in split_sentences(pieces())]

    assert asyncio.run(collect()) == ["The limit is 85 °C.", "Stop the turbine above it."]


@pytest.mark.parametrize(
    ("sentence", "pieces"),
    [
        (
            "Caliper to yaw ring: size M24, property class 10.9, torque 900 newton metres.",
            ["Caliper to yaw ring:", "size M24, property class 10.9, torque 900 newton metres."],
        ),
        (
            "E-117: Gearbox oil sump temperature high.",
            ["E-117:", "Gearbox oil sump temperature high."],
        ),
        ("Torque: 900 Nm.", ["Torque: 900 Nm."]),  # short: one piece
        ("Fill 1,200 grams of grease into the main bearing housing.", None),  # "1,200" stays
        ("No: the rest is too short to stand on its own.", None),
        (
            "Stop the turbine, then lock the rotor with both pins engaged.",
            ["Stop the turbine,", "then lock the rotor with both pins engaged."],
        ),
    ],
)
def test_lead_clause_splits_long_sentences_after_their_first_clause(
    sentence: str, pieces: list[str] | None
) -> None:
    assert lead_clause(sentence) == (pieces or [sentence])
