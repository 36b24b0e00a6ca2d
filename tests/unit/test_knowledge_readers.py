"""Manual readers: Markdown, HTML and plain text (also PDF layout text) to blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.knowledge.page_edges import edge_lines, running_lines
from edge.knowledge.read_html import parse_html
from edge.knowledge.read_markdown import parse_markdown
from edge.knowledge.read_text import parse_text
from edge.knowledge.readers import ReadError, detect_format, read_document

pytestmark = pytest.mark.unit


def kinds(blocks: list) -> list[str]:
    return [b.kind for b in blocks]


def test_markdown_headings_tables_steps_and_paragraphs() -> None:
    blocks = parse_markdown(
        "# Manual\n\nIntro **bold** text\nwrapped.\n\n## 1 Yaw (YAW-BRK)\n\n"
        "| Bolt | Torque (N·m) |\n|---|---:|\n| M24 | 900 |\n\n"
        "1. First step\n   continues here.\n2. Second step.\n\n- a bullet\n"
    )
    assert kinds(blocks) == ["heading", "paragraph", "heading", "table", "steps", "list"]
    assert blocks[1].text == "Intro bold text wrapped."
    assert (blocks[2].text, blocks[2].level) == ("1 Yaw (YAW-BRK)", 2)
    assert blocks[3].rows == (("Bolt", "Torque (N·m)"), ("M24", "900"))
    assert blocks[4].items == ("First step continues here.", "Second step.")


def test_html_structure_and_title() -> None:
    title, blocks = parse_html(
        "<html><head><title>Lift guide</title><style>p{}</style></head><body>"
        "<h1>SL-240</h1><p>Some <b>text</b>.</p><script>var x;</script>"
        "<table><tr><th>Code</th><th>Meaning</th></tr><tr><td>L-01</td><td>Overload</td></tr>"
        "</table><ol><li>Press stop.</li><li>Pull the lever.</li></ol><ul><li>note</li></ul>"
        "</body></html>"
    )
    assert title == "Lift guide"
    assert kinds(blocks) == ["heading", "paragraph", "table", "steps", "list"]
    assert blocks[2].rows == (("Code", "Meaning"), ("L-01", "Overload"))
    assert blocks[3].items == ("Press stop.", "Pull the lever.")
    assert all("var x" not in b.text for b in blocks)


def test_text_tables_keep_empty_cells_in_their_columns() -> None:
    lines = [
        "1.2 Operating limits",
        "",
        "Parameter            Unit    Min    Max",
        "Pump pressure        bar            700",
        "Oil temperature      °C     -10     65",
        "",
        "",
        "Text after the table.",
    ]
    blocks = parse_text([(line, None) for line in lines])
    assert kinds(blocks) == ["heading", "table", "paragraph"]
    assert blocks[1].rows == (
        ("Parameter", "Unit", "Min", "Max"),
        ("Pump pressure", "bar", "", "700"),
        ("Oil temperature", "°C", "-10", "65"),
    )


def test_text_saved_by_a_word_processor_splits_its_tables_at_the_tabs() -> None:
    # Cells that do not line up ("ARC" under "Abbreviation"), an empty first header cell, a
    # caption above and a note below, and a contents list with its page numbers after a TAB.
    text = (
        "Contents\r\n3.2 Pump data\t4\r\nChapter 4 – Operating limits\t7\r\n"
        "4.2 Limits by tag\t7\r\n\r\n"
        "3.2 Pump data\r\n\r\nTable 3-1: Pump data by variant\r\n"
        "\tFP55-6\tFP55-8\r\nNumber of stages\t6\t8\r\n"
        "Rated head, m (ft)\t330 (1,083)\t450 (1,476)\r\n"
        "Note: Pump data apply to feed water at 105 °C.\r\n"
    )
    blocks = parse_text([(line, None) for line in text.splitlines()])
    [table] = [b for b in blocks if b.kind == "table"]
    assert table.rows == (
        ("", "FP55-6", "FP55-8"),
        ("Number of stages", "6", "8"),
        ("Rated head, m (ft)", "330 (1,083)", "450 (1,476)"),
    )
    texts = [b.text for b in blocks if b.kind == "paragraph"]
    assert "Table 3-1: Pump data by variant" in texts  # the caption stays out of the table
    assert any(t.startswith("Contents: 3.2 Pump data;") for t in texts)
    assert texts[-1].startswith("Note:")


def test_text_steps_that_say_so_and_a_word_processors_o_bullets() -> None:
    lines = [
        "6.4 Cleaning the suction strainer",
        "Step 1 – Make the pump safe as described in 2.2.",
        "Step 2 – Open the strainer cover.",
        "",
        "Wear on every visit:",
        "o gloves and a face shield",
        "o long sleeves",
    ]
    blocks = parse_text([(line, None) for line in lines])
    steps = next(b for b in blocks if b.kind == "steps")
    assert steps.items == ("Make the pump safe as described in 2.2.", "Open the strainer cover.")
    assert next(b for b in blocks if b.kind == "list").items == (
        "gloves and a face shield",
        "long sleeves",
    )


def test_text_table_headers_set_right_of_their_figures_keep_them_in_their_columns() -> None:
    # The sizes are set further right than the figures under them: a figure must not slide
    # into the row label's column and shift every value one size over ("650: 905 kg").
    lines = [
        "Boiler size (nominal output, kW)           500            650            850",
        "-------------------------------------------------------------------------------",
        "Water content, l (US gal)             62 (16.4)      78 (20.6)      96 (25.4)",
        "Weight empty, kg (lb)                 690 (1,521)    780 (1,720)    905 (1,995)",
    ]
    table = parse_text([(line, None) for line in lines])[0]
    assert table.rows == (
        ("Boiler size (nominal output, kW)", "500", "650", "850"),
        ("Water content, l (US gal)", "62 (16.4)", "78 (20.6)", "96 (25.4)"),
        ("Weight empty, kg (lb)", "690 (1,521)", "780 (1,720)", "905 (1,995)"),
    )


def test_text_wrapped_table_cells_join_their_row() -> None:
    lines = [
        "Code    Description            Action",
        "",
        "E-101   Yaw brake pressure     Check the HPU pressure and",
        "        low when parked        look for leaks.",
        "",
        "E-102   Pad worn               Replace pads.",
    ]
    table = parse_text([(line, 3) for line in lines])[0]
    assert table.rows[1] == (
        "E-101",
        "Yaw brake pressure low when parked",
        "Check the HPU pressure and look for leaks.",
    )
    assert table.rows[2] == ("E-102", "Pad worn", "Replace pads.") and table.page == 3


def test_numbered_headings_must_continue_the_outline() -> None:
    lines = [
        "Title of the manual",
        "3 Yaw system",
        "3.1 Description",
        "The brake is tightened to",
        "10 N·m in this fictional sentence that wraps.",
        "3.2 Yaw brake",
        "4.1 Skipped parent",
    ]
    blocks = parse_text([(line, None) for line in lines])
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings == [
        "Title of the manual",
        "3 Yaw system",
        "3.1 Description",
        "3.2 Yaw brake",
        "4.1 Skipped parent",
    ]
    assert "10 N·m in this fictional sentence" in blocks[3].text


def test_steps_continue_across_wrapped_lines_and_blank_lines() -> None:
    lines = ["Intro:", "1. Open the valve", "   slowly.", "", "2. Close it.", "", "After."]
    blocks = parse_text([(line, None) for line in lines])
    steps = next(b for b in blocks if b.kind == "steps")
    assert steps.items == ("Open the valve slowly.", "Close it.")
    assert blocks[-1].text == "After."


def test_running_headers_and_page_numbers_are_peeled_off() -> None:
    header = "                      WT-2000 Wind Turbine Maintenance Manual"
    pages = [
        [header, "", "WT-2000 Wind Turbine Maintenance Manual", "Body one.", "", "Page 1 of 3"],
        [header, "Body two.", "Page 2 of 3"],
        [header, "Body three.", "", "Page 3 of 3"],
    ]
    repeated = running_lines(pages)
    assert edge_lines(pages[0], repeated) == {0, 5}  # the title under the header stays
    assert edge_lines(pages[1], repeated) == {0, 2}


def test_format_detection_and_bad_files(tmp_path: Path) -> None:
    assert detect_format(Path("a.PDF"), b"") == "pdf"
    assert detect_format(Path("manual"), b"%PDF-1.7") == "pdf"
    assert detect_format(Path("manual"), b"<!DOCTYPE html><html>") == "html"
    assert detect_format(Path("notes"), b"plain") == "text"
    with pytest.raises(ReadError, match="binary"):
        read_document(Path("x.txt"), b"abc\x00def")
    with pytest.raises(ReadError, match="not a PDF"):
        read_document(Path("x.pdf"), b"hello")
    with pytest.raises(ReadError, match="no readable text"):
        read_document(Path("x.md"), b"# Only a title\n")
    doc = read_document(Path("old.txt"), "Caf\u00e9 manual\n\nText.".encode("cp1252"))
    assert doc.title == "Café manual" and doc.format == "text"


def test_html_definition_lists_keep_each_description_with_its_term() -> None:
    _, blocks = parse_html(
        "<h2>Alarms</h2><dl><dt>AL-101 Low suction pressure</dt>"
        "<dd>PT-101 below 0.8 bar(g): alarm. Check the strainer.</dd>"
        "<dt>AL-102 High discharge pressure</dt><dd>Above 10 bar(g): trip.</dd></dl>"
    )
    assert [b.text for b in blocks[1:]] == [
        "AL-101 Low suction pressure: PT-101 below 0.8 bar(g): alarm. Check the strainer.",
        "AL-102 High discharge pressure: Above 10 bar(g): trip.",
    ]
    # Asciidoctor wraps each description in paragraphs: they stay the term's.
    _, wrapped = parse_html(
        '<dl><dt class="hdlist1">TRIP 50N</dt><dd><p>High-set earth-fault stage.</p>'
        "<p>Test the cable first.</p></dd></dl><p>After.</p>"
    )
    assert [b.text for b in wrapped] == [
        "TRIP 50N: High-set earth-fault stage. Test the cable first.",
        "After.",
    ]


def test_html_nested_lists_join_the_item_they_belong_to() -> None:
    _, blocks = parse_html(
        "<ol><li>Stop the pump.</li><li>At the motor control centre:<ul>"
        "<li>switch off the isolator;</li><li>apply your lock.</li></ul></li>"
        "<li>Check for soft foot:<ol type='a'><li>loosen one bolt</li><li>measure the lift</li>"
        "</ol></li><li>Drain the casing.</li></ol>"
    )
    assert kinds(blocks) == ["steps"]
    assert blocks[0].items == (
        "Stop the pump.",
        "At the motor control centre: switch off the isolator; apply your lock.",
        "Check for soft foot: loosen one bolt; measure the lift",
        "Drain the casing.",
    )


def test_html_captions_introduce_their_table_and_spans_fill_every_column() -> None:
    _, blocks = parse_html(
        "<table><caption>Table 6 – Maintenance schedule</caption>"
        "<tr><th>Interval</th><th>Task</th><th>See</th></tr>"
        "<tr><td rowspan='2'>Daily</td><td>Check noise</td><td>–</td></tr>"
        "<tr><td>Check oiler</td><td>5.2</td></tr>"
        "<tr><td colspan='2'>All tasks</td><td>6</td></tr></table>"
        "<figure><pre>[P-101]==[M-101]</pre><figcaption>Figure 1 – Layout</figcaption></figure>"
    )
    assert kinds(blocks) == ["paragraph", "table", "paragraph", "paragraph"]
    assert blocks[0].text == "Table 6 – Maintenance schedule"
    assert blocks[1].rows == (
        ("Interval", "Task", "See"),
        ("Daily", "Check noise", "–"),
        ("Daily", "Check oiler", "5.2"),
        ("All tasks", "", "6"),
    )
    assert blocks[3].text == "Figure 1 – Layout"


def test_markdown_admonitions_breaks_aligned_tables_and_nested_lists() -> None:
    blocks = parse_markdown(
        "> **WARNING**\n> The capacitors hold a charge.\n\n---\n\n"
        "| Task | Daily | 250 h |\n|---|:-:|:-:|\n| Check chains | ✓ | |\n\n"
        "- Visual checks:\n  - tyres;\n  - forks.\n- Function checks\n\n"
        "1. Isolate the truck.\n2. Check:\n   - the chains\n   - the forks\n"
    )
    assert kinds(blocks) == ["paragraph", "table", "list", "steps"]
    assert blocks[0].text == "WARNING The capacitors hold a charge."
    assert blocks[1].rows == (("Task", "Daily", "250 h"), ("Check chains", "✓", ""))
    assert blocks[2].items == ("Visual checks: tyres; forks.", "Function checks")
    assert blocks[3].items == ("Isolate the truck.", "Check: the chains; the forks")


def test_markdown_as_mkdocs_writes_it_setext_bare_pipes_html_admonitions_footnotes() -> None:
    blocks = parse_markdown(
        "Section 3 - Refrigeration circuit\n=================\n\n"
        "3.1 Circuit data\n----------------\n\n"
        "**Suction pressure, normal:** 118–128 psig[^1]\n\n"
        "Tag | Component\n--- | ---\nCMP1 | Scroll compressor\n\n"
        '!!! warning "Hot surfaces"\n    The lines exceed 250 °F.\n\n    Let them cool.\n\n'
        "<table>\n<caption>Table 4-1. Gas heat data</caption>\n"
        "<tr><th>Item</th><th>RT-150-L</th></tr>\n<tr><td>Input</td><td>180,000</td></tr>\n"
        "</table>\n\n"
        "[^1]: At the rating point:\n95 °F outdoor air.\n\n---\n\nEnd.\n\n"
        "Section 4 - Gas heat\n====\n"
    )
    # Chapters underlined like a title sit below the title's level, with what they hold.
    assert [(b.kind, b.level) for b in blocks[:2]] == [("heading", 2), ("heading", 3)]
    assert blocks[1].text == "3.1 Circuit data"
    assert blocks[2].text == "Suction pressure, normal: 118–128 psig"  # no footnote marker
    assert blocks[3].rows == (("Tag", "Component"), ("CMP1", "Scroll compressor"))
    assert blocks[4].text == "WARNING: Hot surfaces. The lines exceed 250 °F. Let them cool."
    assert blocks[5].text == "Table 4-1. Gas heat data"
    assert blocks[6].rows == (("Item", "RT-150-L"), ("Input", "180,000"))
    assert blocks[7].text == "Note 1: At the rating point: 95 °F outdoor air."
    assert [b.text for b in blocks[8:]] == ["End.", "Section 4 - Gas heat"]  # a rule is no heading


def test_the_title_is_the_cover_line_that_names_the_model() -> None:
    cover = "# TAMSEN FLUID SYSTEMS\n\nHX-30 Hydraulic Power Unit\n\n## 1 Safety\n\nText.\n"
    assert read_document(Path("hx30.md"), cover.encode()).title == "HX-30 Hydraulic Power Unit"
    # A series name without digits is a title; a line of models after it is not.
    series = "# CWS Series Screw Chillers\n\nModels CWS-160 and CWS-220\n\n## 1 Safety\n\nText.\n"
    assert read_document(Path("cws.md"), series.encode()).title == "CWS Series Screw Chillers"
    # A cover whose first lines are the utility, its division, the document and the station.
    utility = (
        "# VALLEY POWER COOPERATIVE\n\nHYDRO DIVISION\n\nINSTRUCTION MI-412\n\n"
        "NORTH FORK STATION\n\nUNIT FG-12 VERTICAL FRANCIS TURBINE-GENERATOR\n\n"
        "## 1 General\n\nText.\n"
    )
    titled_unit = read_document(Path("mi412.md"), utility.encode()).title
    assert titled_unit == "UNIT FG-12 VERTICAL FRANCIS TURBINE-GENERATOR"
    plain = "# Keldane Climate Systems\n\nInstallation and service.\n\n## 1 Safety\n\nText.\n"
    assert read_document(Path("k.md"), plain.encode()).title == "Keldane Climate Systems"
    # The document's own title (a PDF's metadata, an HTML <title>) when it names the machine
    # and the cover's first line is the maker.
    maker = (
        "<html><head><title>Ardenne PB-160 Press Brake – Service Manual</title></head><body>"
        "<h1>Ardenne Bendworks Ltd.</h1><h2>1 Safety</h2><p>Text.</p></body></html>"
    )
    titled = read_document(Path("pb.html"), maker.encode()).title
    assert titled == "Ardenne PB-160 Press Brake – Service Manual"


def test_html_drawings_are_not_text() -> None:
    _, blocks = parse_html(
        "<h2>Brake air gap</h2><p>The gap must be between 0.25 and 0.40 mm.</p>"
        "<figure><svg><text>A</text><text>B</text><text>BR1</text></svg>"
        "<figcaption>Figure 1 – Measuring points</figcaption></figure>"
    )
    assert [b.text for b in blocks[1:]] == [
        "The gap must be between 0.25 and 0.40 mm.",
        "Figure 1 – Measuring points",
    ]


def test_a_caption_set_apart_by_two_spaces_introduces_its_table() -> None:
    text = (
        "7.1 TORQUE VALUES\n\n"
        "Table 7-1  Tightening torques\n"
        "Bolt size   Class   Torque, N·m (lbf·ft)   Joint\n"
        "---------   -----   --------------------   ------------------------------\n"
        "M10         8.8     49 (36)                Seal gland nuts, stool guards\n"
        "M16         8.8     210 (155)              Coupling CP1 and spacer bolts\n"
    )
    blocks = parse_text([(line, None) for line in text.splitlines()])
    table = next(b for b in blocks if b.kind == "table")
    assert table.rows[0] == ("Bolt size", "Class", "Torque, N·m (lbf·ft)", "Joint")
    assert table.rows[2] == ("M16", "8.8", "210 (155)", "Coupling CP1 and spacer bolts")
    assert any(b.kind == "paragraph" and b.text.startswith("Table 7-1") for b in blocks)


def test_an_en_dash_before_a_figure_is_a_minus_sign() -> None:
    from edge.knowledge.readers import minus_signs

    doc = read_document(
        Path("m.md"),
        "# Limits\n\nDo not start below –15 °C.\n\n| Item | Range |\n|---|---|\n"
        "| Ambient | –25 to +40 °C |\n| Oil | 40–75 °C |\n".encode(),
    )
    texts = [b.text for b in doc.blocks] + [c for b in doc.blocks for r in b.rows for c in r]
    assert "Do not start below \u221215 °C." in texts
    assert "\u221225 to +40 °C" in texts and "40–75 °C" in texts  # a range keeps its dash
    assert minus_signs("Figure A–3, pages 3–5") == "Figure A–3, pages 3–5"


def test_paragraphs_typed_step_by_step_are_one_procedure() -> None:
    from edge.knowledge.readers import typed_steps
    from edge.knowledge.records import Block

    blocks = [
        Block("paragraph", "Lock out the machine before any work."),
        Block("paragraph", "Step 1: Finish the cycle."),
        Block("paragraph", "Step 2: Stop motor M1."),
        Block("paragraph", "Note: the clamp is not locked."),
        Block("paragraph", "Step 3: a step out of its run stays a paragraph."),
    ]
    out = typed_steps(blocks)
    assert [b.kind for b in out] == ["paragraph", "steps", "paragraph", "paragraph"]
    assert out[1].items == ("Finish the cycle.", "Stop motor M1.")
    # Word's HTML of a list: each item a paragraph with its number typed ("1.", then spaces).
    listed = [Block("paragraph", f"{n}. {text}") for n, text in enumerate(("Lower.", "Tilt."), 1)]
    [steps] = typed_steps(listed)
    assert steps.items == ("Lower.", "Tilt.")
    assert typed_steps([Block("paragraph", "1.5 m is the free lift.")])[0].kind == "paragraph"


def test_a_technical_order_s_chapters_paragraphs_and_two_line_table_headers() -> None:
    from edge.knowledge.table_headers import joined_header

    text = """\
                               CHAPTER 3
                            OPERATING LIMITS

