"""Render an msrc markup source as HTML the way Microsoft Word writes it with
"Save as Web Page, Filtered" (reach-rr16).

Output conventions: `<p class=MsoNormal>` paragraphs with inline Arial spans, `<h1>`/`<h2>`
headings with `<a name="_Toc...">` anchors and the number typed into the text
("3.4&nbsp;&nbsp;Hydraulic system"), a page break before every chapter, a table of contents
of `<p class=MsoToc1/2>` links with dot leaders and page numbers (<<toc>>), captions as
`<p class=MsoCaption>` above `<table class=MsoTableGrid>` tables whose cells hold MsoNormal
paragraphs (" // " in a cell or box starts a second paragraph), numbered and bulleted lists as
`MsoListParagraphCxSpFirst/Middle/Last` paragraphs with the number typed as text, boxes
(> WARNING | ...) as one-cell shaded tables, long source lines wrapped at spaces like Word does.
Inline markers: **bold**, {_} = &nbsp;, {-} = soft hyphen (&shy;).
Page numbers in the TOC are estimated from word counts (deterministic).

Usage: python render/wordhtml.py SOURCE.txt OUT.html
"""
import html
import re
import sys

import msrc

FONT = "font-size:10.0pt;font-family:\"Arial\",sans-serif"
FONT9 = "font-size:9.0pt;font-family:\"Arial\",sans-serif"
GAP = "<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span>"
BOX_BG = {"DANGER": "#F4B083", "WARNING": "#FFE599", "CAUTION": "#FFF2CC", "NOTE": "#DEEAF6"}
TEXT_W = 637  # px, 481.9pt

STYLE = """<style>
<!--
 /* Font Definitions */
 @font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}
@font-face
	{font-family:Symbol;
	panose-1:5 5 1 2 1 7 6 2 5 7;}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:6.0pt;
	margin-left:0cm;
	line-height:115%;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
h1
	{mso-style-link:"Heading 1 Char";
	margin-top:18.0pt;
	margin-right:0cm;
	margin-bottom:6.0pt;
	margin-left:0cm;
	page-break-after:avoid;
	font-size:16.0pt;
	font-family:"Arial",sans-serif;
	color:#1F3864;
	font-weight:bold;}
h2
	{mso-style-link:"Heading 2 Char";
	margin-top:12.0pt;
	margin-right:0cm;
	margin-bottom:6.0pt;
	margin-left:0cm;
	page-break-after:avoid;
	font-size:12.0pt;
	font-family:"Arial",sans-serif;
	color:#1F3864;
	font-weight:bold;}
h3
	{margin-top:10.0pt;
	margin-right:0cm;
	margin-bottom:4.0pt;
	margin-left:0cm;
	page-break-after:avoid;
	font-size:10.5pt;
	font-family:"Arial",sans-serif;
	font-weight:bold;}
p.MsoToc1, li.MsoToc1, div.MsoToc1
	{margin-top:6.0pt;
	margin-right:0cm;
	margin-bottom:0cm;
	margin-left:0cm;
	font-size:10.0pt;
	font-family:"Arial",sans-serif;
	font-weight:bold;}
p.MsoToc2, li.MsoToc2, div.MsoToc2
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:0cm;
	margin-left:11.0pt;
	font-size:10.0pt;
	font-family:"Arial",sans-serif;}
p.MsoCaption, li.MsoCaption, div.MsoCaption
	{margin-top:6.0pt;
	margin-right:0cm;
	margin-bottom:3.0pt;
	margin-left:0cm;
	font-size:9.0pt;
	font-family:"Arial",sans-serif;
	color:#44546A;
	font-weight:bold;}
p.MsoTitle, li.MsoTitle, div.MsoTitle
	{margin:0cm;
	font-size:26.0pt;
	font-family:"Arial",sans-serif;
	letter-spacing:-.5pt;}
p.MsoSubtitle, li.MsoSubtitle, div.MsoSubtitle
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:8.0pt;
	margin-left:0cm;
	font-size:14.0pt;
	font-family:"Arial",sans-serif;
	color:#5A5A5A;}
a:link, span.MsoHyperlink
	{color:#0563C1;
	text-decoration:underline;}
p.MsoListParagraph, li.MsoListParagraph, div.MsoListParagraph
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:6.0pt;
	margin-left:36.0pt;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
p.MsoListParagraphCxSpFirst, li.MsoListParagraphCxSpFirst, div.MsoListParagraphCxSpFirst
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:0cm;
	margin-left:36.0pt;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
p.MsoListParagraphCxSpMiddle, li.MsoListParagraphCxSpMiddle, div.MsoListParagraphCxSpMiddle
	{margin:0cm;
	margin-left:36.0pt;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
p.MsoListParagraphCxSpLast, li.MsoListParagraphCxSpLast, div.MsoListParagraphCxSpLast
	{margin-top:0cm;
	margin-right:0cm;
	margin-bottom:6.0pt;
	margin-left:36.0pt;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
span.Heading1Char
	{mso-style-name:"Heading 1 Char";
	mso-style-link:"Heading 1";
	font-family:"Arial",sans-serif;
	color:#1F3864;
	font-weight:bold;}
span.Heading2Char
	{mso-style-name:"Heading 2 Char";
	mso-style-link:"Heading 2";
	font-family:"Arial",sans-serif;
	color:#1F3864;
	font-weight:bold;}
.MsoChpDefault
	{font-family:"Calibri",sans-serif;}
.MsoPapDefault
	{margin-bottom:8.0pt;
	line-height:107%;}
 /* Page Definitions */
 @page WordSection1
	{size:595.3pt 841.9pt;
	margin:56.7pt 56.7pt 56.7pt 56.7pt;}
div.WordSection1
	{page:WordSection1;}
-->
</style>"""


