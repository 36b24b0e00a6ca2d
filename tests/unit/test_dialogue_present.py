"""Answers for the ear: value first, the row asked about, a short citation, the rest kept.

The manuals' answers are composed by the real ``edge.knowledge.answer.compose`` from hand-made
hits shaped like the sample manuals' chunks, then presented.
"""

from __future__ import annotations

import pytest

from edge.dialogue.followup import converted, other_row, target_unit
from edge.dialogue.present import Value, present
from edge.events import SourceRef, ToolResult
from edge.knowledge.answer import compose
from edge.knowledge.records import Hit

pytestmark = pytest.mark.unit

DOC = "WT-2000 Wind Turbine Maintenance Manual"
CALIPER = Hit(
    chunk_id=1,
    document=DOC,
    section=("3 Yaw system", "3.3 Yaw brake caliper bolt torque"),
    page=4,
    kind="table",
    text="",
    score=1.0,
    similarity=0.8,
    rows=(
        ("Bolt", "Size", "Property class", "Torque (N·m)"),
        ("Caliper to yaw ring", "M24", "10.9", "900"),
        ("Caliper halves", "M20", "10.9", "520"),
        ("Hose fitting clamp", "M8", "8.8", "25"),
    ),
    intro="Tighten the caliper bolts in a crosswise pattern in three passes: 30 %, 70 % and "
    "100 % of the final torque.",
    row_similarities=(0.7, 0.6, 0.2),
)
LIMITS = Hit(
    chunk_id=2,
    document=DOC,
    section=("12 Operating limits",),
    page=9,
    kind="table",
    text="",
    score=1.0,
    similarity=0.7,
    rows=(
        ("Component", "Parameter", "Unit", "Min", "Max"),
        ("GBX", "Oil sump temperature", "°C", "10", "85"),
        ("GBX", "Housing vibration", "mm/s", "", "7.1"),
    ),
    intro="Values outside these limits must be reported.",
    row_similarities=(0.8, 0.3),
)
LOCKOUT = Hit(
    chunk_id=3,
    document=DOC,
    section=("2 Safety", "2.2 Lockout/tagout procedure"),
    page=2,
    kind="steps",
    text="",
    score=1.0,
    similarity=0.8,
    items=(
        "Inform the control room and record the work order number in the turbine log.",
        "Stop the turbine with the service switch and wait until the rotor speed is below 1 rpm.",
        "Open the main circuit breaker Q1 and the auxiliary supply breaker Q5.",
    ),
    intro="WARNING: The converter and the generator stay energised until the main circuit "
    "breaker is open and locked. Never rely on the SCADA stop alone.",
)
BRAKE = Hit(
    chunk_id=4,
    document=DOC,
    section=("3 Yaw system", "3.2 Yaw brake (YAW-BRK)"),
    page=4,
    kind="text",
    text="The yaw brake calipers are supplied by the hydraulic power unit. The full brake pressure "
    "when the nacelle is parked is 160 bar; the residual damping pressure while yawing is 20 bar.",
    score=1.0,
    similarity=0.8,
)


def answer(question: str, hit: Hit) -> ToolResult:
    return compose(question, hit, [], None)


def test_a_torque_question_gets_the_value_first_and_only_its_row() -> None:
    question = "What torque do the M24 yaw brake caliper bolts need?"
    said = present(answer(question, CALIPER), question, citation="short")
    assert said.speech == ("900 newton metres, caliper to yaw ring.", "Section 3.3.")
    assert "520" not in " ".join(said.speech)
    assert said.value == Value("900", "N·m", "Caliper to yaw ring")
    assert any("crosswise" in s for s in said.more)  # the rest, on "more"
    assert said.citation is not None
    assert said.citation.full().endswith("section 3.3 Yaw brake caliper bolt torque, page 4.")


def test_a_question_asking_for_another_unit_gets_the_value_in_it_first() -> None:
    from edge.dialogue.conversion import in_unit, unit_asked

    question = "What torque do the M24 yaw brake caliper bolts need in foot pounds?"
    said = present(answer(question, CALIPER), question)
    assert said.speech == ("About 664 pound-feet.", "900 newton metres, caliper to yaw ring.")
    assert unit_asked("what oil goes in the gearbox") is None
    # The manual's own figure in that unit, when it prints one beside the value.
    assert in_unit("780", "bar", "psi", "Cap studs | 780 bar (11,310 psi)") == "11,310 p s i."
    assert in_unit("780", "bar", "°C") is None  # no conversion between kinds


