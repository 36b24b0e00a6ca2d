"""The evaluation's rule for "the answer holds the expected value"."""

from __future__ import annotations

import pytest

from edge.evaluation.matching import holds_all, holds_value

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("Torque 210 newton metres.", "210"),
        ("Fill 7.5 to 9.0 bar.", "7.5–9.0 bar"),  # printed with an en dash, spoken with "to"
        ("Use ISO VG 46 oil.", "iso vg 46"),
        ("Alarm: LOW OIL PRESSURE, shutdown.", "Low oil pressure"),
        ("It is two point five bar.", "2.5"),  # spoken number
        ("Speed 1450 rpm.", "1,450"),
        ("At 1,450 rpm.", "1450"),
        ("Code E-117 means overheating.", "117"),
        ("Clearance 0.3 mm.", "0.30"),
        ("Tighten to 195 newton metres (144 pound-feet).", "195 N·m"),
    ],
)
def test_the_value_or_its_spoken_form_is_held(answer: str, value: str) -> None:
    assert holds_value(answer, value)


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("12 bar", "2"),  # inside a longer number
        ("2.5 bar", "2"),
        ("2,000 hours", "2"),
        ("size M20", "20"),  # part of a code
        ("ISO VG 460", "ISO VG 46"),
        ("210 newton metres", "21"),
        ("nothing here", "LOW OIL PRESSURE"),
    ],
)
def test_nothing_looser_is_accepted(answer: str, value: str) -> None:
    assert not holds_value(answer, value)


def test_every_value_must_be_held() -> None:
    assert holds_all("Grease NLGI 2, 20 g at the drive end.", ["NLGI 2", "20"])
    assert not holds_all("Grease NLGI 2.", ["NLGI 2", "20"])
    assert holds_all("anything", [])
