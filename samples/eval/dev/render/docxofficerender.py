"""Render a msrc manual source to DOCX in a third Word house style (moulding-im280).

House style (different from docxrender.py / genset-dg400 and docxnumrender.py /
transformer-ot2500): the look of a manual typed by hand in an office template.
  * headings use the template's own paragraph styles "HQ Chapter", "HQ Section" and
    "HQ Subsection" (NOT Word's Heading 1-3) with an outline level; the section number is
    typed into the heading text ("4.3.2 Barrel heating zones");
  * table captions are NOT in Word's Caption style: a plain bold paragraph above the table
    ("Table 12 – Hydraulic limits"), kept with the table;
  * tables without a table style: heavy rules above and below, thin grey rules between rows,
    no vertical rules, bold header rows closed by a double rule and repeated on every page;
    merged cells ("<" = merge with the cell on the left, "^" = merge with the cell above);
    note lines under a table ("* text") become small italic paragraphs;
  * numbered steps in the source ("1. text") are typed as paragraphs "Step 1: text" with a
    bold "Step 1:" and a hanging indent (no Word list numbering); sub-items as "–" lines;
  * paragraphs starting with "Note:" are set in italics;
  * safety messages as bordered one-cell tables (no shading); the first line carries the
    signal word alone (DANGER / WARNING / CAUTION), the message follows below it;
  * <<landscape>> / <<portrait>> start new sections; <<pagebreak>> breaks the page;
  * plain header line and a footer with the document number and "page N" (PAGE field only).
Deterministic: fixed core properties, fixed zip timestamps and order.
Run: python render/docxofficerender.py SOURCE.txt OUT.docx
"""
import datetime
import io
import os
import re
import sys
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msrc  # noqa: E402

FIXED = datetime.datetime(2025, 9, 22, 7, 45, 0)
ZIP_TIME = (2025, 9, 22, 7, 45, 0)
FONT = "Verdana"
INK = "1A1A1A"
RULE = "A6A6A6"
BOX_BORDER = {"DANGER": ("C00000", 18), "WARNING": ("E36C09", 12), "CAUTION": ("7F7F7F", 8)}
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 25, 18, 20, 20
STEP_RE = re.compile(r"^(Step \d+:)\s*(.*)$")


# ------------------------------------------------------------------ helpers

def run_props(r, size=None, bold=None, italic=None, color=None):
    if size:
        r.font.size = Pt(size)
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    if color:
        r.font.color.rgb = RGBColor.from_string(color)


def add_inline(par, text, size=None, bold_all=False, italic=False, color=None):
    for part in re.split(r"(\*\*.+?\*\*)", text):
        if not part:
            continue
        bold = bold_all
        if part.startswith("**") and part.endswith("**"):
            part = part[2:-2]
            bold = True
        run_props(par.add_run(part), size=size, bold=bold, italic=italic, color=color)
    return par


def add_fld(par, instr, cached, **kw):
    def fc(kind):
        r = par.add_run()
        run_props(r, **kw)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)
    fc("begin")
    r = par.add_run()
    run_props(r, **kw)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._r.append(it)
    fc("separate")
    run_props(par.add_run(cached), **kw)
    fc("end")


TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"]
TCPR_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
              "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"]


def insert_ordered(parent, el, order):
    name = el.tag.split("}")[1]
    later = set(order[order.index(name) + 1:])
    for child in parent:
        if child.tag.split("}")[1] in later:
            child.addprevious(el)
            return el
    parent.append(el)
    return el


def border_el(side, val, sz, color):
    e = OxmlElement(f"w:{side}")
    e.set(qn("w:val"), val)
    e.set(qn("w:sz"), str(sz))
    e.set(qn("w:space"), "0")
    e.set(qn("w:color"), color)
    return e


