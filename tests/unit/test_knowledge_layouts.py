"""Layouts of PDF and plain-text manuals: two columns, wrapped table cells, captions, text art."""

from __future__ import annotations

import pytest

from edge.knowledge.pdf_columns import find_gutter, reading_order
from edge.knowledge.read_text import parse_text

pytestmark = pytest.mark.unit

LEFT = [
    "3.3 Ambient conditions",
    "The unit may be operated at ambient temperatures",
    "from +5 to +40 °C and a relative humidity of up to",
    "85 % (non-condensing). Keep a free space of at least",
    "800 mm in front of the cooler air inlet at all times.",
    "",
    "Table 5 – Operating limits",
]
RIGHT = [
    "4.3 Fluid cleanliness",
    "The fluid cleanliness must be kept at ISO 4406 code",
    "18/16/13 or better. Take a fluid sample from the",
    "sampling valve on the pressure line every 500 hours",
    "and have it analysed by an approved laboratory.",
    "",
    "",
]


def lines(text: str) -> list[tuple[str, int | None]]:
    return [(line, 1) for line in text.splitlines()]


def test_two_columns_are_read_left_then_right_and_full_width_lines_stay() -> None:
    page = ["Service manual of the HX-30 hydraulic power unit, chapters three and four"]
    page += [f"{a:<60}{b}" for a, b in zip(LEFT, RIGHT, strict=True)]
    assert find_gutter(page) is not None
    ordered = reading_order(page)
    text = [line.strip() for line in ordered if line.strip()]
    assert text[0].startswith("Service manual")
    assert text[1:7] == [x for x in LEFT if x]
    assert text[7:] == [x for x in RIGHT if x]


def test_a_two_column_table_is_not_taken_for_two_columns_of_text() -> None:
    page = [f"{'Parameter':<40}Limit"] + [
        f"{f'Element outlet temperature {i}':<40}{70 + i} to 98 °C" for i in range(12)
    ]
    assert reading_order(page) == page


def test_a_table_whose_last_cells_read_like_prose_keeps_its_columns() -> None:
    # A full-width table with a long last column, a note and a heading on a one-column page: the
    # last cells are long enough to read like a column of text, but each sits beside a row.
    rows = [
        ("Display dark", "No supply voltage, control fuse F3", "Check supply and fuse F3 (2 A)"),
        ('"Rem" shown', "Compressor in remote mode", "Check master controller or select local"),
        ("Net pressure drops", "Air consumption higher than FAD", "Check for leaks in the air net"),
        ("Belts slipping", "Belt tension too low", "Adjust the tension as in 7.5 below"),
        ("Safety valve blowing", "MPV or separator blocked", "Check the separator and the MPV"),
    ]
    page = [f"{'Symptom':<40}{'Possible cause':<46}Remedy"]
    page += [f"{a:<40}{b:<46}{c}" for a, b, c in rows]
    page += ["Values for lightly oiled threads. Use a calibrated torque wrench."]
    page += ["9.2 Compressor capacity or pressure too low"]
    assert find_gutter(page) is None
    assert reading_order(page) == page


def test_captions_start_a_paragraph_and_a_row_ends_the_one_above() -> None:
    blocks = parse_text(
        lines(
            "2.1 Limits\n"
            "Correct the cause before restarting.\n"
            "Table 3 – Operating limits\n"
            "Parameter                 Limit\n"
            "Ambient temperature       +1 to +45 °C\n"
            "Starts per hour           max. 6\n"
        )
    )
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph", "table"]
    assert blocks[2].text == "Table 3 – Operating limits"
    assert blocks[3].rows[1] == ("Ambient temperature", "+1 to +45 °C")


def test_wrapped_cells_join_their_row_and_a_table_goes_on_after_a_page_break() -> None:
    text = (
        "Joint                       Thread        Torque\n"
        "Bell housing to M1 flange   M16, 8.8      180 N·m\n"
        "(aluminium housing)\n"
        "Suction strainer F3         Inlet below   Clean F3\n"
        "clogged                     0.8 bar abs\n"
    )
    page_two = (
        "Joint                       Thread        Torque\n"
        "Case drain fitting P1       M22 × 1.5     65 N·m\n"
    )
    blocks = parse_text([*lines(text), ("", 1), ("", 1), *[(x, 2) for x in page_two.splitlines()]])
    assert [b.kind for b in blocks] == ["table"]
    assert blocks[0].rows[1:] == (
        ("Bell housing to M1 flange (aluminium housing)", "M16, 8.8", "180 N·m"),
        ("Suction strainer F3 clogged", "Inlet below 0.8 bar abs", "Clean F3"),
        ("Case drain fitting P1", "M22 × 1.5", "65 N·m"),
    )


def test_a_procedure_cut_by_a_page_break_is_one_procedure() -> None:
    blocks = parse_text(
        [("1. Stop the compressor.", 1), ("2. Isolate it.", 1), ("", 1), ("", 1)]
        + [("3. Wait 2 minutes.", 2), ("4. Open the vent valve.", 2)]
    )
    assert [b.kind for b in blocks] == ["steps"]
    assert len(blocks[0].items) == 4


