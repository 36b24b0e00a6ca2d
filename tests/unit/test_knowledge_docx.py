"""The DOCX reader: heading styles, native numbered lists, real tables, boxed notes, bad files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from edge.knowledge.read_docx import DocxError, read_docx
from edge.knowledge.readers import ReadError, read_document

pytestmark = pytest.mark.unit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

STYLES = f"""<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
<w:style w:type="paragraph" w:styleId="MyChapter"><w:name w:val="Chapter"/>
  <w:basedOn w:val="Heading1"/></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/></w:style>
<w:style w:type="paragraph" w:styleId="ListNumber"><w:name w:val="List Number"/>
  <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/>
  <w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
</w:styles>"""

NUMBERING = f"""<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="10"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl>
  <w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="20"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="20"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="10"/></w:num>
</w:numbering>"""

CORE = """<cp:coreProperties
 xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Pump manual</dc:title></cp:coreProperties>"""


def p(text: str, style: str | None = None, num: tuple[int, int] | None = None) -> str:
    ppr = ""
    if style or num:
        inner = f'<w:pStyle w:val="{style}"/>' if style else ""
        if num:
            inner += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr = f"<w:pPr>{inner}</w:pPr>"
    runs = "".join(f"<w:r><w:t xml:space='preserve'>{part}</w:t></w:r>" for part in text.split("|"))
    return f"<w:p>{ppr}{runs}</w:p>"


def cell(text: str, merge: str | None = None, span: int = 1) -> str:
    props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if merge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif merge == "continue":
        props += "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text)}</w:tc>"


def table(*rows: str) -> str:
    return "<w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"


def docx(body: str, *, core: bool = True) -> bytes:
    document = f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", document)
        z.writestr("word/styles.xml", STYLES)
        z.writestr("word/numbering.xml", NUMBERING)
        if core:
            z.writestr("docProps/core.xml", CORE)
    return buffer.getvalue()


def test_heading_styles_give_levels_and_the_title() -> None:
    title, blocks = read_docx(
        docx(p("CPS 200", "Title") + p("1 Safety", "Heading1") + p("1.1 PPE", "Heading2"))
    )
    assert title == "Pump manual"
    assert [(b.kind, b.text, b.level) for b in blocks] == [
        ("heading", "CPS 200", 1),
        ("heading", "1 Safety", 2),
        ("heading", "1.1 PPE", 3),
    ]


def test_a_custom_style_based_on_a_heading_is_a_heading() -> None:
    _, blocks = read_docx(docx(p("4 Maintenance", "MyChapter")))
    assert (blocks[0].kind, blocks[0].level) == ("heading", 2)


def test_runs_are_joined_into_one_paragraph() -> None:
    _, blocks = read_docx(docx(p("Torque to |210 N·m|.")))
    assert blocks[0].text == "Torque to 210 N·m."


def test_native_numbering_makes_steps_and_sub_steps_join_their_step() -> None:
    body = (
        p("Before you start:")
        + p("Isolate the pump.", "ListNumber")
        + p("Drain the casing:", "ListNumber")
        + p("open the vent", num=(1, 1))
        + p("open the drain", num=(1, 1))
        + p("Fit the new seal.", "ListNumber")
        + p("wear gloves", "ListBullet")
        + p("Second procedure, step one.", num=(3, 0))
    )
    _, blocks = read_docx(docx(body))
    assert [b.kind for b in blocks] == ["paragraph", "steps", "list", "steps"]
    assert blocks[1].items == (
        "Isolate the pump.",
        "Drain the casing: open the vent; open the drain",
        "Fit the new seal.",
    )
    assert blocks[2].items == ("wear gloves",)
    assert blocks[3].items == ("Second procedure, step one.",)


def test_tables_keep_cells_merged_cells_repeat_and_boxes_become_text() -> None:
    body = (
        p("Table 4 – Operating limits", "Caption")
        + table(
            cell("Tag") + cell("Parameter") + cell("Range"),
            cell("TT-101", "restart") + cell("Bearing temperature") + cell("max. 85 °C"),
            cell("", "continue") + cell("Oil level") + cell("1/2 to 3/4 of sight glass"),
            cell("Note: values at 50 Hz", span=3),
        )
        + table(cell("WARNING") + "", cell("Hot surfaces."))
    )
    _, blocks = read_docx(docx(body))
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph", "paragraph"]
    assert blocks[0].text == "Table 4 – Operating limits"
    assert blocks[1].rows == (
        ("Tag", "Parameter", "Range"),
        ("TT-101", "Bearing temperature", "max. 85 °C"),
        ("TT-101", "Oil level", "1/2 to 3/4 of sight glass"),
        ("Note: values at 50 Hz", "", ""),
    )
    assert [b.text for b in blocks[2:]] == ["WARNING", "Hot surfaces."]


def test_read_document_picks_the_docx_reader_and_reports_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "manual.docx"
    good.write_bytes(docx(p("Pump", "Title") + p("Some text.")))
    parsed = read_document(good, good.read_bytes())
    assert (parsed.format, parsed.title) == ("docx", "Pump")
    with pytest.raises(ReadError, match="not a DOCX"):
        read_document(good, b"PK\x03\x04 but not really a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("content.xml", "<x/>")
    with pytest.raises(DocxError, match="no word/document.xml"):
        read_docx(buffer.getvalue())
    with pytest.raises(DocxError, match="damaged"):
        read_docx(docx("<w:p>"))
