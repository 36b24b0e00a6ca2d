"""Limits however a manual writes them, unit conversions, and matching spoken readings to them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from edge.events import SourceRef
from edge.knowledge import describe_all
from edge.knowledge.limit_match import best, codes, decades_off, describe, rank, said, with_unit
from edge.knowledge.limit_prose import prose_limits
from edge.knowledge.limit_text import Bounds, nominal_with_tolerance, parse_bounds
from edge.knowledge.limits import assess, extract_limits, merge_bounds
from edge.knowledge.records import Component, Limit
from edge.knowledge.units import convert, normalize_unit

pytestmark = pytest.mark.unit

SOURCE = SourceRef("Manual", "3 Technical data > 3.4 Operating limits", 4)


@pytest.mark.parametrize(
    ("written", "low", "high", "unit"),
    [
        ("7.5–9.0 bar", 7.5, 9.0, "bar"),
        ("+1 to +45 °C (34 to 113 °F)", 1, 45, "°C"),
        ("−10 to +40 °C", -10, 40, "°C"),
        ("1750–2950 rpm", 1750, 2950, "rpm"),
        ("between 6 and 8 millimetres", 6, 8, "mm"),
        ("must be within 414 to 506 V", 414, 506, "V"),
        ("100 to 160 F", 100, 160, "°F"),
        ("up to 138 A", None, 138, "A"),
        ("max. 75 °C", None, 75, "°C"),
        ("max. 2 bar (29 psi)", None, 2, "bar"),
        ("200 F max.", None, 200, "°F"),
        ("228 A max. (RLA)", None, 228, "A"),
        ("1.5 mils pk-pk max.", None, 1.5, "mil"),
        ("must not exceed 4.5 mm/s", None, 4.5, "mm/s"),
        ("must not exceed 10 drops per minute", None, 10, "drops/min"),
        ("when the clearance reaches 0.90 mm", None, 0.9, "mm"),
        ("at or below 90 °C", None, 90, "°C"),
        ("max. 10", None, 10, ""),
        ("min. 0.8 bar abs", 0.8, None, "bar"),
        ("not below 0.8 bar(g) (11.6 psig)", 0.8, None, "bar"),
        ("not below 41.8 V", 41.8, None, "V"),
        ("must not be less than 100 megohms", 100, None, "MOhm"),
        ("shall not fall below 1 MΩ", 1, None, "MOhm"),
        ("at least 12.5 V", 12.5, None, "V"),
        ("min. 6 K at full fan speed", 6, None, "K"),
        ("113–139 N·m", 113, 139, "N·m"),
        ("250 ± 10 N·m", 240, 260, "N·m"),
        ("130 ± 5 bar", 125, 135, "bar"),
        ("0.30 mm (± 0.05 mm)", 0.25, 0.35, "mm"),
        ("shall not rise above 90 °C (194 °F)", None, 90, "°C"),
        ("must not lower by more than 100 mm (3.9 in)", None, 100, "mm"),
        ("1,150–6,200 rpm", 1150, 6200, "rpm"),  # thousands commas
        ("max. 2,5 bar", None, 2.5, "bar"),  # a decimal comma
        ("max. 0,125 mm", None, 0.125, "mm"),
        # both bounds stated apart: "max." belongs to the second value, not the first
        ("min. 84 kN, max. 100 kN", 84, 100, "kN"),
        ("max. 6, min. 2 bar", 2, 6, "bar"),
        ("at least 3 mm, at most 5 mm", 3, 5, "mm"),
        ("max. 2 bar, 29 psi", None, 2, "bar"),  # a repeat in another unit is no bound
        ("min. 16 mm / max. 26 mm", 16, 26, "mm"),  # a mark between the bounds is no unit
        ("must never exceed 35 °C (95 °F)", None, 35, "°C"),
        ("must never be below 10 °C", 10, None, "°C"),
        ("max. 45 µΩ", None, 45, "µΩ"),
        ("must not be less than 1 GΩ (1,000 MΩ)", 1, None, "GΩ"),
        ("max. 10 pC", None, 10, "pC"),
        ("2.27 ± 0.02 V/cell", 2.25, 2.29, "V/cell"),
        ("35–50 ms", 35, 50, "ms"),
        ("max. 12 s", None, 12, "s"),
        # a tolerance each way: a safety valve may lift up to 3 % over its set pressure, not under
        ("11.5 bar +3 %/-0 %", 11.5, 11.845, "bar"),
        ("25 +0.5/-0.2 mm", 24.8, 25.5, "mm"),
    ],
)
def test_every_written_form_of_a_limit(
    written: str, low: float | None, high: float | None, unit: str
) -> None:
    bounds = parse_bounds(written)
    assert bounds is not None
    assert (bounds.minimum, bounds.maximum, bounds.unit) == (low, high, unit)
    assert bounds.text == written


def test_what_is_not_a_limit() -> None:
    assert parse_bounds("between MIN and MAX marks") is None
    assert parse_bounds("4.0 bar (58 psi)") is None  # a bare value: which bound?
    assert parse_bounds("4.0 bar (58 psi)", bound="min").minimum == 4.0
    assert parse_bounds("24 cells, 620 Ah") is None
    # part numbers, model names, grades, firing orders, references and minutes are no limits
    for text in (
        "KCS-026-1180",
        "MPS 6120-0417",
        "DG-400 sets with MP-6L12T",
        "SAE 80W-90",
        "1-5-3-6-2-4",
        "See 9.1 and 9.2",
        "1500 min⁻¹",
        "15 min",
        "12-1/8 solid",
    ):
        assert parse_bounds(text) is None, text
    not_more = parse_bounds("must not be used for more than 200 hours per year")
    assert not_more is not None and not_more.maximum == 200


def test_a_nominal_value_with_a_tolerance_in_percent_or_units() -> None:
    freq = nominal_with_tolerance("50 Hz", "± 0.25 %")
    assert freq is not None and (freq.minimum, freq.maximum, freq.unit) == (49.875, 50.125, "Hz")
    volts = nominal_with_tolerance("27.6 V", "± 0.4 V")
    assert volts is not None and (volts.minimum, volts.maximum) == (27.2, 28.0)


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (200, "°F", "°C", 93.333),
        (98, "°C", "°F", 208.4),
        (100, "psi", "bar", 6.895),
        (12, "bar", "psi", 174.045),
        (2800, "psi", "bar", 193.053),
        (350, "kPa", "bar", 3.5),
        (1, "in", "mm", 25.4),
        (4, "mil", "mm", 0.1016),
        (100, "lbf·ft", "N·m", 135.582),
        (30, "inH2O", "kPa", 7.473),
        (300, "gpm", "m³/h", 68.137),
        (6000, "cfm", "m³/h", 10194.065),
        (4, "°C", "K", 4.0),  # a kelvin limit is a difference ("6 K drop")
        (9, "°F", "K", 5.0),
    ],
)
def test_unit_conversions(value: float, unit: str, target: str, expected: float) -> None:
    assert convert(value, unit, target) == pytest.approx(expected, abs=1e-3)


def test_spoken_units_of_every_kind() -> None:
    said_units = {
        "thou": "mil",
        "mils": "mil",
        "psig": "psi",
        "bar(g)": "bar",
        "cubic metres an hour": "m³/h",
        "cubes an hour": "m³/h",
        "inches of water": "inH2O",
        "specific gravity": "SG",
        "megohm": "MOhm",
        "millibar": "mbar",
        "min⁻¹": "rpm",
        "lbf-ft": "lbf·ft",
        "in. w.c.": "inH2O",  # inches of water column, as US gas-train manuals print it
        "inches water column": "inH2O",
        "cubic feet per minute": "cfm",
        "AWG": "AWG",
        # A switchgear's: main-circuit resistance, insulation, partial discharge, the battery.
        "micro-ohms": "µΩ",
        "gig-ohms": "GΩ",
        "kilo-ohms": "kΩ",
        "pico-coulombs": "pC",
        "volts per cell": "V/cell",
        "milliseconds": "ms",
        "seconds": "s",
    }
    assert {k: normalize_unit(k) for k in said_units} == said_units
    assert normalize_unit("S") is None  # siemens, or a code's letter ("49S"); seconds are "s"
    assert convert(600, "MOhm", "GΩ") == pytest.approx(0.6)
    assert convert(52, "ms", "s") == pytest.approx(0.052)
    assert convert(5, "bar", "°C") is None
    assert convert(14, "AWG", "mm") is None  # a wire size is no length


def test_a_limits_table_keyed_by_ids_from_another_table() -> None:
    rows = (
        ("ID", "Parameter", "Permissible value"),
        ("T1", "Fluid temperature", "+10 to +65 °C"),
        ("T1", "Fluid level", "between MIN and MAX marks"),
        ("P1", "Case drain pressure", "max. 2 bar (29 psi)"),
        ("M1", "Current at full load", "up to 55 A"),
        ("A1", "Precharge pressure at 20 °C", "130 ± 5 bar"),
        ("XX", "Not a known component", "max. 1 bar"),
    )
    found = extract_limits(rows, section_component=None, known_components={"T1", "P1", "M1", "A1"},
                           source=SOURCE, context="Table 5 – Operating limits")  # fmt: skip
    assert [(x.component_id, x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("T1", "Fluid temperature", 10, 65, "°C"),
        ("P1", "Case drain pressure", None, 2, "bar"),
        ("M1", "Current at full load", None, 55, "A"),
        ("A1", "Precharge pressure at 20 °C", 125, 135, "bar"),
    ]
    assert found[1].text == "max. 2 bar (29 psi)" and found[1].context.startswith("Table 5")


def test_minimum_maximum_columns_model_columns_and_bounds_named_in_rows() -> None:
    minmax = (
        ("PARAMETER", "MINIMUM", "MAXIMUM"),
        ("Leaving chilled water temperature", "40 F (4.4 C)", "60 F (15.6 C)"),
        ("Water-side working pressure", "--", "150 psig"),
    )
    found = extract_limits(minmax, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.minimum, x.maximum, x.unit) for x in found] == [(40, 60, "°F"), (None, 150, "psi")]
    models = (
        ("Item", "VT 55", "VT 75"),
        ("Motor current at full load", "up to 98 A", "up to 132 A"),
    )
    found = extract_limits(models, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.maximum) for x in found] == [
        ("Motor current at full load (VT 55)", 98),
        ("Motor current at full load (VT 75)", 132),
    ]
    # A normal band beside the limit: the limit is what a reading is judged against.
    normal = (
        ("ID", "Parameter", "Normal range", "Limit"),
        ("TU-101", "Take-up tension (load cell)", "88–96 kN", "min. 84 kN, max. 100 kN"),
    )
    found = extract_limits(normal, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.minimum, x.maximum) for x in found] == [
        ("Take-up tension (load cell)", 84, 100)
    ]
    named = (
        ("Parameter", "Limit"),
        ("Minimum working pressure", "4.0 bar (58 psi)"),
        ("Maximum working pressure", "8.0 bar (116 psi)"),
    )
    rows = extract_limits(named, section_component=None, known_components=set(), source=SOURCE)
    (merged,) = merge_bounds(rows)
    assert (merged.parameter, merged.minimum, merged.maximum) == ("Working pressure", 4.0, 8.0)


def test_limits_written_in_sentences() -> None:
    text = (
        "The distance between the two coupling hubs must be between 3 and 4 millimetres. "
        "The elastomer spider must be replaced if it is cracked. "
        "The condenser approach is the difference between two temperatures. "
        "At full load it must not exceed 4 F.\n"
        "The insulation resistance must not be less than 100 megohms. "
        "Replace the wear rings when the clearance reaches 0.90 mm. "
        "The clearance is 0.35–0.45 mm when new."
    )
    found = prose_limits(text, component="M1", source=SOURCE, context="6.6 Checks")
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Distance between the two coupling hubs", 3, 4, "mm"),
        ("Condenser approach", None, 4, "°F"),
        ("Insulation resistance", 100, None, "MOhm"),
        ("Clearance", None, 0.9, "mm"),
    ]
    assert found[-1].action == "Replace the wear rings when the clearance reaches 0.90 mm."
    assert "wear rings" in found[-1].context and found[0].component_id == "M1"
    # A part worn down to what must remain; two limits in one sentence ("that is when ...").
    worn = prose_limits(
        "The brake linings must be replaced when they are worn to 1.5 mm above the rivet heads. "
        "Replace both chains when the elongation exceeds 2 %, that is when 20 links measure more "
        "than 323.9 mm (12.75 in).",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in worn] == [
        ("Brake linings", 1.5, None, "mm"),
        ("Elongation", None, 2, "%"),
        ("20 links", None, 323.9, "mm"),
    ]
    # "values up to ... are acceptable" at another place, of the quantity the sentence before set
    accepted = prose_limits(
        "The vibration velocity at the motor bearings must not exceed 3.5 mm/s. "
        "At the compression element, values up to 4.5 mm/s are acceptable.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.maximum) for x in accepted] == [
        ("Vibration velocity at the motor bearings", 3.5),
        ("Vibration velocity at the compression element", 4.5),
    ]
    # Any verb after must/shall/should, when a bound follows it.
    verbs = prose_limits(
        "The switch must trip at a cord pull of no more than 125 N (28 lbf). "
        "The gearbox oil temperature shall not rise above 90 °C (194 °F). "
        "The bolts must be replaced every 2000 h.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in verbs] == [
        ("Switch", None, 125, "N"),
        ("Gearbox oil temperature", None, 90, "°C"),
    ]
    # "Not to exceed", as US and technical-order manuals write it, in capitals too.
    not_to = prose_limits(
        "With the unit at steady load the lead pump loading time is NOT TO EXCEED 30 PERCENT "
        "of the cycle.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.maximum, x.unit) for x in not_to] == [
        ("Lead pump loading time", 30, "%")
    ]
    # A band the quantity normally keeps, or a value with its tolerance, without a modal verb;
    # not a single figure, and not what a part is designed to.
    stated = prose_limits(
        "The sump oil temperature (26QG) is normally 25 TO 45 DEG C and alarms at 55 DEG C. "
        "The full gate closing time is 9.0 +/- 0.5 S. The supply is 230 V. "
        "The design radial clearance of each seal is 0.80 +/- 0.10 MM.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in stated] == [
        ("Sump oil temperature (26QG)", 25, 45, "°C"),
        ("Full gate closing time", 8.5, 9.5, "s"),
    ]
    # Fractions of an inch, the metric repeat in square brackets.
    inches = parse_bounds("3/4 in to 1-1/2 in [19–38 mm]")
    assert inches is not None and (inches.minimum, inches.maximum, inches.unit) == (0.75, 1.5, "in")
    to_exceed = parse_bounds("NOT TO EXCEED 0.10 MM (0.004 IN.)")
    assert to_exceed is not None and (to_exceed.minimum, to_exceed.maximum) == (None, 0.1)
    # Sizes of a new part beside the limit; an aside set off by commas, with "1,000" in it;
    # "thinner than" is a minimum.
    asides = prose_limits(
        "The brake disc is 40 mm thick when new and must not be thinner than 37 mm. "
        "Insulation resistance: measured at 1,000 V DC for 1 minute, the stator insulation "
        "resistance must not be less than 20 MΩ. The rotor insulation resistance, measured at "
        "500 V DC, must not be less than 5 MΩ.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in asides] == [
        ("Brake disc", 37, None, "mm"),
        ("Stator insulation resistance", 20, None, "MOhm"),
        ("Rotor insulation resistance", 5, None, "MOhm"),
    ]


def _limit(component: str, parameter: str, unit: str, high: float, context: str = "") -> Limit:
    return Limit(component, parameter, unit, None, high, "", str(high), SOURCE, context=context)


NAMES = {
    "M1": ("Main drive motor",),
    "P1": ("Main pump",),
    "TT-101A": ("Pump bearing temperature, thrust bearing",),
    "C1": ("Screw compressor and motor",),
}
LIMITS = [
    _limit("M1", "Current at full load", "A", 55),
    _limit("M1", "Bearing temperature", "°C", 90),
    _limit("P1", "Case drain temperature", "°C", 75),
    _limit("", "Pump thrust bearing temperature", "°C", 85),
    _limit("", "Leaving chilled water temperature (water)", "°F", 60),
    _limit("", "Leaving chilled water temp. (with glycol)", "°F", 60),
    _limit("C1", "Motor current", "A", 228),
]
DESCRIBED = [describe(x, NAMES) for x in LIMITS]


def _top(transcript: str, unit: str | None) -> list[str]:
    ranked = rank(said(transcript, NAMES), DESCRIBED, unit)
    return [c.limit.parameter for c in best(ranked)]


def test_readings_find_their_limit_by_words_ids_and_unit() -> None:
    # part of the component's name
    assert _top("the main motor is pulling 61 amps at full load", "A") == ["Current at full load"]
    # an ID said aloud brings its component's name along
    assert _top("TT-101A showing 92 degrees", "°C") == ["Pump thrust bearing temperature"]
    # "no glycol" counts against the glycol limit
    assert _top("leaving chilled water is 38 degrees and there is no glycol", "°C") == [
        "Leaving chilled water temperature (water)"
    ]
    # the unit keeps only limits of its dimension: a temperature never matches a current
    assert _top("main pump case drain is 82 degrees", "°C") == ["Case drain temperature"]
    assert "Motor current" not in _top("motor is hot, 95 degrees", "°C")


def test_a_true_tie_is_left_for_a_question() -> None:
    assert len(_top("the motor bearing temperature is 95", None)) == 1
    tied = _top("temperature is 95 degrees", "°C")
    assert len(tied) > 1


def test_readings_are_assessed_in_either_unit() -> None:
    sump = Limit("GBX", "Oil sump temperature", "°C", 10, 85, "10", "85", SOURCE)
    assert assess(sump, 92, "°C").verdict == "above"
    assert assess(sump, 5, "°C").verdict == "below"
    assert assess(sump, 185, "°F").verdict == "within"  # 85 °C
    assert assess(sump, 3, "bar") is None


def test_a_reading_is_about_the_machine_whose_ids_and_words_it_uses() -> None:
    pump = SourceRef("Pump skid manual", "3.3 Operating limits", 2)
    chiller = SourceRef("Chiller manual", "8.3 Safety trips", 9)
    limits = [
        Limit(
            "", "Suction pressure", "bar", 0.8, None, "0.8", "", pump, context="Operating limits"
        ),
        Limit("", "Suction pressure at PT1", "psi", 26, None, "26", "", chiller),
        Limit("M1", "Current at full load", "A", None, 55, "", "55", pump),
        Limit("M1", "Current at full load", "A", None, 210, "", "210", chiller),
    ]
    documents = {
        "Pump skid manual": ([Component("M1", "Main drive motor")], ["suction header skid"]),
        "Chiller manual": ([Component("M1", "Traction motor")], ["compressor PT1 chilled"]),
    }
    described = describe_all(limits, {}, documents)
    # the unit said and an operating-limits table break a tie of words
    top = best(
        rank(with_unit(said("suction pressure is down to 0.5 bar", {}), "bar"), described, "bar")
    )
    assert [c.limit.source for c in top] == [pump]
    # "M1" is another motor in each manual: its name, as each manual prints it, decides
    said_names = said("the traction motor is pulling 250 amps", {})
    top = best(rank(with_unit(said_names, "A"), described, "A"))
    assert [c.limit.maximum for c in top] == [210]
    # "to 0.5" is no code
    assert codes("suction pressure is down to 0.5 bar") == set()
    assert codes("TT-101A showing 92, tt11 and VT 75") == {"tt101a", "tt11", "vt75"}


def test_the_quantity_a_unit_implies_names_no_part() -> None:
    # "bar" implies a pressure; it must not make "oil filter differential" name the "Pressure
    # filter" of another manual, whose limit would then win on the named bonus.
    limits = [
        _limit("F1", "Differential pressure", "bar", 5.0),
        _limit("", "Oil filter pressure drop", "bar", 1.5),
    ]
    described = [describe(x, {"F1": ("Pressure filter",)}) for x in limits]
    reading = with_unit(said("oil filter differential is 0.6 bar", {}), "bar")
    assert [c.limit.maximum for c in best(rank(reading, described, "bar"))] == [1.5]


def test_a_reading_far_off_a_limits_scale_is_not_about_it() -> None:
    # 391 V line to line: the generator's 400 V, not the battery charger's 27.6 V.
    limits = [
        _limit("", "Voltage (L-L)", "V", 404),
        _limit("", "Battery charging voltage", "V", 28),
    ]
    described = [describe(x, {}) for x in limits]
    reading = with_unit(said("output is sitting at 391 volts, voltage steady", {}), "V")
    assert [c.limit.parameter for c in best(rank(reading, described, "V", value=391))] == [
        "Voltage (L-L)"
    ]
    # Without the value the two tie on words; a temperature's scale says nothing (offsets).
    assert len(best(rank(reading, described, "V"))) == 2
    hot = _limit("", "Oil temperature", "°C", 85)
    assert decades_off(hot, 900, "°F") == 0.0
    assert decades_off(limits[1], 391, "V") > 0.5 and decades_off(limits[0], 391, "V") == 0.0


def test_a_reading_that_names_its_machine_is_about_that_machines_limits() -> None:
    skid = SourceRef("Pump skid manual", "3.3 Operating limits", 2)
    chiller = SourceRef("Chiller manual", "4.2 Limits", 5)
    limits = [
        Limit("", "Liquid temperature", "°C", 2, 60, "2", "60", skid),
        Limit("", "Entering temperature", "°F", 40, 95, "40", "95", chiller),
    ]
    described = describe_all(limits, {}, {})
    reading = with_unit(said("the temperature is 34 Fahrenheit", {}), "°F")
    # Only the unit said (°F, the chiller manual's) tells them apart ...
    assert [c.limit.source for c in best(rank(reading, described, "°F"))] == [chiller]
    on_skid = replace(reading, machines=frozenset({"Pump skid manual"}))
    top = best(rank(on_skid, described, "°F"))  # ... until the skid is named
    assert [c.limit.source for c in top] == [skid]


def test_the_thresholds_of_fault_and_troubleshooting_tables_are_limits() -> None:
    # The other side of the fault's threshold is where the machine should be.
    codes_table = [
        ["Code", "Message", "Cause", "Action"],
        ["E02", "Fluid temperature high", "T4 reads above 65 °C", "Check cooler and fan"],
        ["E07", "Pressure not reached", "P7 below 180 bar 10 s after start", "See 9.2"],
        ["E15", "Transducer fault", "P7 signal below 3.8 mA or above 20.5 mA", "Check cable"],
        ["W30", "Filter pre-alarm", "F1 at 75 % of limit", "Order element"],
        ["E20", "Fan fault", "Motor protection of M3 tripped", "Check fan"],
    ]
    found = extract_limits(
        codes_table, section_component=None, known_components={"T4", "P7", "M3"}, source=SOURCE
    )
    by_parameter = {(x.component_id, x.parameter): x for x in found}
    assert set(by_parameter) == {("T4", "Fluid temperature"), ("P7", "P7 signal")}
    hot = by_parameter["T4", "Fluid temperature"]
    assert (hot.minimum, hot.maximum, hot.unit, hot.action) == (
        None,
        65,
        "°C",
        "Check cooler and fan",
    )
    signal = by_parameter["P7", "P7 signal"]
    assert (signal.minimum, signal.maximum, signal.unit) == (3.8, 20.5, "mA")
    checks = [
        ["Possible cause", "Check", "Remedy"],
        ["Pump worn", "Case drain flow above 6 L/min", "Overhaul or replace the pump"],
        ["Strainer clogged", "Inlet pressure below 0.8 bar abs", "Clean the strainer"],
        ["Compensator set too low", "Setting vs. 210 bar", "Readjust"],
        ["Dirt in the system", "Flow/return difference greater than 30 K (54 °F)", "Flush"],
    ]
    found = extract_limits(checks, section_component="P1", known_components=set(), source=SOURCE)
    assert [(x.parameter, x.minimum, x.maximum, x.unit, x.action) for x in found] == [
        ("Case drain flow", None, 6, "L/min", "Overhaul or replace the pump"),
        ("Inlet pressure", 0.8, None, "bar", "Clean the strainer"),
        ("Flow/return difference", None, 30, "K", "Flush"),  # in other units too, in brackets
    ]


def test_the_thresholds_of_a_fault_code_list_printed_as_paragraphs_are_limits() -> None:
    from edge.knowledge.limit_conditions import listed_condition_limits

    listed = (
        "E11: Drive overspeed: car speed above 110 % of rated speed. Emergency stop.\n"
        "E18: Brake coil over-temperature: brake coil temperature above 100 °C (212 °F). The car"
        " stops at the landing. Let the coil cool down.\n"
        "E25 - Current imbalance: difference between phase currents above 10 % during"
        " constant-speed travel. Check the FC1 output stage.\n"
        "Reset a locked fault in menu 2-4 after the cause is cleared."
    )
    found = listed_condition_limits(
        listed, known_components={"FC1"}, section_component="K1", source=SOURCE
    )
    assert [(x.component_id, x.parameter, x.maximum, x.unit, x.action) for x in found] == [
        ("K1", "brake coil temperature", 100, "°C",
         "The car stops at the landing. Let the coil cool down."),
        ("K1", "difference between phase currents during constant-speed travel", 10, "%",
         "Check the FC1 output stage."),
    ]  # fmt: skip


def test_a_tag_brings_its_name_along_but_that_name_names_no_other_part() -> None:
    # "B3 says the winding's at 290 F": B3 is a motor temperature sensor here; its words must
    # not make another manual's B2 "Temperature sensor" the part the technician named.
    hpu = SourceRef("Power unit manual", "8.1 Fault codes", 30)
    truck = SourceRef("Truck manual", "4.2 Limits", 5)
    limits = [
        Limit("B2", "Fluid temperature", "°C", None, 65, "", "65", hpu),
        Limit("", "Traction motor temperature", "°C", None, 150, "", "150", truck),
    ]
    documents = {
        "Power unit manual": ([Component("B2", "Temperature sensor")], ["tank B2"]),
        "Truck manual": ([Component("B3", "Motor temperature sensor")], ["traction B3"]),
    }
    described = describe_all(limits, {"B3": ("Motor temperature sensor",)}, documents)
    reading = said("B3 says the winding's at 290 Fahrenheit", {"B3": ("Motor temperature sensor",)})
    top = best(rank(with_unit(reading, "°F"), described, "°F"))
    assert [c.limit.parameter for c in top] == ["Traction motor temperature"]


def test_the_normal_band_judges_beside_the_machines_own_alarm_and_trip_points() -> None:
    # An "Alarm" column does not make a table of parameters a fault-code table, and its "> 770 V"
    # is the fault's side, not a minimum: the normal band is the limit.
    rows = [
        ["Parameter", "Normal", "Alarm", "Trip"],
        ["DC link voltage", "720–760 V", "> 770 V (W-15)", "> 780 V (E-104)"],
        ["Output load, any phase", "≤ 100 %", "> 100 % (W-10)", "> 110 % for 10 min"],
    ]
    found = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("DC link voltage", 720, 760, "V"),
        ("Output load, any phase", None, 100, "%"),
    ]
    # The machine's own points are kept: a reading past one is told so.
    assert [(t.name, t.side, t.value) for t in found[0].thresholds] == [
        ("alarm", "above", 770),
        ("trip", "above", 780),
    ]
    assert assess(found[0], 775, "V").passed == found[0].thresholds[0]
    assert assess(found[0], 785, "V").passed == found[0].thresholds[1]
    assert assess(found[0], 765, "V").passed is None


def test_alarm_and_shutdown_points_below_the_band_and_in_bare_cells() -> None:
    rows = [
        ["ID", "Parameter", "Unit", "Normal operation", "Alarm", "Shutdown"],
        ["GB1", "Oil pressure at the bearing manifold", "bar", "1.2–3.5", "below 0.8", "below 0.5"],
        ["MB1", "Bearing temperature, outer ring", "°C", "35–65", "80", "90"],
    ]
    found = extract_limits(
        rows, section_component=None, known_components={"GB1", "MB1"}, source=SOURCE
    )
    assert [(t.name, t.side, t.value) for t in found[0].thresholds] == [
        ("alarm", "below", 0.8),
        ("shutdown", "below", 0.5),
    ]
    assert [(t.name, t.side, t.value) for t in found[1].thresholds] == [
        ("alarm", "above", 80),
        ("shutdown", "above", 90),
    ]


def test_instrument_alarm_letters_and_the_columns_where_the_machine_protects_itself() -> None:
    # "H 85 A" and "L 26 / H 37.5" are an instrument's high and low limits; a "Stop" or
    # "Cut-back" column holds the points where the machine protects itself, beside the normal
    # band that judges a reading. Pump B's limit carries pump B's tag, not pump A's.
    assert parse_bounds("H 85 A") == Bounds(None, 85.0, "A", "", "85", "H 85 A")
    both = parse_bounds("H 37.5 bar (544 psi) / L 26.0 bar (377 psi)")
    assert both is not None and (both.minimum, both.maximum, both.unit) == (26.0, 37.5, "bar")
    rows = [
        ["Tag", "Parameter", "Normal", "Alarm", "Stop"],
        ["PS2", "Oil pressure, oil warm [bar]", "2.0–3.5", "L 1.2", "L 0.8"],
    ]
    [oil] = extract_limits(rows, section_component=None, known_components={"PS2"}, source=SOURCE)
    assert (oil.minimum, oil.maximum) == (2.0, 3.5)
    assert [(t.name, t.side, t.value) for t in oil.thresholds] == [
        ("alarm", "below", 1.2),
        ("stop", "below", 0.8),
    ]
    by_tag = [
        ["Tag", "Unit", "Normal", "Alarm", "Trip"],
        ["TT-101A/B/C", "°C", "45–75", "H 85", "H 95"],
    ]
    known = {"TT-101A", "TT-101B", "TT-101C"}
    found = extract_limits(by_tag, section_component=None, known_components=known, source=SOURCE)
    assert [(x.component_id, x.codes) for x in found] == [
        ("TT-101A", ("TT-101A",)),
        ("TT-101B", ()),
        ("TT-101C", ()),
    ]


def test_columns_of_diameters_new_and_worn() -> None:
    rows = [
        ["Wheel", "Material", "Ø new [mm]", "Ø wear limit [mm]"],
        ["Support (castor) wheel", "Polyurethane", "180", "168"],
    ]
    [castor] = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert (castor.parameter, castor.minimum, castor.unit) == ("Support (castor) wheel", 168, "mm")


def test_an_id_range_keys_a_limit_to_every_id_in_it() -> None:
    from edge.knowledge.components import id_list, table_components

    assert id_list("FAN1–FAN4") == ["FAN1", "FAN2", "FAN3", "FAN4"]
    assert id_list("TT-101") == ["TT-101"]  # a tag with a hyphen is no range
    assert id_list("TT-101A/B/C") == ["TT-101A", "TT-101B", "TT-101C"]  # one per pump
    parts = table_components([["ID", "Component"], ["FAN1–FAN4", "Cooling fans, 48 V DC"]])
    assert [c.id for c in parts] == ["FAN1", "FAN2", "FAN3", "FAN4"]
    rows = [["ID", "Parameter", "Limit"], ["FAN1–FAN4", "Speed at full command", "2400–2900 min⁻¹"]]
    found = extract_limits(
        rows, section_component=None, known_components={c.id for c in parts}, source=SOURCE
    )
    assert [(x.component_id, x.minimum, x.maximum) for x in found] == [
        (f"FAN{n}", 2400, 2900) for n in range(1, 5)
    ]


def test_bounds_per_model_in_one_cell_are_one_limit_per_model() -> None:
    rows = [
        ["Parameter", "Limit"],
        ["Running current, travelling up", "max. 16 A (TX-9/630); max. 26 A (TX-9/1000)"],
        ["Oil temperature", "max. 75 °C (167 °F)"],
    ]
    found = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.maximum) for x in found] == [
        ("Running current, travelling up (TX-9/630)", 16),
        ("Running current, travelling up (TX-9/1000)", 26),
        ("Oil temperature", 75),
    ]


@pytest.mark.parametrize(
    "name, spoken",
    [
        ("Main bearing, spherical roller bearing with lubrication unit AL1", "main bearing"),
        ("Rotor (hub with blades); speed measured by two sensors", "rotor"),
        ("Gas valve with 1:1 air/gas ratio", "gas valve"),
        ("HPU filter – return line", "HPU filter"),
        ("Doubly-fed generator", "doubly-fed generator"),
        ("Yaw brake calipers", "yaw brake calipers"),
    ],
)
def test_a_component_is_said_by_its_head_without_its_description(name: str, spoken: str) -> None:
    from edge.knowledge.components import spoken_name

    assert spoken_name(name) == spoken


def test_codes_printed_with_a_limit_name_it_for_a_reading() -> None:
    # The test point in the row, the terminal in the sentence: "clamp pressure on MP7" is the
    # tool clamping's 95-105 bar, not the pressure switch's 80-90 bar whose words fit as well.
    rows = [
        ["Circuit", "Test point", "Min. (bar)", "Nominal (bar)", "Max. (bar)", "Set at"],
        ["Tool clamping, upper beam", "MP7", "95", "100", "105", "V31"],
    ]
    (clamping,) = extract_limits(
        rows, section_component=None, known_components=set(), source=SOURCE
    )
    assert clamping.codes == ("MP7", "V31")
    (x2,) = prose_limits(
        "The control voltage is checked at terminal X2 and must be between 21.6 and 26.4 V.",
        component=None,
        source=SOURCE,
    )
    assert x2.codes == ("X2",)
    switch = Limit("S31", "Clamping pressure switch, pressure rising", "bar", 80, 90, "80", "90")
    described = [describe(switch, {"S31": ("Pressure switch",)}), describe(clamping, {})]
    reading = with_unit(said("clamp pressure on MP7 is 101 bar", {}), "bar")
    assert rank(reading, described, "bar", value=101)[0].limit is clamping


def test_a_table_of_warning_and_alarm_points_limits_at_its_first_point() -> None:
    rows = [
        ["Measuring point", "Quantity, band", "Warning", "Alarm"],
        ["MB1, radial", "velocity, 10–1,000 Hz", "1.8 mm/s (0.07 in/s)", "3.0 mm/s (0.12 in/s)"],
        ["GEN1, DE and NDE bearings", "velocity, 10–5,000 Hz", "5.5 mm/s", "9.0 mm/s"],
    ]
    found = extract_limits(
        rows, section_component=None, known_components={"MB1", "GEN1"}, source=SOURCE
    )
    assert [(x.component_id, x.parameter, x.maximum, x.unit) for x in found] == [
        ("MB1", "radial, velocity, 10–1,000 Hz", 1.8, "mm/s"),
        ("GEN1", "DE and NDE bearings, velocity, 10–5,000 Hz", 5.5, "mm/s"),
    ]
    assert [(t.name, t.value) for t in found[1].thresholds] == [("warning", 5.5), ("alarm", 9.0)]
    assert assess(found[1], 10.2, "mm/s").passed == found[1].thresholds[1]


def test_a_fault_lists_trip_point_yields_to_the_manuals_limit_for_the_same_thing() -> None:
    from edge.knowledge.limits import document_limits
    from edge.knowledge.records import Chunk

    table = Chunk(
        "table",
        ("4 Operating limits",),
        "",
        rows=(("Tag", "Parameter", "Max. (°C)"), ("M1", "Winding temperature", "110")),
    )
    faults = Chunk(
        "text",
        ("11 Fault codes",),
        "E18: Brake coil over-temperature: brake coil temperature above 100 °C. Let it cool.\n"
        "E21: Motor over-temperature: motor winding temperature above 130 °C. It parks.",
    )
    found = document_limits([table, faults], ["", ""], {}, title="TX-9", known={"M1"})
    assert sorted((x.parameter, x.maximum) for x in found) == [
        ("Winding temperature", 110),
        ("brake coil temperature", 100),  # no other limit measures it: the fault's threshold
    ]


def test_a_fault_tables_condition_yields_to_the_operating_limits_of_the_same_thing() -> None:
    # "W-11 | FROST | ambient temperature below +3 °C" is where the controller warns; a room
    # at 43 °C must be judged by the operating limits, not found "above the 3 °C minimum".
    from edge.knowledge.limits import document_limits
    from edge.knowledge.records import Chunk

    limits = Chunk(
        "table",
        ("5 Operating limits",),
        "",
        rows=(
            ("Parameter", "Min.", "Max."),
            ("Ambient temperature in operation", "+5 °C", "+40 °C"),
        ),
    )
    codes = Chunk(
        "table",
        ("9 Warning codes",),
        "",
        rows=(
            ("Code", "Message", "Condition"),
            ("W-11", "FROST", "ambient temperature below +3 °C"),
            ("W-12", "OIL COLD", "oil temperature below +10 °C"),
        ),
    )
    found = document_limits([limits, codes], ["", ""], {}, title="RP-22", known=set())
    assert sorted((x.parameter, x.minimum) for x in found) == [
        ("Ambient temperature in operation", 5),
        ("oil temperature", 10),  # no other limit measures it: the code's threshold
    ]


def test_a_variants_own_table_names_its_limits_for_the_variant() -> None:
    # Docusaurus tabs: "Item | RP-22/10" then "Item | RP-22/13", one table per variant.
    tables = [
        (("Item", model), ("Block speed", speed)) for model, speed in
        (("RP-22/10", "920 rpm ± 2 %"), ("RP-22/13", "825 rpm ± 2 %"))
    ]  # fmt: skip
    found = [
        limit
        for rows in tables
        for limit in extract_limits(
            rows, section_component=None, known_components=set(), source=SOURCE
        )  # fmt: skip
    ]
    assert [(x.parameter, x.minimum) for x in found] == [
        ("Block speed (RP-22/10)", pytest.approx(901.6)),
        ("Block speed (RP-22/13)", pytest.approx(808.5)),
    ]
    plain = extract_limits(
        [("Item", "Value"), ("Block speed", "920 rpm ± 2 %")],
        section_component=None,
        known_components=set(),
        source=SOURCE,
    )
    assert [x.parameter for x in plain] == ["Block speed"]


def test_two_machines_manuals_printing_the_same_limit_each_keep_it(tmp_path: Path) -> None:
    # The same manual in two formats gives its limits twice and one is kept; two machines'
    # manuals that print the same limit are two limits, one for each machine.
    from edge.knowledge import Knowledge
    from tests.unit.test_fault_ingest_bounds import HashEmbedder

    body = "## 6 Motor\n\nThe insulation resistance must be not less than 10 MΩ.\n"
    paths = []
    for name in ("Conveyor BC-1", "Cooling tower CT-4"):
        path = tmp_path / f"{name.split()[-1]}.md"
        path.write_text(f"# {name} manual\n\n{body}")
        paths.append(path)
    knowledge = Knowledge.open(tmp_path / "k.db", HashEmbedder())
    try:
        knowledge.ingest(paths)
        documents = {
            d.limit.source.document
            for d in knowledge.described_limits()
            if d.limit.source is not None and d.limit.unit == "MOhm"
        }
        assert documents == {"Conveyor BC-1 manual", "Cooling tower CT-4 manual"}
    finally:
        knowledge.close()


def test_what_must_not_be_done_past_a_value_bounds_that_value() -> None:
    text = (
        "The drive must not be started with the gearbox oil below \u221215 °C (5 °F). "
        "Do not energise the transformer when the top-oil temperature is below \u221225 °C. "
        "Do not operate the crane when the wind speed is above 20 m/s."
    )
    found = prose_limits(text, component=None, source=SOURCE, context="4.3 Oil")
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Gearbox oil temperature when starting", -15, None, "°C"),
        ("Top-oil temperature when energising", -25, None, "°C"),
        ("Wind speed when operating", None, 20, "m/s"),
    ]
    # What is forbidden is when the limit holds: "gearbox oil is 2 degrees and we want to start
    # it" is that limit's reading, "gearbox oil is 2 degrees" the one the manual's table gives.
    table = Limit("", "Gearbox oil temperature", "°C", 55, 85, "55", "85", SOURCE)
    described = describe_all([table, found[0]], {}, {})

    def top(transcript: str) -> list[Limit]:
        return [c.limit for c in best(rank(with_unit(said(transcript, {}), "°C"), described, "°C"))]

    assert top("gearbox oil is 2 degrees and we want to start it") == [found[0]]
    assert top("gearbox oil is 2 degrees") == [table]


def test_a_quantity_named_before_a_colon_is_limited_by_the_value_after_it() -> None:
    text = (
        "Suction pressure, normal: 118–128 psig\n"
        "Manifold pressure, natural gas: high fire 3.5 ± 0.3 in. w.c.; "
        "low fire 1.8 ± 0.2 in. w.c.\n"
        "Nominal airflow: 6,000 cfm\n"  # a rating, no bound
        "Document: CV-SM-150, Revision D, March 2026\n"
    )
    found = prose_limits(text, component=None, source=SOURCE, context="3.1 Circuit data")
    assert [(f.parameter, f.minimum, f.maximum, f.unit) for f in found] == [
        ("Suction pressure, normal", 118, 128, "psi"),
        ("Manifold pressure, natural gas, high fire", 3.2, 3.8, "inH2O"),
        ("Manifold pressure, natural gas, low fire", 1.6, 2.0, "inH2O"),
    ]


def test_iec_designations_key_limits_with_what_their_row_applies_to() -> None:
    # IEC 81346 prints a device as "-Q0", a panel as "=H01"; a bracket says which model.
    rows = (
        ("ID", "Parameter", "Unit", "Normal", "Limit"),
        ("-Q0 (VB-24/630)", "Main circuit resistance per pole", "µΩ", "30–38", "max. 45"),
        ("-Q0 (VB-24/1250)", "Main circuit resistance per pole", "µΩ", "16–22", "max. 28"),
        ("-Q1", "Isolating contact engagement", "mm", "19–23", "min. 16 / max. 26"),
    )
    found = extract_limits(rows, section_component=None, known_components={"Q0", "Q1"},
                           source=SOURCE, context="Table 4. Component limits by ID")  # fmt: skip
    assert [(x.component_id, x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Q0", "Main circuit resistance per pole (VB-24/630)", None, 45, "µΩ"),
        ("Q0", "Main circuit resistance per pole (VB-24/1250)", None, 28, "µΩ"),
        ("Q1", "Isolating contact engagement", 16, 26, "mm"),
    ]


def test_limits_held_by_an_instruction_or_given_under_a_label() -> None:
    text = (
        "Keep the cabinet temperature between +15 °C and +25 °C. Cable terminations may run up "
        "to 85 °C.\nHeater element against earth, 500 V DC: not below 1 MΩ.\nMain circuit, "
        "each phase against earth, 5 kV DC: in service, the value must not be less than 1 GΩ."
    )
    found = prose_limits(text, component=None, source=SOURCE)
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Cabinet temperature", 15, 25, "°C"),
        ("Cable terminations", None, 85, "°C"),
        ("Heater element against earth, 500 V DC", 1, None, "MOhm"),
        ("Main circuit", 1, None, "GΩ"),
    ]
    # "Keep" without a figure is an instruction, not a limit.
    assert (
        prose_limits("Keep the heaters switched on all year.", component=None, source=SOURCE) == []
    )


def test_a_wear_limit_printed_in_two_units_is_one_limit_bounded_by_the_new_size() -> None:
    rows = (
        ("Dimension", "New [mm]", "Wear limit [mm]", "Wear limit [in]"),
        ("Barrel bore diameter", "55.00–55.03", "max. 55.25", "2.175"),
        ("Screw flight outer diameter", "54.88–54.91", "min. 54.65", "2.152"),
        ("Rotor tip to housing", "0.22–0.30", "0.40", "0.016"),
    )
    found = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE,
                           context="Table 16 – Screw and barrel wear limits")  # fmt: skip
    # The inch column repeats the millimetre one (read in its own unit, 2.175 in is a maximum);
    # a bare clearance limit grows from the new size, which bounds it below.
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Barrel bore diameter", None, 55.25, "mm"),
        ("Screw flight outer diameter", 54.65, None, "mm"),
        ("Rotor tip to housing", 0.22, 0.40, "mm"),
    ]


def test_a_part_said_by_its_initials_and_a_condition_given_as_a_figure() -> None:
    from edge.knowledge.limit_match import condition_words

    source = SourceRef("Switchgear", "4.6 Partial discharge")
    levels = [
        Limit("", "Cast-resin spouts and bushings", "pC", None, 10, "", "10", source),
        Limit("", "Voltage transformers -T1", "pC", None, 50, "", "50", source),
    ]
    described = [describe(x, {}) for x in levels]
    ranked = rank(said("vt on h02 showing 80 pico-coulombs", {}), described, "pC")
    assert [c.limit.parameter for c in best(ranked)] == ["Voltage transformers -T1"]
    # "at 70 % of Ua" is when the limit holds, though it starts with a figure.
    assert condition_words("Opening time at 70 % of Ua (VB-24/630)") == {"ua"}


def test_a_bare_wear_limit_is_read_against_the_new_band_printed_beside_it() -> None:
    rows = (
        ("Item", "New", "Wear limit"),
        ("Load roller side clearance", "0.020–0.040 in. (0.5–1.0 mm)", "0.080 in. (2.0 mm)"),
    )
    (found,) = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert (found.minimum, found.maximum, found.unit) == (0.020, 0.080, "in")


@pytest.mark.parametrize(
    ("written", "low", "high", "points"),
    [
        # Only points: the first one reached is the limit, the later ones are told when passed.
        ("Warning 130 °C, trip 145 °C", None, 130, [("trip", "above", 145)]),
        ("ALARM 115 DEG C, TRIP 125 DEG C", None, 115, [("trip", "above", 125)]),
        ("warning 135 °C, cut-back 145 °C", None, 135, [("cut back", "above", 145)]),
        # falling points guard a minimum
        ("alarm at 20 KILOHMS, stage 2 trip at 5 KILOHMS", 20, None, [("trip", "below", 5)]),
        ("Warning H 135 °C (275 °F)", None, 135, []),
        ("alarm L 420 / H 700 V", 420, 700, []),  # the unit printed once, after the last
        ("normal 900 rpm, shut down H 1035 rpm", None, 1035, []),
        # A band and the points beyond it: the band judges, the points are its thresholds.
        ("1.2–3.5 bar, alarm below 0.8 bar", 1.2, 3.5, [("alarm", "below", 0.8)]),
        (
            "2.2–2.9 bar normal, alarm L 1.8 / H 3.3 bar",
            2.2,
            2.9,
            [("alarm", "below", 1.8), ("alarm", "above", 3.3)],
        ),
        ("max. 4 bar, trip 5 bar", None, 4, [("trip", "above", 5)]),
    ],
)
def test_the_machines_own_points_written_in_the_limit(
    written: str, low: float | None, high: float | None, points: list[tuple[str, str, float]]
) -> None:
    bounds = parse_bounds(written)
    assert bounds is not None
    assert (bounds.minimum, bounds.maximum) == (low, high)
    assert [(t.name, t.side, t.value) for t in bounds.thresholds] == points


def test_points_that_set_no_limit() -> None:
    assert parse_bounds("trip 3 times") is None  # no unit a limit is measured in
    assert parse_bounds("alarm 80") is None  # one point: which side?
    assert parse_bounds("alarm 80", bound="max") == Bounds(None, 80, "", "", "80", "alarm 80")
    # A point in another unit than the band is not one of its points.
    found = parse_bounds("ambient + 10 to 15 K, alarm 50 °C")
    assert found is not None and found.thresholds == ()


def test_a_table_of_limits_printed_without_a_header() -> None:
    rows = [
        ["Water content", "max. 500 ppm"],
        ["Iron (Fe)", "max. 60 ppm"],
        ["Appearance", "Clear; milky oil means water, change at once"],
    ]
    found = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.maximum, x.unit) for x in found] == [
        ("Water content", 500, "ppm"),
        ("Iron (Fe)", 60, "ppm"),
    ]
    # A header row stays one: its second cell states no bound.
    rows = [["Parameter", "Limit"], ["Water content", "max. 500 ppm"]]
    found = extract_limits(rows, section_component=None, known_components=set(), source=SOURCE)
    assert [(x.parameter, x.maximum) for x in found] == [("Water content", 500)]


def test_rows_of_alarm_and_trip_points_join_the_quantitys_normal_row() -> None:
    def row(name: str, low: float | None, high: float | None) -> Limit:
        return Limit("", name, "bar", low, high, f"{low or ''}", f"{high or ''}", SOURCE)

    joined = merge_bounds(
        [
            row("Discharge pressure PT-102, normal (FP55-6)", 29.5, 33.5),
            row("Discharge pressure PT-102, alarm (FP55-6)", 26.0, 37.5),
            row("Discharge pressure PT-102, trip (FP55-6)", None, 40.0),
            row("Discharge pressure PT-102, alarm (FP55-8)", 35.0, 50.5),  # no normal row
        ]
    )
    assert [(x.parameter, x.minimum, x.maximum) for x in joined] == [
        ("Discharge pressure PT-102, normal (FP55-6)", 29.5, 33.5),
        ("Discharge pressure PT-102, alarm (FP55-8)", 35.0, 50.5),
    ]
    assert [(t.name, t.side, t.value) for t in joined[0].thresholds] == [
        ("alarm", "above", 37.5),
        ("alarm", "below", 26.0),
        ("trip", "above", 40.0),
    ]
    passed = assess(joined[0], 38.2, "bar")
    assert passed is not None and passed.verdict == "above" and passed.passed is not None
    assert passed.passed.value == 37.5


def test_a_reading_at_one_end_of_a_flow_is_not_about_the_other_end() -> None:
    limits = [
        Limit("HX1", "Cooling water outlet temperature", "°C", None, 40, "", "40", SOURCE),
        Limit("", "Cooling water supply temperature", "°C", 15, 28, "15", "28", SOURCE),
    ]
    described = describe_all(limits, {}, {})

    def top(transcript: str) -> list[str]:
        reading = with_unit(said(transcript, {}), "°F")
        return [c.limit.parameter for c in best(rank(reading, described, "°F"))]

    assert top("cooling water coming in at ninety fahrenheit") == [limits[1].parameter]
    assert top("cooling water outlet is ninety fahrenheit") == [limits[0].parameter]
    assert top("cooling water return is at ninety fahrenheit") == [limits[0].parameter]


def test_limits_in_sentences_that_say_them_by_event_negation_or_label() -> None:
    def limits(text: str) -> list[tuple[str, float | None, float | None, str]]:
        found = prose_limits(text, component=None, source=SOURCE)
        return [(x.parameter, x.minimum, x.maximum, x.unit) for x in found]

    # An instruction's object is what its event's "it" wears; "or less" is the event's side.
    assert limits("Replace the blade when it has worn to 60 mm (2.4 in) or less.") == [
        ("Blade", 60, None, "mm")
    ]
    assert limits(
        "Replace the whole battery when the capacity test shows less than 80 % of the rated "
        "capacity, or after 10 years in service, whichever comes first."
    ) == [("Capacity test", 80, None, "%")]
    assert limits(
        "Replace an impeller when the blade thickness at the tip has worn to less than 6 mm."
    ) == [("Blade thickness at the tip", 6, None, "mm")]
    assert limits("Replace a segment when its carbide tip has worn to 3 mm (0.12 in).") == [
        ("Carbide tip", 3, None, "mm")
    ]
    assert limits("Replace the impeller when it reaches the limits in 4.6.") == []  # a section
    field = prose_limits(
        "Relay 64F measures the insulation of the field circuit to ground. Stage 1 alarms when "
        "the resistance falls to 20 KILOHMS.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.unit) for x in field] == [("Resistance", 20, "kΩ")]
    assert field[0].codes == ("64F",)  # the relay the paragraph is about
    assert field[0].action == "Stage 1 alarms when the resistance falls to 20 KILOHMS."
    # A band it normally reads, then where the machine protects itself beyond it: one limit.
    band = prose_limits(
        "The hottest stator RTD, 49S, normally reads 75 TO 95 DEG C at rated load. 49S alarms at "
        "115 DEG C and trips the unit through 86E at 125 DEG C.",
        component=None,
        source=SOURCE,
    )
    assert [(x.parameter, x.minimum, x.maximum) for x in band] == [
        ("Hottest stator RTD, 49S", 75, 95)
    ]
    assert [(t.name, t.value) for t in band[0].thresholds] == [("alarm", 115), ("trip", 125)]
    # "No single reading shall be less than": every reading of the quantity before, a minimum.
    assert limits(
        "The nominal air gap is 14.0 MM. No single reading shall be less than 12.6 MM."
    ) == [("Nominal air gap", 12.6, None, "mm")]
    # One labelled figure per sentence, in capitals, in a numbered step.
    assert limits(
        "(3) Total indicated runout (TIR) at the TGB journal: NOT TO EXCEED 0.10 MM (0.004 IN.). "
        "TIR at the coupling: NOT TO EXCEED 0.05 MM (0.002 IN.). Record both on form MR-7."
    ) == [
        ("Total indicated runout (TIR) at the TGB journal", None, 0.1, "mm"),
        ("TIR at the coupling", None, 0.05, "mm"),
    ]
    # A long bracket says how a quantity is worked out; a short one names its tag.
    assert limits(
        "The temperature rise across a blower (discharge temperature TIT-1n2 minus intake "
        "temperature TIT-102) should not exceed 110 K."
    ) == [("Temperature rise across a blower", None, 110, "K")]


def test_a_bare_figure_is_weighed_against_the_scale_of_the_manuals_unit() -> None:
    limits = [
        Limit("MAP", "Manifold pressure, hot idle", "psi", 4.4, 5.8, "4.4", "5.8", SOURCE),
        Limit("", "Low idle speed", "rpm", 700, 800, "700", "800", SOURCE),
        Limit("", "Vaporizer stage at idle", "inH2O", -1.5, -1.0, "-1.5", "-1.0", SOURCE),
    ]
    described = describe_all(limits, {"MAP": ["Manifold absolute pressure sensor"]}, {})
    idle = rank(said("idle is sitting at 760", {}), described, None, value=760)
    # 760 is two decades past the manifold's 5.8 psi and the vaporizer's 1.5 inH2O (sizes, not
    # signs, are compared), and on the idle speed's scale.
    assert [c.limit for c in best(idle)] == [limits[1]]
    assert decades_off(limits[0], 760, None) == 0.0  # with no unit to convert, no scale
