"""Render a msrc manual source to an A5 booklet PDF (marine-me640).

House style "a5-booklet" (differs from pdfrender.py, rlrender.py and tablerender.py):
  * A5 portrait pages (148 x 210 mm), one column, serif body, sans headings;
  * every chapter (level-1 heading) starts on a new page under a dark band that carries the
    heading text as written ("5 Monitoring and safety system");
  * level-2 headings "5.2 ..." with a thin rule below, level-3 headings "4.6.1 ..." in italics;
  * paragraphs of the form "label ...... value" are drawn as dot-leader lines (label left, value
    right, dots between); consecutive leader lines are set without paragraph spacing;
  * tables drawn by hand: double rule above and below, vertical rules between the columns, a
    tinted header row, no rules between body rows, header repeated after a page break, captions
    "Tab. 5-2 ..." above the table and notes in small italics below it;
  * safety messages with a thick coloured bar on the left and the signal word on its own line;
  * numbered steps printed as "(1)", bullets as small squares;
  * booklet furniture: running header alternating between the manual title (even pages, left)
    and the current chapter (odd pages, right), footer with chapter-relative page numbers
    "5-3" on the outer side and the document number on the inner side; front matter numbered
    i, ii, ...; contents page with dot leaders and page numbers (two passes).

Markup: see msrc.py. Extra conventions: " // " = line break in a table cell.
Extra metadata keys: @title @subtitle @models @publisher @docno @revision @date @fictional @footer.

Deterministic: fixed creation date and metadata, no randomness; rendering twice gives
byte-identical files.

Usage (from samples/eval/dev):
  python render/a5render.py marine-me640/marine-me640-source.txt marine-me640/marine-me640-manual.pdf
  python render/a5render.py            (renders the jobs listed in JOBS)
"""
import datetime
import warnings
import os
import re
import sys

warnings.filterwarnings("ignore", message="Dimensions for page format")
from fpdf import FPDF  # noqa: E402
from fpdf.enums import XPos, YPos  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import msrc  # noqa: E402

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FIXED_DATE = datetime.datetime(2025, 3, 17, 8, 0, 0, tzinfo=datetime.timezone.utc)

JOBS = [
    ("marine-me640", "marine-me640-source.txt", "marine-me640-manual.pdf"),
]

INK = (20, 20, 20)
NAVY = (16, 42, 67)
TINT = (226, 232, 238)
GREY = (110, 110, 110)
SIGNAL = {
    "DANGER": (178, 24, 32),
    "WARNING": (222, 110, 0),
    "CAUTION": (214, 170, 0),
    "NOTE": (40, 90, 150),
    "NOTICE": (40, 90, 150),
}
LEADER_RE = re.compile(r"^(.*?\S)\s*\.{4,}\s*(\S.*)$")
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]


