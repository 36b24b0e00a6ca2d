"""Render a msrc manual source to DOCX with python-docx.

House style: Word heading styles (Heading 1-3) carrying the literal section numbers,
'Table Grid' tables with shaded, repeating header rows and captions above the table,
safety messages as shaded one-cell tables, procedure steps as native Word numbered
lists (numbering restarts for every procedure, so step numbers are NOT part of the
paragraph text), running header and "Page X of Y" footer fields.
Deterministic: fixed core properties and fixed zip timestamps.
"""
import copy
import datetime
import io
import re
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

import msrc

FIXED = datetime.datetime(2024, 3, 1, 8, 0, 0)
BOX_FILL = {"DANGER": "F4CCCC", "WARNING": "FCE5CD", "CAUTION": "FFF2CC", "NOTE": "DEEAF6"}


def add_runs(par, text, size=None, bold_all=False, italic=False):
    parts = re.split(r"(\*\*.+?\*\*)", text)
    for p in parts:
        if not p:
            continue
        bold = bold_all
        if p.startswith("**") and p.endswith("**"):
            p = p[2:-2]
            bold = True
        r = par.add_run(p)
        r.bold = bold
        r.italic = italic
        if size:
            r.font.size = Pt(size)
    return par


def shade(cell, fill):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcPr.append(shd)


def repeat_header(row):
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def add_field(par, instr):
    r = par.add_run()
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "begin")
    r._r.append(fc)
    r2 = par.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = instr
    r2._r.append(it)
    r3 = par.add_run()
    fc2 = OxmlElement("w:fldChar")
    fc2.set(qn("w:fldCharType"), "separate")
    r3._r.append(fc2)
    par.add_run("1")
    r4 = par.add_run()
    fc3 = OxmlElement("w:fldChar")
    fc3.set(qn("w:fldCharType"), "end")
    r4._r.append(fc3)


class NumberingHelper:
    def __init__(self, doc):
        self.doc = doc
        style = doc.styles["List Number"]
        numPr = style.element.pPr.find(qn("w:numPr"))
        self.base_num_id = int(numPr.find(qn("w:numId")).get(qn("w:val")))
        self.numbering = doc.part.numbering_part.element
        self.abstract_id = None
        for num in self.numbering.findall(qn("w:num")):
            if int(num.get(qn("w:numId"))) == self.base_num_id:
                self.abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        self.next_id = max(int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))) + 1

    def new_list(self):
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self.next_id))
        a = OxmlElement("w:abstractNumId")
        a.set(qn("w:val"), self.abstract_id)
        num.append(a)
        ov = OxmlElement("w:lvlOverride")
        ov.set(qn("w:ilvl"), "0")
        so = OxmlElement("w:startOverride")
        so.set(qn("w:val"), "1")
        ov.append(so)
        num.append(ov)
        self.numbering.append(num)
        self.next_id += 1
        return self.next_id - 1

    @staticmethod
    def apply(par, num_id):
        pPr = par._p.get_or_add_pPr()
        numPr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        nid = OxmlElement("w:numId")
        nid.set(qn("w:val"), str(num_id))
        numPr.append(ilvl)
        numPr.append(nid)
        pPr.append(numPr)