def inline(text):
    """msrc inline text -> Word runs (bold split into separate runs)."""
    out = []
    for i, part in enumerate(text.split("**")):
        if not part:
            continue
        t = html.escape(part, quote=False).replace("{_}", "&nbsp;").replace("{-}", "&shy;")
        t = t.replace("\u00a0", "&nbsp;")
        if i % 2:
            out.append(f"<b><span style='{FONT}'>{t}</span></b>")
        else:
            out.append(f"<span style='{FONT}'>{t}</span>")
    return "".join(out)


def cell_inline(text, bold=False):
    t = html.escape(text.replace("**", ""), quote=False).replace("{_}", "&nbsp;").replace("{-}", "&shy;")
    run = f"<span style='{FONT9}'>{t}</span>"
    return f"<b>{run}</b>" if bold else run


def heading_html(text):
    m = re.match(r"^(\d+(?:\.\d+)*)\s+(.*)$", text)
    if m:
        return f"{m.group(1)}&nbsp;&nbsp;{html.escape(m.group(2), quote=False)}"
    return html.escape(text, quote=False)


def plain(text):
    return re.sub(r"\{[_-]\}", "", text.replace("**", ""))


def words(block):
    k = block[0]
    if k == "p":
        return len(block[1].split())
    if k == "box":
        return len(block[2].split()) + 8
    if k in ("ol", "ul"):
        return sum(len(x[0].split()) + sum(len(s.split()) for s in x[1]) for x in block[1]) + 10
    if k == "table":
        rows = block[3] + block[4]
        return sum(len(" ".join(r).split()) for r in rows) + 15 * len(rows) + 20
    if k == "h":
        return 30
    return 0


