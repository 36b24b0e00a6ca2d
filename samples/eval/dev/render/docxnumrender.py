"""Render a msrc manual source to DOCX in a second Word house style (transformer-ot2500).

House style (different from docxrender.py / genset-dg400):
  * heading numbers come from a Word multilevel list attached to the Heading 1-3 styles, so
    the heading paragraphs' text carries NO number (Word draws "3.2" from numbering.xml);
  * cross-references {sec:Heading text} and {tab:Caption title} become REF fields to bookmarks
    (cached results "7.2" / "Table 5");
  * tables: thin grey grid, dark-blue header rows with white text (repeated), merged cells
    ("<" = merge with the cell on the left, gridSpan; "^" = merge with the cell above, vMerge);
    small footnote paragraphs directly under the table, then the caption BELOW the table in
    Word's Caption style, "Table " + SEQ Table field + ": title";
  * procedures as two-column Step/Action tables without caption; bullets from our own
    bullet list definition;
  * DANGER messages as framed VML text boxes, WARNING/CAUTION/NOTE as shaded bordered
    paragraphs;
  * <<landscape>> / <<portrait>> start new sections (the maintenance schedule is landscape);
  * header with document number and revision, footer "Page X of Y".
Deterministic: fixed core properties, fixed zip timestamps and order, fixed ids.
Run: python render/docxnumrender.py SOURCE.txt OUT.docx
"""
import datetime
import io
import math
import os
import re
import sys
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msrc  # noqa: E402

FIXED = datetime.datetime(2025, 4, 14, 9, 30, 0)
ZIP_TIME = (2025, 4, 14, 9, 30, 0)
FONT = "Arial"
BLUE = "1F3864"
GRID = "808080"
MARGIN_LR, MARGIN_T, MARGIN_B = 20, 25, 20
BOXES = {  # fill, border
    "WARNING": ("FBE4D5", "C55A11"),
    "CAUTION": ("FFF2CC", "BF8F00"),
    "NOTE": ("DEEAF6", "2E75B6"),
}
CAP_RE = re.compile(r"^Table (\d+): (.+)$")
INLINE_RE = re.compile(r"(\*\*.+?\*\*|\{sec:[^}]+\}|\{tab:[^}]+\})")


class Ctx:
    def __init__(self):
        self.sec_num = {}     # heading text -> "7.2"
        self.sec_bm = {}      # heading text -> bookmark name
        self.tab_num = {}     # caption title -> N
        self.tab_bm = {}
        self.bm_id = 100
        self.shape_id = 1025
        self.shapetype_done = False
        self.text_width_mm = 170


def prepass(blocks, ctx):
    counters = [0, 0, 0]
    ntab = 0
    for b in blocks:
        if b[0] == "h":
            lvl = b[1]
            counters[lvl - 1] += 1
            for i in range(lvl, 3):
                counters[i] = 0
            num = ".".join(str(c) for c in counters[:lvl])
            if b[2] in ctx.sec_num:
                raise SystemExit(f"duplicate heading text: {b[2]!r}")
            ctx.sec_num[b[2]] = num
            ctx.sec_bm[b[2]] = "_Ref%07d" % (1000000 + len(ctx.sec_bm) + 1)
        elif b[0] == "table" and b[1]:
            m = CAP_RE.match(b[1])
            if not m:
                raise SystemExit(f"caption must read 'Table N: title': {b[1]!r}")
            ntab += 1
            if int(m.group(1)) != ntab:
                raise SystemExit(f"caption number {m.group(1)} should be {ntab}: {b[1]!r}")
            ctx.tab_num[m.group(2)] = ntab
            ctx.tab_bm[m.group(2)] = "_Ref%07d" % (2000000 + ntab)


# ------------------------------------------------------------------ low-level helpers

def run_props(r, size=None, bold=None, italic=None, color=None):
    if size:
        r.font.size = Pt(size)
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    if color:
        r.font.color.rgb = RGBColor.from_string(color)


def add_fld(par, instr, cached, **kw):
    """Complex field (begin/instr/separate/result/end); every run carries the same formatting."""
    def fc(kind):
        r = par.add_run()
        run_props(r, **kw)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)
        return r
    fc("begin")
    r = par.add_run()
    run_props(r, **kw)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._r.append(it)
    fc("separate")
    rr = par.add_run(cached)
    run_props(rr, **kw)
    fc("end")


def bm_open(par, ctx, name):
    ctx.bm_id += 1
    el = OxmlElement("w:bookmarkStart")
    el.set(qn("w:id"), str(ctx.bm_id))
    el.set(qn("w:name"), name)
    par._p.append(el)
    return ctx.bm_id