def table_frame(t, width_mm, borders):
    tblPr = t._tbl.tblPr
    old = tblPr.find(qn("w:tblStyle"))
    if old is not None:
        tblPr.remove(old)
    b = OxmlElement("w:tblBorders")
    for side, (val, sz, color) in borders.items():
        b.append(border_el(side, val, sz, color))
    insert_ordered(tblPr, b, TBLPR_ORDER)
    lay = OxmlElement("w:tblLayout")
    lay.set(qn("w:type"), "fixed")
    insert_ordered(tblPr, lay, TBLPR_ORDER)
    mar = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:top w:w="28" w:type="dxa"/>'
                    '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>'
                    '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>')
    insert_ordered(tblPr, mar, TBLPR_ORDER)
    tblW = tblPr.find(qn("w:tblW"))
    tblW.set(qn("w:type"), "dxa")
    tblW.set(qn("w:w"), str(int(width_mm * 56.6929)))


def set_cell_width(cell, mm):
    tcPr = cell._tc.get_or_add_tcPr()
    w = tcPr.find(qn("w:tcW"))
    if w is None:
        w = OxmlElement("w:tcW")
        insert_ordered(tcPr, w, TCPR_ORDER)
    w.set(qn("w:w"), str(int(mm * 56.6929)))
    w.set(qn("w:type"), "dxa")


def cell_bottom(cell, val, sz, color):
    tcPr = cell._tc.get_or_add_tcPr()
    b = tcPr.find(qn("w:tcBorders"))
    if b is None:
        b = OxmlElement("w:tcBorders")
        insert_ordered(tcPr, b, TCPR_ORDER)
    b.append(border_el("bottom", val, sz, color))


def valign(cell, val):
    tcPr = cell._tc.get_or_add_tcPr()
    v = OxmlElement("w:vAlign")
    v.set(qn("w:val"), val)
    insert_ordered(tcPr, v, TCPR_ORDER)


# ------------------------------------------------------------------ styles and page set-up

