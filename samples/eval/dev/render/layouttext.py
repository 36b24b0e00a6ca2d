"""Render a small block markup to plain text that looks like `pdftotext -layout` output.

Used for crane-obc20 (crane-obc20-source.txt -> crane-obc20-manual.txt). Pure standard library,
deterministic: rendering twice gives identical bytes.

Output conventions (imitating text extracted from a PDF):
  * fixed page length; a running header on every page but the first, a "Page n of N" footer,
    and a form feed (\f) after every page;
  * prose wrapped at a fixed width, some long lower-case words hyphenated at line ends;
  * tables as whitespace-aligned columns without rules, cells wrapping onto several lines;
    a table broken by a page end is resumed under "<caption> (continued)" with its header repeated;
  * the first page in two columns (document data on the left, contents with page numbers on the right).

Markup (one block per paragraph, blocks separated by blank lines):
  %key value                      metadata: header, header_right, width, page_lines, title
  [front] ... [col] ... [/front]  front page: full-width lines, then "[col]" lines split left/right:
                                  lines before [col] and after it are the two columns; "@title" lines are
                                  centred full-width lines above the columns; "@toc" is replaced by contents
  # 4.3.2 Heading text            heading (number and text)
  !WORD text ...                  signal-word box (WARNING, CAUTION, DANGER, NOTE)
  1. text / - text                numbered step / bullet (continuation lines start with spaces)
  [table Caption | w1,w2,... | opt] header rows, a line "---", body rows (cells split on "|"),
  [/table]                        opt "spaced" puts a blank line between body rows
  [newpage]                       force a page break
  anything else                   prose paragraph (source lines joined)
Run: python render/layouttext.py SRC OUT
"""
import re
import sys

VOWELS = set("aeiouy")
DIGRAPHS = {"ch", "sh", "th", "ph", "ck", "ng", "wh", "qu", "gh"}
SUFFIXES = ("tion", "sion", "ment", "ance", "ence", "able", "ible", "ing", "ness", "ture", "ally")


def hyph_points(word):
    """Candidate split positions (prefix lengths) for a lower-case alphabetic word."""
    pts = set()
    n = len(word)
    for i in range(3, n - 2):
        a, b = word[i - 1], word[i]
        # VC-CV: split between two consonants that follow a vowel and precede a vowel
        if a + b in DIGRAPHS:
            continue
        if (a not in VOWELS and b not in VOWELS and i >= 2 and word[i - 2] in VOWELS
                and i + 1 < n and word[i + 1] in VOWELS):
            pts.add(i)
    for suf in SUFFIXES:
        if word.endswith(suf) and n - len(suf) >= 3:
            pts.add(n - len(suf))
    return sorted(p for p in pts if 3 <= p <= n - 3)


def wrap(text, width, first="", rest="", hyphenate=True):
    words = text.split()
    lines, cur = [], first
    base = first
    for w in words:
        sep = "" if cur == base else " "
        if len(cur) + len(sep) + len(w) <= width:
            cur += sep + w
            base = base if cur != base else base
            continue
        # does not fit: try hyphenation
        room = width - len(cur) - len(sep) - 1
        if hyphenate and w.isalpha() and w.islower() and len(w) >= 8 and room >= 4:
            pts = [p for p in hyph_points(w) if p <= room]
            if pts:
                p = pts[-1]
                lines.append(cur + sep + w[:p] + "-")
                cur = rest + w[p:]
                base = rest
                continue
        if cur.strip():
            lines.append(cur)
        cur = rest + w
        base = rest
    if cur.strip():
        lines.append(cur)
    return [ln.rstrip() for ln in lines]


def wrap_cell(text, width):
    if not text:
        return [""]
    return wrap(text, width, hyphenate=False) or [""]


def table_rows(widths, rows, gap=2):
    out = []
    for r in rows:
        cells = [wrap_cell(c.strip(), w) for c, w in zip(r, widths)]
        h = max(len(c) for c in cells)
        lines = []
        for i in range(h):
            parts = []
            for c, w in zip(cells, widths):
                parts.append((c[i] if i < len(c) else "").ljust(w))
            lines.append((" " * gap).join(parts).rstrip())
        out.append(lines)
    return out


