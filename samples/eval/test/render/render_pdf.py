"""Render a markup source (see markup.py) to PDF with fpdf2.

Two house styles:
  ruled   - A4 landscape, fully ruled grid tables, plain header row in bold,
            headings with a rule underneath, footer with document code and page.
  shaded  - US Letter portrait, single column, tables with a shaded header row
            and horizontal lines only, zebra rows, running header (document
            title) and footer ("Page N of M").

Deterministic: fixed creation date and file id.
Usage: python render_pdf.py STYLE SRC OUT.pdf "Running header text" "Footer doc code"
"""

import math
import sys
from datetime import datetime, timezone

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.enums import TableBordersLayout, TableCellFillMode

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from markup import parse  # noqa: E402

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FIXED_DATE = datetime(2024, 1, 15, 9, 0, 0, tzinfo=timezone.utc)


class ManualPDF(FPDF):
    def __init__(self, style, header_text, footer_code):
        if style == "ruled":
            super().__init__(orientation="L", unit="mm", format="A4")
        else:
            super().__init__(orientation="P", unit="mm", format="Letter")
        self.style = style
        self.header_text = header_text
        self.footer_code = footer_code
        self.in_title = True
        for fam, base in (("Sans", "DejaVuSans"), ("Serif", "DejaVuSerif"), ("Cond", "DejaVuSansCondensed")):
            self.add_font(fam, "", FONT_DIR + base + ".ttf")
            self.add_font(fam, "B", FONT_DIR + base + "-Bold.ttf")
            self.add_font(fam, "I", FONT_DIR + base + ("-Oblique.ttf" if fam != "Serif" else "-Italic.ttf"))
        self.body_font = "Serif" if style == "shaded" else "Sans"
        self.set_auto_page_break(True, margin=18)
        if style == "ruled":
            self.set_margins(18, 14, 18)
        else:
            self.set_margins(22, 24, 22)
        self.alias_nb_pages()

    def header(self):
        if self.in_title:
            return
        if self.style == "shaded":
            self.set_font("Sans", "I", 8)
            self.set_text_color(90, 90, 90)
            self.set_y(10)
            self.cell(0, 5, self.header_text, align="L")
            self.set_draw_color(150, 150, 150)
            self.line(self.l_margin, 16, self.w - self.r_margin, 16)
            self.set_text_color(0, 0, 0)
            self.set_y(self.t_margin)

    def footer(self):
        if self.in_title or self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font("Sans", "", 8)
        self.set_text_color(80, 80, 80)
        if self.style == "shaded":
            self.set_draw_color(150, 150, 150)
            self.line(self.l_margin, self.h - 14, self.w - self.r_margin, self.h - 14)
            self.cell(0, 5, self.footer_code, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        else:
            self.cell(0, 5, f"{self.footer_code}   |   {self.page_no()}", align="R")
        self.set_text_color(0, 0, 0)


def col_widths(rows):
    ncol = max(len(r) for r in rows)
    w = []
    for c in range(ncol):
        longest = max((len(r[c]) if c < len(r) else 0) for r in rows)
        longest_word = max((max((len(x) for x in r[c].split()), default=0) if c < len(r) else 0) for r in rows)
        w.append(max(math.sqrt(longest) * 3, longest_word * 1.15, 6))
    return tuple(w)


def render_toc(pdf, outline):
    pdf.set_font("Sans", "B", 14)
    pdf.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for sec in outline:
        if sec.level > 1:
            continue
        indent = 8 * sec.level
        pdf.set_font("Sans", "B" if sec.level == 0 else "", 9.5 if sec.level == 0 else 9)
        pdf.set_x(pdf.l_margin + indent)
        w = pdf.w - pdf.l_margin - pdf.r_margin - indent - 15
        pdf.cell(w, 5, sec.name)
        pdf.cell(15, 5, str(sec.page_number), align="R", new_x="LMARGIN", new_y="NEXT")


def render(style, src_path, out_path, header_text, footer_code):
    blocks = parse(open(src_path, encoding="utf-8").read())
    pdf = ManualPDF(style, header_text, footer_code)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(header_text)
    pdf.set_author("Evaluation corpus (fictional)")
    pdf.set_creator("render_pdf.py")
    pdf.set_producer("fpdf2")
    pdf.add_page()
    body = pdf.body_font
    size = 9.5 if style == "ruled" else 10
    lh = 4.6 if style == "ruled" else 5.0

    for b in blocks:
        if b.kind == "titlepage_start":
            pdf.in_title = True
            pdf.ln(25 if style == "shaded" else 12)
        elif b.kind == "titlepage_end":
            pdf.in_title = False
            pdf.add_page()
        elif b.kind == "title":
            pdf.set_font("Sans", "B", 24 if style == "shaded" else 22)
            pdf.multi_cell(0, 11, b.text, new_x="LMARGIN", new_y="NEXT")
            if style == "ruled":
                pdf.set_line_width(0.8)
                pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
                pdf.set_line_width(0.2)
            pdf.ln(4)
        elif b.kind == "subtitle":
            pdf.set_font("Sans", "", 13)
            pdf.multi_cell(0, 7, b.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
        elif b.kind == "toc":
            pdf.insert_toc_placeholder(render_toc, pages=1, allow_extra_pages=True)
        elif b.kind == "pagebreak":
            pdf.add_page()
        elif b.kind == "heading":
            if b.level == 1:
                if pdf.get_y() > pdf.h * 0.62:
                    pdf.add_page()
                pdf.ln(4)
                pdf.start_section(b.text, level=0)
                if style == "shaded":
                    pdf.set_fill_color(40, 60, 90)
                    pdf.set_text_color(255, 255, 255)
                    pdf.set_font("Sans", "B", 13)
                    pdf.cell(0, 8, " " + b.text, fill=True, new_x="LMARGIN", new_y="NEXT")
                    pdf.set_text_color(0, 0, 0)
                else:
                    pdf.set_font("Sans", "B", 14)
                    pdf.cell(0, 8, b.text, new_x="LMARGIN", new_y="NEXT")
                    pdf.set_line_width(0.5)
                    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
                    pdf.set_line_width(0.2)
                pdf.ln(3)
            else:
                if pdf.get_y() > pdf.h - 40:
                    pdf.add_page()
                pdf.ln(2)
                pdf.start_section(b.text, level=b.level - 1)
                pdf.set_font("Sans", "B", 11 if b.level == 2 else 10)
                pdf.multi_cell(0, 6, b.text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
        elif b.kind == "para":
            pdf.set_font(body, "", size if not b.label else size + 0.5)
            pdf.multi_cell(0, lh, b.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif b.kind == "notice":
            colors = {"DANGER": (250, 215, 215), "WARNING": (252, 232, 200),
                      "CAUTION": (252, 246, 205), "NOTE": (225, 235, 245), "NOTICE": (225, 235, 245)}
            pdf.set_fill_color(*colors[b.label])
            pdf.set_draw_color(0, 0, 0)
            pdf.set_font(body, "", size)
            pdf.set_line_width(0.4)
            pdf.multi_cell(0, lh + 0.4, f"**{b.label}**  {b.text}", border=1, fill=True, markdown=True,
                           padding=(2, 3, 2, 3), new_x="LMARGIN", new_y="NEXT")
            pdf.set_line_width(0.2)
            pdf.ln(3)
        elif b.kind == "list":
            pdf.set_font(body, "", size)
            counters = {}
            for level, ordered, marker, text in b.items:
                x0 = pdf.l_margin + 4 + level * 8
                label = marker if ordered else ("•" if level == 0 else "–")
                pdf.set_x(x0)
                pdf.cell(7, lh, label)
                pdf.multi_cell(pdf.w - pdf.r_margin - x0 - 7, lh, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(0.8)
            pdf.ln(1.5)
        elif b.kind == "table":
            rows = b.rows
            if b.caption:
                if pdf.get_y() > pdf.h - 45:
                    pdf.add_page()
                pdf.set_font("Sans", "B", 9.5)
                pdf.multi_cell(0, 5.5, b.caption, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(0.5)
            pdf.set_font("Sans" if style == "ruled" else "Cond", "", 8.6)
            pdf.set_fill_color(255, 255, 255)
            if style == "ruled":
                kw = dict(borders_layout=TableBordersLayout.ALL,
                          headings_style=FontFace(emphasis="BOLD", fill_color=(255, 255, 255)))
            else:
                kw = dict(borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                          headings_style=FontFace(emphasis="BOLD", fill_color=(205, 214, 228)),
                          cell_fill_color=(243, 245, 249), cell_fill_mode=TableCellFillMode.ROWS)
            with pdf.table(col_widths=col_widths(rows), line_height=4.4, text_align="LEFT",
                           padding=1.2, repeat_headings=1, **kw) as t:
                ncol = max(len(r) for r in rows)
                for r in rows:
                    row = t.row()
                    for c in range(ncol):
                        row.cell(r[c] if c < len(r) else "")
            pdf.ln(4)
    pdf.file_id = lambda: "<0123456789ABCDEF0123456789ABCDEF><0123456789ABCDEF0123456789ABCDEF>"
    pdf.output(out_path)


if __name__ == "__main__":
    render(*sys.argv[1:6])
