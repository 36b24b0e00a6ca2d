"""Units, numbers, codes, components, limits and chunking: the pure parts of the manuals store."""

from __future__ import annotations

import pytest

from edge.events import SourceRef
from edge.knowledge.chunker import chunk_document
from edge.knowledge.components import ComponentIndex, heading_component, merge, table_components
from edge.knowledge.limit_match import best, describe, rank, said, words
from edge.knowledge.limits import assess, extract_limits
from edge.knowledge.numbers import find_numbers
from edge.knowledge.read_markdown import parse_markdown
from edge.knowledge.records import Component, ParsedDocument
from edge.knowledge.terms import (
    codes_in_question,
    codes_in_text,
    compounds,
    fts_query,
    misheard_code,
    stem,
    stems,
    unknown_codes,
)
from edge.knowledge.units import convert, normalize_unit, speakable, unit_in_header

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("said", "unit"),
    [
        ("degrees", "°C"),
        ("degrees Celsius", "°C"),
        ("°C", "°C"),
        ("C", "°C"),
        ("fahrenheit", "°F"),
        ("bar", "bar"),
        ("rpm", "rpm"),
        ("Nm", "N·m"),
        ("newton metres", "N·m"),
        ("mm", "mm"),
        ("millimetres", "mm"),
        ("percent", "%"),
        ("%", "%"),
        ("furlongs", None),
    ],
)
def test_spoken_units_normalise(said: str, unit: str | None) -> None:
    assert normalize_unit(said) == unit


def test_conversions_and_header_units() -> None:
    assert convert(200, "°F", "°C") == pytest.approx(93.333, abs=1e-3)
    assert convert(100, "psi", "bar") == pytest.approx(6.895, abs=1e-3)
    assert convert(5, "bar", "°C") is None
    assert unit_in_header("Torque (N·m)") == ("Torque", "N·m")
    assert unit_in_header("Tensioner pressure (bar)") == ("Tensioner pressure", "bar")
    assert unit_in_header("Property class") == ("Property class", None)
    # After a comma, the unit is the manual's own; the bracket holds its conversion.
    assert unit_in_header("Torque, N·m") == ("Torque", "N·m")
    assert unit_in_header("Weight empty, kg (lb)") == ("Weight empty", "kg")
    assert unit_in_header("Fault, reset") == ("Fault, reset", None)


def test_milliohms_are_not_megohms_and_microfarads_are_a_unit() -> None:
    assert normalize_unit("mΩ") == "mΩ" and normalize_unit("milliohms") == "mΩ"
    assert normalize_unit("MΩ") == "MOhm" and normalize_unit("megohms") == "MOhm"
    assert convert(5.6, "mΩ", "Ω") == pytest.approx(0.0056)
    assert normalize_unit("microfarads") == normalize_unit("µF") == "µF"
    assert speakable("max. 5.0 mΩ") == "max. 5.0 milliohms"


def test_a_model_code_is_not_read_as_a_unit() -> None:
    assert speakable("Gear ratio: AM-60S 16.2 : 1, AM-60H 20.5 : 1") == (
        "Gear ratio: AM-60S 16.2 : 1, AM-60H 20.5 : 1"
    )
    assert speakable("wait 5 s, then 10 h") == "wait 5 seconds, then 10 hours"


def test_the_units_words_name() -> None:
    from edge.knowledge.units import units_said

    assert "lbf·in" in units_said("M10 busbar torque in inch pounds")
    assert units_said("what is the pressure in bar") == {"bar"}
    assert units_said("what goes in the gearbox") == frozenset()  # "in" is a word here