def parse(src):
    meta, blocks = {}, []
    lines = src.split("\n")
    i = 0
    para = []

    def flush():
        if para:
            blocks.append(("p", " ".join(x.strip() for x in para)))
            para.clear()

    while i < len(lines):
        ln = lines[i]
        s = ln.strip()
        if s.startswith("%") and not para:
            k, _, v = s[1:].partition(" ")
            meta[k] = v.strip()
        elif s == "[front]":
            flush()
            j = i + 1
            body = []
            while lines[j].strip() != "[/front]":
                body.append(lines[j])
                j += 1
            blocks.append(("front", body))
            i = j
        elif s.startswith("[table "):
            flush()
            cap, widths, *opt = [x.strip() for x in s[7:-1].split("|")]
            widths = [int(x) for x in widths.split(",")]
            head, body, in_head = [], [], True
            j = i + 1
            while lines[j].strip() != "[/table]":
                t = lines[j].strip()
                if t == "---":
                    in_head = False
                elif t:
                    cells = [c.strip() for c in re.split(r"\s*\|\s*", t)]
                    cells += [""] * (len(widths) - len(cells))
                    (head if in_head else body).append(cells)
                j += 1
            blocks.append(("table", cap, widths, head, body, "spaced" in opt))
            i = j
        elif s == "[newpage]":
            flush()
            blocks.append(("newpage",))
        elif s.startswith("# "):
            flush()
            m = re.match(r"#\s+(\d+(?:\.\d+)*)\s+(.*)$", s)
            blocks.append(("h", m.group(1), m.group(2)))
        elif s.startswith("!") and not para:
            flush()
            word, _, rest = s[1:].partition(" ")
            txt = [rest]
            while i + 1 < len(lines) and lines[i + 1].strip():
                i += 1
                txt.append(lines[i].strip())
            blocks.append(("box", word, " ".join(txt)))
        elif re.match(r"^(\d+\.|-)\s", s) and not para:
            flush()
            items = []
            while True:
                m = re.match(r"^(\d+\.|-)\s+(.*)$", lines[i].strip())
                item = [m.group(1), m.group(2)]
                while i + 1 < len(lines) and lines[i + 1].startswith("   ") and lines[i + 1].strip():
                    i += 1
                    item[1] += " " + lines[i].strip()
                items.append(item)
                if i + 1 < len(lines) and re.match(r"^(\d+\.|-)\s", lines[i + 1].strip()):
                    i += 1
                    continue
                break
            blocks.append(("list", items))
        elif not s:
            flush()
        else:
            para.append(ln)
        i += 1
    flush()
    return meta, blocks


class Unit:
    """An unbreakable group of lines."""

    def __init__(self, lines, keep_next=False, blank=False, table=None, cont=None):
        self.lines, self.keep_next, self.blank = lines, keep_next, blank
        self.table, self.cont = table, cont   # cont: lines to repeat when this unit starts a page


def build_units(blocks, width):
    units = []

    def blank(n=1):
        for _ in range(n):
            units.append(Unit([""], blank=True))

    tcount = 0
    for b in blocks:
        kind = b[0]
        if kind == "h":
            num, text = b[1], b[2]
            gap = "   " if "." not in num else "  "
            blank(2 if "." not in num else 1)
            units.append(Unit([num + gap + text, ""], keep_next=True))
        elif kind == "p":
            for ln in wrap(b[1], width):
                units.append(Unit([ln]))
            blank()
        elif kind == "box":
            word, text = b[1], b[2]
            lines = ["      " + word] + wrap(text, width - 6, "      ", "      ")
            units.append(Unit(lines))
            blank()
        elif kind == "list":
            for mark, text in b[1]:
                if mark == "-":
                    lines = wrap(text, width, "  •  ", "     ")
                else:
                    lines = wrap(text, width, "  " + mark.ljust(4), "      ")
                units.append(Unit(lines[:2]))
                for ln in lines[2:]:
                    units.append(Unit([ln]))
            blank()
        elif kind == "table":
            _, cap, widths, head, body, spaced = b
            tcount += 1
            hl = [ln for r in table_rows(widths, head) for ln in r]
            cont = [cap + " (continued)", ""] + hl
            units.append(Unit([cap, ""] + hl, keep_next=True))
            rows = table_rows(widths, body)
            for k, r in enumerate(rows):
                if spaced and k:
                    units.append(Unit([""] + r, table=tcount, cont=cont))
                else:
                    units.append(Unit(r, table=tcount, cont=cont))
            blank()
        elif kind == "newpage":
            units.append("NEWPAGE")
    return units