def test_a_list_of_contents_does_not_break_the_outline() -> None:
    blocks = parse_text(
        lines("1 Safety\n2 Description\n3 Technical data\n1 Safety\n1.1 Signal words\nText.\n")
    )
    assert [(b.kind, b.text) for b in blocks[:3]] == [
        ("paragraph", "Contents: 1 Safety; 2 Description; 3 Technical data."),
        ("heading", "1 Safety"),
        ("heading", "1.1 Signal words"),
    ]


def test_text_art_boxes_rules_leaders_and_wide_heading_gaps() -> None:
    blocks = parse_text(
        lines(
            "----------------------------------------\n"
            "4.2  OPERATING LIMITS\n"
            "  ****************************************\n"
            "  *  WARNING  Hazardous voltage: lock    *\n"
            "  *           both disconnects.          *\n"
            "  ****************************************\n"
            "  +-------+----------------------+-------------+\n"
            "  | DESIG | PARAMETER            | LIMIT       |\n"
            "  +-------+----------------------+-------------+\n"
            "  | C1    | Vibration, motor     | 1.5 mils    |\n"
            "  |       | housing              | max.        |\n"
            "  | TT6   | Oil temperature      | 100 to 160 F|\n"
            "  +-------+----------------------+-------------+\n"
            "\n"
            "Supply ............... 460 V, 3 phase\n"
            "Voltage imbalance .... max. 2 %\n"
            "\n"
            "  TASK              DAILY  MONTHLY QUARTERLY\n"
            "  ----------------  -----  ------- ---------\n"
            "  Check oil level     X\n"
            "  Leak test                          X\n"
        )
    )
    assert [b.kind for b in blocks] == ["heading", "paragraph", "table", "table", "table"]
    assert blocks[0].text == "4.2 OPERATING LIMITS"
    assert blocks[1].text == "WARNING Hazardous voltage: lock both disconnects."
    assert blocks[2].rows == (
        ("DESIG", "PARAMETER", "LIMIT"),
        ("C1", "Vibration, motor housing", "1.5 mils max."),
        ("TT6", "Oil temperature", "100 to 160 F"),
    )
    assert blocks[3].rows == (
        ("Item", "Value"),
        ("Supply", "460 V, 3 phase"),
        ("Voltage imbalance", "max. 2 %"),
    )
    assert blocks[4].rows == (
        ("TASK", "DAILY", "MONTHLY", "QUARTERLY"),
        ("Check oil level", "X", "", ""),
        ("Leak test", "", "", "X"),
    )


def test_column_headers_over_a_rule_and_a_blank_row_label_header_make_tables() -> None:
    blocks = parse_text(
        lines(
            "2.3 TECHNICAL DATA\n"
            "\n"
            "Boiler size (kW)              500        650        850\n"
            "--------------------------------------------------------\n"
            "Water content, l              62         78         96\n"
            "Weight empty, kg              640        780        820\n"
            "\n"
            "TABLE 6. COMBUSTION VALUES\n"
            "\n"
            "                         Natural gas      Propane\n"
            "CO2 at max. rate         9.0–9.6 %        10.3–10.9 %\n"
            "CO at max. rate          max. 100 ppm     max. 120 ppm\n"
        )
    )
    # A line over dashes is a heading only when it is not a row of column headers.
    assert [b.kind for b in blocks] == ["heading", "table", "paragraph", "table"]
    assert blocks[1].rows[0] == ("Boiler size (kW)", "500", "650", "850")
    assert blocks[1].rows[2] == ("Weight empty, kg", "640", "780", "820")
    # The row labels' column has no header: the values stay in their own columns.
    assert blocks[3].rows == (
        ("", "Natural gas", "Propane"),
        ("CO2 at max. rate", "9.0–9.6 %", "10.3–10.9 %"),
        ("CO at max. rate", "max. 100 ppm", "max. 120 ppm"),
    )


def test_a_unit_label_over_some_columns_gives_them_its_unit() -> None:
    # "Pressure (bar)" centred over Min./Nominal/Max. (a two-row header in PDF layout text);
    # the test point and valve columns beside them hold no figures and get no unit.
    blocks = parse_text(
        lines(
            "4.2 Pressures and settings\n"
            "Table 4.1 Pressures at the test points\n"
            "                                                   Pressure (bar)\n"
            "Circuit                     Test point     Min.       Nominal      Max.      Set at\n"
            "Main relief, pump line      MP1            275        280          285       V1\n"
            "Cylinder piston side        MP2            –          255          265       –\n"
            "Counterbalance at TDC       MP4            55         65           75        V13\n"
        )
    )
    assert [b.kind for b in blocks] == ["heading", "paragraph", "table"]
    assert blocks[1].text == "Table 4.1 Pressures at the test points"
    assert blocks[2].rows[0] == (
        "Circuit", "Test point", "Min. (bar)", "Nominal (bar)", "Max. (bar)", "Set at",
    )  # fmt: skip