def test_speech_keeps_numbers_and_spells_units() -> None:
    assert speakable("Tighten to 210 N·m at 20 °C.") == (
        "Tighten to 210 newton metres at 20 degrees Celsius."
    )
    assert speakable("90 bar ±5 bar, 1000–1950 rpm, 50 %, below 1 rpm") == (
        "90 bar plus or minus 5 bar, 1000 to 1950 revolutions per minute, 50 percent, "
        "below 1 revolution per minute"
    )
    assert speakable("M24 bolts, fault E-117, 10.9 class") == "M24 bolts, fault E-117, 10.9 class"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("ninety two degrees", [92]),
        ("ninety-two", [92]),
        ("one hundred and five", [105]),
        ("two point five bar", [2.5]),
        ("minus ten", [-10]),
        ("1,450 bar and 7.1 mm/s", [1450, 7.1]),
        ("twelve hundred rpm", [1200]),
        ("oh, it is fine", []),
        ("a hundred and twenty", [120]),
    ],
)
def test_numbers_digits_and_spelled(text: str, values: list[float]) -> None:
    assert [m.value for m in find_numbers(text)] == values


def test_codes_are_found_and_matched_however_spoken() -> None:
    text = "Use the HTW-1500 on M24 bolts; E-117 is on GBX and YAW-BRK; ISO VG 320; Q1."
    assert codes_in_text(text) == ["HTW-1500", "M24", "E-117", "YAW-BRK", "Q1"]
    # IEC 81346 signs before a designation are no part of it; a code inside another is none.
    iec = "Springs charged by -M1; heater +H1 in panel =H01 of the VB-24/630; ME640-6L."
    assert codes_in_text(iec) == ["M1", "H1", "H01", "VB-24", "ME640-6L"]
    # A controller's codes printed with a space; standards, grades and values are no codes.
    shown = "DTC 4120, ALM 221 and TRIP 50N; ISO 4406, VG 46, DN 50, 400 V DC, 10 %, E 3.5 bar."
    assert codes_in_text(shown) == ["DTC 4120", "ALM 221", "TRIP 50N"]
    modules = "E 2.14 | Main contactor welded; for example E 6.04. Set E 3.50 bar, E 1.25 %."
    assert codes_in_text(modules) == ["E 2.14", "E 6.04"]
    vocabulary = frozenset({"htw1500", "m24", "e117", "yawbrk", "gbx", "q1", "lift"})
    assert codes_in_question("what does E 117 mean", vocabulary) == ["e117"]
    assert codes_in_question("torque for m24", vocabulary) == ["m24"]
    assert codes_in_question("is the GBX hot", vocabulary) == ["gbx"]
    assert codes_in_question("take the lift up", vocabulary) == []  # a word, not the LIFT ID
    # "a" and a number are an article and a quantity when a unit follows, else a code.
    assert codes_in_question("boost voltage on a 12 volt block", {"a12"}) == []
    assert codes_in_question("got a 12 on the panel", {"a12"}) == ["a12"]
    assert unknown_codes("what is E-999 and M24", vocabulary) == ["E-999"]
    assert fts_query("what does E-117 mean", ["e117"]) == '"mean" OR codes : "e117"'
    assert fts_query("what is it", []) is None


def test_a_non_word_is_the_opposite_word_not_the_word() -> None:
    assert "driv" not in stems("M1 bearing, non-drive end")
    assert stems("non drive end") == stems("non-drive end")


def test_a_teen_heard_as_a_ty_is_undone_only_towards_a_known_code() -> None:
    vocabulary = frozenset({"e117", "e150", "e115", "l13", "m24"})
    assert misheard_code("E-170", vocabulary) == "e117"  # "E one seventeen"
    assert misheard_code("E 170", vocabulary) == "e117"
    assert misheard_code("L-30", vocabulary) == "l13"
    assert misheard_code("E-1130", vocabulary) is None  # its twin E-1113 is not in the manuals
    assert misheard_code("E-171", vocabulary) is None  # not a teen/ty pair
    assert misheard_code("E-999", vocabulary) is None
    assert misheard_code("M42", vocabulary) is None
    assert misheard_code("YAW-BRK", vocabulary) is None


