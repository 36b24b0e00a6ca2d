"""Render a msrc manual source to a US-Letter PDF whose tables are built with fpdf2's FPDF.table().

House style "letter-rules" (differs from pdfrender.py's hand-drawn, fully ruled / zebra tables):
  * US Letter, one column, condensed serif body, sans headings;
  * level-1 headings printed as written ("Section 4 – Hydraulic system"), thick rule below;
    level-2 headings "4.3 ..." in dark blue;
  * tables through FPDF.table(): horizontal rules only (borders_layout HORIZONTAL_LINES, or
    SINGLE_TOP_LINE for the captions listed in @toplinetables), a heavier rule drawn above and
    below each table, headings without fill, cells that wrap, headings repeated after a page
    break, captions "Table 4.1 ..." above the table and notes in small italics below it;
  * safety messages as bordered boxes with an ISO-style signal-word panel (drawn triangle
    with exclamation mark, then DANGER / WARNING / CAUTION; NOTICE without the triangle);
  * running header with the manual title, footer with document number and "Page n".

Markup: see msrc.py. Extra conventions inside table cells (the text stays readable for check.py):
  "<"   this cell continues the cell to its left (colspan)
  "^"   this cell continues the cell above it (rowspan), mainly for two-row headers
  " // " line break inside a cell
Extra metadata keys: @title @subtitle @models @publisher @docno @revision @date @fictional
  @footer @toplinetables (comma-separated caption prefixes).

Deterministic: fixed creation date and metadata, no randomness; rendering twice gives
byte-identical files.

Usage (from samples/eval/dev):
  python render/tablerender.py pressbrake-pb160/pressbrake-pb160-source.txt \
      pressbrake-pb160/pressbrake-pb160-manual.pdf
  python render/tablerender.py            (renders the jobs listed in JOBS)
"""
import datetime
import os
import re
import sys

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, TableSpan, XPos, YPos

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import msrc  # noqa: E402

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FIXED_DATE = datetime.datetime(2024, 5, 14, 9, 30, 0, tzinfo=datetime.timezone.utc)

JOBS = [
    ("pressbrake-pb160", "pressbrake-pb160-source.txt", "pressbrake-pb160-manual.pdf"),
]

INK = (25, 25, 25)
BLUE = (18, 52, 96)
RULE = (120, 120, 120)
SIGNAL = {
    # kind: (border / panel colour, text colour in panel, with triangle)
    "DANGER": ((190, 20, 30), (255, 255, 255), True),
    "WARNING": ((230, 110, 0), (0, 0, 0), True),
    "CAUTION": ((240, 195, 0), (0, 0, 0), True),
    "NOTICE": ((20, 70, 150), (255, 255, 255), False),
    "NOTE": ((20, 70, 150), (255, 255, 255), False),
}