class Booklet(FPDF):
    def __init__(self, meta, toc=None):
        super().__init__(orientation="P", unit="mm", format="A5")
        self.meta = meta
        self.toc_in = toc
        self.toc_out = []
        self.set_creation_date(FIXED_DATE)
        self.set_title(meta.get("title", ""))
        self.set_author(meta.get("publisher", ""))
        self.set_subject(meta.get("subtitle", ""))
        self.set_creator("corpus render script a5render.py")
        self.set_producer("fpdf2")
        for fam, files in (
            ("sans", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                      "DejaVuSans-BoldOblique.ttf")),
            ("cond", ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
                      "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed-BoldOblique.ttf")),
            ("serif", ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
                       "DejaVuSerif-BoldItalic.ttf")),
        ):
            for st, fn in zip(("", "B", "I", "BI"), files):
                self.add_font(fam, st, os.path.join(FONT_DIR, fn))
        self.set_margins(13, 17, 13)
        self.set_auto_page_break(True, 15)
        self.lh = 3.9
        self.front = True        # front matter (roman page numbers)
        self.chapter_no = ""
        self.chapter_title = ""
        self.chapter_start = 1
        self.pending_chapter = None
        self.last_block = None
        self.table_ctx = None    # (head rows, widths) while a table is being drawn

    # ----- page furniture ------------------------------------------------
    def page_label(self):
        if self.front:
            return ROMAN[self.page - 1]
        return f"{self.chapter_no}-{self.page - self.chapter_start + 1}"

    def header(self):
        if self.pending_chapter:
            self.chapter_no, self.chapter_title = self.pending_chapter
            self.chapter_start = self.page
            self.pending_chapter = None
            self.front = False
        if self.page == 1:
            return
        self.set_font("sans", "", 6.6)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, 8)
        if self.page % 2 == 0:
            self.cell(0, 3.5, self.meta.get("title", ""), align="L")
        else:
            text = self.chapter_title if not self.front else self.meta.get("publisher", "")
            self.cell(0, 3.5, text, align="R")
        self.set_draw_color(*GREY)
        self.set_line_width(0.15)
        self.line(self.l_margin, 12.3, self.w - self.r_margin, 12.3)
        self.set_text_color(*INK)
        self.set_y(17)
        if self.table_ctx is not None:
            self.table_rules()
            self.table_header()

    def footer(self):
        if self.page == 1:
            return
        self.set_y(-11)
        self.set_font("sans", "", 6.6)
        self.set_text_color(*GREY)
        even = self.page % 2 == 0
        self.set_x(self.l_margin)
        self.cell(0, 3.5, self.meta.get("footer", ""), align="R" if even else "L")
        self.set_x(self.l_margin)
        self.set_font("sans", "B", 7.5)
        self.set_text_color(*NAVY)
        self.cell(0, 3.5, self.page_label(), align="L" if even else "R")
        self.set_text_color(*INK)

    # ----- helpers ---------------------------------------------------------
    def room(self, h):
        if self.y + h > self.page_break_trigger:
            self.add_page()

    def body_font(self):
        self.set_font("serif", "", 8.3)
        self.set_text_color(*INK)

    def lines_of(self, w, text, markdown=False):
        return self.multi_cell(w, self.lh, text, dry_run=True, output="LINES", markdown=markdown)

    # ----- front matter ---------------------------------------------------
    def title_page(self):
        m = self.meta
        self.add_page()
        self.set_fill_color(*NAVY)
        self.rect(0, 0, self.w, 62, style="F")
        self.set_text_color(255, 255, 255)
        self.set_xy(self.l_margin, 14)
        self.set_font("sans", "B", 8.5)
        self.cell(0, 5, m.get("publisher", "").upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(5)
        self.set_font("sans", "B", 15)
        self.multi_cell(0, 7, m.get("title", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_y(72)
        self.set_font("sans", "", 9.5)
        self.multi_cell(0, 5, m.get("subtitle", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(5)
        self.set_draw_color(*NAVY)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.y, self.l_margin + 40, self.y)
        self.ln(5)
        self.set_font("cond", "", 8.5)
        for line in m.get("models", "").split("\n"):
            self.multi_cell(0, 4.6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.set_font("cond", "", 8)
        self.set_text_color(*GREY)
        self.multi_cell(0, 4.2, f"Document {m.get('docno', '')} · Revision {m.get('revision', '')} · "
                        f"{m.get('date', '')}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        note = m.get("fictional", "")
        if note:
            self.set_font("serif", "I", 7.4)
            w = self.epw - 6
            h = len(self.multi_cell(w, 3.6, note, dry_run=True, output="LINES")) * 3.6 + 5
            y = self.h - 20 - h
            self.set_draw_color(*GREY)
            self.set_line_width(0.25)
            self.rect(self.l_margin, y, self.epw, h)
            self.set_xy(self.l_margin + 3, y + 2.5)
            self.multi_cell(w, 3.6, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def contents(self, blocks):
        self.add_page()
        self.set_font("sans", "B", 12)
        self.set_text_color(*NAVY)
        self.cell(0, 7, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        pages = dict(self.toc_in or [])
        for b in blocks:
            if b[0] != "h" or b[1] > 2:
                continue
            text = b[2]
            label = pages.get(text, "")
            if b[1] == 1:
                self.ln(1.2)
                self.set_font("sans", "B", 8.2)
                self.set_text_color(*NAVY)
                x = self.l_margin
            else:
                self.set_font("serif", "", 7.8)
                self.set_text_color(*INK)
                x = self.l_margin + 5
            self.leader_line(text, label, x=x, lh=3.9)
        self.set_text_color(*INK)

    # ----- blocks ---------------------------------------------------------
    def heading(self, level, text):
        if level == 1:
            # applied in header(), after the footer of the previous page has been drawn
            self.pending_chapter = (text.split(" ", 1)[0], text)
            self.add_page()
            self.toc_out.append((text, self.page_label()))
            y = self.y
            self.set_fill_color(*NAVY)
            self.rect(self.l_margin, y, self.epw, 11, style="F")
            self.set_text_color(255, 255, 255)
            self.set_font("sans", "B", 12.5)
            self.set_xy(self.l_margin + 3, y + 2.2)
            self.cell(self.epw - 6, 6.6, text)
            self.set_text_color(*INK)
            self.set_y(y + 15)
        elif level == 2:
            self.room(24)
            if self.y > 25:
                self.ln(2.5)
            self.toc_out.append((text, self.page_label()))
            self.set_font("sans", "B", 9.4)
            self.set_text_color(*NAVY)
            self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(*NAVY)
            self.set_line_width(0.25)
            self.line(self.l_margin, self.y + 0.3, self.w - self.r_margin, self.y + 0.3)
            self.ln(2.2)
        else:
            self.room(20)
            self.ln(1.5)
            self.set_font("sans", "BI", 8.6)
            self.set_text_color(*NAVY)
            self.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
        self.set_text_color(*INK)

    def leader_line(self, label, value, x=None, lh=None):
        lh = lh or self.lh
        x = self.l_margin if x is None else x
        right = self.w - self.r_margin
        vw = self.get_string_width(value) + 1
        avail = right - x - vw - 6
        lines = self.multi_cell(avail, lh, label, dry_run=True, output="LINES")
        self.room(lh * len(lines))
        for ln in lines[:-1]:
            self.set_xy(x, self.y)
            self.cell(avail, lh, ln, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        last = lines[-1]
        y = self.y
        self.set_xy(x, y)
        lw = self.get_string_width(last)
        self.cell(lw + 0.8, lh, last)
        dot_w = self.get_string_width(".")
        gap = right - vw - (x + lw + 0.8) - 1
        n = max(3, int(gap / dot_w))
        dots = "." * n
        self.set_x(right - vw - 1 - self.get_string_width(dots))
        self.cell(self.get_string_width(dots), lh, dots)
        self.set_xy(right - vw, y)
        self.cell(vw, lh, value, align="R")
        self.set_xy(self.l_margin, y + lh)

    def paragraph(self, text):
        m = LEADER_RE.match(text)
        if m and len(m.group(2)) <= 60:
            if self.last_block != "leader":
                self.ln(0.6)
            self.body_font()
            self.leader_line(m.group(1), m.group(2))
            self.ln(0.7)
            self.last_block = "leader"
            return
        if self.last_block == "leader":
            self.ln(1.6)
        self.body_font()
        self.multi_cell(0, self.lh, text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.8)
        self.last_block = "p"

    def box(self, kind, text):
        kind = kind.upper()
        colour = SIGNAL.get(kind, SIGNAL["NOTE"])
        bar = 2.2
        pad = 2.6
        w = self.epw - bar - 2 * pad
        self.set_font("serif", "", 8)
        lines = self.multi_cell(w, 3.7, text, dry_run=True, output="LINES", markdown=True)
        h = 5 + len(lines) * 3.7 + 2 * pad - 1
        self.room(h + 3)
        x0, y0 = self.l_margin, self.y + 0.5
        self.set_fill_color(244, 244, 244)
        self.rect(x0, y0, self.epw, h, style="F")
        self.set_fill_color(*colour)
        self.rect(x0, y0, bar, h, style="F")
        self.set_xy(x0 + bar + pad, y0 + pad - 0.6)
        self.set_font("sans", "B", 8.6)
        self.set_text_color(*colour)
        self.cell(w, 4.6, kind, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font("serif", "", 8)
        self.set_x(x0 + bar + pad)
        self.multi_cell(w, 3.7, text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(y0 + h + 2.5)

    def steps(self, items):
        ind = 7
        for n, (text, subs) in enumerate(items, 1):
            self.body_font()
            self.room(8)
            y = self.y
            self.set_font("sans", "B", 7.8)
            self.set_text_color(*NAVY)
            self.set_xy(self.l_margin, y)
            self.cell(ind, self.lh, f"({n})")
            self.body_font()
            self.set_xy(self.l_margin + ind, y)
            self.multi_cell(self.epw - ind, self.lh, text, markdown=True,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for s in subs:
                y = self.y
                self.set_xy(self.l_margin + ind, y)
                self.cell(4, self.lh, "–")
                self.set_xy(self.l_margin + ind + 4, y)
                self.multi_cell(self.epw - ind - 4, self.lh, s, markdown=True,
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.8)
        self.ln(1.2)

    def bullets(self, items):
        self.body_font()
        for text, subs in items:
            self.room(7)
            y = self.y
            self.set_fill_color(*NAVY)
            self.rect(self.l_margin + 1.2, y + 1.3, 1.3, 1.3, style="F")
            self.set_xy(self.l_margin + 5, y)
            self.multi_cell(self.epw - 5, self.lh, text, markdown=True,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for s in subs:
                y = self.y
                self.set_xy(self.l_margin + 7, y)
                self.cell(3, self.lh, "–")
                self.set_xy(self.l_margin + 10, y)
                self.multi_cell(self.epw - 10, self.lh, s, markdown=True,
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.5)
        self.ln(1.4)

    # ----- tables -----------------------------------------------------------
    def col_x(self, widths):
        xs, x = [], self.l_margin
        for w in widths:
            xs.append(x)
            x += w
        return xs

    def row_height(self, row, widths, bold):
        self.set_font("cond", "B" if bold else "", 7.1)
        n = 1
        for c, w in zip(row, widths):
            parts = c.split(" // ")
            k = 0
            for p in parts:
                k += len(self.multi_cell(w - 2.2, 3.2, p, dry_run=True, output="LINES"))
            n = max(n, k)
        return n * 3.2 + 1.6

    def draw_row(self, row, widths, bold, heights=None):
        h = self.row_height(row, widths, bold)
        y = self.y
        xs = self.col_x(widths)
        if bold:
            self.set_fill_color(*TINT)
            self.rect(self.l_margin, y, sum(widths), h, style="F")
        self.set_font("cond", "B" if bold else "", 7.1)
        self.set_text_color(*NAVY if bold else INK)
        for c, x, w in zip(row, xs, widths):
            self.set_xy(x + 1.1, y + 0.8)
            self.multi_cell(w - 2.2, 3.2, c.replace(" // ", "\n"), align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        # vertical rules
        self.set_draw_color(*GREY)
        self.set_line_width(0.15)
        for x in xs[1:]:
            self.line(x, y, x, y + h)
        self.set_y(y + h)
        return h

    def table_rules(self):
        y = self.y
        w = sum(self.table_ctx[1])
        self.set_draw_color(*INK)
        self.set_line_width(0.25)
        self.line(self.l_margin, y, self.l_margin + w, y)
        self.line(self.l_margin, y + 0.7, self.l_margin + w, y + 0.7)
        self.set_y(y + 0.7)

    def table_header(self):
        head, widths = self.table_ctx
        for r in head:
            self.draw_row(r, widths, True)
        self.set_draw_color(*INK)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.y, self.l_margin + sum(widths), self.y)

    def table_block(self, caption, widths, head, body, notes):
        ncols = max(len(r) for r in head + body)
        widths = widths or [100 / ncols] * ncols
        tot = sum(widths[:ncols])
        widths = [self.epw * w / tot for w in widths[:ncols]]
        first_h = sum(self.row_height(r, widths, True) for r in head)
        if body:
            first_h += self.row_height(body[0], widths, False)
        self.room(first_h + 12)
        self.ln(1)
        if caption:
            self.set_font("sans", "B", 7.8)
            self.set_text_color(*NAVY)
            self.multi_cell(0, 4, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(0.6)
        self.table_ctx = (head, widths)
        self.table_rules()
        self.table_header()
        for r in body:
            h = self.row_height(r, widths, False)
            if self.y + h + 1 > self.page_break_trigger:
                self.bottom_rules(widths)
                self.add_page()   # header() repeats the rules and the header rows
            self.draw_row(r, widths, False)
        self.table_ctx = None
        self.bottom_rules(widths)
        self.ln(1.2)
        if notes:
            self.set_font("serif", "I", 6.9)
            self.set_text_color(60, 60, 60)
            for n in notes:
                self.multi_cell(0, 3.3, n, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
        self.ln(2.2)

    def bottom_rules(self, widths):
        y = self.y
        w = sum(widths)
        self.set_draw_color(*INK)
        self.set_line_width(0.25)
        self.line(self.l_margin, y, self.l_margin + w, y)
        self.line(self.l_margin, y + 0.7, self.l_margin + w, y + 0.7)
        self.set_y(y + 0.7)


def build(meta, blocks, toc):
    pdf = Booklet(meta, toc)
    pdf.title_page()
    pdf.contents(blocks)
    for b in blocks:
        kind = b[0]
        if kind in ("ol", "ul", "box", "table") and pdf.last_block == "leader":
            pdf.ln(1.6)
        if kind == "h":
            pdf.heading(b[1], b[2])
        elif kind == "p":
            pdf.paragraph(b[1])
            continue
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
        pdf.last_block = kind
    return pdf


def render(src, out):
    meta, blocks = msrc.parse(src)
    first = build(meta, blocks, None)
    second = build(meta, blocks, first.toc_out)
    if second.toc_out != first.toc_out:
        raise SystemExit("table of contents did not settle")
    second.output(out)


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