def render(src, out):
    meta, blocks = msrc.parse(src)
    # anchors and estimated page numbers
    anchors, pages = {}, {}
    page, acc, n_h = 1, 0, 0
    seen_toc = False
    for idx, b in enumerate(blocks):
        if b[0] == "toc":
            seen_toc = True
            page, acc = page + 1, 0
            continue
        if b[0] == "pagebreak" or (b[0] == "h" and b[1] == 1 and seen_toc and acc > 0):
            page, acc = page + 1, 0
        if b[0] == "h":
            n_h += 1
            anchors[idx] = f"_Toc{196340000 + 7919 * n_h}"
        acc += words(b)
        if acc > 430:
            page += acc // 430
            acc = acc % 430
        if b[0] == "h":
            pages[idx] = page
    body = []
    first_h1 = True
    for idx, b in enumerate(blocks):
        k = b[0]
        if k == "h":
            lvl = min(b[1], 3)
            if lvl == 1:
                if not first_h1:
                    body.append(f"<span style='{FONT}'><br clear=all style='page-break-before:always'>\n</span>")
                first_h1 = False
            body.append(f"<h{lvl}><a name=\"{anchors[idx]}\"><span lang=EN-GB>{heading_html(b[2])}</span></a></h{lvl}>")
        elif k == "p":
            t = b[1]
            m = re.match(r"^\[(Title|Subtitle)\]\s*(.*)$", t)
            if m:
                body.append(f"<p class=Mso{m.group(1)}><span lang=EN-GB>{html.escape(m.group(2), quote=False)}</span></p>")
            else:
                body.append(f"<p class=MsoNormal>{inline(t)}</p>")
        elif k == "pagebreak":
            body.append(f"<span style='{FONT}'><br clear=all style='page-break-before:always'>\n</span>")
        elif k == "toc":
            body.append(f"<p class=MsoNormal><b><span style='font-size:14.0pt;font-family:\"Arial\",sans-serif;color:#1F3864'>Contents</span></b></p>")
            for j, hb in enumerate(blocks):
                if hb[0] != "h" or hb[1] > 2:
                    continue
                cls = "MsoToc1" if hb[1] == 1 else "MsoToc2"
                txt = heading_html(hb[2])
                dots = "." * max(4, 70 - len(plain(hb[2])))
                body.append(f"<p class={cls} style='tab-stops:right dotted 481.4pt'><span class=MsoHyperlink>"
                            f"<a href=\"#{anchors[j]}\">{txt}<span style='color:windowtext;text-decoration:none'>"
                            f"{dots}</span><span style='color:windowtext;text-decoration:none'>{pages[j]}</span></a></span></p>")
        elif k == "box":
            kind, text = b[1], b[2]
            bg = BOX_BG.get(kind, "#F2F2F2")
            paras = [f"<p class=MsoNormal style='margin-bottom:3.0pt'><b><span style='{FONT}'>{kind}</span></b></p>"]
            for part in text.split(" // "):
                paras.append(f"<p class=MsoNormal>{inline(part)}</p>")
            body.append("<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>\n"
                        f" <tr>\n  <td width={TEXT_W} valign=top style='width:481.9pt;border:solid windowtext 1.0pt;"
                        f"background:{bg};padding:4.0pt 5.4pt 4.0pt 5.4pt'>\n  " + "\n  ".join(paras) + "\n  </td>\n </tr>\n</table>")
            body.append("<p class=MsoNormal>&nbsp;</p>")
        elif k in ("ol", "ul"):
            paras = []
            for n, (txt, subs) in enumerate(b[1], 1):
                if k == "ol":
                    mark = f"{n}.{GAP}"
                else:
                    mark = f"<span style='font-family:Symbol'>\u00b7</span>{GAP}"
                paras.append((18, f"<span style='{FONT}'>{mark}</span>{inline(txt)}"))
                for si, s in enumerate(subs):
                    sm = f"{chr(97 + si)})" if k == "ol" else "o"
                    paras.append((36, f"<span style='{FONT}'>{sm}{GAP}</span>{inline(s)}"))
            for n, (ind, content) in enumerate(paras):
                if len(paras) == 1:
                    cls = "MsoListParagraph"
                elif n == 0:
                    cls = "MsoListParagraphCxSpFirst"
                elif n == len(paras) - 1:
                    cls = "MsoListParagraphCxSpLast"
                else:
                    cls = "MsoListParagraphCxSpMiddle"
                body.append(f"<p class={cls} style='margin-left:{ind + 18}.0pt;text-indent:-18.0pt'>{content}</p>")
        elif k == "table":
            cap, widths, head, rows, notes = b[1:]
            ncol = max(len(r) for r in head + rows)
            if not widths:
                widths = [100.0 / ncol] * ncol
            if cap:
                body.append(f"<p class=MsoCaption style='page-break-after:avoid'><span lang=EN-GB>{html.escape(cap, quote=False)}</span></p>")
            t = ["<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0",
                 " style='border-collapse:collapse;border:none'>"]
            for ri, r in enumerate(head + rows):
                is_head = ri < len(head)
                t.append(" <tr style='page-break-inside:avoid'>" if is_head else " <tr>")
                for ci, c in enumerate(r):
                    w = widths[ci] if ci < len(widths) else widths[-1]
                    px = int(round(TEXT_W * w / 100))
                    pt = f"{481.9 * w / 100:.1f}pt"
                    bg = "background:#D9E2F3;" if is_head else ""
                    border = "border:solid windowtext 1.0pt;" if ri == 0 and ci == 0 else (
                        "border:solid windowtext 1.0pt;border-left:none;" if ri == 0 else (
                            "border:solid windowtext 1.0pt;border-top:none;" if ci == 0 else
                            "border-top:none;border-left:none;border-bottom:solid windowtext 1.0pt;border-right:solid windowtext 1.0pt;"))
                    ps = [f"<p class=MsoNormal style='margin-bottom:0cm;line-height:normal'>{cell_inline(p, is_head)}</p>"
                          for p in c.split(" // ")]
                    t.append(f"  <td width={px} valign=top style='width:{pt};{border}{bg}padding:0cm 5.4pt 0cm 5.4pt'>\n  "
                             + "\n  ".join(ps) + "\n  </td>")
                t.append(" </tr>")
            t.append("</table>")
            body.append("\n".join(t))
            for nt in notes:
                body.append(f"<p class=MsoNormal style='margin-top:3.0pt'><span style='font-size:8.0pt;font-family:\"Arial\",sans-serif'>{html.escape(nt, quote=False)}</span></p>")
            body.append("<p class=MsoNormal>&nbsp;</p>")
    title = html.escape(meta.get("title", ""), quote=False)
    doc = ("<html>\n\n<head>\n<meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">\n"
           "<meta name=Generator content=\"Microsoft Word 15 (filtered)\">\n"
           f"<title>{title}</title>\n{STYLE}\n\n</head>\n\n"
           "<body lang=EN-GB link=\"#0563C1\" vlink=\"#954F72\" style='word-wrap:break-word'>\n\n"
           "<div class=WordSection1>\n\n" + wrap("\n\n".join(body)) + "\n\n</div>\n\n</body>\n\n</html>\n")
    with open(out, "w", encoding="utf-8", newline="\r\n") as f:
        f.write(doc)


def wrap(text, width=76):
    """Break long lines at spaces, as Word's HTML writer does."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = line.rfind(" ", 20, width)
            if cut < 0:
                cut = line.find(" ", width)
                if cut < 0:
                    break
            out.append(line[:cut])
            line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


if __name__ == "__main__":
    render(sys.argv[1], sys.argv[2])
