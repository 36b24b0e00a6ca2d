"""Parser for the small block markup used as the source of the PDF and DOCX manuals.

Markup (one construct per line group, blank line ends a group):
  @key: value            metadata (only at the top of the file)
  % text                 comment, ignored
  # / ## / ### text      heading level 1 / 2 / 3 (text printed as written, incl. its number)
  plain lines            paragraph (consecutive lines are joined); **bold** allowed
  > KIND | text          boxed admonition (KIND = DANGER, WARNING, CAUTION, NOTE);
  > more text            further lines of the same box
  1. text                numbered step; indented "a) text" or "- text" lines are sub-items,
                         other indented lines continue the previous item
  - text                 bullet item (indented "- text" = nested bullet)
  TABLE[w1,w2,..]: cap   table caption (widths in % of the text width, optional);
  |= a | b |             header row (may repeat for two header rows)
  | a | b |              body row
  <<pagebreak>>  <<toc>> <<columns>> <<single>>   layout hints
"""
import re

NUM_RE = re.compile(r"^(\d{1,2})\.\s+(.*)$")
SUB_RE = re.compile(r"^\s{2,}([a-z]\)|-)\s+(.*)$")
BUL_RE = re.compile(r"^-\s+(.*)$")


def parse(path):
    meta = {}
    blocks = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    n = len(lines)
    # metadata
    while i < n and (lines[i].startswith("@") or lines[i].strip() == "" or lines[i].startswith("%")):
        m = re.match(r"^@(\w+):\s?(.*)$", lines[i])
        if m:
            key, val = m.group(1), m.group(2)
            if key in meta:
                meta[key] += "\n" + val
            else:
                meta[key] = val
        i += 1
    while i < n:
        line = lines[i]
        s = line.rstrip()
        if s.strip() == "" or s.startswith("%"):
            i += 1
            continue
        if s.startswith("<<") and s.endswith(">>"):
            blocks.append((s[2:-2].strip(),))
            i += 1
            continue
        m = re.match(r"^(#{1,3})\s+(.*)$", s)
        if m:
            blocks.append(("h", len(m.group(1)), m.group(2).strip()))
            i += 1
            continue
        if s.startswith(">"):
            kind, text = None, []
            while i < n and lines[i].startswith(">"):
                body = lines[i][1:].strip()
                if kind is None:
                    k, _, rest = body.partition("|")
                    kind = k.strip()
                    body = rest.strip()
                if body:
                    text.append(body)
                i += 1
            blocks.append(("box", kind, " ".join(text)))
            continue
        m = re.match(r"^TABLE(\[[\d.,\s]+\])?:\s*(.*)$", s)
        if m or s.startswith("|"):
            widths = None
            caption = ""
            if m:
                if m.group(1):
                    widths = [float(x) for x in m.group(1)[1:-1].split(",")]
                caption = m.group(2).strip()
                i += 1
            head, body = [], []
            while i < n and lines[i].startswith("|"):
                row = lines[i].strip()
                is_head = row.startswith("|=")
                row = row[2:] if is_head else row[1:]
                if row.endswith("|"):
                    row = row[:-1]
                cells = [c.strip() for c in row.split("|")]
                (head if is_head else body).append(cells)
                i += 1
            # optional table note lines directly after: "* note"
            notes = []
            while i < n and lines[i].startswith("* "):
                notes.append(lines[i][2:].strip())
                i += 1
            blocks.append(("table", caption, widths, head, body, notes))
            continue
        if NUM_RE.match(s):
            items = []
            while i < n:
                l = lines[i].rstrip()
                mm = NUM_RE.match(l)
                if mm:
                    items.append([mm.group(2), []])
                    i += 1
                    continue
                sm = SUB_RE.match(l)
                if sm and items:
                    items[-1][1].append(sm.group(2))
                    i += 1
                    continue
                if l.startswith("   ") and l.strip() and items:
                    if items[-1][1]:
                        items[-1][1][-1] += " " + l.strip()
                    else:
                        items[-1][0] += " " + l.strip()
                    i += 1
                    continue
                break
            blocks.append(("ol", items))
            continue
        if BUL_RE.match(s):
            items = []
            while i < n:
                l = lines[i].rstrip()
                bm = BUL_RE.match(l)
                if bm:
                    items.append([bm.group(1), []])
                    i += 1
                    continue
                sm = SUB_RE.match(l)
                if sm and items:
                    items[-1][1].append(sm.group(2))
                    i += 1
                    continue
                if l.startswith("  ") and l.strip() and items:
                    items[-1][0] += " " + l.strip()
                    i += 1
                    continue
                break
            blocks.append(("ul", items))
            continue
        # paragraph
        para = []
        while i < n:
            l = lines[i].rstrip()
            if (l.strip() == "" or l.startswith("#") or l.startswith(">") or l.startswith("|")
                    or l.startswith("TABLE") or l.startswith("<<") or NUM_RE.match(l)
                    or BUL_RE.match(l) or l.startswith("%")):
                break
            para.append(l.strip())
            i += 1
        blocks.append(("p", " ".join(para)))
    return meta, blocks


def strip_bold(text):
    return text.replace("**", "")
