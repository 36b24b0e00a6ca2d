"""Abbreviations a manual uses for its own words ("LO" for lube oil), learned from the manual."""

from __future__ import annotations

import pytest

from edge.knowledge.abbreviations import learned, listed, merged, spelled

pytestmark = pytest.mark.unit

POINTS = {
    "PT-101": "Lube oil pressure, engine inlet",
    "PT-201": "HT water pressure, engine inlet",
    "PT-401": "Fuel pressure, engine inlet",
    "PDT-103": "Lube oil filter differential pressure",
}
ALARMS = [
    ["Code", "Display text", "Measuring point", "Action"],
    ["AL-101", "LO PRESS LOW", "PT-101", "Alarm"],
    ["AL-103", "LO FILTER DP HIGH", "PDT-103", "Alarm"],
    ["AL-201", "HT PRESS LOW", "PT-201", "Alarm"],
    ["AL-401", "FO PRESS LOW", "PT-401", "Alarm"],  # "FO": no run of words in "Fuel pressure"
]


def test_a_display_text_beside_its_point_spells_out_the_initials_of_the_points_name() -> None:
    known = learned([ALARMS], POINTS)
    assert known == {"LO": "lube oil", "DP": "differential pressure"}
    # "HT" is a word of the point's own name; "LOW", "PRESS" are words, not initials.


def test_a_bracketed_definition_in_prose_counts_and_two_readings_cancel() -> None:
    prose = ["The high-temperature (HT) circuit cools the liners.", "A variable speed drive (VSD)."]
    assert learned([], {}, prose) == {"HT": "high temperature", "VSD": "variable speed drive"}
    assert learned([], {}, ["P = propane (LP)"]) == {"LP": "propane"}  # no initials: the word
    clash = ["A charge air (CA) cooler.", "The control automation (CA) panel."]
    assert learned([], {}, clash) == {}
    assert merged([{"LO": "lube oil"}, {"LO": "lock out"}, {"DP": "differential pressure"}]) == {
        "DP": "differential pressure"
    }


def test_a_transcript_gets_the_words_beside_the_abbreviation_once() -> None:
    known = {"LO": "lube oil"}
    assert spelled("LO pressure is 3.8 bar", known) == "LO (lube oil) pressure is 3.8 bar"
    assert spelled("lube oil pressure, LO inlet", known) == "lube oil pressure, LO inlet"
    assert spelled("LO-101 reads 4", known) == "LO-101 reads 4"  # a code, not the abbreviation


def test_a_manuals_list_of_abbreviations_describes_its_limits() -> None:
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    prose = [
        "The following abbreviations are used: DEG C, degrees Celsius; ESD, emergency shutdown; "
        "LGB, lower guide bearing; TGB, turbine guide bearing."
    ]
    table = [["Abbreviation", "Meaning"], ["UGB", "Upper guide bearing"], ["N/A", "not used"]]
    assert listed([table], prose) == {
        "UGB": "upper guide bearing",
        "LGB": "lower guide bearing",
        "TGB": "turbine guide bearing",
    }  # "ESD, emergency shutdown": no initials of the words, so no abbreviation of them
    cooler = Limit("80WTGB", "TGB oil cooler water flow", "L/min", 80, 100, "", "")
    other = Limit("80WTB", "Thrust/LGB oil cooler water flow", "L/min", 180, 220, "", "")
    known = listed([], prose)
    spoken = with_unit(said("turbine guide bearing cooler flow is 90 litres a minute", {}), "L/min")
    best = rank(spoken, [describe(x, {}, abbreviations=known) for x in (cooler, other)], "L/min")
    assert best[0].limit == cooler and best[0].score > best[1].score
