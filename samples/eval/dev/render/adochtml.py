#!/usr/bin/env python3
"""Render a small AsciiDoc subset to HTML in the shape of Asciidoctor's default html5 backend
(switchgear-mv24). Stdlib only, deterministic: no clock, no environment.

Supported: document header (= title, author line, revision line "vX, date: remark", :attr:
lines incl. :sectnums:, :toc: left, :toclevels:, :docdatetime:), preamble, == / === / ====
sections (numbered "3.2. Title"), paragraphs, ".Title" block titles, tables (|=== with
[cols=...,options="header"], one row per line, captions "Table N. Title"), paragraph
admonitions (NOTE:/TIP:/IMPORTANT:/CAUTION:/WARNING:), ordered (". ") and unordered ("* ")
lists with continuation lines, description lists ("term:: text"), [horizontal] lists,
listing blocks (----) with callouts <n> and the callout list that follows them.
Inline: *strong*, {nbsp}, typographic apostrophe.

Usage: adochtml.py SOURCE.adoc OUT.html
"""
import html
import re
import sys

GENERATOR = "Asciidoctor 2.0.20"
ADMON = ("NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING")


def inline(s):
    s = html.escape(s, quote=False)
    s = s.replace("{nbsp}", "&#160;")
    s = re.sub(r"(?<=\w)'(?=\w)", "&#8217;", s)
    s = re.sub(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])", r"<strong>\1</strong>", s)
    return s


def make_id(title, used):
    base = "_" + re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", title.lower())).strip("_")
    i, cand = 1, base
    while cand in used:
        i += 1
        cand = f"{base}_{i}"
    used.add(cand)
    return cand


def col_widths(spec, n):
    if not spec:
        ws = [1] * n
    else:
        ws = [int(re.match(r"\d+", c.strip()).group()) for c in spec.split(",")]
    tot = sum(ws)
    out = []
    for w in ws:
        v = int(w / tot * 100 * 10000) / 10000
        out.append(f"{int(v)}%" if v == int(v) else f"{v:.4f}".rstrip("0") + "%")
    return out