def setup_styles(doc):
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    normal.font.color.rgb = RGBColor.from_string(INK)
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    rpr = normal.element.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, size, before, after, lvl in (("HQ Chapter", 13, 16, 8, 0),
                                            ("HQ Section", 11, 12, 5, 1),
                                            ("HQ Subsection", 9.5, 9, 4, 2)):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.next_paragraph_style = normal
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor.from_string("000000")
        pf = st.paragraph_format
        pf.space_before = Pt(before)
        pf.space_after = Pt(after)
        pf.keep_with_next = True
        ol = OxmlElement("w:outlineLvl")
        ol.set(qn("w:val"), str(lvl))
        st.element.get_or_add_pPr().append(ol)
        if lvl == 0:
            pPr = st.element.get_or_add_pPr()
            bdr = OxmlElement("w:pBdr")
            bdr.append(border_el("bottom", "single", 8, "000000"))
            pPr.insert(0, bdr)
    st = doc.styles.add_style("HQ Title", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.size = Pt(22)
    st.font.bold = True
    st.paragraph_format.space_after = Pt(10)


def setup_page(sec, landscape=False):
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(297), Mm(210)
    else:
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = Mm(MARGIN_L)
    sec.right_margin = Mm(MARGIN_R)
    sec.top_margin = Mm(MARGIN_T)
    sec.bottom_margin = Mm(MARGIN_B)
    sec.header_distance = Mm(9)
    sec.footer_distance = Mm(9)


def header_footer(doc, sec, meta, width_mm):
    sec.header.is_linked_to_previous = False
    sec.footer.is_linked_to_previous = False
    for name in ("Header", "Footer"):
        pPr = doc.styles[name].element.get_or_add_pPr()
        tabs = pPr.find(qn("w:tabs"))
        if tabs is not None:
            pPr.remove(tabs)
    hp = sec.header.paragraphs[0]
    hp.style = doc.styles["Header"]
    hp.paragraph_format.tab_stops.add_tab_stop(Mm(width_mm), WD_TAB_ALIGNMENT.RIGHT)
    run_props(hp.add_run(meta.get("header_left", "") + "\t" + meta.get("header_right", "")),
              size=7.5, color="595959")
    fp = sec.footer.paragraphs[0]
    fp.style = doc.styles["Footer"]
    fp.paragraph_format.tab_stops.add_tab_stop(Mm(width_mm), WD_TAB_ALIGNMENT.RIGHT)
    run_props(fp.add_run(meta.get("footer", "") + "\tpage "), size=7.5, color="595959")
    add_fld(fp, "PAGE", "1", size=7.5, color="595959")


# ------------------------------------------------------------------ blocks

def render_table(doc, width_mm, caption, widths, head, body, notes):
    if caption:
        p = doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.space_after = Pt(3)
        run_props(p.add_run(caption), bold=True)
    rows = head + body
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    t = doc.add_table(rows=len(rows), cols=ncol)
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    table_frame(t, width_mm, {"top": ("single", 12, "000000"), "bottom": ("single", 12, "000000"),
                              "insideH": ("single", 4, RULE)})
    if not widths:
        widths = [1] * ncol
    tot = sum(widths)
    mm = [width_mm * w / tot for w in widths]
    for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), mm):
        gc.set(qn("w:w"), str(int(w * 56.6929)))
    for r_i, row in enumerate(rows):
        is_head = r_i < len(head)
        tr = t.rows[r_i]
        trPr = tr._tr.get_or_add_trPr()
        trPr.append(OxmlElement("w:cantSplit"))
        if is_head:
            trPr.append(OxmlElement("w:tblHeader"))
        for c_i, txt in enumerate(row):
            cell = tr.cells[c_i]
            set_cell_width(cell, mm[c_i])
            if is_head and r_i == len(head) - 1:
                cell_bottom(cell, "double", 4, "000000")
            if txt in ("<", "^"):
                continue
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.space_before = Pt(0)
            if is_head:
                p.paragraph_format.keep_with_next = True
            add_inline(p, txt, size=8.5, bold_all=is_head)
    for r_i, row in enumerate(rows):
        c = 0
        while c < ncol:
            if c + 1 < ncol and row[c + 1] == "<":
                end = c + 1
                while end + 1 < ncol and row[end + 1] == "<":
                    end += 1
                t.cell(r_i, c).merge(t.cell(r_i, end))
                c = end + 1
            else:
                c += 1
    for c in range(ncol):
        r_i = 0
        while r_i < len(rows):
            if r_i + 1 < len(rows) and rows[r_i + 1][c] == "^":
                end = r_i + 1
                while end + 1 < len(rows) and rows[end + 1][c] == "^":
                    end += 1
                m = t.cell(r_i, c).merge(t.cell(end, c))
                valign(m, "bottom")
                r_i = end + 1
            else:
                r_i += 1
    for nt in notes:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(1)
        p.paragraph_format.space_before = Pt(2)
        add_inline(p, nt, size=7.5, italic=True)
    sp = doc.add_paragraph()
    sp.paragraph_format.space_after = Pt(2)


def render_box(doc, width_mm, kind, text):
    color, sz = BOX_BORDER.get(kind, ("7F7F7F", 8))
    t = doc.add_table(rows=1, cols=1)
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    table_frame(t, width_mm, {s: ("single", sz, color) for s in ("top", "left", "bottom", "right")})
    t._tbl.tblGrid.findall(qn("w:gridCol"))[0].set(qn("w:w"), str(int(width_mm * 56.6929)))
    cell = t.rows[0].cells[0]
    set_cell_width(cell, width_mm)
    p0 = cell.paragraphs[0]
    p0.paragraph_format.space_after = Pt(2)
    p0.paragraph_format.keep_with_next = True
    run_props(p0.add_run(kind), size=10.5 if kind == "DANGER" else 9.5, bold=True, color=color)
    p1 = cell.add_paragraph()
    p1.paragraph_format.space_after = Pt(2)
    add_inline(p1, text)
    sp = doc.add_paragraph()
    sp.paragraph_format.space_after = Pt(2)


