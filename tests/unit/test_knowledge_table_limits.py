"""Limits tables as Word, HTML and plain-text manuals print them: two header rows, rows that
share a label, bounds a caption or a "new" column states, nominal bands beside their limit."""

from __future__ import annotations

import pytest

from edge.events import SourceRef
from edge.knowledge.components import id_list, table_components
from edge.knowledge.limit_prose import prose_limits
from edge.knowledge.limit_text import bound_in_name
from edge.knowledge.limits import extract_limits, merge_bounds
from edge.knowledge.page_edges import form_fed_lines
from edge.knowledge.table_headers import joined_header

pytestmark = pytest.mark.unit

SOURCE = SourceRef("Manual", "4 Operating limits", 7)


def _limits(rows: tuple[tuple[str, ...], ...], context: str = "") -> list[tuple[object, ...]]:
    found = extract_limits(
        joined_header(rows),
        section_component=None,
        known_components=set(),
        source=SOURCE,
        context=context,
    )
    return [(x.parameter, x.unit, x.minimum, x.maximum) for x in merge_bounds(found)]


def test_two_header_rows_are_joined_with_the_group_label_and_its_unit() -> None:
    spanned = (
        ("Device", "Oil temperature (°C)", "", "Winding temperature (°C)", ""),
        ("Device", "Alarm", "Trip", "Alarm", "Trip"),
        ("Monitoring relay", "90", "100", "115", "130"),
    )
    assert joined_header(spanned)[0] == (
        "Device",
        "Oil temperature Alarm (°C)",
        "Oil temperature Trip (°C)",
        "Winding temperature Alarm (°C)",
        "Winding temperature Trip (°C)",
    )
    # HTML repeats a spanning label; a label that only gives the unit leaves bound names alone.
    repeated = (("Item", "Pressure (bar)", "Pressure (bar)"), ("", "Min.", "Max."), ("A", "1", "2"))
    assert joined_header(repeated)[0] == ("Item", "Min. (bar)", "Max. (bar)")
    # The unit the group is measured in, not the conversion printed beside it.
    converted = (("Part", "Mass, kg (lb)", ""), ("", "Empty", "Full"), ("Tank", "40", "90"))
    assert joined_header(converted)[0] == ("Part", "Mass Empty (kg)", "Mass Full (kg)")
    # One header row and a first data row of words stay as they are.
    codes = (("Code", "Meaning"), ("E01", "Overcurrent"), ("E02", "Undervoltage"))
    assert joined_header(codes) == codes


def test_each_group_of_alarm_and_trip_points_is_a_limit_of_its_own() -> None:
    rows = (
        ("Device", "Oil temperature (°C)", "", "Winding temperature (°C)", ""),
        ("Device", "Alarm", "Trip", "Alarm", "Trip"),
        ("Monitoring relay", "90", "100", "115", "130"),
    )
    found = extract_limits(
        joined_header(rows), section_component=None, known_components=set(), source=SOURCE
    )
    assert [(x.parameter, x.maximum, [t.value for t in x.thresholds]) for x in found] == [
        ("Oil temperature, Monitoring relay", 90, [90, 100]),
        ("Winding temperature, Monitoring relay", 115, [115, 130]),
    ]
    assert found[0].thresholds[1].name == "trip"


def test_rows_sharing_a_label_are_told_apart_and_judged_in_service() -> None:
    rows = (
        ("Property", "Test method", "Compartment", "After filling", "In service", ""),
        ("Property", "Test method", "Compartment", "After filling", "Normal", "Action"),
        ("Breakdown voltage (kV)", "IEC 60156", "Main tank", "min. 60", "min. 40", "below 30"),
        ("Breakdown voltage (kV)", "IEC 60156", "Diverter", "min. 50", "min. 30", "below 25"),
    )
    assert _limits(rows) == [
        ("Breakdown voltage (kV), Main tank", "kV", 40, None),
        ("Breakdown voltage (kV), Diverter", "kV", 30, None),
    ]