def test_components_from_tables_headings_and_speech() -> None:
    rows = (
        ("ID", "Component", "Also called"),
        ("YAW-BRK", "Yaw brake", "brake calipers, yaw brakes"),
        ("GBX", "Gearbox", "gear box"),
        ("not an id", "Nothing", ""),
    )
    found = table_components(rows)
    assert [c.id for c in found] == ["YAW-BRK", "GBX"]
    by_ref = table_components((("Ref.", "Component"), ("GV1", "Gas valve")))
    assert by_ref == table_components((("Tag No.", "Component"), ("GV1", "Gas valve")))
    assert [c.id for c in by_ref] == ["GV1"]
    assert heading_component("3.2 Yaw brake (YAW-BRK)") == Component("YAW-BRK", "Yaw brake")
    assert heading_component("1 HYDRAULIC TORQUE WRENCH (HTW)") == Component(
        "HTW", "Hydraulic torque wrench"
    )
    assert heading_component("2 Safety") is None
    merged = merge([*found, Component("GBX", "Main gearbox")])
    assert merged[0].aliases == ("gear box", "Main gearbox")
    index = ComponentIndex(merged)
    assert index.resolve("the brake calipers squeal") == found[0]
    assert index.resolve("gearbox oil") == index.resolve("gear-boxes") == merged[0]
    assert index.resolve("the yaw brake next to the gearbox").id == "YAW-BRK"  # earliest
    assert index.ids_in("Check GBX and YAW-BRK, not XYZ.") == ["GBX", "YAW-BRK"]


def test_limits_tables_are_read_and_readings_assessed() -> None:
    rows = (
        ("Component", "Parameter", "Unit", "Min", "Max"),
        ("GBX", "Oil sump temperature", "°C", "10", "85"),
        ("GBX", "Housing vibration", "mm/s", "", "7.1"),
        ("XYZ", "Unknown component row", "bar", "1", "2"),
        ("GBX", "Note row", "", "", ""),
    )
    source = SourceRef("Manual", "12 Operating limits", 13)
    limits = extract_limits(rows, section_component=None, known_components={"GBX"}, source=source)
    assert [(lim.parameter, lim.minimum, lim.maximum) for lim in limits] == [
        ("Oil sump temperature", 10, 85),
        ("Housing vibration", None, 7.1),
    ]
    sump = limits[0]
    assert assess(sump, 92, "°C").verdict == "above"
    assert assess(sump, 5, "°C").verdict == "below"
    assert assess(sump, 185, "°F").verdict == "within"  # 85 °C exactly
    assert assess(sump, 3, "bar") is None
    described = [describe(x, {"GBX": ("Gearbox",)}) for x in limits]
    assert best(rank(said("oil temp", {}), described, "°C"))[0].limit is sump
    assert best(rank(said("vibration", {}), described, None))[0].limit.parameter == (
        "Housing vibration"
    )
    without_component = extract_limits(
        (("Parameter", "Max (bar)"), ("Pump pressure", "700")),
        section_component="HTW",
        known_components=set(),
        source=source,
    )
    assert without_component[0].component_id == "HTW" and without_component[0].unit == "bar"
    assert extract_limits((("Code", "Meaning"), ("E-1", "x")), section_component=None,
                          known_components=set(), source=source) == []  # fmt: skip


