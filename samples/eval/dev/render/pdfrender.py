"""Render a msrc manual source to PDF with fpdf2.

Two house layouts:
  "twocol" - A4, two text columns, fully ruled tables, black signal-word bars,
             compact chapter list on the title page, centred page number footer.
  "single" - A4, one column, serif body, shaded-header tables with zebra rows,
             running header (title + current chapter), footer "Page n of N",
             table of contents page with page numbers.
Deterministic: fixed creation date, fixed metadata, no randomness.
"""
import datetime
import os

from fpdf import FPDF
from fpdf.enums import XPos, YPos

import msrc

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FIXED_DATE = datetime.datetime(2024, 3, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)

BOX_COLORS = {
    # kind: (bar fill, bar text, body fill)
    "DANGER": ((200, 30, 30), (255, 255, 255), (253, 236, 236)),
    "WARNING": ((235, 120, 20), (0, 0, 0), (254, 243, 226)),
    "CAUTION": ((245, 200, 40), (0, 0, 0), (255, 250, 225)),
    "NOTE": ((90, 110, 140), (255, 255, 255), (238, 242, 247)),
}


class ManualPDF(FPDF):
    def __init__(self, meta, style):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.meta = meta
        self.style = style
        self.set_creation_date(FIXED_DATE)
        self.set_title(meta.get("title", ""))
        self.set_author(meta.get("publisher", ""))
        self.set_subject(meta.get("subtitle", ""))
        self.set_creator("corpus render script")
        self.set_producer("fpdf2")
        for fam, files in (
            ("sans", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")),
            ("serif", ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf")),
            ("cond", ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed-BoldOblique.ttf")),
        ):
            for st, fn in zip(("", "B", "I", "BI"), files):
                self.add_font(fam, st, os.path.join(FONT_DIR, fn))
        if style == "twocol":
            self.base_l = 14
            self.gutter = 7
            self.set_margins(14, 18, 14)
            self.set_auto_page_break(True, 16)
            self.colw = (210 - 28 - self.gutter) / 2
            self.fullw = 182
            self.body_font = ("sans", 8.4)
            self.lh = 3.9
        else:
            self.base_l = 22
            self.set_margins(22, 24, 20)
            self.set_auto_page_break(True, 20)
            self.colw = 210 - 42
            self.fullw = self.colw
            self.body_font = ("serif", 9.6)
            self.lh = 4.6
        self.columns = False
        self.col = 0
        self.col_y0 = 20
        self.indent = 0
        self.current_h1 = ""
        self.title_page = True
        self._measuring = False

    # ----- columns -------------------------------------------------------
    def set_col(self, c):
        self.col = c
        if self.columns:
            x = self.base_l + c * (self.colw + self.gutter)
            self.set_left_margin(x + self.indent)
            self.set_right_margin(210 - x - self.colw)
        else:
            self.set_left_margin(self.base_l + self.indent)
            self.set_right_margin(210 - self.base_l - self.fullw)
        self.set_x(self.l_margin)

    @property
    def accept_page_break(self):
        if self._measuring:
            return False
        if self.columns and self.col == 0:
            self.set_col(1)
            self.set_y(self.col_y0)
            return False
        self.set_col(0)
        return True

    def fits(self, h):
        return self.y + h <= self.page_break_trigger

    def break_now(self):
        if self.columns and self.col == 0:
            self.set_col(1)
            self.set_y(self.col_y0)
        else:
            self.add_page()
            self.set_col(0)

    def width(self):
        return (self.colw if self.columns else self.fullw) - self.indent

    # ----- page furniture ------------------------------------------------
    def header(self):
        m = self.meta
        if self.style == "twocol":
            if self.page == 1:
                self.col_y0 = 18
                return
            self.set_font("sans", "B", 7.5)
            self.set_text_color(0)
            self.set_xy(14, 9)
            self.cell(91, 4, m.get("header_left", ""))
            self.set_font("sans", "", 7.5)
            self.set_xy(105, 9)
            self.cell(91, 4, m.get("header_right", ""), align="R")
            self.set_line_width(0.5)
            self.line(14, 14, 196, 14)
            self.set_line_width(0.2)
            self.set_y(18)
            self.col_y0 = 18
        else:
            if self.page == 1:
                return
            self.set_font("sans", "", 7.5)
            self.set_text_color(70, 70, 70)
            self.set_xy(22, 10)
            self.cell(84, 4, m.get("header_left", ""))
            self.set_xy(106, 10)
            self.cell(84, 4, self.current_h1, align="R")
            self.set_draw_color(20, 60, 110)
            self.set_line_width(0.4)
            self.line(22, 15.5, 190, 15.5)
            self.set_line_width(0.2)
            self.set_draw_color(0)
            self.set_text_color(0)
            self.set_y(24)

    def footer(self):
        m = self.meta
        if self.style == "twocol":
            self.set_y(-11)
            self.set_x(14)
            self.set_font("sans", "", 7.5)
            self.cell(182, 4, f"– {self.page} –", align="C")
            self.set_xy(14, -11)
            self.set_font("sans", "", 6.5)
            self.cell(182, 4, m.get("footer", ""), align="R")
        else:
            if self.page == 1:
                return
            self.set_draw_color(20, 60, 110)
            self.line(22, 282, 190, 282)
            self.set_draw_color(0)
            self.set_y(-14)
            self.set_x(22)
            self.set_font("sans", "", 7.5)
            self.set_text_color(70, 70, 70)
            self.cell(110, 4, m.get("footer", ""))
            self.set_x(132)
            self.cell(58, 4, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0)

    # ----- title page ----------------------------------------------------
    def title_block(self, blocks):
        m = self.meta
        if self.style == "twocol":
            self.set_xy(14, 14)
            self.set_fill_color(25, 25, 25)
            self.rect(14, 14, 182, 30, style="F")
            self.set_text_color(255)
            self.set_font("sans", "B", 9)
            self.set_xy(19, 17)
            self.cell(170, 5, m.get("publisher", ""))
            self.set_font("sans", "B", 17)
            self.set_xy(19, 23)
            self.cell(170, 8, m.get("title", ""))
            self.set_font("sans", "", 10)
            self.set_xy(19, 32)
            self.cell(170, 6, m.get("subtitle", ""))
            self.set_text_color(0)
            self.set_xy(14, 47)
            self.set_font("sans", "", 7.8)
            for line in m.get("front", "").split("\n"):
                self.multi_cell(182, 3.8, line, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
            # chapter list
            chapters = [b[2] for b in blocks if b[0] == "h" and b[1] == 1]
            self.set_font("sans", "B", 8)
            self.cell(182, 4.5, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font("sans", "", 7.8)
            half = (len(chapters) + 1) // 2
            y = self.y
            for i, ch in enumerate(chapters):
                col = 0 if i < half else 1
                row = i if i < half else i - half
                self.set_xy(14 + col * 91, y + row * 3.9)
                self.cell(90, 3.9, ch)
            self.set_y(y + half * 3.9 + 2)
            self.set_line_width(0.5)
            self.line(14, self.y, 196, self.y)
            self.set_line_width(0.2)
            self.ln(3)
            self.columns = True
            self.col_y0 = self.y
            self.set_col(0)
        else:
            self.set_fill_color(20, 60, 110)
            self.rect(0, 0, 210, 70, style="F")
            self.set_text_color(255)
            self.set_font("sans", "B", 11)
            self.set_xy(22, 22)
            self.cell(166, 6, m.get("publisher", ""))
            self.set_font("sans", "B", 20)
            self.set_xy(22, 32)
            self.cell(166, 12, m.get("title", ""))
            self.set_font("sans", "", 12)
            self.set_xy(22, 46)
            self.cell(166, 7, m.get("subtitle", ""))
            self.set_text_color(0)
            self.set_xy(22, 90)
            self.set_font("serif", "", 9.6)
            for line in m.get("front", "").split("\n"):
                self.multi_cell(166, 5, line, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(1.5)
            self.columns = False
            self.set_col(0)

    # ----- blocks --------------------------------------------------------
    def body(self, style=""):
        fam, size = self.body_font
        self.set_font(fam, style, size)

    def heading(self, level, text):
        need = {1: 30, 2: 22, 3: 18}[level]
        if not self.fits(need):
            self.break_now()
        if level == 1:
            self.current_h1 = text
        self.start_section(text, level - 1)
        if self.style == "twocol":
            if level == 1:
                self.ln(2)
                self.set_font("sans", "B", 11)
                self.multi_cell(self.width(), 5.4, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.set_line_width(0.6)
                self.line(self.l_margin, self.y + 0.5, self.l_margin + self.width(), self.y + 0.5)
                self.set_line_width(0.2)
                self.ln(2.5)
            elif level == 2:
                self.ln(1.2)
                self.set_font("sans", "B", 9.2)
                self.multi_cell(self.width(), 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(0.8)
            else:
                self.ln(0.8)
                self.set_font("sans", "BI", 8.6)
                self.multi_cell(self.width(), 4.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(0.5)
        else:
            if level == 1:
                self.ln(4)
                self.set_fill_color(20, 60, 110)
                self.set_text_color(255)
                self.set_font("sans", "B", 13)
                self.multi_cell(self.width(), 8, " " + text, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.set_text_color(0)
                self.ln(3)
            elif level == 2:
                self.ln(2.5)
                self.set_font("sans", "B", 11)
                self.set_text_color(20, 60, 110)
                self.multi_cell(self.width(), 5.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.set_text_color(0)
                self.ln(1.2)
            else:
                self.ln(1.5)
                self.set_font("sans", "B", 9.8)
                self.multi_cell(self.width(), 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(0.8)

    def para(self, text):
        self.body()
        self.multi_cell(self.width(), self.lh, text, markdown=True, align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(self.lh * 0.45)

    def text_height(self, w, lh, text, markdown=False):
        self._measuring = True
        try:
            lines = self.multi_cell(w, lh, text, dry_run=True, output="LINES", markdown=markdown)
        finally:
            self._measuring = False
        return max(1, len(lines)) * lh

    def box(self, kind, text):
        bar_fill, bar_text, body_fill = BOX_COLORS.get(kind, BOX_COLORS["NOTE"])
        w = self.width()
        pad = 1.8
        self.body()
        if self.style == "twocol":
            bar_fill, bar_text, body_fill = (25, 25, 25), (255, 255, 255), (255, 255, 255)
        th = self.text_height(w - 2 * pad, self.lh, text, markdown=True)
        bar_h = 5
        total = bar_h + th + 2 * pad
        if not self.fits(total + 2):
            self.break_now()
        x, y = self.l_margin, self.y + 1
        self.set_fill_color(*body_fill)
        self.set_line_width(0.5 if self.style == "twocol" else 0.3)
        self.rect(x, y, w, total, style="DF")
        self.set_fill_color(*bar_fill)
        self.rect(x, y, w, bar_h, style="F")
        self.set_text_color(*bar_text)
        self.set_font("sans", "B", 8.5)
        self.set_xy(x + pad, y + 0.4)
        label = ("\u26a0 " if kind in ("DANGER", "WARNING", "CAUTION") else "") + kind
        self.cell(w - 2 * pad, bar_h - 0.8, label)
        self.set_text_color(0)
        self.body()
        self.set_xy(x + pad, y + bar_h + pad)
        self.multi_cell(w - 2 * pad, self.lh, text, markdown=True, align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_line_width(0.2)
        self.set_y(y + total + 2.5)

    def list_block(self, kind, items):
        self.body()
        ind = (5.5 if self.style == "twocol" else 6.5) if kind == "ol" else 4
        for n, (text, subs) in enumerate(items, 1):
            marker = f"{n}." if kind == "ol" else "\u2022"
            if not self.fits(self.lh * 2):
                self.break_now()
            x0 = self.l_margin
            self.set_x(x0)
            self.body("B" if kind == "ol" else "")
            self.cell(ind, self.lh, marker)
            self.body()
            self.indent += ind
            self.set_col(self.col)
            y = self.y
            self.set_y(y)
            self.multi_cell(self.width(), self.lh, text, markdown=True, align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for j, sub in enumerate(subs):
                sm = chr(ord("a") + j) + ")" if kind == "ol" and not sub.startswith("-") else "\u2013"
                if not self.fits(self.lh):
                    self.break_now()
                self.set_x(self.l_margin)
                self.cell(4.5, self.lh, sm)
                self.indent += 4.5
                self.set_col(self.col)
                self.multi_cell(self.width(), self.lh, sub, markdown=True, align="L",
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.indent -= 4.5
                self.set_col(self.col)
            self.indent -= ind
            self.set_col(self.col)
            self.ln(0.6)
        self.ln(self.lh * 0.4)

    def table(self, caption, widths, head, body, notes):
        W = self.width()
        ncol = max(len(r) for r in (head + body))
        if widths is None:
            widths = [100.0 / ncol] * ncol
        tot = sum(widths)
        ws = [W * w / tot for w in widths]
        pad = 1.1
        if self.style == "twocol":
            fam, fs, lh = "sans", 7.3, 3.3
        else:
            fam, fs, lh = "sans", 8.2, 3.9

        def row_h(cells, bold):
            self.set_font(fam, "B" if bold else "", fs)
            h = 0
            for c, w in zip(cells, ws):
                h = max(h, self.text_height(w - 2 * pad, lh, c))
            return h + 2 * pad

        def draw_row(cells, bold, shade, h):
            x = self.l_margin
            y = self.y
            for k, (c, w) in enumerate(zip(cells, ws)):
                if self.style == "twocol":
                    self.set_line_width(0.25)
                    if shade:
                        self.set_fill_color(225, 225, 225)
                        self.rect(x, y, w, h, style="DF")
                    else:
                        self.rect(x, y, w, h, style="D")
                else:
                    if shade == "head":
                        self.set_fill_color(20, 60, 110)
                        self.rect(x, y, w, h, style="F")
                    elif shade == "zebra":
                        self.set_fill_color(236, 241, 247)
                        self.rect(x, y, w, h, style="F")
                self.set_font(fam, "B" if bold else "", fs)
                if self.style != "twocol" and shade == "head":
                    self.set_text_color(255)
                self.set_xy(x + pad, y + pad)
                self.multi_cell(w - 2 * pad, lh, c, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
                self.set_text_color(0)
                x += w
            if self.style != "twocol":
                self.set_draw_color(150, 160, 175)
                self.set_line_width(0.15)
                self.line(self.l_margin, y + h, self.l_margin + W, y + h)
                self.set_draw_color(0)
                self.set_line_width(0.2)
            self.set_xy(self.l_margin, y + h)

        saved_cm = self.c_margin
        self.c_margin = 0.2
        head_h = [row_h(r, True) for r in head]
        body_h = [row_h(r, False) for r in body]
        cap_h = 0
        if caption:
            self.set_font(fam, "B", fs + 0.6)
            cap_h = self.text_height(W, lh + 0.4, caption) + 1
        first = sum(head_h) + (body_h[0] if body_h else 0) + cap_h + 2
        if not self.fits(first):
            self.break_now()
        self.ln(0.8)
        if caption:
            self.set_font(fam, "B", fs + 0.6)
            self.multi_cell(W, lh + 0.4, caption, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.8)

        def draw_head():
            for r, h in zip(head, head_h):
                draw_row(r + [""] * (ncol - len(r)), True, "head" if self.style != "twocol" else True, h)

        draw_head()
        for i, (r, h) in enumerate(zip(body, body_h)):
            if not self.fits(h):
                self.break_now()
                draw_head()
            draw_row(r + [""] * (ncol - len(r)), False, "zebra" if (i % 2 == 1 and self.style != "twocol") else None, h)
        self.c_margin = saved_cm
        if notes:
            self.ln(0.6)
            self.set_font(fam, "I", fs)
            for nt in notes:
                self.multi_cell(W, lh, nt, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2.2)

    def toc_page(self, pdf, outline):
        pdf.set_xy(22, 26)
        pdf.set_font("sans", "B", 14)
        pdf.set_text_color(20, 60, 110)
        pdf.cell(0, 10, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0)
        pdf.ln(2)
        for sec in outline:
            if sec.level > 1:
                continue
            if sec.level == 0:
                pdf.set_font("sans", "B", 9.2)
                pdf.ln(1)
                x = 22
            else:
                pdf.set_font("sans", "", 8.6)
                x = 29
            pdf.set_x(x)
            name = sec.name
            pg = str(sec.page_number)
            w_name = pdf.get_string_width(name)
            dots_w = 190 - x - w_name - pdf.get_string_width(pg) - 4
            dots = "." * max(2, int(dots_w / pdf.get_string_width(".")))
            pdf.cell(190 - x, 4.6, f"{name} {dots} {pg}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def render(self, blocks):
        self.add_page()
        self.title_block(blocks)
        for b in blocks:
            kind = b[0]
            if kind == "h":
                self.heading(b[1], b[2])
            elif kind == "p":
                self.para(b[1])
            elif kind == "box":
                self.box(b[1], b[2])
            elif kind in ("ol", "ul"):
                self.list_block(kind, b[1])
            elif kind == "table":
                self.table(*b[1:])
            elif kind == "pagebreak":
                self.add_page()
                self.set_col(0)
            elif kind == "toc":
                self.add_page()
                self.insert_toc_placeholder(self.toc_page, pages=1)
            elif kind == "single":
                self.columns = False
                self.add_page()
                self.set_col(0)
            elif kind == "columns":
                self.columns = True
                self.col_y0 = self.y
                self.set_col(0)


def render(src, out, style):
    meta, blocks = msrc.parse(src)
    pdf = ManualPDF(meta, style)
    pdf.render(blocks)
    pdf.output(out)