def bm_close(par, bid):
    el = OxmlElement("w:bookmarkEnd")
    el.set(qn("w:id"), str(bid))
    par._p.append(el)


def add_inline(par, text, ctx, size=None, bold_all=False, italic=False, color=None):
    for part in INLINE_RE.split(text):
        if not part:
            continue
        kw = dict(size=size, bold=bold_all, italic=italic, color=color)
        if part.startswith("**") and part.endswith("**"):
            kw["bold"] = True
            run_props(par.add_run(part[2:-2]), **kw)
        elif part.startswith("{sec:"):
            key = part[5:-1]
            if key not in ctx.sec_num:
                raise SystemExit(f"unknown section reference {key!r}")
            add_fld(par, f"REF {ctx.sec_bm[key]} \\w \\h", ctx.sec_num[key], **kw)
        elif part.startswith("{tab:"):
            key = part[5:-1]
            if key not in ctx.tab_num:
                raise SystemExit(f"unknown table reference {key!r}")
            add_fld(par, f"REF {ctx.tab_bm[key]} \\h", f"Table {ctx.tab_num[key]}", **kw)
        else:
            run_props(par.add_run(part), **kw)
    return par


def strip_theme_fonts(style_el):
    rpr = style_el.find(qn("w:rPr"))
    if rpr is None:
        return
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        return
    for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rf.get(qn(a)) is not None:
            del rf.attrib[qn(a)]


def set_cell_width(cell, mm):
    tcPr = cell._tc.get_or_add_tcPr()
    w = tcPr.find(qn("w:tcW"))
    if w is None:
        w = OxmlElement("w:tcW")
        tcPr.insert(0, w)
    w.set(qn("w:w"), str(int(mm * 56.6929)))
    w.set(qn("w:type"), "dxa")


def shade_cell(cell, fill):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcPr.append(shd)


def valign(cell, val):
    tcPr = cell._tc.get_or_add_tcPr()
    v = OxmlElement("w:vAlign")
    v.set(qn("w:val"), val)
    tcPr.append(v)


# ------------------------------------------------------------------ numbering (written by hand)

def add_numbering(doc):
    numbering = doc.part.numbering_part.element
    absn = numbering.findall(qn("w:abstractNum"))
    nums = numbering.findall(qn("w:num"))
    a_head = max(int(a.get(qn("w:abstractNumId"))) for a in absn) + 1
    a_bul = a_head + 1
    n_head = max(int(n.get(qn("w:numId"))) for n in nums) + 1
    n_bul = n_head + 1

    lv = []
    for i in range(9):
        text = ".".join(f"%{k + 1}" for k in range(i + 1))
        pstyle = f'<w:pStyle w:val="Heading{i + 1}"/>' if i < 3 else ""
        ind = [567, 709, 851][i] if i < 3 else 1134
        lv.append(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>{pstyle}'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{ind}" w:hanging="{ind}"/></w:pPr></w:lvl>')
    head_xml = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{a_head}">'
                '<w:nsid w:val="5B2C7D10"/><w:multiLevelType w:val="multilevel"/>'
                '<w:tmpl w:val="7E3A19C4"/><w:name w:val="BPT Heading Numbering"/>'
                + "".join(lv) + "</w:abstractNum>")
    bl = []
    for i, (ch, left) in enumerate((("•", 357), ("–", 714), ("•", 1071))):
        bl.append(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            f'<w:lvlText w:val="{ch}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="357"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/></w:rPr></w:lvl>')
    bul_xml = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{a_bul}">'
               '<w:nsid w:val="5B2C7D11"/><w:multiLevelType w:val="hybridMultilevel"/>'
               '<w:tmpl w:val="7E3A19C5"/><w:name w:val="BPT Bullets"/>'
               + "".join(bl) + "</w:abstractNum>")
    last = absn[-1]
    e_head = parse_xml(head_xml)
    e_bul = parse_xml(bul_xml)
    last.addnext(e_head)
    e_head.addnext(e_bul)
    for nid, aid in ((n_head, a_head), (n_bul, a_bul)):
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>'))
    # attach the heading list to the Heading styles
    for lvl in (1, 2, 3):
        st = doc.styles[f"Heading {lvl}"]
        numPr = st.element.get_or_add_pPr().get_or_add_numPr()
        numPr.get_or_add_ilvl().val = lvl - 1
        numPr.get_or_add_numId().val = n_head
    return n_bul


def bullet(par, num_id, level):
    numPr = par._p.get_or_add_pPr().get_or_add_numPr()
    numPr.get_or_add_ilvl().val = level
    numPr.get_or_add_numId().val = num_id