def test_a_bound_stated_by_the_caption_or_by_the_size_when_new() -> None:
    insulation = (
        ("Circuit", "Test voltage", "New or rewound", "In service"),
        ("Hoist motor M1", "500 V DC", "10 MΩ", "2 MΩ"),
    )
    caption = "4.3.2 Insulation resistance Table 4 — Minimum insulation resistance"
    assert _limits(insulation, caption) == [("Hoist motor M1", "MOhm", 2, None)]
    assert _limits(insulation, "The values in Table 4 are minimum values.") == [
        ("Hoist motor M1", "MOhm", 2, None)
    ]
    assert _limits(insulation, "Table 4 — Insulation resistance") == []
    wear = (
        ("Dimension", "New", "Discard limit"),
        ("Throat opening", "90.0 mm (3.54 in)", "94.5 mm (3.72 in), +5 %"),
        ("Saddle height", "95.0 mm (3.74 in)", "90.2 mm (3.55 in), −5 %"),
    )
    assert _limits(wear) == [
        ("Throat opening", "mm", None, 94.5),
        ("Saddle height", "mm", 90.2, None),
    ]


def test_a_nominal_band_widens_to_the_limit_beside_it() -> None:
    brakes = (
        ("Parameter", "Y1 hoist", "Y2 trolley"),
        ("Air gap, nominal", "0.40 ± 0.05 mm", "0.30 ± 0.05 mm"),
        ("Air gap, max. (re-adjust)", "0.80 mm (0.031 in)", "0.60 mm (0.024 in)"),
        ("Rotor thickness, min.", "13.0 mm", "7.5 mm"),
    )
    assert _limits(brakes) == [
        ("Air gap (Y1 hoist)", "mm", 0.35, 0.8),
        ("Air gap (Y2 trolley)", "mm", 0.25, 0.6),
        ("Rotor thickness, min. (Y1 hoist)", "mm", 13.0, None),
        ("Rotor thickness, min. (Y2 trolley)", "mm", 7.5, None),
    ]
    assert bound_in_name("Wear (max.)") == "max" and bound_in_name("Fill to MAX") is None


def test_a_long_subject_loses_the_condition_it_is_measured_under() -> None:
    text = "The girder deflection at mid-span under the rated load of 20 t must not exceed 30 mm."
    (limit,) = prose_limits(text, component=None, source=SOURCE)
    assert (limit.parameter, limit.maximum, limit.unit) == (
        "Girder deflection at mid-span",
        30,
        "mm",
    )


def test_form_fed_text_loses_its_running_lines_and_keeps_its_pages() -> None:
    page = "OBC-20 Bridge Crane  ·  Service Manual\n\n{body}\n\n            Page {n} of 3\n"
    bodies = ("Check the brake.", "Grease the rope.", "Test the limit switch.")
    text = "\f".join(page.format(body=b, n=n) for n, b in enumerate(bodies, start=1)) + "\f"
    lines, pages = form_fed_lines(text)
    assert pages == 3
    assert [(line, n) for line, n in lines if line.strip()] == [
        ("Check the brake.", 1),
        ("Grease the rope.", 2),
        ("Test the limit switch.", 3),
    ]


def test_a_device_list_names_its_tags() -> None:
    rows = (
        ("Tag", "Device", "Function"),
        ("49W", "Winding temperature indicator (WTI)", "Fan start contacts"),
        ("M1, M2", "Fan motors, fan group 1", "0.37 kW"),
    )
    assert [(c.id, c.name) for c in table_components(rows)] == [
        ("49W", "Winding temperature indicator (WTI)"),
        ("M1", "Fan motors, fan group 1"),
        ("M2", "Fan motors, fan group 1"),
    ]


def test_interval_columns_under_a_spanning_label_and_procedures_set_as_tables() -> None:
    from edge.knowledge.table_steps import procedure_rows

    schedule = (
        ("No.", "Task", "Interval", "", "Reference"),
        ("No.", "Task", "1 M", "3 Y", "Reference"),
        ("5", "Replace silica gel", "", "R", "7.1"),
    )
    assert joined_header(schedule)[0] == (
        "No.",
        "Task",
        "Interval 1 M",
        "Interval 3 Y",
        "Reference",
    )
    steps = (
        ("Step", "Action", "Result"),
        ("1", "Switch off the fan supply Q11.", ""),
        ("2", "Run the fan in MANUAL.", "Air flows towards the radiator."),
    )
    assert procedure_rows(steps) == (
        "Switch off the fan supply Q11.",
        "Run the fan in MANUAL. Result: Air flows towards the radiator.",
    )
    assert procedure_rows((("No.", "Action"), ("1", "Open"), ("3", "Close"))) == ()


