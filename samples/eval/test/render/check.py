"""Check the test corpus.

For every <manual-id>/questions.toml under the corpus folder:
  * the TOML parses and has the required fields and minimum counts;
  * the rendered manual opens (pypdf / python-docx / html.parser / plain read)
    and its text is extracted;
  * every question `values` entry occurs literally in the extracted text;
  * every `sections` entry (heading or table caption) occurs in the text;
  * every reading `limit` occurs literally (reported) and every number in it
    occurs in the text (required);
  * readings: expect in {high, low, ok}, at least 5 out of range and 3 in range.

Whitespace is collapsed before matching. Exit code 1 on any error.
Usage: python check.py [CORPUS_DIR]
"""

import html.parser
import re
import sys
import tomllib
from pathlib import Path

KINDS = {"value", "limit", "interval", "quantity", "part-number", "fault-code",
         "procedure", "safety", "paraphrase", "no-answer"}
FORMATS = {"pdf", "html", "markdown", "text", "docx"}


class _TextHTML(html.parser.HTMLParser):
    BLOCK = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
             "dt", "dd", "caption", "figcaption", "aside", "section", "br", "table", "ol", "ul", "dl", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}
SVG_EMPTY = {"rect", "line", "circle", "path", "polyline", "polygon", "ellipse"}