# ------------------------------------------------------------------ styles, header, footer

def setup_styles(doc):
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.space_before = Pt(0)
    rpr = normal.element.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, size, before, after in (("Heading 1", 14, 18, 8), ("Heading 2", 12, 12, 6),
                                      ("Heading 3", 10.5, 10, 4)):
        st = doc.styles[name]
        strip_theme_fonts(st.element)
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = RGBColor.from_string(BLUE)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)
    for name in ("Title", "Subtitle"):
        st = doc.styles[name]
        strip_theme_fonts(st.element)
        st.font.name = FONT
        st.font.color.rgb = RGBColor.from_string(BLUE)
        st.font.italic = False
    doc.styles["Title"].font.size = Pt(24)
    doc.styles["Subtitle"].font.size = Pt(16)
    cap = doc.styles["Caption"]
    strip_theme_fonts(cap.element)
    cap.font.name = FONT
    cap.font.size = Pt(9)
    cap.font.bold = True
    cap.font.italic = False
    cap.font.color.rgb = RGBColor.from_string(BLUE)
    cap.paragraph_format.space_before = Pt(4)
    cap.paragraph_format.space_after = Pt(12)


def setup_page(sec, landscape=False):
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(297), Mm(210)
    else:
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(MARGIN_LR)
    sec.top_margin = Mm(MARGIN_T)
    sec.bottom_margin = Mm(MARGIN_B)
    sec.header_distance = Mm(10)
    sec.footer_distance = Mm(10)


PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
             "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
             "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
             "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
             "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"]


def insert_ordered(parent, el, order):
    """Insert el into parent at the position the schema sequence `order` requires."""
    name = el.tag.split("}")[1]
    later = set(order[order.index(name) + 1:])
    for child in parent:
        if child.tag.split("}")[1] in later:
            child.addprevious(el)
            return el
    parent.append(el)
    return el


def para_border(par, sides, color, sz=6, fill=None, space=4):
    pPr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in sides:
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "single")
        e.set(qn("w:sz"), str(sz))
        e.set(qn("w:space"), str(space))
        e.set(qn("w:color"), color)
        bdr.append(e)
    insert_ordered(pPr, bdr, PPR_ORDER)
    if fill:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        insert_ordered(pPr, shd, PPR_ORDER)


def header_footer(doc, sec, meta, width_mm):
    """Fill the header and footer of one section (own header per orientation)."""
    sec.header.is_linked_to_previous = False
    sec.footer.is_linked_to_previous = False
    width = Mm(width_mm)
    hp = sec.header.paragraphs[0]
    hp.style = doc.styles["Header"]
    hp.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    r = hp.add_run(meta.get("header_left", ""))
    run_props(r, size=8, bold=True, color=BLUE)
    r = hp.add_run("\t" + meta.get("header_right", ""))
    run_props(r, size=8, color=BLUE)
    para_border(hp, ["bottom"], BLUE, sz=6, space=1)
    fp = sec.footer.paragraphs[0]
    fp.style = doc.styles["Footer"]
    fp.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    run_props(fp.add_run(meta.get("footer", "") + "\tPage "), size=8)
    add_fld(fp, "PAGE", "1", size=8)
    run_props(fp.add_run(" of "), size=8)
    add_fld(fp, "NUMPAGES", "1", size=8)


def clear_header_footer_tabs(doc):
    # drop the default (letter-size) tabs of the Header/Footer styles
    for name in ("Header", "Footer"):
        pPr = doc.styles[name].element.get_or_add_pPr()
        tabs = pPr.find(qn("w:tabs"))
        if tabs is not None:
            pPr.remove(tabs)


# ------------------------------------------------------------------ block renderers

def table_borders(t):
    tblPr = t._tbl.tblPr
    b = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "single")
        e.set(qn("w:sz"), "4")
        e.set(qn("w:space"), "0")
        e.set(qn("w:color"), GRID)
        b.append(e)
    insert_ordered(tblPr, b, TBLPR_ORDER)
    lay = OxmlElement("w:tblLayout")
    lay.set(qn("w:type"), "fixed")
    insert_ordered(tblPr, lay, TBLPR_ORDER)
    mar = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="70" w:type="dxa"/>'
                    '<w:right w:w="70" w:type="dxa"/></w:tblCellMar>')
    insert_ordered(tblPr, mar, TBLPR_ORDER)


