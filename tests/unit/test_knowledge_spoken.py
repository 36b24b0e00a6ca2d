"""Spoken questions written as manuals print them."""

from __future__ import annotations

import pytest

from edge.knowledge.spoken import written

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("said", "printed"),
    [
        ("what's the thousand hour service kit number", "what's the 1000 hour service kit number"),
        ("torque for an M12 ten nine bolt", "torque for an M12 10.9 bolt"),
        ("grade eight eight M16 torque", "grade 8.8 M16 torque"),
        ("five eighths refrigerant flange bolts", "5/8 refrigerant flange bolts"),
        ("three quarter inch waterbox bolts", "3/4 inch waterbox bolts"),
        ("one thirty second inch shim", "1/32 inch shim"),
        ("which grade if it stays above minus fifteen", "which grade if it stays above -15"),
        ("what does E one seventeen mean", "what does E 117 mean"),
        # A tag spelled letter by letter is one code; letters without a number stay letters.
        ("filter diff pressure on G B one oh one", "filter diff pressure on GB 101"),
        ("P T twenty says 7 bar", "PT 20 says 7 bar"),
        # Digits said one by one from a leading zero keep it: codes print it ("F-07", "S01").
        ("what does F zero seven mean", "what does F 07 mean"),
        ("code S oh one came up", "code S 01 came up"),
        ("the oh five hundred check", "the 500 check"),
        ("the display just says L T", "the display just says L T"),
        # Small numbers stay words (prose prints them so), idioms too, digits are left alone.
        ("how far apart are the two coupling halves", "how far apart are the two coupling halves"),
        ("tighten a further half turn", "tighten a further half turn"),
        ("M24 at 900 N·m", "M24 at 900 N·m"),
    ],
)
def test_spelled_numbers_fractions_and_bolt_classes(said: str, printed: str) -> None:
    assert written(said) == printed


def test_a_tag_spelled_letter_by_letter_is_the_readings_code() -> None:
    from edge.knowledge.limit_match import said

    assert "gb101" in said("filter diff pressure on G B one oh one is 40 psi", {}).codes
    assert "gb101" in said("GB-101 filter is at 2 bar", {}).codes


def test_a_metric_thread_said_aloud_is_written_as_printed() -> None:
    assert written("what's the torque for M thirty bolts") == "what's the torque for M30 bolts"
    assert written("M twenty four ten nine bolts") == "M24 10.9 bolts"
    assert written("pump M 2.5") == "pump M 2.5"  # no thread: a decimal


def test_a_code_said_with_spaces_joins_only_when_the_manuals_print_it() -> None:
    # "What's the limit on m 2" (Whisper's digits for "m two"): the pump motor M2; "a 2 mm gap"
    # keeps its article, and "DTC 4120" is the trouble code the manual prints.
    from types import SimpleNamespace

    from edge.knowledge import _spelled

    snap = SimpleNamespace(
        vocabulary=frozenset({"m2", "a2", "dtc4120"}), initialisms={}, abbreviations={}
    )
    assert _spelled("winding on m 2 is 152 degrees", snap) == "winding on m-2 is 152 degrees"  # type: ignore[arg-type]
    assert _spelled("leave a 2 mm gap", snap) == "leave a 2 mm gap"  # type: ignore[arg-type]
    assert _spelled("what does dtc 4120 mean", snap) == "what does dtc-4120 mean"  # type: ignore[arg-type]
