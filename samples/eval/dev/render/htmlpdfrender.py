"""Render a msrc manual source to a US-Letter PDF through fpdf2's HTML converter (FPDF.write_html()).

House style "dealer" (forklift-gp30): the look of a US lift-truck dealer service manual.
  * every block of the msrc source is turned into a small piece of HTML and laid out by
    FPDF.write_html(): headings <h1>-<h3>, <p>, <ol>/<ul>, and <table> with <thead>, width
    percentages on the first-row cells, bgcolor header rows and fpdf2's own cell wrapping;
  * level-1 headings are chapter titles "SECTION 40 – HYDRAULIC SYSTEM", each starting on a new
    page with a rule below; level-2 headings are numbered groups "40-3 Lift cylinder drift test";
  * table captions "Table 40-2 ..." are bold paragraphs above the table, notes ("* ...") are small
    italic paragraphs under it;
  * safety messages are two-cell ruled tables: the signal word in a coloured side cell, the text
    beside it;
  * running header with the manual number (@docno) and the model line (@header); footer
    "GP30 Service   n" (@footer followed by three spaces and the page number);
  * title page from the metadata (@title, @subtitle, @models, @publisher, @docno, @date,
    @fictional).

Markup: see msrc.py. Inside table cells "**" is dropped (write_html draws one text run per cell).

Deterministic: fixed creation date and metadata, no randomness; rendering twice gives
byte-identical files.

Usage (from samples/eval/dev):
  python render/htmlpdfrender.py forklift-gp30/forklift-gp30-source.txt \
      forklift-gp30/forklift-gp30-manual.pdf
  python render/htmlpdfrender.py            (renders the jobs listed in JOBS)
"""
import datetime
import html
import logging
import os
import re
import sys

from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import msrc  # noqa: E402

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FIXED_DATE = datetime.datetime(2024, 9, 3, 8, 0, 0, tzinfo=datetime.timezone.utc)

JOBS = [
    ("forklift-gp30", "forklift-gp30-source.txt", "forklift-gp30-manual.pdf"),
]

SIGNAL = {
    # kind: (cell colour, text colour)
    "DANGER": ("#c8102e", "#ffffff"),
    "WARNING": ("#f39200", "#000000"),
    "CAUTION": ("#ffd200", "#000000"),
    "NOTICE": ("#1f4e8c", "#ffffff"),
    "NOTE": ("#d9d9d9", "#000000"),
}

TAG_STYLES = {
    "h1": TextStyle(font_family="sans", font_style="B", font_size_pt=16, color="#7a1f00",
                    t_margin=2, b_margin=1),
    "h2": TextStyle(font_family="sans", font_style="B", font_size_pt=12.5, color="#000000",
                    t_margin=5, b_margin=1),
    "h3": TextStyle(font_family="sans", font_style="BI", font_size_pt=10.5, color="#000000",
                    t_margin=3, b_margin=0.5),
    "p": TextStyle(t_margin=1.5, b_margin=1.5),
    "li": TextStyle(l_margin=6, t_margin=1),
    "ol": TextStyle(t_margin=1),
    "ul": TextStyle(t_margin=1),
    "b": FontFace(emphasis="BOLD"),
    "i": FontFace(emphasis="ITALICS"),
    "font": FontFace(),
}


def inline(text):
    """escape, then **bold** -> <b>bold</b>"""
    t = html.escape(text, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)


def cell(text):
    return html.escape(msrc.strip_bold(text), quote=False)


class DealerManual(FPDF):
    def __init__(self, meta):
        super().__init__(orientation="P", unit="mm", format="Letter")
        self.meta = meta
        self.set_creation_date(FIXED_DATE)
        self.set_title(meta.get("title", ""))
        self.set_author(meta.get("publisher", ""))
        self.set_subject(meta.get("subtitle", ""))
        self.set_creator("corpus render script htmlpdfrender.py")
        self.set_producer("fpdf2")
        for fam, files in (
            ("serif", ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
                       "DejaVuSerif-BoldItalic.ttf")),
            ("sans", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                      "DejaVuSans-BoldOblique.ttf")),
        ):
            for style, fname in zip(("", "B", "I", "BI"), files):
                self.add_font(fam, style, os.path.join(FONT_DIR, fname))
        self.set_margins(19, 20, 19)
        self.set_auto_page_break(True, margin=18)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("sans", "B", 8)
        self.set_text_color(60, 60, 60)
        self.set_y(9)
        self.cell(0, 4, self.meta.get("docno", ""), align="L")
        self.set_x(self.l_margin)
        self.set_font("sans", "", 8)
        self.cell(0, 4, self.meta.get("header", ""), align="R")
        self.set_draw_color(122, 31, 0)
        self.set_line_width(0.6)
        self.line(self.l_margin, 14.5, self.w - self.r_margin, 14.5)
        self.set_text_color(0, 0, 0)
        self.set_line_width(0.25)
        self.set_draw_color(90, 90, 90)
        self.set_y(self.t_margin)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-13)
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
        self.set_font("sans", "", 8)
        self.set_text_color(60, 60, 60)
        self.cell(0, 5, f"{self.meta.get('footer', 'Service')}   {self.page_no()}", align="R")
        self.set_text_color(0, 0, 0)

    def need(self, mm):
        """start a new page unless mm of vertical space are left (keeps captions and headings
        with what follows them)"""
        if self.get_y() + mm > self.h - self.b_margin:
            self.add_page()

    def html(self, text, family="serif", size=10):
        self.set_font(family, "", size)
        self.write_html(text, font_family="serif", tag_styles=TAG_STYLES,
                        table_line_separators=True, li_prefix_color=(0, 0, 0),
                        ul_bullet_char="\u2022")