def paginate(units, body_lines):
    pages, cur = [], []

    def room():
        return body_lines - len(cur)

    def chain_len(k):
        n = 0
        while k < len(units) and units[k] != "NEWPAGE":
            u = units[k]
            n += len(u.lines)
            if not (u.keep_next or u.blank):
                break
            k += 1
        return n

    k = 0
    while k < len(units):
        u = units[k]
        if u == "NEWPAGE":
            if cur:
                pages.append(cur)
                cur = []
            k += 1
            continue
        if u.blank and not cur:
            k += 1
            continue
        need = chain_len(k) if u.keep_next else len(u.lines)
        if need > room() and cur:
            pages.append(cur)
            cur = []
            if u.blank:
                k += 1
                continue
            if u.table is not None and u.cont:
                lines = list(u.lines)
                while lines and not lines[0].strip():
                    lines = lines[1:]
                cur.extend(u.cont)
                cur.extend(lines)
                k += 1
                continue
        cur.extend(u.lines)
        k += 1
    if cur:
        pages.append(cur)
    for p in pages:
        while p and not p[-1].strip():
            p.pop()
    return pages


def front_page(body, width, toc):
    out, left, right, seen_col = [], [], [], False
    for ln in body:
        s = ln.strip()
        if s == "[col]":
            seen_col = True
            continue
        if s.startswith("@title"):
            out.append(s[6:].strip().center(width).rstrip())
            continue
        if s == "@toc":
            (right if seen_col else left).extend("~" + t for t in toc)
            continue
        (right if seen_col else left).append(ln.rstrip())
    # wrap column paragraphs (blank-line separated) to column width
    colw = (width - 6) // 2

    def col_lines(src):
        res, para = [], []
        for ln in src:
            if ln.startswith("~"):            # preformatted line
                if para:
                    res += wrap(" ".join(para), colw, hyphenate=True)
                    para = []
                res.append(ln[1:])
            elif ln.strip():
                para.append(ln.strip())
            else:
                if para:
                    res += wrap(" ".join(para), colw, hyphenate=True)
                    para = []
                res.append("")
        if para:
            res += wrap(" ".join(para), colw, hyphenate=True)
        return res

    lcol, rcol = col_lines(left), col_lines(right)
    for i in range(max(len(lcol), len(rcol))):
        a = lcol[i] if i < len(lcol) else ""
        b = rcol[i] if i < len(rcol) else ""
        out.append((a.ljust(colw + 6) + b).rstrip())
    return out


def render(src):
    meta, blocks = parse(src)
    width = int(meta.get("width", 92))
    page_lines = int(meta.get("page_lines", 58))
    body_lines = page_lines - 5
    front = [b for b in blocks if b[0] == "front"]
    rest = [b for b in blocks if b[0] != "front"]
    units = build_units(rest, width)
    pages = paginate(units, body_lines)
    total = len(pages) + (1 if front else 0)
    first = 2 if front else 1
    toc = []
    if front:
        for n, p in enumerate(pages, first):
            for ln in p:
                m = re.match(r"^(\d{1,2})   (\S.*)$", ln)
                if m:
                    label = f"{m.group(1):>2}  {m.group(2)} "
                    colw = (width - 6) // 2
                    toc.append(label + "." * (colw - len(label) - 4) + f" {n:>3}")
    out = []
    if front:
        fl = front_page(front[0][1], width, toc)
        fl = fl + [""] * (page_lines - 1 - len(fl))
        fl.append(f"Page 1 of {total}".rjust(width))
        out.append("\n".join(ln.rstrip() for ln in fl) + "\n")
    hdr = meta.get("header", "")
    hdr_r = meta.get("header_right", "")
    for n, p in enumerate(pages, first):
        lines = [hdr + hdr_r.rjust(width - len(hdr)), "", ""] + p
        lines += [""] * (page_lines - 1 - len(lines))
        lines.append(f"Page {n} of {total}".rjust(width))
        out.append("\n".join(ln.rstrip() for ln in lines) + "\n")
    return "\f".join(out) + "\f"


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        text = render(f.read())
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
