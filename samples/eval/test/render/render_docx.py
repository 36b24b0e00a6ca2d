"""Render a markup source (see markup.py) to a Word document with python-docx.

House style: A4, Word heading styles (Heading 1-3) with the section number in
the heading text, real Word tables ("Table Grid", shaded bold header row that
repeats on each page), captions in the Caption style above tables, notices as
shaded one-cell tables, numbered steps as hanging-indent paragraphs, running
header with the document number and a footer with a PAGE field.

Deterministic: fixed core properties and fixed zip entry timestamps.
Usage: python render_docx.py SRC OUT.docx "header text"
"""

import io
import sys
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from markup import parse  # noqa: E402

FIXED = datetime(2024, 2, 1, 8, 0, 0)
SHADES = {"DANGER": "F4CCCC", "WARNING": "FCE5CD", "CAUTION": "FFF2CC", "NOTE": "DDEBF7", "NOTICE": "DDEBF7"}


def shade(cell, hex_fill):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tcPr.append(shd)


def repeat_header(row):
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def add_field(paragraph, instr):
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        elif kind == "text":
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)


def render(src, out_path, header_text):
    blocks = parse(open(src, encoding="utf-8").read())
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
    sec.different_first_page_header_footer = True

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for lvl, size in ((1, 15), (2, 12.5), (3, 11)):
        st = doc.styles[f"Heading {lvl}"]
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    hp = sec.header.paragraphs[0]
    hp.text = header_text
    hp.runs[0].font.size = Pt(8.5)
    fp = sec.footer.paragraphs[0]
    r = fp.add_run("Velten Energietechnik (fictional) · VE-MM-1207 Ed. 6 · Page ")
    r.font.size = Pt(8.5)
    add_field(fp, "PAGE")

    heads = [b for b in blocks if b.kind == "heading" and b.level <= 2]
    for b in blocks:
        if b.kind == "titlepage_start":
            for _ in range(3):
                doc.add_paragraph()
        elif b.kind == "titlepage_end":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind == "title":
            doc.add_paragraph(b.text, style="Title")
        elif b.kind == "subtitle":
            doc.add_paragraph(b.text, style="Subtitle")
        elif b.kind == "toc":
            doc.add_paragraph("Contents", style="TOC Heading" if "TOC Heading" in [s.name for s in doc.styles] else "Heading 1")
            for h in heads:
                p = doc.add_paragraph(h.text)
                p.paragraph_format.left_indent = Cm(0 if h.level == 1 else 0.8)
                p.paragraph_format.space_after = Pt(1)
                if h.level == 1:
                    p.runs[0].bold = True
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind == "heading":
            doc.add_heading(b.text, level=b.level)
        elif b.kind == "para":
            doc.add_paragraph(b.text)
        elif b.kind == "notice":
            t = doc.add_table(rows=1, cols=1)
            t.style = "Table Grid"
            c = t.cell(0, 0)
            shade(c, SHADES[b.label])
            p = c.paragraphs[0]
            lr = p.add_run(b.label + "  ")
            lr.bold = True
            p.add_run(b.text)
            doc.add_paragraph()
        elif b.kind == "list":
            for level, ordered, marker, text in b.items:
                lab = marker if ordered else "•"
                p = doc.add_paragraph()
                pf = p.paragraph_format
                pf.left_indent = Cm(1.0 + 0.8 * level)
                pf.first_line_indent = Cm(-0.7)
                pf.space_after = Pt(2)
                pf.tab_stops.add_tab_stop(Cm(1.0 + 0.8 * level))
                p.add_run(f"{lab}\t{text}")
        elif b.kind == "table":
            if b.caption:
                cp = doc.add_paragraph(b.caption, style="Caption")
                cp.paragraph_format.keep_with_next = True
            ncol = max(len(r) for r in b.rows)
            t = doc.add_table(rows=0, cols=ncol)
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.LEFT
            for ri, row in enumerate(b.rows):
                cells = t.add_row().cells
                for ci in range(ncol):
                    txt = row[ci] if ci < len(row) else ""
                    para = cells[ci].paragraphs[0]
                    run = para.add_run(txt)
                    run.font.size = Pt(9.5)
                    if ri == 0:
                        run.bold = True
                        shade(cells[ci], "D9E2F3")
                if ri == 0:
                    repeat_header(t.rows[0])
            doc.add_paragraph()

    cp = doc.core_properties
    cp.title = header_text
    cp.author = "Evaluation corpus (fictional)"
    cp.last_modified_by = "render_docx.py"
    cp.created = FIXED
    cp.modified = FIXED
    cp.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 2, 1, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)


if __name__ == "__main__":
    render(sys.argv[1], sys.argv[2], sys.argv[3])
