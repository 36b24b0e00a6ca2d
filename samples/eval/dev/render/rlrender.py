"""Render a msrc manual source to PDF with reportlab (platypus). Deterministic.

House style "margin" (used by turbine-wt25):
  A4 portrait, DejaVu Sans body, section numbers set in a left margin column, running header
  (document title left, current chapter right, thin rule), footer with document number and
  "Page n of N", title page with a chapter list and page numbers (where the source has <<toc>>),
  PDF outline (bookmarks) for chapters and sections, tables in DejaVu Sans Condensed with cells that wrap, dark header rows (white text), hairline
  row rules and no vertical rules, captions above tables, footnotes/notes below tables,
  header rows repeated when a table continues on the next page, boxed safety messages with the
  signal word in a coloured side cell. Tables with six or more columns use the full width
  (margin column included); narrower tables are indented to the body text.

Source: the block markup of msrc.py, with two extensions that only this renderer interprets:
  * in a header row ("|= ... |"), a cell "<" joins the cell to its left neighbour (column span),
    a cell "^" joins it to the cell above (row span) - for two-row headers such as
    "Limit" spanning "Alarm | Shutdown";
  * in a table body, a row whose first cell starts with "::" is a full-width group row
    (e.g. "| :: Yaw system |"), set in bold on a light background.
Metadata used on the title page: @title, @subtitle, @model, @docno, @revision, @publisher,
@notice (may repeat), @header (running header text).

Determinism: reportlab invariant mode (creation/modification date fixed at 2000-01-01, fixed
document ID), fixed metadata, subset fonts only, no randomness; the contents page numbers come
from a first in-memory pass. Rendering twice gives byte-identical files.

Usage:  python rlrender.py SOURCE.txt OUTPUT.pdf
        (e.g. from samples/eval/dev:
         python render/rlrender.py turbine-wt25/turbine-wt25-source.txt turbine-wt25/turbine-wt25-manual.pdf)
Needs reportlab (tested with 5.1) and the DejaVu fonts in /usr/share/fonts/truetype/dejavu/.
"""
import io
import os
import re
import sys

from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_RIGHT, TA_CENTER  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402
from reportlab.platypus import (BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer,  # noqa: E402
                                Table, TableStyle, KeepTogether, PageBreak, NextPageTemplate,
                                CondPageBreak)
from reportlab.platypus.doctemplate import Indenter, ActionFlowable  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import msrc  # noqa: E402

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {
    "Sans": "DejaVuSans.ttf",
    "Sans-Bold": "DejaVuSans-Bold.ttf",
    "Sans-Oblique": "DejaVuSans-Oblique.ttf",
    "Sans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    "Cond": "DejaVuSansCondensed.ttf",
    "Cond-Bold": "DejaVuSansCondensed-Bold.ttf",
    "Cond-Oblique": "DejaVuSansCondensed-Oblique.ttf",
    "Cond-BoldOblique": "DejaVuSansCondensed-BoldOblique.ttf",
}
for _name, _fn in FONTS.items():
    pdfmetrics.registerFont(TTFont(_name, os.path.join(FONT_DIR, _fn)))
pdfmetrics.registerFontFamily("Sans", normal="Sans", bold="Sans-Bold", italic="Sans-Oblique",
                              boldItalic="Sans-BoldOblique")
pdfmetrics.registerFontFamily("Cond", normal="Cond", bold="Cond-Bold", italic="Cond-Oblique",
                              boldItalic="Cond-BoldOblique")

# ------------------------------------------------------------------ geometry and colours
PAGE_W, PAGE_H = A4
LM, RM, TM, BM = 16 * mm, 15 * mm, 22 * mm, 19 * mm
FRAME_W = PAGE_W - LM - RM
MARGIN_COL = 19 * mm            # section numbers live here
BODY_W = FRAME_W - MARGIN_COL

INK = colors.HexColor("#1b1b1b")
TEAL = colors.HexColor("#1d5c66")
TEAL_LIGHT = colors.HexColor("#e3eef0")
RULE = colors.HexColor("#9aa7aa")
BOX = {
    # kind: (side cell fill, side text colour, body fill, border)
    "DANGER": (colors.HexColor("#a31515"), colors.white, colors.HexColor("#fbeaea"), colors.HexColor("#a31515")),
    "WARNING": (colors.HexColor("#d4600f"), colors.white, colors.HexColor("#fdf1e6"), colors.HexColor("#d4600f")),
    "CAUTION": (colors.HexColor("#f2c230"), INK, colors.HexColor("#fffaea"), colors.HexColor("#c79a12")),
    "NOTE": (colors.HexColor("#5a6e80"), colors.white, colors.HexColor("#eef2f6"), colors.HexColor("#5a6e80")),
}