3-1. GENERAL.

   a. The settings below are relay settings.

3-2. BEARING TEMPERATURES.

                TABLE 3-2. BEARING TEMPERATURE SETTINGS
-------------------------------------------------------------
DEVICE     NORMAL AT FULL          ALARM         TRIP
NO.        LOAD (DEG C)            (DEG C)       (DEG C)
-------------------------------------------------------------
38UGB      50 TO 62                75            85
38TB       55 TO 70                80            90
-------------------------------------------------------------
"""
    blocks = parse_text([(line, None) for line in text.splitlines()])
    headings = [(b.level, b.text) for b in blocks if b.kind == "heading"]
    assert headings == [
        (2, "CHAPTER 3 OPERATING LIMITS"),
        (3, "3-1. GENERAL"),
        (3, "3-2. BEARING TEMPERATURES"),  # the caption over its rule is no heading
    ]
    (table,) = [b for b in blocks if b.kind == "table"]
    assert joined_header(table.rows)[0] == (
        "DEVICE NO.", "NORMAL AT FULL LOAD (DEG C)", "ALARM (DEG C)", "TRIP (DEG C)"
    )  # fmt: skip
    listed = parse_text(
        [
            (line, None)
            for line in (
                "DEVICE    DESCRIPTION                  LOCATION",
                "NO.",
                "-----------------------------------------------",
                "12E       Electrical overspeed relay   Unit control bd",
                "38UGB     Upper guide bearing pad      Upper bracket",
            )
        ]
    )
    assert listed[0].rows[0] == ("DEVICE NO.", "DESCRIPTION", "LOCATION")
    # A first data row without figures stays data.
    rows = (("Item", "Value"), ("Oil pressure at idle", "min. 1.0 bar"), ("Speed", "1500"))
    assert joined_header(rows)[0] == ("Item", "Value")


def test_a_header_cell_that_wraps_onto_no_second_line_and_a_unit_before_its_conversion() -> None:
    from edge.knowledge.table_headers import joined_header

    rows = [
        ("DEVICE", "SERVICE", "NORMAL", "ALARM (MIN)"),
        ("NO.", "", "L/MIN (GPM)", "L/MIN (GPM)"),
        ("80WTB", "Thrust/LGB oil cooler", "180 TO 220 (48 TO 58)", "140 (37)"),
        ("80WSS", "Shaft seal", "45 TO 60 (12 TO 16)", "35 (9.2)"),
    ]
    assert joined_header(rows)[0] == (
        "DEVICE NO.", "SERVICE", "NORMAL L/MIN (GPM)", "ALARM (MIN) L/MIN (GPM)"
    )  # fmt: skip
    # Words under only one header cell are no wrapped header: a row of data.
    data = [("Item", "Value", "Notes"), ("Oil", "", ""), ("Pump", "4 bar", "")]
    assert joined_header(data)[0] == ("Item", "Value", "Notes")


def test_a_header_line_that_is_only_a_unit_is_the_cells_unit() -> None:
    from edge.knowledge.table_headers import joined_header

    text = """\