class Doc:
    def __init__(self, text):
        self.lines = text.split("\n")
        self.attrs = {}
        self.used_ids = set()
        self.table_no = 0
        self.out = []
        self.toc = []          # (level, number, title, id)
        self.counters = [0, 0, 0]
        self.open_levels = []  # stack of open section levels (1..3)

    # ---------------------------------------------------------- header
    def parse_header(self):
        ln = self.lines
        i = 0
        assert ln[0].startswith("= ")
        self.title = ln[0][2:].strip()
        self.author = ln[1].strip()
        m = re.match(r"v([^,]+),\s*([^:]+)(?::\s*(.*))?$", ln[2].strip())
        self.revnumber, self.revdate, self.revremark = m.group(1), m.group(2).strip(), m.group(3)
        i = 3
        while i < len(ln) and ln[i].startswith(":"):
            m = re.match(r":([\w-]+):\s*(.*)$", ln[i])
            self.attrs[m.group(1)] = m.group(2)
            i += 1
        return i

    # ---------------------------------------------------------- blocks
    def blocks(self, start):
        """Yield (kind, payload, title, attr) for each block after the header."""
        ln = self.lines
        i = start
        title, attr = None, None
        while i < len(ln):
            line = ln[i]
            if not line.strip():
                i += 1
                continue
            m = re.match(r"(={2,4}) (.*)$", line)
            if m:
                yield ("section", (len(m.group(1)) - 1, m.group(2).strip()), None, None)
                i += 1
                continue
            if re.match(r"\.[^ .]", line):
                title = line[1:].strip()
                i += 1
                continue
            if re.match(r"\[.*\]$", line):
                attr = line[1:-1]
                i += 1
                continue
            if line.startswith("|==="):
                rows = []
                i += 1
                while not ln[i].startswith("|==="):
                    if ln[i].strip():
                        rows.append([c.strip() for c in ln[i].split("|")[1:]])
                    i += 1
                i += 1
                yield ("table", rows, title, attr)
                title, attr = None, None
                continue
            if line.startswith("----"):
                body = []
                i += 1
                while not ln[i].startswith("----"):
                    body.append(ln[i])
                    i += 1
                i += 1
                yield ("listing", body, title, attr)
                title, attr = None, None
                continue
            # gather the paragraph-like run
            run = []
            while i < len(ln) and ln[i].strip() and not re.match(r"(={2,4}) ", ln[i]) \
                    and not ln[i].startswith(("|===", "----")):
                run.append(ln[i])
                i += 1
            first = run[0]
            if re.match(r"\. ", first):
                yield ("olist", self.items(run, r"\. "), title, attr)
            elif re.match(r"\* ", first):
                yield ("ulist", self.items(run, r"\* "), title, attr)
            elif re.match(r"<\d+> ", first):
                yield ("colist", self.items(run, r"<\d+> "), title, attr)
            elif re.match(r"[^:]+:: ", first):
                items = []
                for r in run:
                    mm = re.match(r"(.+?):: (.*)$", r)
                    if mm:
                        items.append([mm.group(1), mm.group(2)])
                    else:
                        items[-1][1] += " " + r.strip()
                yield ("hdlist" if attr == "horizontal" else "dlist", items, title, attr)
            elif re.match(r"(%s): " % "|".join(ADMON), first):
                kind, rest = first.split(": ", 1)
                yield ("admonition", (kind, " ".join([rest] + [r.strip() for r in run[1:]])), title, attr)
            else:
                yield ("paragraph", " ".join(r.strip() for r in run), title, attr)
            title, attr = None, None

    @staticmethod
    def items(run, pat):
        items = []
        for r in run:
            if re.match(pat, r):
                items.append(re.sub("^" + pat, "", r))
            else:
                items[-1] += " " + r.strip()
        return items

    # ---------------------------------------------------------- emitters
    def emit(self, s):
        self.out.append(s)

    def title_div(self, title):
        if title:
            self.emit(f'<div class="title">{inline(title)}</div>')

    def render(self):
        i = self.parse_header()
        body = []
        self.out = body
        in_preamble = False
        started_sections = False
        for kind, payload, title, attr in self.blocks(i):
            if kind == "section":
                level, text = payload
                if not started_sections:
                    if in_preamble:
                        self.emit("</div>")
                        self.emit("</div>")
                    started_sections = True
                # close open sections of the same or deeper level
                while self.open_levels and self.open_levels[-1] >= level:
                    lv = self.open_levels.pop()
                    if lv == 1:
                        self.emit("</div>")  # sectionbody
                    self.emit("</div>")      # sectN
                self.counters[level - 1] += 1
                for k in range(level, 3):
                    self.counters[k] = 0
                num = ".".join(str(c) for c in self.counters[:level]) + "."
                sid = make_id(text, self.used_ids)
                self.toc.append((level, num, text, sid))
                self.emit(f'<div class="sect{level}">')
                self.emit(f'<h{level + 1} id="{sid}">{num} {inline(text)}</h{level + 1}>')
                if level == 1:
                    self.emit('<div class="sectionbody">')
                self.open_levels.append(level)
                continue
            if not started_sections and not in_preamble:
                self.emit('<div id="preamble">')
                self.emit('<div class="sectionbody">')
                in_preamble = True
            getattr(self, "r_" + kind)(payload, title, attr)
        while self.open_levels:
            lv = self.open_levels.pop()
            if lv == 1:
                self.emit("</div>")
            self.emit("</div>")
        return self.page(body)

    def r_paragraph(self, text, title, attr):
        self.emit('<div class="paragraph">')
        self.title_div(title)
        self.emit(f"<p>{inline(text)}</p>")
        self.emit("</div>")

    def r_admonition(self, payload, title, attr):
        kind, text = payload
        self.emit(f'<div class="admonitionblock {kind.lower()}">')
        self.emit("<table>")
        self.emit("<tr>")
        self.emit('<td class="icon">')
        self.emit(f'<div class="title">{kind.capitalize()}</div>')
        self.emit("</td>")
        self.emit('<td class="content">')
        self.title_div(title)
        self.emit(inline(text))
        self.emit("</td>")
        self.emit("</tr>")
        self.emit("</table>")
        self.emit("</div>")

    def _list(self, items, title, div_cls, ol_cls):
        self.emit(f'<div class="{div_cls}">')
        self.title_div(title)
        self.emit(f'<{ol_cls[0]}{ol_cls[1]}>')
        for it in items:
            self.emit("<li>")
            self.emit(f"<p>{inline(it)}</p>")
            self.emit("</li>")
        self.emit(f"</{ol_cls[0]}>")
        self.emit("</div>")

    def r_olist(self, items, title, attr):
        self._list(items, title, "olist arabic", ("ol", ' class="arabic"'))

    def r_ulist(self, items, title, attr):
        self._list(items, title, "ulist", ("ul", ""))

    def r_colist(self, items, title, attr):
        self._list(items, title, "colist arabic", ("ol", ""))

    def r_dlist(self, items, title, attr):
        self.emit('<div class="dlist">')
        self.title_div(title)
        self.emit("<dl>")
        for term, desc in items:
            self.emit(f'<dt class="hdlist1">{inline(term)}</dt>')
            self.emit("<dd>")
            self.emit(f"<p>{inline(desc)}</p>")
            self.emit("</dd>")
        self.emit("</dl>")
        self.emit("</div>")

    def r_hdlist(self, items, title, attr):
        self.emit('<div class="hdlist">')
        self.title_div(title)
        self.emit("<table>")
        for term, desc in items:
            self.emit("<tr>")
            self.emit('<td class="hdlist1">')
            self.emit(inline(term))
            self.emit("</td>")
            self.emit('<td class="hdlist2">')
            self.emit(f"<p>{inline(desc)}</p>")
            self.emit("</td>")
            self.emit("</tr>")
        self.emit("</table>")
        self.emit("</div>")

    def r_listing(self, body, title, attr):
        self.emit('<div class="listingblock">')
        self.title_div(title)
        self.emit('<div class="content">')
        lines = []
        for b in body:
            esc = html.escape(b, quote=False)
            esc = re.sub(r"\s*&lt;(\d+)&gt;\s*$", lambda m: f' <b class="conum">({m.group(1)})</b>', esc)
            lines.append(esc)
        self.emit("<pre>" + "\n".join(lines) + "</pre>")
        self.emit("</div>")
        self.emit("</div>")

    def r_table(self, rows, title, attr):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', attr or ""))
        header = "header" in attrs.get("options", "")
        ncols = len(rows[0])
        self.emit('<table class="tableblock frame-all grid-all stretch">')
        if title:
            self.table_no += 1
            self.emit(f'<caption class="title">Table {self.table_no}. {inline(title)}</caption>')
        self.emit("<colgroup>")
        for w in col_widths(attrs.get("cols"), ncols):
            self.emit(f'<col style="width: {w};">')
        self.emit("</colgroup>")
        body = rows
        if header:
            self.emit("<thead>")
            self.emit("<tr>")
            for c in rows[0]:
                self.emit(f'<th class="tableblock halign-left valign-top">{inline(c)}</th>')
            self.emit("</tr>")
            self.emit("</thead>")
            body = rows[1:]
        self.emit("<tbody>")
        for r in body:
            assert len(r) == ncols, r
            self.emit("<tr>")
            for c in r:
                self.emit(f'<td class="tableblock halign-left valign-top"><p class="tableblock">{inline(c)}</p></td>')
            self.emit("</tr>")
        self.emit("</tbody>")
        self.emit("</table>")

    # ---------------------------------------------------------- page
    def toc_html(self):
        maxlv = int(self.attrs.get("toclevels", "2"))
        out = ['<div id="toc" class="toc2">', '<div id="toctitle">Table of Contents</div>']
        entries = [e for e in self.toc if e[0] <= maxlv]
        depth = 0
        for idx, (lv, num, text, sid) in enumerate(entries):
            if lv > depth:
                out.append(f'<ul class="sectlevel{lv}">')
                depth = lv
            else:
                while depth > lv:
                    out.append("</ul>")
                    out.append("</li>")
                    depth -= 1
            nxt = entries[idx + 1][0] if idx + 1 < len(entries) else 0
            if nxt > lv:
                out.append(f'<li><a href="#{sid}">{num} {inline(text)}</a>')
            else:
                out.append(f'<li><a href="#{sid}">{num} {inline(text)}</a></li>')
        while depth > 0:
            out.append("</ul>")
            depth -= 1
            if depth > 0:
                out.append("</li>")
        out.append("</div>")
        return out

    def page(self, body):
        t = inline(self.title)
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="UTF-8">',
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
            f'<meta name="generator" content="{GENERATOR}">',
            f'<meta name="author" content="{html.escape(self.author)}">',
            f"<title>{t}</title>",
            "<style>",
            "body{font-family:\"Noto Serif\",\"DejaVu Serif\",serif;color:rgba(0,0,0,.8);margin:0}",
            "#header,#content,#footer{max-width:62.5em;margin:0 auto;padding:0 1em}",
            "body.toc2{padding-left:15em}#toc.toc2{position:fixed;left:0;top:0;bottom:0;width:15em;overflow:auto;padding:1.25em 1em;border-right:1px solid #e7e7e9;background:#f8f8f7}",
            "h1,h2,h3,h4{font-family:\"Open Sans\",\"DejaVu Sans\",sans-serif;color:#ba3925;font-weight:300}",
            "table.tableblock{border-collapse:collapse;width:100%;margin-bottom:1.25em}",
            "table.tableblock th,table.tableblock td{border:1px solid #dedede;padding:.5em .625em}",
            "table.tableblock thead th{background:#f7f8f7}",
            "caption.title{text-align:left;font-style:italic;margin-bottom:.25em}",
            ".admonitionblock td.icon{width:80px;text-align:center;border-right:1px solid #dddddf}",
            ".admonitionblock td.icon .title{font-weight:bold;text-transform:uppercase}",
            ".admonitionblock.warning td.icon .title{color:#bf0000}.admonitionblock.caution td.icon .title{color:#bf3400}",
            ".admonitionblock td.content{padding-left:1.125em}",
            ".listingblock pre{background:#f7f7f8;padding:1em;font-family:\"DejaVu Sans Mono\",monospace}",
            "b.conum{color:#fff;background:rgba(0,0,0,.8);border-radius:50%;padding:0 .3em;font-size:.75em}",
            ".hdlist td.hdlist1{font-weight:bold;padding-right:.75em;vertical-align:top}",
            "dt.hdlist1{font-weight:bold}",
            "#footer{background:rgba(0,0,0,.8);color:rgba(255,255,255,.8);padding:1.25em}",
            "</style>",
            "</head>",
            f'<body class="article toc2 toc-left">',
            '<div id="header">',
            f"<h1>{t}</h1>",
            '<div class="details">',
            f'<span id="author" class="author">{inline(self.author)}</span><br>',
            f'<span id="revnumber">version {inline(self.revnumber)},</span>',
            f'<span id="revdate">{inline(self.revdate)}</span>',
        ]
        if self.revremark:
            head.append(f'<br><span id="revremark">{inline(self.revremark)}</span>')
        head.append("</div>")
        head += self.toc_html()
        head.append("</div>")
        head.append('<div id="content">')
        foot = [
            "</div>",
            '<div id="footer">',
            '<div id="footer-text">',
            f"Version {inline(self.revnumber)}<br>",
            f"Last updated {self.attrs.get('docdatetime', self.revdate)}",
            "</div>",
            "</div>",
            "</body>",
            "</html>",
        ]
        return "\n".join(head + body + foot) + "\n"


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        text = f.read()
    out = Doc(text).render()
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(out)


if __name__ == "__main__":
    main()