def test_a_bound_the_column_header_states() -> None:
    rows = (
        ("Winding pair", "Test voltage (dc)", "Min. R60 at 20 °C", "Min. PI"),
        ("HV winding to LV winding and tank", "5 kV", "1,000 MΩ", "1.3"),
    )
    assert _limits(rows) == [
        ("HV winding to LV winding and tank (Min. R60 at 20 °C)", "MOhm", 1000, None),
        ("HV winding to LV winding and tank (Min. PI)", "", 1.3, None),
    ]


def test_a_hyphenated_name_is_matched_by_its_parts() -> None:
    from edge.knowledge.limit_match import words

    assert {"top", "oil"} <= words("Top-oil temperature")


def test_a_unit_column_after_the_tolerance_and_rows_keyed_by_a_condition() -> None:
    settings = (
        ("Tag", "Setting", "Nominal", "Tolerance", "Unit"),
        ("BR1", "Air gap", "0.6", "±0.1", "mm"),
        ("BR1", "Coil voltage, holding", "104", "±10 %", "V DC"),
    )
    assert _limits(settings) == [
        ("Air gap", "mm", 0.5, 0.7),
        ("Coil voltage, holding", "V", 93.6, 114.4),
    ]
    # One stopping distance per rated speed: the caption says what the bounds are of.
    stopping = (("Rated speed [m/s]", "Min. [m]", "Max. [m]"), ("0.50", "0.25", "0.90"))
    assert _limits(stopping, "Table 7-1: Stopping distance, empty step band") == [
        ("Stopping distance, empty step band at rated speed 0.50 m/s", "m", 0.25, 0.9)
    ]
    assert _limits(stopping) == []  # no caption: no name for what was measured


def test_limits_by_measuring_point_code_with_alarm_and_shut_down_points() -> None:
    rows = (
        ("Code", "Normal [°C]", "Alarm [°C]", "Shut down [°C]"),
        ("TE-101", "60–68", "H 74", "H 80"),
        ("TE-201", "72–80", "—", "—"),
    )
    found = extract_limits(
        rows,
        section_component=None,
        known_components={"TE-101", "TE-201"},
        source=SOURCE,
        context="Tab. 5-3 Alarm and shut-down settings, temperatures",
    )
    assert [(x.component_id, x.unit, x.minimum, x.maximum) for x in found] == [
        ("TE-101", "°C", 60, 68),
        ("TE-201", "°C", 72, 80),
    ]
    assert [(t.name, t.value) for t in found[0].thresholds] == [("alarm", 74), ("shut down", 80)]
    # A "Code" column of fault codes is still a troubleshooting table, not limits by code.
    faults = (("Code", "Meaning", "Action"), ("E-117", "Converter fault", "Reset"))
    assert (
        extract_limits(faults, section_component=None, known_components=set(), source=SOURCE) == []
    )
    # A measuring point printed in a limit's name names it.
    leader = (("Item", "Value"), ("HT water temperature at engine outlet (TE-202)", "85–92 °C"))
    named = extract_limits(leader, section_component=None, known_components=set(), source=SOURCE)
    assert [x.codes for x in named] == [("TE-202",)]


def test_a_list_of_measuring_point_codes_names_its_points_and_ranges_of_them() -> None:
    points = table_components(
        (
            ("Code", "Measuring point", "Location"),
            ("PT-101", "Lube oil pressure, engine inlet", "after the filter"),
            ("TE-701 … TE-709", "Main bearing temperature", "bearing 1 … 9"),
        )
    )
    assert [(c.id, c.name) for c in points[:2]] == [
        ("PT-101", "Lube oil pressure, engine inlet"),
        ("TE-701", "Main bearing temperature"),
    ]
    assert len(points) == 10
    assert table_components((("Code", "Meaning", "Action"), ("E-117", "Converter fault", ""))) == []
    assert id_list("M1 to M3") == ["M1", "M2", "M3"]
    assert id_list("-F1, -F2, -F3") == ["F1", "F2", "F3"]  # IEC 81346 signs dropped
    assert id_list("-Q0 (VB-24/630)") == ["Q0", "VB-24/630"]  # what the row applies to, last
    # Limits keyed by a range of points: each point its own limit, named by its code.
    rows = (("Code", "Normal [°C]", "Alarm [°C]"), ("TE-701 … TE-703", "75–92", "H 100"))
    found = extract_limits(
        rows,
        section_component=None,
        known_components={"TE-701", "TE-702", "TE-703"},
        source=SOURCE,
    )
    assert [(x.component_id, x.parameter, x.maximum) for x in found] == [
        ("TE-701", "TE-701", 92),
        ("TE-702", "TE-702", 92),
        ("TE-703", "TE-703", 92),
    ]