def test_a_question_about_the_tables_subject_gets_the_row_that_fits_best() -> None:
    # Every word of the question is in the section's title: no row is named, yet one is meant.
    question = "What is the torque for the yaw brake caliper bolts?"
    said = present(answer(question, CALIPER), question)
    assert said.speech == ("900 newton metres, caliper to yaw ring, M24.",)
    assert any("Caliper halves" in s for s in said.more)


def test_citation_can_be_full_or_left_out() -> None:
    question = "torque for the caliper halves"
    full = present(answer(question, CALIPER), question, citation="full")
    assert full.speech[0] == "520 newton metres, M20."  # "caliper halves" was just said
    assert full.speech[-1].startswith("Source: WT-2000")
    off = present(answer(question, CALIPER), question, citation="off")
    assert off.speech == ("520 newton metres, M20.",)


def test_a_limit_question_says_the_bound_asked_for() -> None:
    question = "What is the maximum gearbox oil sump temperature?"
    said = present(answer(question, LIMITS), question)
    assert said.speech[0] == "85 degrees Celsius maximum."
    question = "gearbox oil sump temperature limits"
    said = present(answer(question, LIMITS), question)
    assert said.speech[0] == "10 to 85 degrees Celsius."


def test_a_question_about_the_whole_table_reads_its_rows_value_first() -> None:
    question = "What are the gearbox limits?"
    said = present(answer(question, LIMITS), question)
    assert said.speech[:2] == (
        "10 to 85 degrees Celsius, oil sump temperature.",
        "7.1 millimetres per second maximum, housing vibration.",
    )


def test_a_procedure_opens_with_warnings_count_and_step_one_only() -> None:
    question = "How do I lock out the turbine?"
    said = present(answer(question, LOCKOUT), question, now=50.0, citation="short")
    assert said.speech == (
        "Warning: The converter and the generator stay energised until the main circuit breaker "
        "is open and locked.",
        "Never rely on the SCADA stop alone.",
        "Lockout/tagout procedure.",
        "Step 1 of 3: Inform the control room and record the work order number in the turbine log.",
        "Section 2.2.",
    )
    assert said.procedure is not None and said.procedure.at == 0
    assert said.procedure.touched_at == 50.0 and said.procedure.count == 3


def test_a_text_answer_says_the_clause_that_holds_the_value() -> None:
    question = "What is the yaw brake pressure when the nacelle is parked?"
    said = present(answer(question, BRAKE), question, citation="short")
    assert said.speech == (
        "The full brake pressure when the nacelle is parked is 160 bar.",
        "Section 3.2.",
    )
    assert "The residual damping pressure while yawing is 20 bar." in said.more
    assert said.value == Value("160", "bar")


def test_nothing_found_does_not_blame_a_component_the_question_did_not_name() -> None:
    result = ToolResult(
        ("I found nothing about that for the gearbox in the manuals.",),
        ok=False,
        data={"found": False, "component_id": "GBX"},
    )
    assert present(result, "what is the tyre pressure", named_component=False).speech == (
        "I found nothing about that in the manuals.",
    )
    assert present(result, "gearbox tyre pressure", named_component=True).speech == result.speech


def test_other_tools_keep_their_words_with_a_short_source() -> None:
    result = ToolResult(
        (
            "Warning: gearbox oil sump temperature 92 degrees Celsius is above the 85 limit.",
            "Logged a high severity incident.",
            "Source: WT-2000 Wind Turbine Maintenance Manual, section 12 Operating limits.",
        ),
        sources=(SourceRef(DOC, "12 Operating limits", 9),),
        urgent=True,
    )
    said = present(result, "gearbox oil sump is 92 degrees", citation="short")
    assert said.speech == (*result.speech[:2], "Section 12.")