def test_two_unit_labels_each_take_the_columns_under_them() -> None:
    blocks = parse_text(
        lines(
            "                    Pressure (bar)              Temperature (°C)\n"
            "Circuit         Min.     Max.                Min.      Max.\n"
            "Pump line       275      285                 30        55\n"
            "Pilot           35       45                  30        60\n"
        )
    )
    assert blocks[0].rows[0] == ("Circuit", "Min. (bar)", "Max. (bar)", "Min. (°C)", "Max. (°C)")


def test_a_line_without_a_unit_over_a_table_is_no_label() -> None:
    # "Limit" over "Alarm  Shutdown" names no unit: the header stays as printed.
    blocks = parse_text(
        lines(
            "                                    Limit\n"
            "ID      Parameter           Unit    Alarm     Shutdown\n"
            "GB1     Oil sump temp       °C      75        80\n"
            "MB1     Bearing temp        °C      80        90\n"
        )
    )
    assert blocks[-1].rows[0] == ("ID", "Parameter", "Unit", "Alarm", "Shutdown")


def test_group_titles_inside_a_table_are_rows_of_their_own() -> None:
    # "Drive train" over its rows is no wrapped cell of the header or of the row above it.
    blocks = parse_text(
        lines(
            "ID      Parameter                     Unit    Normal     Alarm\n"
            "Drive train\n"
            "MB1     Bearing temperature           °C      35–65      80\n"
            "GB1     Oil sump temperature          °C      45–68      75\n"
            "Hydraulics, yaw and pitch\n"
            "YB1     Brake pressure, yaw stopped   bar     160–180    below 150\n"
        )
    )
    assert [b.kind for b in blocks] == ["table"]
    assert blocks[0].rows[0] == ("ID", "Parameter", "Unit", "Normal", "Alarm")
    assert blocks[0].rows[1] == ("Drive train", "", "", "", "")
    assert blocks[0].rows[4][0] == "Hydraulics, yaw and pitch"
    assert blocks[0].rows[5][:2] == ("YB1", "Brake pressure, yaw stopped")


def test_a_label_over_the_header_goes_to_the_caption_and_the_table_goes_on() -> None:
    # "Limit" over "Alarm  Shutdown", printed again over the header on the next page.
    header = (
        "                                         Limit\n"
        "ID      Parameter               Normal    Alarm     Shutdown\n"
    )
    blocks = parse_text(
        lines(
            "3.2 Limits\n"
            "Table 3.2 Operating limits\n"
            + header
            + "MB1     Bearing temperature     35–65     80        90\n"
            + "\n\n"
            + header
            + "YD1     Motor current           3.8–5.6   6.5       7.2\n"
        )
    )
    assert [b.kind for b in blocks] == ["heading", "paragraph", "table"]
    assert blocks[1].text == "Table 3.2 Operating limits Limit"
    assert [r[0] for r in blocks[2].rows] == ["ID", "MB1", "YD1"]


def test_a_cell_wrapped_inside_a_bracket_joins_its_row() -> None:
    blocks = parse_text(
        lines(
            "Joint                     Bolt size   Quantity   Torque\n"
            "Yaw brake calipers, dry   M30, 10.9   4          1,390 ± 70 N·m (1,025 ± 52\n"
            "(Geomet coated)                                  lbf·ft)\n"
            "Rotor brake caliper BR1   M24, 10.9   4          800 ± 40 N·m (590 ± 30 lbf·ft)\n"
        )
    )
    assert blocks[0].rows[1] == (
        "Yaw brake calipers, dry (Geomet coated)", "M30, 10.9", "4",
        "1,390 ± 70 N·m (1,025 ± 52 lbf·ft)",
    )  # fmt: skip
    assert len(blocks[0].rows) == 3


def test_a_chapter_heading_that_says_section_or_chapter_is_a_heading() -> None:
    blocks = parse_text(
        lines(
            "Section 9 – Fault codes\n"
            "9.1 Alarm classes\n"
            "Alarms stop the machine.\n"
            "\n"
            "Section 10 – Spare parts\n"
            "Keep these parts in stock.\n"
        )
    )
    headings = [(b.text, b.level) for b in blocks if b.kind == "heading"]
    assert headings == [
        ("Section 9 – Fault codes", 2),
        ("9.1 Alarm classes", 3),
        ("Section 10 – Spare parts", 2),
    ]


def test_dot_leader_lines_set_far_from_their_names_are_no_second_column() -> None:
    # pypdf's layout text of an A5 page: every name, a wide gap, then its leader and value.
    prose = "The engine has two cooling water circuits, each with its own engine-driven pump."
    leaders = [
        f"{name:<60}{'.' * 30}{value}"
        for name, value in (
            ("HT water pressure at engine inlet (PT-201)", "2.5–4.0 bar"),
            ("HT water temperature at engine inlet (TE-201)", "72–80 °C"),
            ("HT water temperature at engine outlet (TE-202)", "85–92 °C"),
            ("LT water pressure at charge air cooler inlet (PT-301)", "2.0–3.5 bar"),
            ("LT water temperature at charge air cooler inlet (TE-301)", "25–38 °C"),
        )
    ]
    page = [prose, "", *leaders, "", prose]
    assert find_gutter(page) is None
    assert reading_order(page) == page