def test_a_point_and_the_model_its_limit_is_for_in_one_code_cell() -> None:
    rows = (
        ("Code", "Unit", "Normal", "Alarm", "Shut down"),
        ("SE-802, ME640-6L", "rpm", "up to 52,000", "H 55,500", "—"),
        ("SE-802, ME640-8L", "rpm", "up to 45,000", "H 48,000", "—"),
        ("LS-104", "—", "—", "L (switch)", "—"),
    )
    found = extract_limits(
        rows, section_component=None, known_components={"SE-802", "LS-104"}, source=SOURCE
    )
    assert [(x.component_id, x.parameter, x.maximum, x.unit) for x in found] == [
        ("SE-802", "SE-802 (ME640-6L)", 52000, "rpm"),
        ("SE-802", "SE-802 (ME640-8L)", 45000, "rpm"),
    ]
    assert [t.value for t in found[0].thresholds] == [55500]


def test_limits_keyed_by_device_numbers_beside_their_alarm_points() -> None:
    from edge.events import SourceRef
    from edge.knowledge.components import table_components
    from edge.knowledge.limit_match import codes
    from edge.knowledge.limits import extract_limits
    from edge.knowledge.numbers import reading_numbers

    devices = (("DEVICE NO.", "DESCRIPTION"), ("38UGB", "Upper guide bearing pad temperature"))
    assert [c.id for c in table_components(devices)] == ["38UGB"]
    rows = (
        ("DEVICE NO.", "NORMAL AT FULL LOAD (DEG C)", "ALARM (DEG C)", "TRIP (DEG C)"),
        ("38UGB", "50 TO 62", "75", "85"),
    )
    (limit,) = extract_limits(
        rows, section_component=None, known_components={"38UGB"}, source=SourceRef("M", "3-3", 1)
    )
    assert (limit.component_id, limit.minimum, limit.maximum, limit.unit) == ("38UGB", 50, 62, "°C")
    assert [t.value for t in limit.thresholds] == [75, 85]
    # Said aloud, the device number is a code and its digits no reading.
    assert codes("38TGB says 58") == {"38tgb"}
    assert [m.value for m in reading_numbers("38TGB says 58")] == [58]


def test_a_unit_printed_before_its_conversion_in_brackets_is_the_cells_unit() -> None:
    from edge.knowledge.units import header_unit

    # "180 TO 220 (48 TO 58)" under "NORMAL L/MIN (GPM)": litres first, gallons in brackets.
    assert header_unit("NORMAL L/MIN (GPM)") == ("NORMAL", "L/min", "L/MIN")
    assert header_unit("Torque N·m (lbf·ft)") == ("Torque", "N·m", "N·m")
    assert header_unit("Flow (L/min)") == ("Flow", "L/min", "L/min")
    # A last word that is no unit of the same kind stays in the name.
    assert header_unit("Oil temperature (°C)") == ("Oil temperature", "°C", "°C")