def _check_html_balance(src: str) -> None:
    """Raise ValueError if non-void elements are not properly nested/closed."""
    stack = []

    class P(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in VOID:
                stack.append((tag, self.getpos()))

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            if tag in VOID:
                return
            if not stack or stack[-1][0] != tag:
                raise ValueError(f"unbalanced </{tag}> at {self.getpos()}, open: {stack[-3:]}")
            stack.pop()

    P().feed(src)
    if stack:
        raise ValueError(f"unclosed tags: {stack[-5:]}")


def extract(path: Path, fmt: str) -> str:
    if fmt == "pdf":
        import pypdf
        r = pypdf.PdfReader(str(path))
        return "\n".join(p.extract_text() or "" for p in r.pages), len(r.pages)
    if fmt == "docx":
        import docx
        d = docx.Document(str(path))
        parts = []
        body = d.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
            elif tag == "tbl":
                for tr in child.iter():
                    if tr.tag.endswith("}tr"):
                        cells = []
                        for tc in tr:
                            if tc.tag.endswith("}tc"):
                                cells.append(" ".join("".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
                                                      for p in tc.iter() if p.tag.endswith("}p")))
                        parts.append(" | ".join(cells))
        for s in d.sections:
            for p in s.header.paragraphs + s.footer.paragraphs:
                parts.append(p.text)
        return "\n".join(parts), None
    if fmt == "html":
        src = path.read_text(encoding="utf-8")
        p = _TextHTML()
        p.feed(src)
        p.close()
        _check_html_balance(src)
        return "".join(p.parts), None
    return path.read_text(encoding="utf-8"), None


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def strip_md(s: str) -> str:
    # for markdown sources: remove emphasis markers and heading hashes for matching
    s = re.sub(r"\*\*|__|`", "", s)
    s = re.sub(r"(?m)^#{1,6} +", "", s)
    return s


def main(root: Path) -> int:
    errors = 0
    total_q = total_r = 0
    print(f"{'manual':20} {'format':9} {'pages':>5} {'words':>6} {'heads':>5} {'Qs':>4} {'Rs':>3}  result")
    for qfile in sorted(root.glob("*/questions.toml")):
        mdir = qfile.parent
        errs = []
        try:
            data = tomllib.loads(qfile.read_text(encoding="utf-8"))
        except Exception as e:  # noqa: BLE001
            print(f"{mdir.name}: TOML parse error: {e}")
            errors += 1
            continue
        man = data.get("manual", {})
        for k in ("id", "title", "file", "machine", "format"):
            if k not in man:
                errs.append(f"[manual] missing {k}")
        if man.get("id") != mdir.name:
            errs.append("manual.id differs from folder name")
        fmt = man.get("format")
        if fmt not in FORMATS:
            errs.append(f"bad format {fmt}")
        path = mdir / man.get("file", "")
        try:
            raw, pages = extract(path, fmt)
        except Exception as e:  # noqa: BLE001
            print(f"{mdir.name}: cannot open {path.name}: {e}")
            errors += 1
            continue
        if fmt == "markdown":
            raw = strip_md(raw)
        text = norm(raw)
        if norm(man.get("title", "")) not in text:
            errs.append(f"title not found: {man.get('title')!r}")
        heads = len(re.findall(r"(?:^|\s)\d{1,2}(?:\.\d{1,2}){1,2}\.? [A-Z]", raw))

        qs = data.get("question", [])
        rs = data.get("reading", [])
        kinds = {}
        for i, q in enumerate(qs, 1):
            k = q.get("kind")
            kinds[k] = kinds.get(k, 0) + 1
            if k not in KINDS:
                errs.append(f"Q{i}: bad kind {k}")
            if not q.get("text"):
                errs.append(f"Q{i}: empty text")
            if k == "no-answer":
                if q.get("values") or q.get("sections"):
                    errs.append(f"Q{i}: no-answer with values/sections")
                continue
            if not q.get("values"):
                errs.append(f"Q{i}: no values")
            if not q.get("sections"):
                errs.append(f"Q{i}: no sections")
            for v in q.get("values", []):
                if norm(v) not in text:
                    errs.append(f"Q{i} value not in manual: {v!r}  ({q['text']})")
            for s in q.get("sections", []):
                if norm(s) not in text:
                    errs.append(f"Q{i} section not in manual: {s!r}")
        lits = 0
        exp = {"high": 0, "low": 0, "ok": 0}
        for i, r in enumerate(rs, 1):
            for k in ("text", "component", "parameter", "expect", "limit", "sections"):
                if k not in r:
                    errs.append(f"R{i}: missing {k}")
            e = r.get("expect")
            if e not in exp:
                errs.append(f"R{i}: bad expect {e}")
            else:
                exp[e] += 1
            lim = r.get("limit", "")
            if norm(lim) in text:
                lits += 1
            for num in re.findall(r"\d+(?:[.,]\d+)?", lim):
                if not re.search(r"(?<![\d.,])" + re.escape(num) + r"(?![\d]|[.,]\d)", text):
                    errs.append(f"R{i} limit number {num} not in manual ({lim!r})")
            for s in r.get("sections", []):
                if norm(s) not in text:
                    errs.append(f"R{i} section not in manual: {s!r}")
        if len(qs) < 25:
            errs.append(f"only {len(qs)} questions")
        if len(rs) < 8:
            errs.append(f"only {len(rs)} readings")
        if kinds.get("paraphrase", 0) < 5:
            errs.append("fewer than 5 paraphrases")
        if kinds.get("no-answer", 0) < 3:
            errs.append("fewer than 3 no-answer questions")
        for k in KINDS:
            if kinds.get(k, 0) == 0:
                errs.append(f"no question of kind {k}")
        if exp["high"] + exp["low"] < 5 or exp["ok"] < 3 or not exp["high"] or not exp["low"]:
            errs.append(f"reading mix {exp}")
        total_q += len(qs)
        total_r += len(rs)
        status = "OK" if not errs else f"{len(errs)} ERROR(S)"
        print(f"{mdir.name:20} {fmt:9} {pages if pages else '-':>5} {len(text.split()):>6} {heads:>5} "
              f"{len(qs):>4} {len(rs):>3}  {status}; limits literal {lits}/{len(rs)}; "
              f"expect high/low/ok {exp['high']}/{exp['low']}/{exp['ok']}")
        for e in errs:
            print("    - " + e)
        errors += len(errs)
    print(f"total: {total_q} questions, {total_r} readings, {errors} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent))