def build_table(doc, ctx, head, body, widths):
    rows = head + body
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    t = doc.add_table(rows=len(rows), cols=ncol)
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    table_borders(t)
    if not widths:
        widths = [1] * ncol
    tot = sum(widths)
    mm = [ctx.text_width_mm * w / tot for w in widths]
    tblW = t._tbl.tblPr.find(qn("w:tblW"))
    tblW.set(qn("w:type"), "dxa")
    tblW.set(qn("w:w"), str(int(ctx.text_width_mm * 56.6929)))
    grid = t._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), mm):
        gc.set(qn("w:w"), str(int(w * 56.6929)))
    for r_i, row in enumerate(rows):
        is_head = r_i < len(head)
        tr = t.rows[r_i]
        trPr = tr._tr.get_or_add_trPr()
        cs = OxmlElement("w:cantSplit")
        trPr.append(cs)
        if is_head:
            th = OxmlElement("w:tblHeader")
            trPr.append(th)
        for c_i, txt in enumerate(row):
            cell = tr.cells[c_i]
            set_cell_width(cell, mm[c_i])
            if is_head:
                shade_cell(cell, BLUE)
            if txt in ("<", "^"):
                continue
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(1)
            p.paragraph_format.space_before = Pt(1)
            add_inline(p, txt, ctx, size=9 if not is_head else 8.5, bold_all=is_head,
                       color="FFFFFF" if is_head else None)
    # horizontal merges ("<"), then vertical merges ("^")
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
                valign(m, "center")
                r_i = end + 1
            else:
                r_i += 1
    return t


def render_caption(doc, ctx, caption):
    m = CAP_RE.match(caption)
    title = m.group(2)
    p = doc.add_paragraph(style="Caption")
    p.paragraph_format.keep_with_next = False
    bid = bm_open(p, ctx, ctx.tab_bm[title])
    p.add_run("Table ")
    add_fld(p, "SEQ Table \\* ARABIC", str(ctx.tab_num[title]))
    bm_close(p, bid)
    p.add_run(": " + title)


def render_procedure(doc, ctx, items):
    head = [["Step", "Action"]]
    body = [[str(i), txt] for i, (txt, _subs) in enumerate(items, 1)]
    t = build_table(doc, ctx, head, body, [9, 91])
    for i, (_txt, subs) in enumerate(items, 1):
        cell = t.cell(i, 1)
        for s in subs:
            p = cell.add_paragraph()
            p.paragraph_format.left_indent = Mm(4)
            p.paragraph_format.space_after = Pt(1)
            add_inline(p, "– " + s, ctx, size=9)
    sp = doc.add_paragraph()
    sp.paragraph_format.space_after = Pt(4)


def render_signal_box(doc, ctx, kind, text):
    fill, border = BOXES.get(kind, ("EEEEEE", "808080"))
    sides = ["top", "left", "bottom", "right"]
    if kind == "NOTE":
        fill, sides = None, ["left"]
    p1 = doc.add_paragraph()
    p1.paragraph_format.keep_with_next = True
    p1.paragraph_format.space_after = Pt(0)
    p1.paragraph_format.space_before = Pt(6)
    p1.paragraph_format.left_indent = Mm(2)
    p1.paragraph_format.right_indent = Mm(2)
    run_props(p1.add_run(kind), size=10, bold=True, color=border)
    para_border(p1, sides, border, sz=12, fill=fill)
    p2 = doc.add_paragraph()
    p2.paragraph_format.space_after = Pt(10)
    p2.paragraph_format.left_indent = Mm(2)
    p2.paragraph_format.right_indent = Mm(2)
    add_inline(p2, text, ctx, size=9.5)
    para_border(p2, sides, border, sz=12, fill=fill)


SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
             '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def render_danger_box(doc, ctx, text):
    width_pt = ctx.text_width_mm * 72 / 25.4
    lines = math.ceil(len(text) / 95) + 1
    height_pt = 16 + 13 * lines
    ns = (nsdecls("w") + ' xmlns:v="urn:schemas-microsoft-com:vml"'
          ' xmlns:o="urn:schemas-microsoft-com:office:office"')
    shapetype = "" if ctx.shapetype_done else SHAPETYPE
    ctx.shapetype_done = True
    sid = ctx.shape_id
    ctx.shape_id += 1
    xml = (f'<w:p {ns}><w:pPr><w:spacing w:before="120" w:after="200"/></w:pPr><w:r><w:pict>'
           f'{shapetype}'
           f'<v:shape id="DangerBox{sid}" o:spid="_x0000_s{sid}" type="#_x0000_t202" '
           f'style="width:{width_pt:.1f}pt;height:{height_pt}pt;mso-fit-shape-to-text:t" '
           f'fillcolor="#FFF4F4" strokecolor="#C00000" strokeweight="2.25pt">'
           f'<v:textbox style="mso-fit-shape-to-text:t" inset="7.2pt,4.3pt,7.2pt,4.3pt">'
           f'<w:txbxContent>'
           f'<w:p><w:pPr><w:shd w:val="clear" w:color="auto" w:fill="C00000"/>'
           f'<w:spacing w:after="60"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/>'
           f'<w:b/><w:color w:val="FFFFFF"/><w:sz w:val="22"/></w:rPr><w:t>DANGER</w:t></w:r></w:p>'
           f'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>'
           f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>')
    p_el = parse_xml(xml)
    body = doc.element.body
    body.sectPr.addprevious(p_el) if body.sectPr is not None else body.append(p_el)
    txbx = p_el.find(".//" + qn("w:txbxContent"))
    inner = Paragraph(txbx.findall(qn("w:p"))[-1], None)
    add_inline(inner, text, ctx, size=9.5)


def render(src, out):
    meta, blocks = msrc.parse(src)
    ctx = Ctx()
    prepass(blocks, ctx)
    doc = Document()
    cp = doc.core_properties
    cp.title = meta.get("title", "") + " – " + meta.get("subtitle", "")
    cp.subject = meta.get("docno", "")
    cp.author = meta.get("publisher", "")
    cp.last_modified_by = "corpus render script"
    cp.created = FIXED
    cp.modified = FIXED
    cp.last_printed = FIXED
    cp.revision = 4
    cp.keywords = "transformer; fictional"
    cp.comments = "Fictional document for evaluation purposes"

    setup_styles(doc)
    setup_page(doc.sections[0])
    clear_header_footer_tabs(doc)
    header_footer(doc, doc.sections[0], meta, 210 - 2 * MARGIN_LR)
    bul_id = add_numbering(doc)

    # title page
    p = doc.add_paragraph()
    run_props(p.add_run(meta.get("publisher", "")), size=11, bold=True, color=BLUE)
    p.paragraph_format.space_after = Pt(60)
    doc.add_paragraph(meta.get("title", ""), style="Title")
    doc.add_paragraph(meta.get("subtitle", ""), style="Subtitle")
    info = [line.split("|", 1) for line in meta.get("docinfo", "").split("\n") if "|" in line]
    if info:
        ctx.text_width_mm = 170
        t = build_table(doc, ctx, [], [[k.strip(), v.strip()] for k, v in info], [30, 70])
        for row in t.rows:
            for r in row.cells[0].paragraphs[0].runs:
                r.bold = True
        doc.add_paragraph()
    for line in meta.get("front", "").split("\n"):
        add_inline(doc.add_paragraph(), line, ctx)
    doc.add_page_break()

    for b in blocks:
        kind = b[0]
        if kind == "h":
            p = doc.add_paragraph(style=f"Heading {b[1]}")
            bid = bm_open(p, ctx, ctx.sec_bm[b[2]])
            p.add_run(b[2])
            bm_close(p, bid)
        elif kind == "p":
            add_inline(doc.add_paragraph(), b[1], ctx)
        elif kind == "box":
            if b[1] == "DANGER":
                render_danger_box(doc, ctx, b[2])
            else:
                render_signal_box(doc, ctx, b[1], b[2])
        elif kind == "ol":
            render_procedure(doc, ctx, b[1])
        elif kind == "ul":
            for text, subs in b[1]:
                p = doc.add_paragraph(style="List Paragraph")
                p.paragraph_format.space_after = Pt(2)
                bullet(p, bul_id, 0)
                add_inline(p, text, ctx)
                for s in subs:
                    p = doc.add_paragraph(style="List Paragraph")
                    p.paragraph_format.space_after = Pt(2)
                    bullet(p, bul_id, 1)
                    add_inline(p, s, ctx)
        elif kind == "table":
            caption, widths, head, body, notes = b[1:]
            build_table(doc, ctx, head, body, widths)
            for nt in notes:
                p = doc.add_paragraph()
                p.paragraph_format.space_after = Pt(1)
                p.paragraph_format.space_before = Pt(1)
                add_inline(p, nt, ctx, size=8)
            if caption:
                render_caption(doc, ctx, caption)
            else:
                doc.add_paragraph()
        elif kind == "landscape":
            sec = doc.add_section(WD_SECTION.NEW_PAGE)
            setup_page(sec, landscape=True)
            ctx.text_width_mm = 297 - 2 * MARGIN_LR
            header_footer(doc, sec, meta, ctx.text_width_mm)
        elif kind == "portrait":
            sec = doc.add_section(WD_SECTION.NEW_PAGE)
            setup_page(sec, landscape=False)
            ctx.text_width_mm = 210 - 2 * MARGIN_LR
            header_footer(doc, sec, meta, ctx.text_width_mm)
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