def test_a_setting_with_its_tolerance_and_a_tolerance_column_that_holds_limits_too() -> None:
    from edge.events import SourceRef
    from edge.knowledge.limits import extract_limits

    rows = (
        ("Item", "Setting", "Tolerance / limit", "Notes"),
        ("Safety relief valve, set pressure", "850 mbar (12.3 psi)", "± 25 mbar", "Reseats"),
        ("Blow-off valve open time at start", "15 s", "10–30 s", ""),
        ("Blow-off valve stroke time", "—", "max. 4 s", "Stopwatch"),
    )
    found = extract_limits(
        rows, section_component=None, known_components=set(), source=SourceRef("M", "6", 1)
    )
    assert [(x.parameter, x.minimum, x.maximum, x.unit) for x in found] == [
        ("Safety relief valve, set pressure", 825, 875, "mbar"),
        ("Blow-off valve open time at start", 10, 30, "s"),
        ("Blow-off valve stroke time", None, 4, "s"),
    ]
    # Beside a "Nominal" column, "Setting" names the row.
    named = (
        ("Tag", "Setting", "Nominal", "Tolerance", "Unit"),
        ("BR1", "Air gap", "0.6", "±0.1", "mm"),
    )
    (gap,) = extract_limits(
        named, section_component=None, known_components={"BR1"}, source=SourceRef("M", "3", 1)
    )
    assert (gap.parameter, gap.minimum, gap.maximum, gap.unit) == ("Air gap", 0.5, 0.7, "mm")


def test_a_low_and_a_high_point_in_one_cell_beside_the_normal_band() -> None:
    from edge.events import SourceRef
    from edge.knowledge.limits import extract_limits

    rows = (
        ("Tag", "Measured variable", "Unit", "Normal", "Warning", "Alarm", "Trip"),
        ("PIT-101", "Header pressure", "mbar", "480–620", "L 450 / H 660", "L 420 / H 700", "—"),
    )  # fmt: skip
    (limit,) = extract_limits(
        rows, section_component=None, known_components={"PIT-101"}, source=SourceRef("M", "3", 1)
    )
    assert (limit.minimum, limit.maximum, limit.unit) == (480, 620, "mbar")
    assert [(t.name, t.side, t.value) for t in limit.thresholds] == [
        ("warning", "below", 450),
        ("warning", "above", 660),
        ("alarm", "below", 420),
        ("alarm", "above", 700),
    ]


def test_as_designed_sizes_yield_to_the_column_that_says_when_to_act() -> None:
    from edge.events import SourceRef
    from edge.knowledge.limits import extract_limits

    rows = (
        ("BEARING", "DESIGN CLEARANCE MM (IN.)", "RESET WHEN CLEARANCE EXCEEDS MM (IN.)"),
        ("UGB", "0.30 +/- 0.03 (0.012)", "0.40 (0.016)"),
    )
    (limit,) = extract_limits(
        rows, section_component=None, known_components={"UGB"}, source=SourceRef("M", "5", 1)
    )
    assert (limit.minimum, limit.maximum, limit.unit) == (None, 0.4, "mm")


def test_a_unit_taken_peak_to_peak_or_rms_under_one_header_cell() -> None:
    from edge.events import SourceRef
    from edge.knowledge.limits import extract_limits
    from edge.knowledge.table_headers import joined_header
    from edge.knowledge.units import normalize_unit

    assert normalize_unit("MICRONS PK-PK") == "µm" and normalize_unit("mm/s r.m.s.") == "mm/s"
    rows = joined_header(
        [
            ("DEVICE", "MEASUREMENT", "NORMAL", "ALARM", "TRIP"),
            ("NO.", "", "(MICRONS PK-PK)", "", ""),
            ("39TGB", "Shaft displacement, TGB", "UP TO 110", "180", "250"),
        ]
    )
    (limit,) = extract_limits(
        rows, section_component=None, known_components={"39TGB"}, source=SourceRef("M", "3", 1)
    )
    assert (limit.maximum, limit.unit) == (110, "µm")
    assert [(t.name, t.value) for t in limit.thresholds] == [("alarm", 180), ("trip", 250)]


def test_a_dash_in_a_tag_column_is_the_machine_s_own_limit_not_no_row() -> None:
    rows = (
        ("Tag", "Item", "New [mm]", "Wear limit [mm]"),
        ("V1", "Piston ring gap in bore", "0.50–0.75", "1.60"),
        ("–", "Crankshaft end float", "0.10–0.25", "0.40"),
    )
    limits = extract_limits(rows, section_component=None, known_components={"V1"}, source=SOURCE)
    float_ = [x for x in limits if x.parameter == "Crankshaft end float"]
    assert [(x.component_id, x.maximum) for x in float_] == [("", 0.4)], limits
