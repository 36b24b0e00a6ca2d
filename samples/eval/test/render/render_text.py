"""Render a markup source (see markup.py) to a plain-text manual.

House style: 78 columns, headings as written in the source (ALL CAPS, numbered
like 4.3.1), level-1 headings underlined with '=', whitespace-aligned tables
with a dashed rule under the header row, notices in ASCII boxes.
Usage: python render_text.py SRC OUT.txt
"""

import sys
import textwrap

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from markup import parse  # noqa: E402

W = 78


def wrap(text, width=W, indent="", subsequent=None):
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent,
                         break_long_words=False, break_on_hyphens=False)


def table(rows, caption):
    out = []
    if caption:
        out.append(caption)
        out.append("")
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    gap = 2
    nat = [max(len(r[c]) for r in rows) for c in range(ncol)]
    minw = [max(max((len(w) for w in r[c].split()), default=1) for r in rows) for c in range(ncol)]
    widths = nat[:]
    while sum(widths) + gap * (ncol - 1) > W:
        c = max(range(ncol), key=lambda i: widths[i] - minw[i] if widths[i] > minw[i] else -1)
        if widths[c] <= minw[c]:
            break
        widths[c] -= 1
    for ri, r in enumerate(rows):
        cells = [textwrap.wrap(r[c], widths[c], break_long_words=False, break_on_hyphens=False) or [""]
                 for c in range(ncol)]
        h = max(len(x) for x in cells)
        for li in range(h):
            line = (" " * gap).join((cells[c][li] if li < len(cells[c]) else "").ljust(widths[c])
                                    for c in range(ncol))
            out.append(line.rstrip())
        if ri == 0:
            out.append((" " * gap).join("-" * widths[c] for c in range(ncol)))
    return "\n".join(out)


def box(label, text):
    # notice box: ruled top and bottom, label in the top rule, text indented
    top = "+-- " + label + " " + "-" * (W - 6 - len(label)) + "+"
    lines = [top]
    for ln in textwrap.wrap(text, W - 4):
        lines.append("  " + ln)
    lines.append("+" + "-" * (W - 2) + "+")
    return "\n".join(lines)


def render(src, out_path):
    blocks = parse(open(src, encoding="utf-8").read())
    heads = [b for b in blocks if b.kind == "heading" and b.level <= 2]
    out = []
    for b in blocks:
        if b.kind == "titlepage_start":
            out.append("=" * W)
        elif b.kind == "titlepage_end":
            out.append("=" * W)
        elif b.kind == "title":
            out.append(b.text.center(W).rstrip())
        elif b.kind == "subtitle":
            out.append(b.text.center(W).rstrip())
            out.append("")
        elif b.kind == "toc":
            out.append("CONTENTS")
            out.append("")
            for h in heads:
                out.append(("   " if h.level == 2 else "") + h.text)
            out.append("")
        elif b.kind == "pagebreak":
            out.append("\f")
        elif b.kind == "heading":
            out.append("")
            if b.level == 1:
                out.append("")
                out.append(b.text)
                out.append("=" * len(b.text))
            else:
                out.append(b.text)
            out.append("")
        elif b.kind == "para":
            out.append(wrap(b.text))
            out.append("")
        elif b.kind == "notice":
            out.append(box(b.label, b.text))
            out.append("")
        elif b.kind == "list":
            for level, ordered, marker, text in b.items:
                ind = "   " * level + "  "
                lab = (marker if ordered else "-") + " "
                lab = lab.ljust(4)
                out.append(wrap(text, indent=ind + lab, subsequent=ind + " " * len(lab)))
            out.append("")
        elif b.kind == "table":
            out.append(table(b.rows, b.caption))
            out.append("")
    text = "\n".join(out).rstrip() + "\n"
    # collapse 3+ blank lines
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    open(out_path, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    render(sys.argv[1], sys.argv[2])