# ------------------------------------------------------------------ paragraph styles
S = {}
S["body"] = ParagraphStyle("body", fontName="Sans", fontSize=8.8, leading=11.6, textColor=INK,
                           leftIndent=MARGIN_COL, spaceAfter=4)
S["step"] = ParagraphStyle("step", parent=S["body"], leftIndent=MARGIN_COL + 6.5 * mm,
                           bulletIndent=MARGIN_COL, spaceAfter=2.6, bulletFontName="Sans-Bold")
S["sub"] = ParagraphStyle("sub", parent=S["body"], leftIndent=MARGIN_COL + 12.5 * mm,
                          bulletIndent=MARGIN_COL + 6.5 * mm, spaceAfter=1.8, bulletFontName="Sans")
S["bullet"] = ParagraphStyle("bullet", parent=S["body"], leftIndent=MARGIN_COL + 4.5 * mm,
                             bulletIndent=MARGIN_COL + 0.8 * mm, spaceAfter=2.2, bulletFontName="Sans")
S["subbullet"] = ParagraphStyle("subbullet", parent=S["bullet"], leftIndent=MARGIN_COL + 9 * mm,
                                bulletIndent=MARGIN_COL + 5 * mm)
S["h1num"] = ParagraphStyle("h1num", fontName="Sans-Bold", fontSize=17, leading=20, textColor=TEAL)
S["h1"] = ParagraphStyle("h1", fontName="Sans-Bold", fontSize=14, leading=18, textColor=INK)
S["h2num"] = ParagraphStyle("h2num", fontName="Sans-Bold", fontSize=10.5, leading=13.5, textColor=TEAL)
S["h2"] = ParagraphStyle("h2", fontName="Sans-Bold", fontSize=10.5, leading=13.5, textColor=INK)
S["h3num"] = ParagraphStyle("h3num", fontName="Sans-Bold", fontSize=9.2, leading=12, textColor=TEAL)
S["h3"] = ParagraphStyle("h3", fontName="Sans-BoldOblique", fontSize=9.2, leading=12, textColor=INK)
S["caption"] = ParagraphStyle("caption", fontName="Sans-Bold", fontSize=8.4, leading=10.5,
                              textColor=TEAL, spaceBefore=3, spaceAfter=2.5)
S["cell"] = ParagraphStyle("cell", fontName="Cond", fontSize=7.8, leading=9.2, textColor=INK)
S["cellhead"] = ParagraphStyle("cellhead", fontName="Cond-Bold", fontSize=7.8, leading=9.2,
                               textColor=colors.white)
S["cellgroup"] = ParagraphStyle("cellgroup", fontName="Cond-Bold", fontSize=7.8, leading=9.2, textColor=TEAL)
S["tnote"] = ParagraphStyle("tnote", fontName="Cond", fontSize=7.4, leading=9, textColor=INK,
                            spaceAfter=0.8)
S["boxside"] = ParagraphStyle("boxside", fontName="Sans-Bold", fontSize=7.6, leading=9.5,
                              alignment=TA_CENTER)
S["boxtext"] = ParagraphStyle("boxtext", fontName="Sans", fontSize=8.6, leading=11.2, textColor=INK)
S["title"] = ParagraphStyle("title", fontName="Sans-Bold", fontSize=25, leading=30, textColor=TEAL)
S["subtitle"] = ParagraphStyle("subtitle", fontName="Sans", fontSize=14, leading=19, textColor=INK)
S["model"] = ParagraphStyle("model", fontName="Sans-Bold", fontSize=11, leading=15, textColor=INK)
S["notice"] = ParagraphStyle("notice", fontName="Sans", fontSize=8.6, leading=11.6, textColor=INK,
                             spaceAfter=4)
S["tochead"] = ParagraphStyle("tochead", fontName="Sans-Bold", fontSize=10, leading=13, textColor=TEAL,
                              spaceAfter=3)
TOC_LEVELS = [
    ParagraphStyle("toc0", fontName="Sans", fontSize=9, leading=11.6, textColor=INK),
]
TOC_PAGE = ParagraphStyle("tocpage", parent=TOC_LEVELS[0], alignment=TA_RIGHT)


