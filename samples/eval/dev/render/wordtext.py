"""Render a small line markup to plain text that looks like a word processor's "Save as plain text"
export (used for feedpump-fp55: feedpump-fp55-source.txt -> feedpump-fp55-manual.txt).

Pure standard library, deterministic: rendering twice gives identical bytes.

Output conventions (imitating Word's plain-text export of a typed manual):
  * every paragraph is one line (no hard wrap), CRLF line ends, UTF-8 without BOM;
  * table rows are lines of cells separated by single TAB characters (columns do not line up);
  * page breaks are form feeds; every page except the first ends with a footer line
    "<footer>   Page n" typed into the body;
  * the contents list gives each chapter/heading with its page number after a TAB.

Markup (line based):
  %footer TEXT          footer text (before "   Page n")
  @PAGE                 page break
  @TOC                  replaced by the contents list (chapter lines and numbered headings)
  @ a | b | c           table row, cells split on " | " (an empty first cell gives a leading TAB)
  anything else         copied as it is (blank lines kept)
Headings for the contents list: lines "Chapter n – Title" and "n.n Title" that follow a blank line.
Run: python render/wordtext.py SRC OUT
"""
import re
import sys

HEAD_RE = re.compile(r"^(Chapter \d+ \u2013 .+|\d+\.\d+ [A-Z].*)$")


def parse(src):
    meta, pages, cur = {}, [], []
    for raw in src.split("\n"):
        line = raw.rstrip("\r")
        if line.startswith("%"):
            k, _, v = line[1:].partition(" ")
            meta[k] = v
            continue
        if line == "@PAGE":
            pages.append(cur)
            cur = []
            continue
        if line.startswith("@ "):
            cells = line[2:].split(" | ")
            if line[2:].startswith("| "):
                cells = [""] + line[4:].split(" | ")
            line = "\t".join(c.strip() for c in cells)
        cur.append(line)
    pages.append(cur)
    for p in pages:
        while p and not p[-1].strip():
            p.pop()
    return meta, pages


def headings(pages):
    out = []
    for n, lines in enumerate(pages, 1):
        prev_blank = True
        for ln in lines:
            if prev_blank and ln != "@TOC" and HEAD_RE.match(ln):
                out.append((ln, n))
            prev_blank = not ln.strip()
    return out


def render(src):
    meta, pages = parse(src)
    toc = [f"{h}\t{n}" for h, n in headings(pages)]
    footer = meta.get("footer", "")
    out_pages = []
    for n, lines in enumerate(pages, 1):
        body = []
        for ln in lines:
            if ln == "@TOC":
                body.extend(toc)
            else:
                body.append(ln)
        if n > 1:
            body += ["", f"{footer}   Page {n}"]
        out_pages.append("\r\n".join(body) + "\r\n")
    return "\f".join(out_pages)


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        text = render(f.read())
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(text)


if __name__ == "__main__":
    main()