class LetterManual(FPDF):
    def __init__(self, meta):
        super().__init__(orientation="P", unit="mm", format="Letter")
        self.meta = meta
        self.set_creation_date(FIXED_DATE)
        self.set_title(meta.get("title", ""))
        self.set_author(meta.get("publisher", ""))
        self.set_subject(meta.get("subtitle", ""))
        self.set_creator("corpus render script tablerender.py")
        self.set_producer("fpdf2")
        for fam, files in (
            ("sans", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                      "DejaVuSans-BoldOblique.ttf")),
            ("cond", ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
                      "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed-BoldOblique.ttf")),
            ("serif", ("DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf",
                       "DejaVuSerifCondensed-Italic.ttf", "DejaVuSerifCondensed-BoldItalic.ttf")),
        ):
            for st, fn in zip(("", "B", "I", "BI"), files):
                self.add_font(fam, st, os.path.join(FONT_DIR, fn))
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, 18)
        self.lh = 4.3
        self.topline = [s.strip() for s in meta.get("toplinetables", "").split(",") if s.strip()]

    # ----- page furniture ------------------------------------------------
    def header(self):
        if self.page == 1:
            return
        self.set_font("sans", "", 7.5)
        self.set_text_color(*BLUE)
        self.set_xy(self.l_margin, 10)
        self.cell(0, 4, self.meta.get("title", ""), align="L")
        self.set_xy(self.l_margin, 10)
        self.cell(0, 4, self.meta.get("docno", ""), align="R")
        self.set_draw_color(*BLUE)
        self.set_line_width(0.3)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_text_color(*INK)
        self.set_y(20)

    def footer(self):
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.y - 1.5, self.w - self.r_margin, self.y - 1.5)
        self.set_font("sans", "", 7.5)
        self.set_text_color(90)
        self.cell(0, 4, self.meta.get("footer", ""), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()}", align="R")
        self.set_text_color(*INK)

    # ----- helpers ---------------------------------------------------------
    def room(self, h):
        """Start a new page unless h mm are left above the bottom margin."""
        if self.y + h > self.page_break_trigger:
            self.add_page()

    def body_font(self):
        self.set_font("serif", "", 9.3)
        self.set_text_color(*INK)

    def text_height(self, w, text, lh, markdown=False):
        lines = self.multi_cell(w, lh, text, dry_run=True, output="LINES", markdown=markdown)
        return len(lines) * lh

    # ----- blocks ---------------------------------------------------------
    def title_page(self, blocks):
        m = self.meta
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, self.w, 9, style="F")
        self.set_y(34)
        self.set_font("sans", "B", 11)
        self.set_text_color(*BLUE)
        self.cell(0, 6, m.get("publisher", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        self.set_font("sans", "B", 24)
        self.set_text_color(*INK)
        self.multi_cell(0, 10, m.get("title", ""), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font("sans", "", 13)
        self.multi_cell(0, 6.5, m.get("subtitle", ""), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.set_draw_color(*BLUE)
        self.set_line_width(0.8)
        self.line(self.l_margin, self.y, self.l_margin + 60, self.y)
        self.ln(6)
        self.set_font("cond", "", 10)
        for line in m.get("models", "").split("\n"):
            self.multi_cell(0, 5.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.set_font("cond", "", 9)
        self.set_text_color(70)
        self.multi_cell(0, 4.6, f"Document {m.get('docno', '')} · Revision {m.get('revision', '')} · "
                        f"{m.get('date', '')}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        # contents: level-1 headings only
        self.ln(10)
        self.set_font("sans", "B", 10)
        self.set_text_color(*BLUE)
        self.cell(0, 6, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font("cond", "", 9.5)
        for b in blocks:
            if b[0] == "h" and b[1] == 1:
                self.cell(0, 5, b[2], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        # fictional notice in a thin frame at the bottom of the page
        note = m.get("fictional", "")
        if note:
            self.set_font("cond", "I", 8.6)
            w = self.epw - 8
            h = self.text_height(w, note, 4.2) + 6
            y = self.h - 30 - h
            self.set_draw_color(*RULE)
            self.set_line_width(0.3)
            self.rect(self.l_margin, y, self.epw, h)
            self.set_xy(self.l_margin + 4, y + 3)
            self.multi_cell(w, 4.2, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.add_page()

    def heading(self, level, text):
        if level == 1:
            if self.page > 2 or self.y > 30:
                # a new section starts on a new page when less than 60 mm are left
                if self.y > self.page_break_trigger - 60:
                    self.add_page()
                else:
                    self.ln(6)
            self.set_font("sans", "B", 15)
            self.set_text_color(*BLUE)
            self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(*BLUE)
            self.set_line_width(0.9)
            self.line(self.l_margin, self.y + 0.5, self.w - self.r_margin, self.y + 0.5)
            self.ln(4)
        else:
            self.room(26)
            self.ln(2.5)
            self.set_font("sans", "B", 11 if level == 2 else 10)
            self.set_text_color(*BLUE)
            self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
        self.set_text_color(*INK)

    def paragraph(self, text):
        self.body_font()
        self.multi_cell(0, self.lh, text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def box(self, kind, text):
        kind = kind.upper()
        colour, ptext, triangle = SIGNAL.get(kind, SIGNAL["NOTICE"])
        pad = 3
        panel_h = 7
        w = self.epw - 2 * pad
        self.set_font("serif", "", 9.3)
        body_h = self.text_height(w, text, 4.3, markdown=True)
        h = panel_h + body_h + 2 * pad
        self.room(h + 3)
        x0, y0 = self.l_margin, self.y + 1
        # signal-word panel
        self.set_fill_color(*colour)
        self.rect(x0, y0, self.epw, panel_h, style="F")
        tx = x0 + pad
        if triangle:
            cx, top, s = x0 + pad + 3, y0 + 1.1, 4.8
            self.set_fill_color(255, 215, 0) if kind != "CAUTION" else self.set_fill_color(255, 255, 255)
            self.set_draw_color(0)
            self.set_line_width(0.35)
            self.polygon([(cx, top), (cx + s / 2 + 0.3, top + s), (cx - s / 2 - 0.3, top + s)], style="DF")
            self.set_fill_color(0)
            self.rect(cx - 0.3, top + 1.4, 0.6, 2.0, style="F")
            self.rect(cx - 0.3, top + 3.8, 0.6, 0.55, style="F")
            tx += 8
        self.set_text_color(*ptext)
        self.set_font("sans", "B", 10.5)
        self.set_xy(tx, y0 + 0.5)
        self.cell(40, panel_h - 1, kind)
        # border
        self.set_draw_color(*colour)
        self.set_line_width(0.8)
        self.rect(x0, y0, self.epw, h)
        # body
        self.set_text_color(*INK)
        self.set_font("serif", "", 9.3)
        self.set_xy(x0 + pad, y0 + panel_h + pad)
        self.multi_cell(w, 4.3, text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(y0 + h + 3)

    def steps(self, items):
        self.body_font()
        ind = 7
        for n, (text, subs) in enumerate(items, 1):
            self.room(9)
            y = self.y
            self.set_font("sans", "B", 9)
            self.set_text_color(*BLUE)
            self.set_xy(self.l_margin, y)
            self.cell(ind, self.lh, f"{n}.")
            self.body_font()
            self.set_xy(self.l_margin + ind, y)
            self.multi_cell(self.epw - ind, self.lh, text, markdown=True,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for k, s in enumerate(subs):
                y = self.y
                self.set_xy(self.l_margin + ind, y)
                self.cell(6, self.lh, f"{chr(97 + k)})")
                self.set_xy(self.l_margin + ind + 6, y)
                self.multi_cell(self.epw - ind - 6, self.lh, s, markdown=True,
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
        self.ln(1.5)

    def bullets(self, items):
        self.body_font()
        for text, subs in items:
            self.room(8)
            y = self.y
            self.set_xy(self.l_margin + 2, y)
            self.cell(4, self.lh, "•")
            self.set_xy(self.l_margin + 6, y)
            self.multi_cell(self.epw - 6, self.lh, text, markdown=True,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for s in subs:
                y = self.y
                self.set_xy(self.l_margin + 8, y)
                self.cell(4, self.lh, "–")
                self.set_xy(self.l_margin + 12, y)
                self.multi_cell(self.epw - 12, self.lh, s, markdown=True,
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.6)
        self.ln(1.5)

    def table_block(self, caption, widths, head, body, notes):
        rows = head + body
        ncols = max(len(r) for r in rows)
        widths = widths or [1] * ncols
        single_top = any(caption.startswith(p) for p in self.topline)
        # keep the caption with the headings and the first body rows
        self.room(30)
        if caption:
            self.ln(1)
            self.set_font("sans", "B", 9)
            self.set_text_color(*BLUE)
            self.multi_cell(0, 5, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.8)
        self.set_text_color(*INK)
        self.set_draw_color(0)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.set_font("cond", "", 8.6)
        # FPDF.table() takes the current fill colour as the cell background unless it is the
        # default (black): reset it so that the cells stay unfilled
        self.set_fill_color(0)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        hstyle = FontFace(family="cond", emphasis="BOLD", size_pt=8.6, color=BLUE)
        layout = TableBordersLayout.SINGLE_TOP_LINE if single_top else TableBordersLayout.HORIZONTAL_LINES
        with self.table(
            width=self.epw,
            col_widths=tuple(widths[:ncols]),
            borders_layout=layout,
            headings_style=hstyle,
            num_heading_rows=len(head),
            first_row_as_headings=bool(head),
            repeat_headings=1,
            line_height=3.75,
            padding=(0.9, 1.3, 0.9, 1.3),
            text_align="LEFT",
            v_align="TOP",
        ) as table:
            for r_i, r in enumerate(rows):
                is_head = r_i < len(head)
                row = table.row()
                i = 0
                while i < len(r):
                    c = r[i]
                    if c == "^":
                        row.cell(TableSpan.ROW)
                        i += 1
                        continue
                    span = 1
                    while i + span < len(r) and r[i + span] == "<":
                        span += 1
                    text = c.replace(" // ", "\n")
                    align = "C" if (is_head and span > 1) else None
                    row.cell(text, colspan=span, align=align,
                             v_align="BOTTOM" if is_head else None)
                    i += span
        self.set_draw_color(0)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(1.5)
        if notes:
            self.set_font("cond", "I", 7.9)
            self.set_text_color(60)
            for n in notes:
                self.multi_cell(0, 3.6, n, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
        self.ln(3)


def render(src, out):
    meta, blocks = msrc.parse(src)
    pdf = LetterManual(meta)
    pdf.title_page(blocks)
    for b in blocks:
        kind = b[0]
        if kind == "h":
            pdf.heading(b[1], b[2])
        elif kind == "p":
            pdf.paragraph(b[1])
        elif kind == "box":
            pdf.box(b[1], b[2])
        elif kind == "ol":
            pdf.steps(b[1])
        elif kind == "ul":
            pdf.bullets(b[1])
        elif kind == "table":
            pdf.table_block(*b[1:])
        elif kind == "pagebreak":
            pdf.add_page()
    pdf.output(out)


def main(argv):
    if len(argv) == 2:
        render(argv[0], argv[1])
        print("rendered", argv[1])
        return
    for mid, src, out in JOBS:
        s = os.path.join(ROOT, mid, src)
        if os.path.exists(s):
            render(s, os.path.join(ROOT, mid, out))
            print("rendered", out)


if __name__ == "__main__":
    main(sys.argv[1:])