def test_chunks_follow_the_structure() -> None:
    md = (
        "# Manual\n\n## 3 Yaw system\n\n### 3.2 Yaw brake (YAW-BRK)\n\n"
        "Pads wear. Check GBX too.\n\n"
        "Yaw brake inspection:\n\n1. Isolate.\n2. Measure.\n\n### 3.3 Yaw brake bolt torque\n\n"
        "Tighten crosswise.\n\n| Bolt | Torque (N·m) |\n|---|---|\n| M24 | 900 |\n\n"
        "## 12 Limits\n\n| Component | Parameter | Unit | Max |\n|---|---|---|---|\n"
        "| GBX | Oil temperature | °C | 85 |\n| YAW-BRK | Pressure | bar | 170 |\n"
    )
    doc = ParsedDocument("Manual", "markdown", tuple(parse_markdown(md)))
    index = ComponentIndex([Component("YAW-BRK", "Yaw brake"), Component("GBX", "Gearbox")])
    chunked = chunk_document(doc, index)
    summary = [(c.kind, c.section[-1], c.components) for c in chunked.chunks]
    assert summary == [
        ("text", "3.2 Yaw brake (YAW-BRK)", ("YAW-BRK", "GBX")),
        ("steps", "3.2 Yaw brake (YAW-BRK)", ("YAW-BRK",)),
        ("table", "3.3 Yaw brake bolt torque", ("YAW-BRK",)),  # named, not ID'd, in the heading
        ("table", "12 Limits", ("GBX",)),  # one chunk per component of a limits table
        ("table", "12 Limits", ("YAW-BRK",)),
    ]
    assert chunked.intros[1] == "Yaw brake inspection:"
    assert chunked.intros[2] == "Tighten crosswise."
    assert chunked.chunks[1].items == ("Isolate.", "Measure.")
    assert chunked.chunks[3].rows == (
        ("Component", "Parameter", "Unit", "Max"),
        ("GBX", "Oil temperature", "°C", "85"),
    )


def test_phrasal_verbs_also_match_their_one_word_spelling() -> None:
    assert compounds("How do I lock out the turbine and shut it down?") == ["lockout"]
    assert compounds("shut down the pump, then tag out Q1") == ["shutdown", "tagout"]
    query = fts_query("How do I lock out the turbine?", [])
    assert query is not None and '"lockout"' in query and '"lock"' in query


def test_a_fault_code_said_by_its_number_alone_is_that_code() -> None:
    from edge.knowledge.terms import code_said_as_number

    vocabulary = {"f2110", "f1012", "f5104", "e117", "hw650", "m24"}
    assert code_said_as_number("got a 2110 on the yaw", vocabulary) == ("2110", "f2110")
    assert code_said_as_number("what does fault 1012 mean", vocabulary) == ("1012", "f1012")
    assert code_said_as_number("what's a 5104", vocabulary) == ("5104", "f5104")
    # Quantities, and numbers the words do not call a code (a model: "the 650"), are not.
    assert code_said_as_number("fault light came on at 1500 rpm", vocabulary) == ("", "")
    assert code_said_as_number("alarm after 1012 hours", vocabulary) == ("", "")
    assert code_said_as_number("how much does the 650 weigh", vocabulary) == ("", "")
    assert code_said_as_number("fault 3300", vocabulary) == ("", "")  # no such code


def test_ordinals_are_words_as_they_are_said() -> None:
    from edge.knowledge.limit_match import words
    from edge.knowledge.terms import keywords

    assert keywords("2nd-stage discharge, 1st stage") == ["second", "stage", "discharge", "first"]
    assert words("second stage discharge") <= words("2nd-stage discharge temperature")


def test_a_code_said_by_its_number_is_the_one_the_machine_s_manual_prints() -> None:
    from edge.knowledge.terms import code_said_as_number

    vocabulary = frozenset({"f4120", "dtc4120", "e117"})
    question = "i got a 4120 on the display"
    assert code_said_as_number(question, vocabulary) == ("", "")  # two manuals print one
    here = code_said_as_number(question, vocabulary, lambda found: [c for c in found if "dtc" in c])
    assert here == ("4120", "dtc4120")


def test_where_a_flow_is_read_is_said_as_its_inlet_or_outlet() -> None:
    assert "inlet" in words("HT water temperature going into the engine is 76")
    assert "outlet" in words("air coming off the aftercooler is 135 f")
    assert "outlet" in words("jacket water coming out of the engine at 220")
    assert "driv" not in words("non-drive end bearing is at 80 degrees")


def test_the_doer_and_the_doing_share_a_stem_and_short_words_keep_their_ending() -> None:
    assert stem("injector") == stem("injection") == "inject"
    assert stem("lubrication") == stem("lubricate")
    assert [stem(w) for w in ("motor", "sensor", "section", "floor")] == [
        "motor", "sensor", "section", "floor"
    ]  # fmt: skip