------------------------------------------------------------------------
MEASUREMENT                           LIMITS              FEELER
                                      MM                  GAUGES
------------------------------------------------------------------------
End clearance, top (head cover)       0.25 TO 0.40        0.25 / 0.40
Gate to gate contact, closed          MAX 0.05            0.05 NO-GO
------------------------------------------------------------------------
"""
    (table,) = [b for b in parse_text([(x, None) for x in text.splitlines()]) if b.kind == "table"]
    assert table.rows[0] == ("MEASUREMENT", "LIMITS (MM)", "FEELER GAUGES")
    two_rows = [("Item", "Torque", "Thread"), ("", "N·m", "size"), ("Cover", "120", "M16")]
    assert joined_header(two_rows)[0] == ("Item", "Torque (N·m)", "Thread size")


def test_a_dealer_manual_s_sections_by_system_and_their_numbered_groups() -> None:
    text = """SECTION 00 – GENERAL INFORMATION AND SAFETY

00-1 How to use this manual

Group 40-3 is the third group of SECTION 40.

SECTION 10 – ENGINE

10-1 Engine specifications

10-15 mm is the belt deflection at 22 lbf.

10-2 Checking engine oil pressure

SECTION 40 – HYDRAULIC SYSTEM

40-1 Hydraulic specifications
"""
    blocks = parse_text([(line, None) for line in text.splitlines()])
    assert [(b.level, b.text) for b in blocks if b.kind == "heading"] == [
        (2, "SECTION 00 – GENERAL INFORMATION AND SAFETY"),
        (3, "00-1 How to use this manual"),
        (2, "SECTION 10 – ENGINE"),  # a section says so: its number may skip
        (3, "10-1 Engine specifications"),  # "10-15 mm ..." is no group: 15 does not follow 1
        (3, "10-2 Checking engine oil pressure"),
        (2, "SECTION 40 – HYDRAULIC SYSTEM"),
        (3, "40-1 Hydraulic specifications"),
    ]