def test_follow_up_rows_and_units() -> None:
    question = "What torque do the M24 yaw brake caliper bolts need?"
    said = present(answer(question, CALIPER), question)
    assert said.table is not None
    assert other_row("And the caliper halves?", said.table) == 1
    assert other_row("what about the M8?", said.table) == 2
    assert other_row("Welcome out to the M8.", said.table) == 2  # the opener misheard
    assert other_row("Where is the M8 hose fitting clamp located?", said.table) is None
    assert other_row("What is the torque for the main bearing bolts?", said.table) is None
    assert target_unit("In foot-pounds?") == "lbf·ft"
    assert target_unit("what's that in psi") == "psi"
    assert target_unit("In the gearbox?") is None
    assert converted(Value("900", "N·m"), "lbf·ft") == (
        "About 664 pound-feet. The manual says 900 newton metres."
    )
    assert converted(Value("85", "°C"), "°F") == (
        "About 185 degrees Fahrenheit. The manual says 85 degrees Celsius."
    )
    assert converted(Value("900", "N·m"), "bar") is None


def test_an_interval_matrix_says_the_ticked_columns_headers() -> None:
    from edge.dialogue.rows import say_row

    header = ("Task", "500 h", "1000 h", "2000 h")
    row = ("Check valve clearances", "", "X", "X")
    answer = say_row(header, row, "when are the valve clearances checked?")
    assert answer.sentence.startswith("1000 hours and 2000 hours"), answer


def test_a_tolerance_column_qualifies_the_torque_instead_of_replacing_it() -> None:
    from edge.dialogue.rows import say_row

    header = ("Joint", "Torque (N·m)", "Tolerance (N·m)")
    row = ("Main bearing cap", "95 + 60°", "± 10")
    answer = say_row(header, row, "torque for the main bearing cap?")
    assert answer.sentence.startswith("95 newton metres + 60 degrees"), answer
    assert "plus or minus 10 newton metres" in answer.sentence, answer
    # A tolerance in the cell: the unit follows it, as it is said.
    counterweight = ("Counterweight bolts", "480 ± 30 (650 ± 40)", "")
    said = say_row(
        ("Joint", "Torque, lbf·ft (N·m)", "Notes"), counterweight, "counterweight torque"
    )
    assert said.sentence.startswith("480 plus or minus 30 pound-feet (650"), said


def test_one_torque_in_two_units_says_the_first_unless_the_other_is_asked() -> None:
    from edge.dialogue.rows import say_row

    header = ("Thread", "Joint", "Torque, N·m", "Torque, lbf·in")
    row = ("M8", "Copper busbar, input and output bars", "21 ± 1", "186 ± 9")
    said = say_row(header, row, "torque on the M8 busbar bolts").sentence
    assert said.startswith("21 plus or minus 1 newton metres"), said
    asked = say_row(header, row, "M8 busbar torque in inch pounds").sentence
    assert asked.startswith("186 plus or minus 9 pound-inches"), asked


def test_a_bound_in_the_manuals_unit_beats_its_bare_conversion() -> None:
    from edge.dialogue.rows import say_row

    header = ("Dimension", "New [mm]", "Wear limit [mm]", "Wear limit [in]")
    row = ("Radial clearance, screw to barrel", "0.05–0.08", "max. 0.25", "0.010")
    said = say_row(header, row, "how much play can there be between the screw and the barrel")
    assert said.sentence.startswith("Max. 0.25 millimetres"), said.sentence


def test_the_column_all_of_whose_words_the_question_says_answers() -> None:
    from edge.dialogue.rows import say_row

    header = ("Setting", "Per cell", "Per 12 V block", "Per string (192 cells)")
    row = ("Float at 25 °C (77 °F)", "2.25 V", "13.50 V", "432 V")
    said = say_row(header, row, "what's the float voltage per cell at 25 degrees").sentence
    assert said.startswith("2.25 volts"), said
    assert say_row(header, row, "what should the whole string float at").sentence.startswith("432")


def test_a_models_column_is_picked_by_its_code_or_figure_else_each_is_said() -> None:
    from edge.dialogue.rows import say_row

    header = ("Point", "AM-60S", "AM-60H")
    row = ("BP1 barrier pot", "8 L (8.5 US qt)", "12 L (12.7 US qt)")
    said = say_row(header, row, "how much barrier fluid in the pot on the AM-60H").sentence
    assert said.startswith("12 litres") and "8 litres" not in said, said
    each = say_row(header, row, "how much barrier fluid does the pot take").sentence
    assert each.startswith("8 litres (8.5 US qt) for the AM-60S, 12 litres"), each
    sizes = ("Boiler size", "500", "650", "850")
    weights = ("Weight empty, kg (lb)", "690 (1,521)", "780 (1,720)", "905 (1,995)")
    said = say_row(sizes, weights, "how much does the 650 weigh empty").sentence
    assert said.startswith("780 (1,720),"), said
    said = say_row(sizes, weights, "how much does the six fifty weigh empty").sentence
    assert said.startswith("780 (1,720) for the 650"), said