def render(src, out):
    meta, blocks = msrc.parse(src)
    doc = Document()
    cp = doc.core_properties
    cp.title = meta.get("title", "")
    cp.subject = meta.get("subtitle", "")
    cp.author = meta.get("publisher", "")
    cp.last_modified_by = "corpus render script"
    cp.created = FIXED
    cp.modified = FIXED
    cp.revision = 3
    cp.comments = "Fictional document for evaluation purposes"

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(22)
    sec.top_margin = Mm(25)
    sec.bottom_margin = Mm(22)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    for lvl, size in ((1, 15), (2, 12), (3, 10.5)):
        st = doc.styles[f"Heading {lvl}"]
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x7A, 0x1F, 0x1F)

    # running header and footer
    hp = sec.header.paragraphs[0]
    hp.text = meta.get("header_left", "")
    hp.style = doc.styles["Header"]
    fp = sec.footer.paragraphs[0]
    fp.text = meta.get("footer", "") + "\t\tPage "
    add_field(fp, "PAGE")
    fp.add_run(" of ")
    add_field(fp, "NUMPAGES")

    # title page
    doc.add_paragraph(meta.get("publisher", ""))
    doc.add_paragraph(meta.get("title", ""), style="Title")
    doc.add_paragraph(meta.get("subtitle", ""), style="Subtitle")
    info = [l.split("|", 1) for l in meta.get("docinfo", "").split("\n") if "|" in l]
    if info:
        t = doc.add_table(rows=0, cols=2)
        t.style = doc.styles["Table Grid"]
        for k, v in info:
            cells = t.add_row().cells
            cells[0].text = k.strip()
            cells[1].text = v.strip()
            cells[0].paragraphs[0].runs[0].bold = True
        doc.add_paragraph()
    for line in meta.get("front", "").split("\n"):
        add_runs(doc.add_paragraph(), line)
    doc.add_page_break()

    numbering = NumberingHelper(doc)
    for b in blocks:
        kind = b[0]
        if kind == "h":
            doc.add_heading(b[2], level=b[1])
        elif kind == "p":
            add_runs(doc.add_paragraph(), b[1])
        elif kind == "box":
            t = doc.add_table(rows=1, cols=1)
            t.style = doc.styles["Table Grid"]
            c = t.rows[0].cells[0]
            shade(c, BOX_FILL.get(b[1], "EEEEEE"))
            p0 = c.paragraphs[0]
            r = p0.add_run(b[1])
            r.bold = True
            add_runs(c.add_paragraph(), b[2])
            doc.add_paragraph()
        elif kind == "ol":
            nid = numbering.new_list()
            for text, subs in b[1]:
                p = doc.add_paragraph(style="List Number")
                NumberingHelper.apply(p, nid)
                add_runs(p, text)
                for s in subs:
                    add_runs(doc.add_paragraph(style="List Bullet 2"), s)
        elif kind == "ul":
            for text, subs in b[1]:
                add_runs(doc.add_paragraph(style="List Bullet"), text)
                for s in subs:
                    add_runs(doc.add_paragraph(style="List Bullet 2"), s)
        elif kind == "table":
            caption, widths, head, body, notes = b[1:]
            if caption:
                cap = doc.add_paragraph(style="Caption")
                cap.add_run(caption)
            ncol = max(len(r) for r in head + body)
            t = doc.add_table(rows=0, cols=ncol)
            t.style = doc.styles["Table Grid"]
            t.alignment = WD_TABLE_ALIGNMENT.LEFT
            for r_i, row in enumerate(head + body):
                is_head = r_i < len(head)
                tr = t.add_row()
                if is_head:
                    repeat_header(tr)
                for c_i in range(ncol):
                    txt = row[c_i] if c_i < len(row) else ""
                    cell = tr.cells[c_i]
                    add_runs(cell.paragraphs[0], txt, size=9, bold_all=is_head)
                    if is_head:
                        shade(cell, "D9D9D9")
            if widths:
                tot = sum(widths)
                for c_i, w in enumerate(widths):
                    for row in t.rows:
                        row.cells[c_i].width = Mm(166 * w / tot)
            for nt in notes:
                add_runs(doc.add_paragraph(), nt, size=8.5, italic=True)
            doc.add_paragraph()
        elif kind == "pagebreak":
            doc.add_page_break()

    buf = io.BytesIO()
    doc.save(buf)
    # rewrite the zip with fixed timestamps and fixed order for reproducible output
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zi = zipfile.ZipInfo(item.filename, date_time=(2024, 3, 1, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, zin.read(item.filename))