def table_html(widths, head, body, border=True):
    ncol = max(len(r) for r in head + body)
    if not widths:
        widths = [round(100 / ncol, 2)] * ncol
    bord = ' border="1"' if border else ""
    out = [f'<table width="100%"{bord} cellpadding="1.2">']
    first = True
    if head:
        out.append("<thead>")
        for r in head:
            cells = []
            for j, c in enumerate(r):
                w = f' width="{widths[j]:g}%"' if first else ""
                cells.append(f'<th{w} align="left">{cell(c)}</th>')
            out.append('<tr bgcolor="#e4d7cf">' + "".join(cells) + "</tr>")
            first = False
        out.append("</thead>")
    out.append("<tbody>")
    for r in body:
        cells = []
        for j, c in enumerate(r):
            w = f' width="{widths[j]:g}%"' if first else ""
            cells.append(f'<td{w} align="left">{cell(c)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
        first = False
    out.append("</tbody></table>")
    return "".join(out)


def render(src, out):
    logging.getLogger("fpdf").setLevel(logging.ERROR)
    meta, blocks = msrc.parse(src)
    pdf = DealerManual(meta)

    # ---- title page
    pdf.add_page()
    tp = [f'<p align="right"><font size="9">{cell(meta.get("docno", ""))}</font></p>',
          "<br><br><br>",
          f'<h1 align="left">{cell(meta.get("title", ""))}</h1>',
          f'<p><font size="13">{cell(meta.get("subtitle", ""))}</font></p><br>']
    for m in meta.get("models", "").split("\n"):
        if m:
            tp.append(f"<p><b>{cell(m)}</b></p>")
    tp.append("<br><br>")
    tp.append(f'<p>{cell(meta.get("publisher", ""))}<br>{cell(meta.get("date", ""))}</p>')
    tp.append("<br><br>")
    pdf.html("".join(tp))
    if meta.get("fictional"):
        pdf.html('<table width="100%" border="1" cellpadding="2"><tr><td>'
                 + cell(meta["fictional"]) + "</td></tr></table>")

    # ---- body
    for b in blocks:
        kind = b[0]
        if kind == "pagebreak":
            pdf.add_page()
        elif kind == "h":
            level, text = b[1], b[2]
            if level == 1:
                pdf.add_page()
                pdf.html(f"<h1>{cell(text)}</h1>")
                pdf.set_draw_color(122, 31, 0)
                pdf.set_line_width(1.0)
                y = pdf.get_y() + 0.5
                pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
                pdf.set_y(y + 2)
                pdf.set_line_width(0.25)
                pdf.set_draw_color(90, 90, 90)
            else:
                pdf.need(40 if level == 2 else 30)
                pdf.html(f"<h{level}>{cell(text)}</h{level}>")
        elif kind == "p":
            pdf.html(f"<p>{inline(b[1])}</p>")
        elif kind == "box":
            sig, text = b[1], b[2]
            bg, fg = SIGNAL.get(sig, SIGNAL["NOTE"])
            pdf.html('<table width="100%" border="1" cellpadding="1.5"><tr>'
                     f'<td width="16%" bgcolor="{bg}" align="center"><font color="{fg}"><b>'
                     f"{cell(sig)}</b></font></td>"
                     f'<td width="84%" align="left">{cell(text)}</td></tr></table>', family="sans", size=9)
        elif kind in ("ol", "ul"):
            items = []
            for main, subs in b[1]:
                s = inline(main)
                if subs:
                    s += "<ul>" + "".join(f"<li>{inline(x)}</li>" for x in subs) + "</ul>"
                items.append(f"<li>{s}</li>")
            pdf.html(f"<{kind}>" + "".join(items) + f"</{kind}>")
        elif kind == "table":
            cap, widths, head, body, notes = b[1:]
            if cap:
                pdf.need(30)
                pdf.html(f"<p><b>{cell(cap)}</b></p>", family="sans", size=9)
            pdf.html(table_html(widths, head, body), family="sans", size=8.5)
            for n in notes:
                pdf.html(f'<p><font size="8"><i>{inline(n)}</i></font></p>')
    pdf.output(out)


def main():
    if len(sys.argv) == 3:
        render(sys.argv[1], sys.argv[2])
        return
    for folder, src, out in JOBS:
        render(os.path.join(ROOT, folder, src), os.path.join(ROOT, folder, out))


if __name__ == "__main__":
    main()