def render_para(doc, text):
    p = doc.add_paragraph()
    if text.startswith("Note:"):
        p.paragraph_format.left_indent = Mm(6)
        run_props(p.add_run("Note:"), bold=True, italic=True)
        add_inline(p, text[5:], italic=True)
        return
    m = STEP_RE.match(text)
    if m:
        step_para(p, m.group(1), m.group(2))
        return
    add_inline(p, text)


def step_para(p, label, text):
    p.paragraph_format.left_indent = Mm(16)
    p.paragraph_format.first_line_indent = Mm(-16)
    p.paragraph_format.space_after = Pt(3)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(16))
    run_props(p.add_run(label + "\t"), bold=True)
    add_inline(p, text)


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
    cp.last_printed = FIXED
    cp.revision = 7
    cp.keywords = "injection moulding machine; fictional"
    cp.comments = "Fictional document for evaluation purposes"

    setup_styles(doc)
    setup_page(doc.sections[0])
    width = 210 - MARGIN_L - MARGIN_R
    header_footer(doc, doc.sections[0], meta, width)

    # title page: publisher, title, subtitle, document data as typed lines, notice, contents
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(48)
    run_props(p.add_run(meta.get("publisher", "")), size=10, bold=True)
    doc.add_paragraph(meta.get("title", ""), style="HQ Title")
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(30)
    run_props(p.add_run(meta.get("subtitle", "")), size=13)
    for line in meta.get("docinfo", "").split("\n"):
        if "|" in line:
            k, v = line.split("|", 1)
            p = doc.add_paragraph()
            p.paragraph_format.space_after = Pt(1)
            p.paragraph_format.tab_stops.add_tab_stop(Mm(45))
            run_props(p.add_run(k.strip() + ":\t"), bold=True)
            p.add_run(v.strip())
    doc.add_paragraph()
    for line in meta.get("front", "").split("\n"):
        add_inline(doc.add_paragraph(), line)
    contents = [b[2] for b in blocks if b[0] == "h" and b[1] == 1]
    if contents:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        run_props(p.add_run("Contents"), bold=True, size=10)
        for c in contents:
            p = doc.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.left_indent = Mm(4)
            p.add_run(c)
    doc.add_page_break()

    style_for = {1: "HQ Chapter", 2: "HQ Section", 3: "HQ Subsection"}
    for b in blocks:
        kind = b[0]
        if kind == "h":
            doc.add_paragraph(b[2], style=style_for[b[1]])
        elif kind == "p":
            render_para(doc, b[1])
        elif kind == "box":
            render_box(doc, width, b[1], b[2])
        elif kind == "ol":
            for i, (text, subs) in enumerate(b[1], 1):
                step_para(doc.add_paragraph(), f"Step {i}:", text)
                for s in subs:
                    p = doc.add_paragraph()
                    p.paragraph_format.left_indent = Mm(22)
                    p.paragraph_format.first_line_indent = Mm(-4)
                    p.paragraph_format.space_after = Pt(2)
                    add_inline(p, "– " + s)
        elif kind == "ul":
            for text, subs in b[1]:
                p = doc.add_paragraph(style="List Bullet")
                p.paragraph_format.space_after = Pt(2)
                add_inline(p, text)
                for s in subs:
                    p = doc.add_paragraph(style="List Bullet 2")
                    p.paragraph_format.space_after = Pt(2)
                    add_inline(p, s)
        elif kind == "table":
            caption, widths, head, body, notes = b[1:]
            render_table(doc, width, caption, widths, head, body, notes)
        elif kind in ("landscape", "portrait"):
            sec = doc.add_section(WD_SECTION.NEW_PAGE)
            setup_page(sec, landscape=(kind == "landscape"))
            width = (297 if kind == "landscape" else 210) - MARGIN_L - MARGIN_R
            header_footer(doc, sec, meta, width)
        elif kind == "pagebreak":
            doc.add_page_break()

    buf = io.BytesIO()
    doc.save(buf)
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zi = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, zin.read(item.filename))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    render(sys.argv[1], sys.argv[2])
    print("rendered", sys.argv[2])