def test_an_interval_in_hours_and_in_months_is_said_in_both() -> None:
    from edge.dialogue.rows import say_row

    header = ("Task", "Hours", "Calendar", "See")
    row = ("Replace barrier fluid", "4000", "6 months", "5.5")
    said = say_row(header, row, "how often do we swap out the barrier fluid").sentence
    assert said.startswith("4000 hours or 6 months"), said


def test_a_code_asked_about_is_answered_with_its_whole_row() -> None:
    from edge.dialogue.rows import say_row

    header = ("Code", "Display text", "Condition", "Effect")
    row = ("W-21", "BATTERY LOW", "battery below 1.85 V/cell (355 V) on discharge",
           "about 3 min of autonomy left at full load")  # fmt: skip
    said = say_row(header, row, "display says W-21, what's that").sentence
    assert "BATTERY LOW" in said and "355" in said and "autonomy" in said, said


def test_a_nominal_between_bounds_is_said_first_with_its_band() -> None:
    from edge.dialogue.rows import say_row

    header = ("Circuit", "Test point", "Min. (bar)", "Nominal (bar)", "Max. (bar)", "Set at")
    row = ("Counterbalance, ram at rest at TDC", "MP4", "55", "65", "75", "V13")
    said = say_row(header, row, "what's the counterbalance supposed to be with the ram at the top")
    assert said.sentence.startswith("65 bar nominal, 55 to 75"), said
    most = say_row(header, row, "what's the most the counterbalance may read")
    assert most.sentence.startswith("75 bar maximum"), most
    # A bound printed as a dash is none: the band is the other bound alone.
    piston = ("Cylinder piston side", "MP2", "–", "255", "265", "–")
    assert say_row(header, piston, "piston side pressure").sentence.startswith(
        "255 bar nominal, 265 maximum"
    )


def test_the_unit_asked_picks_its_column_and_a_code_said_names_the_row() -> None:
    from edge.dialogue.rows import say_row

    header = ("Joint", "Bolt size, grade", "Quantity", "Method", "Torque or pretension")
    row = ("Rotor brake caliper BR1", "M24, 10.9", "4", "torque", "800 ± 40 N·m (590 ± 30 lbf·ft)")
    feet = say_row(header, row, "rotor brake caliper bolts, what's that in foot pounds").sentence
    assert "590" in feet and not feet.startswith("M24"), feet
    flange = ("Tower flanges F2, F3", "M36, 10.9 HV", "112", "torque", "2,600 N·m (1,918 lbf·ft)")
    said = say_row(header, flange, "what do the M36 bolts on the tower flanges go to").sentence
    # No column is asked for by name: the row is read, and the bolt size is not taken for it.
    assert not said.startswith("M36") and "2,600 newton metres" in said, said


def test_columns_headed_by_their_unit_alone_are_one_quantity_said_in_the_first() -> None:
    from edge.dialogue.rows import say_row
    from edge.knowledge.units import unit_in_header

    assert unit_in_header("°C") == ("", "°C") and unit_in_header("psi") == ("", "psi")
    header = ("Condition", "°C", "°F", "Machine response")
    row = ("Cooler fan M2 on / off", "42 / 37", "108 / 99", "–")
    said = say_row(header, row, "at what temp does the cooler fan kick in").sentence
    assert said.startswith("42 / 37"), said


def test_how_much_is_said_from_the_column_naming_a_quantity_not_one_sharing_a_word() -> None:
    from edge.dialogue.rows import say_row

    header = ("Compartment", "Fluid", "Capacity")
    row = ("Transmission, refill after filter change", "TF-20 transmission fluid",
           "8.5 U.S. qt (8.0 L)")  # fmt: skip
    answer = say_row(header, row, "how much trans fluid after a filter change")
    assert answer.sentence.startswith("8.5 U.S. qt"), answer
    assert say_row(header, row, "what fluid goes in the transmission").sentence.startswith("TF-20")
