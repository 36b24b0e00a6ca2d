"""Tiny block-markup parser shared by the PDF and DOCX renderers.

Source syntax (one block per group of lines):

    @titlepage ... @endtitlepage   title page; inside it "T: text" = big title,
                                   "S: text" = subtitle, other lines as below
    @toc                           table of contents (headings level 1 and 2)
    @pagebreak                     forced page break
    # 1 HEADING                    heading level 1 (## level 2, ### level 3)
    Table: caption                 caption of the pipe table that follows
    | a | b |                      pipe table; first row = header row,
    |---|---|                      separator row is optional and ignored
    !WARNING text / !CAUTION text / !NOTE text / !DANGER text
                                   boxed notice (continuation lines indented)
    1. step / - item               list item; 3 spaces of indent per level,
                                   continuation lines indented deeper
    anything else                  paragraph (consecutive lines are joined)

Blank lines separate blocks. Inline **bold** is kept as-is for renderers that
want to interpret it.
"""

import re
from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str                       # title, subtitle, heading, para, table, notice, list, toc, pagebreak, titlepage_end
    text: str = ""
    level: int = 0
    rows: list = field(default_factory=list)
    caption: str = ""
    items: list = field(default_factory=list)   # list of (level, ordered, marker, text)
    label: str = ""


_LIST_RE = re.compile(r"^( *)(\d+\.|[a-z]\)|-) +(.*)$")


def parse(src: str):
    lines = src.splitlines()
    blocks = []
    i = 0
    pending_caption = ""
    in_title = False

    def flush_para(buf):
        if buf:
            blocks.append(Block("para", " ".join(s.strip() for s in buf), label="title" if in_title else ""))

    para = []
    while i < len(lines):
        line = lines[i]
        s = line.rstrip()
        if not s.strip():
            flush_para(para); para = []
            i += 1
            continue
        if s.startswith("%%"):          # comment
            i += 1
            continue
        if s == "@titlepage":
            flush_para(para); para = []
            in_title = True
            blocks.append(Block("titlepage_start"))
            i += 1; continue
        if s == "@endtitlepage":
            flush_para(para); para = []
            in_title = False
            blocks.append(Block("titlepage_end"))
            i += 1; continue
        if s == "@toc":
            flush_para(para); para = []
            blocks.append(Block("toc")); i += 1; continue
        if s == "@pagebreak":
            flush_para(para); para = []
            blocks.append(Block("pagebreak")); i += 1; continue
        if in_title and s.startswith("T: "):
            flush_para(para); para = []
            blocks.append(Block("title", s[3:].strip())); i += 1; continue
        if in_title and s.startswith("S: "):
            flush_para(para); para = []
            blocks.append(Block("subtitle", s[3:].strip())); i += 1; continue
        m = re.match(r"^(#{1,3}) +(.*)$", s)
        if m:
            flush_para(para); para = []
            blocks.append(Block("heading", m.group(2).strip(), level=len(m.group(1))))
            i += 1; continue
        if s.startswith("Table: "):
            flush_para(para); para = []
            pending_caption = s[len("Table: "):].strip()
            i += 1; continue
        if s.lstrip().startswith("|"):
            flush_para(para); para = []
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = lines[i].strip()
                cells = [c.strip() for c in row.strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            blocks.append(Block("table", rows=rows, caption=pending_caption))
            pending_caption = ""
            continue
        m = re.match(r"^!(WARNING|CAUTION|NOTE|DANGER|NOTICE) +(.*)$", s)
        if m:
            flush_para(para); para = []
            text = [m.group(2).strip()]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                text.append(lines[i].strip()); i += 1
            blocks.append(Block("notice", " ".join(text), label=m.group(1)))
            continue
        m = _LIST_RE.match(s)
        if m and not para:
            items = []
            while i < len(lines):
                m = _LIST_RE.match(lines[i].rstrip())
                if m:
                    indent = len(m.group(1))
                    marker = m.group(2)
                    items.append([indent // 3, marker != "-", marker, m.group(3).strip()])
                    i += 1
                    continue
                # continuation line of previous item
                if items and lines[i].startswith(" " * (items[-1][0] * 3 + 3)) and lines[i].strip():
                    items[-1][3] += " " + lines[i].strip()
                    i += 1
                    continue
                break
            blocks.append(Block("list", items=[tuple(x) for x in items]))
            continue
        para.append(s)
        i += 1
    flush_para(para)
    return blocks
