"""Initialisms a technician says for a manual's section titles ("PPE", "VFD")."""

from __future__ import annotations

import pytest

from edge.knowledge.initialisms import initialisms, spelled_out

pytestmark = pytest.mark.unit

TITLES = [
    "1.3 Personal protective equipment",
    "4.2 Variable frequency drive",
    "2 Safety",  # one word: no initialism
    "7.1 Pump protection equipment",  # "PPE" too: two titles, so it stands for neither
    "3.3 Air intake restriction",
]


def test_section_titles_give_their_initials_unless_two_share_them() -> None:
    known = initialisms(TITLES)
    assert known["VFD"] == "variable frequency drive"
    assert known["AIR"] == "air intake restriction"
    assert "PPE" not in known and "S" not in known
    assert initialisms(TITLES[:1]) == {"PPE": "personal protective equipment"}


def test_a_question_in_capitals_is_searched_with_the_words_beside_them() -> None:
    known = initialisms(TITLES)
    assert spelled_out("torque on the VFD output terminals", known) == (
        "torque on the VFD (variable frequency drive) output terminals"
    )
    assert spelled_out("what's the VFDs part number", known).startswith(
        "what's the VFDs (variable frequency drive)"
    )
    # A plain word is not an initialism, a code is not one, and words already said are not
    # said twice.
    assert spelled_out("air filter differential", known) == "air filter differential"
    assert spelled_out("fault VFD-12 on the drive", known) == "fault VFD-12 on the drive"
    said = "the VFD (variable frequency drive) fault"
    assert spelled_out(said, known) == said