def esc(text):
    """Escape for reportlab's paragraph markup and convert **bold**."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)


HEAD_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+(.*)$")


# ------------------------------------------------------------------ canvas with "Page n of N"
class NumberedCanvas(rl_canvas.Canvas):
    """Defers page output so that the footer can say 'Page n of N'."""

    def __init__(self, *args, **kwargs):
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            if self._pageNumber > 1:
                self.setFont("Sans", 7.6)
                self.setFillColor(INK)
                self.drawRightString(PAGE_W - RM, 11 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


# ------------------------------------------------------------------ document template
class ManualDoc(BaseDocTemplate):
    def __init__(self, filename, meta, **kw):
        super().__init__(filename, pagesize=A4, leftMargin=LM, rightMargin=RM, topMargin=TM,
                         bottomMargin=BM, title=meta.get("title", ""),
                         author=meta.get("publisher", ""), subject=meta.get("subtitle", ""),
                         creator="corpus render script rlrender.py", producer="ReportLab",
                         keywords="", invariant=1, **kw)
        self.meta = meta
        self.chapter = ""
        frame = Frame(LM, BM, FRAME_W, PAGE_H - TM - BM, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body")
        tframe = Frame(LM, BM, FRAME_W, PAGE_H - 30 * mm - BM, leftPadding=0, rightPadding=0,
                       topPadding=0, bottomPadding=0, id="title")
        self.addPageTemplates([
            PageTemplate(id="title", frames=[tframe], onPage=self.draw_title_page),
            PageTemplate(id="body", frames=[frame], onPage=self.page_begin, onPageEnd=self.draw_running),
        ])

    def beforeDocument(self):
        self.chapter = ""
        self.toc_entries = []

    def draw_title_page(self, c, doc):
        c.saveState()
        c.setFillColor(TEAL)
        c.rect(0, PAGE_H - 14 * mm, PAGE_W, 14 * mm, stroke=0, fill=1)
        c.rect(0, 0, 9 * mm, PAGE_H, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont("Sans-Bold", 9)
        c.drawString(LM, PAGE_H - 9 * mm, self.meta.get("publisher", ""))
        c.restoreState()

    def page_begin(self, c, doc):
        # running header: the chapter in force at the top of the page, or the chapter whose
        # heading is the first thing on the page
        self._chapter_at_start = self.chapter
        self._page_label = None
        self._page_content = False

    def draw_running(self, c, doc):
        c.saveState()
        c.setStrokeColor(TEAL)
        c.setLineWidth(0.6)
        y = PAGE_H - 15 * mm
        c.line(LM, y, PAGE_W - RM, y)
        c.setFont("Sans", 7.6)
        c.setFillColor(INK)
        c.drawString(LM, y + 2.2 * mm, self.meta.get("header", self.meta.get("title", "")))
        c.setFont("Sans-Bold", 7.6)
        c.drawRightString(PAGE_W - RM, y + 2.2 * mm, self._page_label or self._chapter_at_start)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.line(LM, 15 * mm, PAGE_W - RM, 15 * mm)
        c.setFont("Sans", 7.6)
        docno = self.meta.get("docno", "")
        rev = self.meta.get("revision", "")
        c.drawString(LM, 11 * mm, f"{docno} · {rev}" if rev else docno)
        c.restoreState()

    def afterFlowable(self, flowable):
        if isinstance(flowable, (Spacer, ActionFlowable)):
            return
        lvl = getattr(flowable, "_toc_level", None)
        first_on_page = not getattr(self, "_page_content", True)
        self._page_content = True
        if lvl is None:
            return
        text = flowable._toc_text
        if lvl == 0:
            self.chapter = text
            if first_on_page:
                self._page_label = text
        if lvl <= 1:
            key = "h%d" % getattr(flowable, "_toc_seq", 0)
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=lvl, closed=lvl > 0)
            if lvl == 0:
                self.toc_entries.append((text, self.page))


# ------------------------------------------------------------------ flowable builders
class Builder:
    def __init__(self, meta):
        self.meta = meta
        self.seq = 0

    def heading(self, level, text):
        m = HEAD_RE.match(text)
        num, title = (m.group(1), m.group(2)) if m else ("", text)
        key = {1: "h1", 2: "h2", 3: "h3"}[min(level, 3)]
        t = Table([[Paragraph(esc(num), S[key + "num"]), Paragraph(esc(title), S[key])]],
                  colWidths=[MARGIN_COL, BODY_W])
        style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]
        if level == 1:
            style += [("LINEABOVE", (0, 0), (-1, 0), 1.4, TEAL), ("TOPPADDING", (0, 0), (-1, -1), 5)]
        t.setStyle(TableStyle(style))
        t.keepWithNext = 1
        self.seq += 1
        t._toc_level = level - 1
        t._toc_text = text
        t._toc_seq = self.seq
        before = {1: 13, 2: 8, 3: 5}[min(level, 3)]
        after = {1: 7, 2: 3.5, 3: 2.5}[min(level, 3)]
        sp1, sp2 = Spacer(1, before), Spacer(1, after)
        sp1.keepWithNext = 1
        sp2.keepWithNext = 1
        out = [CondPageBreak({1: 60 * mm, 2: 32 * mm, 3: 25 * mm}[min(level, 3)])]
        return out + [sp1, t, sp2]

    def para(self, text):
        return [Paragraph(esc(text), S["body"])]

    def box(self, kind, text):
        side_fill, side_ink, body_fill, border = BOX.get(kind, BOX["NOTE"])
        side_style = ParagraphStyle("bs", parent=S["boxside"], textColor=side_ink)
        t = Table([[Paragraph(esc(kind), side_style), Paragraph(esc(text), S["boxtext"])]],
                  colWidths=[22 * mm, BODY_W - 22 * mm])
        t.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (0, 0), side_fill), ("BACKGROUND", (1, 0), (1, 0), body_fill),
            ("BOX", (0, 0), (-1, -1), 1.1, border),
            ("VALIGN", (0, 0), (0, 0), "MIDDLE"), ("VALIGN", (1, 0), (1, 0), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]))
        return [Spacer(1, 2), KeepTogether([Indenter(left=MARGIN_COL), t, Indenter(left=-MARGIN_COL)]),
                Spacer(1, 6)]

    def olist(self, items):
        out = []
        for i, (text, subs) in enumerate(items, 1):
            out.append(Paragraph(esc(text), S["step"], bulletText=f"{i}."))
            for j, sub in enumerate(subs):
                out.append(Paragraph(esc(sub), S["sub"], bulletText=f"{chr(97 + j)})"))
        out.append(Spacer(1, 3))
        return out

    def ulist(self, items):
        out = []
        for text, subs in items:
            out.append(Paragraph(esc(text), S["bullet"], bulletText="•"))
            for sub in subs:
                out.append(Paragraph(esc(sub), S["subbullet"], bulletText="–"))
        out.append(Spacer(1, 2))
        return out

    def table(self, caption, widths, head, body, notes):
        ncols = max(len(r) for r in head + body)
        wide = ncols >= 6
        total_w = FRAME_W if wide else BODY_W
        if widths:
            s = sum(widths)
            col_w = [total_w * w / s for w in widths]
        else:
            col_w = [total_w / ncols] * ncols
        data, style = [], [
            ("FONT", (0, 0), (-1, -1), "Cond", 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.2), ("RIGHTPADDING", (0, 0), (-1, -1), 3.2),
            ("TOPPADDING", (0, 0), (-1, -1), 1.7), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.3),
        ]
        nh = len(head)
        # header rows with spans
        for r, row in enumerate(head):
            row = row + [""] * (ncols - len(row))
            cells = []
            for c, cell in enumerate(row):
                if cell in ("<", "^"):
                    cells.append("")
                else:
                    cells.append(Paragraph(esc(cell), S["cellhead"]))
            data.append(cells)
            for c, cell in enumerate(row):
                if cell in ("<", "^"):
                    continue
                c2 = c
                while c2 + 1 < ncols and row[c2 + 1] == "<":
                    c2 += 1
                r2 = r
                while r2 + 1 < nh and c < len(head[r2 + 1]) and head[r2 + 1][c] == "^":
                    r2 += 1
                if c2 > c or r2 > r:
                    style.append(("SPAN", (c, r), (c2, r2)))
                if c2 > c and r2 == r and r + 1 < nh:
                    style.append(("LINEBELOW", (c, r), (c2, r), 0.5, colors.white))
                    style.append(("ALIGN", (c, r), (c2, r), "CENTER"))
        if nh:
            style += [("BACKGROUND", (0, 0), (-1, nh - 1), TEAL),
                      ("VALIGN", (0, 0), (-1, nh - 1), "BOTTOM")]
        for row in body:
            r = len(data)
            if row and row[0].startswith("::"):
                data.append([Paragraph(esc(row[0][2:].strip()), S["cellgroup"])] + [""] * (ncols - 1))
                style += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), TEAL_LIGHT)]
                continue
            row = row + [""] * (ncols - len(row))
            data.append([Paragraph(esc(cell), S["cell"]) for cell in row])
        style += [("LINEBELOW", (0, nh), (-1, -1), 0.3, RULE),
                  ("LINEBELOW", (0, -1), (-1, -1), 0.9, TEAL)]
        t = Table(data, colWidths=col_w, repeatRows=nh, hAlign="LEFT", splitByRow=1)
        t.setStyle(TableStyle(style))
        long_table = len(body) > 14
        parts = [CondPageBreak(40 * mm)] if long_table else []
        if caption:
            cp = Paragraph(esc(caption), S["caption"])
            cp.keepWithNext = 0 if long_table else 1
            parts.append(cp)
        parts.append(t)
        if notes:
            parts.append(Spacer(1, 2.5))
            for n in notes:
                parts.append(Paragraph(esc(n), S["tnote"]))
        indent = 0 if wide else MARGIN_COL
        if not long_table:
            inner = [KeepTogether(parts)]
        else:
            inner = parts
        return [Spacer(1, 3), Indenter(left=indent)] + inner + [Indenter(left=-indent), Spacer(1, 7)]


def title_page(meta, toc=None):
    out = [Spacer(1, 16 * mm), Paragraph(esc(meta.get("title", "")), S["title"]), Spacer(1, 5 * mm),
           Paragraph(esc(meta.get("subtitle", "")), S["subtitle"]), Spacer(1, 9 * mm)]
    for line in meta.get("model", "").split("\n"):
        if line:
            out.append(Paragraph(esc(line), S["model"]))
    out.append(Spacer(1, 8 * mm))
    rows = []
    for label, key in (("Document", "docno"), ("Revision", "revision"), ("Publisher", "publisher")):
        if meta.get(key):
            rows.append([Paragraph(label, S["cell"]), Paragraph(esc(meta[key]), S["cell"])])
    if rows:
        t = Table(rows, colWidths=[30 * mm, 95 * mm], hAlign="LEFT")
        t.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("LINEABOVE", (0, 0), (-1, 0), 0.9, TEAL),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        out.append(t)
    if toc is not None:
        rows = [[Paragraph(esc(text), TOC_LEVELS[0]), Paragraph(str(page), TOC_PAGE)] for text, page in toc]
        t = Table(rows, colWidths=[92 * mm, 12 * mm], hAlign="LEFT")
        t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]))
        out += [Spacer(1, 10 * mm), Paragraph("Contents", S["tochead"]), t]
    out.append(Spacer(1, 10 * mm))
    notice = [Paragraph(esc(n), S["notice"]) for n in meta.get("notice", "").split("\n") if n]
    if notice:
        nt = Table([[notice]], colWidths=[FRAME_W - 20 * mm], hAlign="LEFT")
        nt.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, TEAL),
                                ("BACKGROUND", (0, 0), (-1, -1), TEAL_LIGHT),
                                ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                                ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        out.append(nt)
    return out


def build_story(meta, blocks, toc=None):
    b = Builder(meta)
    story = title_page(meta, toc) + [NextPageTemplate("body"), PageBreak()]
    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            story += b.heading(blk[1], blk[2])
        elif kind == "p":
            story += b.para(blk[1])
        elif kind == "box":
            story += b.box(blk[1], blk[2])
        elif kind == "ol":
            story += b.olist(blk[1])
        elif kind == "ul":
            story += b.ulist(blk[1])
        elif kind == "table":
            story += b.table(*blk[1:])
        elif kind == "pagebreak":
            story.append(PageBreak())
    return story


def render(src, out):
    """Two passes: the first collects the chapter page numbers for the contents list on the
    title page (only where the source has <<toc>>), the second writes the file."""
    meta, blocks = msrc.parse(src)
    toc = None
    if any(blk[0] == "toc" for blk in blocks):
        probe = ManualDoc(io.BytesIO(), meta)
        probe.build(build_story(meta, blocks, [(t, 0) for t in chapter_titles(blocks)]),
                    canvasmaker=NumberedCanvas)
        toc = probe.toc_entries
    doc = ManualDoc(out, meta)
    doc.build(build_story(meta, blocks, toc), canvasmaker=NumberedCanvas)
    if toc is not None and doc.toc_entries != toc:
        raise RuntimeError("contents page numbers changed between passes")


def chapter_titles(blocks):
    return [blk[2] for blk in blocks if blk[0] == "h" and blk[1] == 1]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    render(sys.argv[1], sys.argv[2])
    print("rendered", sys.argv[2])
