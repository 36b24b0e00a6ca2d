"""Consistency checker for the dev corpus.

For every <manual-id>/questions.toml:
  * parses the TOML and validates fields, kinds and the required mix of questions/readings;
  * opens the rendered manual (pypdf / python-docx / html.parser / plain read) and extracts its text;
  * verifies that every question `values` entry, every cited section (heading or caption) and every
    number in every reading `limit` occurs literally in the extracted text (whitespace-normalised);
  * verifies, from the manual structure, that the values of each question occur inside at least one
    of its cited sections (heading-to-next-heading span, or caption-to-end-of-table span); plain-text
    manuals that contain form feeds are read as `pdftotext -layout` output (spans_txt_layout: mixed-case
    numbered headings, "Table N — Title" captions, running headers and footers skipped), all other
    plain-text manuals with five or more "3-12. TITLE." paragraph lines as typed technical-order text
    (spans_txt_to: "3-12. TITLE." paragraphs, "TABLE 4-2. TITLE" captions to the table's third rule,
    "TABLE 4-2. (CONT)" continuations), all other plain-text manuals as before (ALL-CAPS numbered
    headings);
  * checks that no-answer questions have no sections and no values.
Also checks splits.toml. Exit status 1 if any error was found.
Run: python render/check.py   (from samples/eval/dev, with python-docx, fpdf2 and pypdf installed)
"""
import html.parser
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import msrc  # noqa: E402

KINDS = {"value", "limit", "interval", "quantity", "part-number", "fault-code", "procedure",
         "safety", "paraphrase", "no-answer"}
FORMATS = {"pdf": ".pdf", "html": ".html", "markdown": ".md", "text": ".txt", "docx": ".docx"}
NUM_RE = re.compile(r"\d+(?:[.,]\d+)?")


def norm(s):
    s = s.replace("\u00a0", " ").replace("**", "")
    return re.sub(r"\s+", " ", s).strip()


# ------------------------------------------------------------------ text extraction (rendered files)

def text_pdf(path):
    import pypdf
    r = pypdf.PdfReader(path)
    return "\n".join(p.extract_text() or "" for p in r.pages), len(r.pages)


def text_docx(path):
    import docx
    d = docx.Document(path)
    parts = []

    def walk_table(t):
        for row in t.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    parts.append(p.text)
                for nt in cell.tables:
                    walk_table(nt)

    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.split("}")[1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            import docx.table
            walk_table(docx.table.Table(child, d))
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts), None


class _HTMLText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        if tag in ("p", "li", "tr", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "caption", "br", "div"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        if tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_html(path):
    p = _HTMLText()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return "".join(p.parts), None


def text_plain(path):
    with open(path, encoding="utf-8") as f:
        return f.read(), None


# ------------------------------------------------------------------ section spans (from structure)

def spans_msrc(src):
    """heading/caption -> text of its span, from the msrc source."""
    meta, blocks = msrc.parse(src)
    spans, cur = {}, None
    for b in blocks:
        if b[0] == "h":
            cur = b[2]
            spans[cur] = []
            continue
        if b[0] == "p":
            t = b[1]
        elif b[0] == "box":
            t = b[1] + " " + b[2]
        elif b[0] in ("ol", "ul"):
            t = " ".join(x[0] + " " + " ".join(x[1]) for x in b[1])
        elif b[0] == "table":
            cap, _, head, body, notes = b[1:]
            t = " ".join(" ".join(r) for r in head + body) + " " + " ".join(notes)
            if cap:
                spans[cap] = [t]
            t = cap + " " + t
        else:
            continue
        if cur is not None:
            spans[cur].append(t)
    return {k: norm(" ".join(v)) for k, v in spans.items()}


MD_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)\s*$")
MD_CAP_RE = re.compile(r"^\s*(?:<caption>\s*(Table \d+[^<]*?)\s*</caption>|\*\*(Table \d+[-.]\d+\.? [^*]+?)\*\*)\s*$")


def spans_md(path):
    """Markdown headings: ATX ("## 3.2 Charging") and Setext (a text line after a blank line,
    underlined with === or ---; the underline is not part of any span). Table captions: a line
    that is only "**Table 7-2. Title**" or "<caption>Table 4-1. Title</caption>"; a caption span
    runs to the first blank line after its table content, a "</table>" line or the next heading."""
    spans, cur, cap, cap_body = {}, None, None, False
    lines = open(path, encoding="utf-8").readlines()
    i, prev_blank = 0, True
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m:
            cur, cap = m.group(1).strip(), None
            spans[cur] = []
        elif (prev_blank and line.strip() and MD_SETEXT_RE.match(nxt)
                and not line.lstrip().startswith(("|", "<", "-", "*", "+", ">", "!", "="))):
            cur, cap = line.strip(), None
            spans[cur] = []
            i += 2
            prev_blank = False
            continue
        else:
            mc = MD_CAP_RE.match(line)
            if cur:
                spans[cur].append(line)
            if mc:
                cap, cap_body = (mc.group(1) or mc.group(2)).strip(), False
                spans[cap] = []
            elif cap:
                if not line.strip() and cap_body:
                    cap = None
                else:
                    spans[cap].append(line)
                    cap_body = cap_body or bool(line.strip())
                    if "</table>" in line:
                        cap = None
        prev_blank = not line.strip()
        i += 1
    return {k: norm(" ".join(v)) for k, v in spans.items()}


def spans_txt(path):
    spans, cur = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s{1,3}([A-Z][A-Z0-9 /,()\-]+)$", line.rstrip())
        if m:
            cur = norm(m.group(1) + " " + m.group(2))
            spans[cur] = []
        elif cur:
            spans[cur].append(line)
    return {k: norm(" ".join(v)) for k, v in spans.items()}


LAYOUT_HEAD_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s{1,3}([A-Z][^ ]*(?: [^ ]+)*)$")
LAYOUT_CAP_RE = re.compile(r"^\s*(Table \d+(?:[-.]\d+)?(?: [\u2014\u2013-]|:) \S.*?)(?: \(continued\))?\s*$")


def spans_txt_layout(path):
    """Spans for text in the style of `pdftotext -layout` (pages separated by form feeds).

    Page furniture (the first and last non-blank line of a page, when the same line with digits
    masked is first or last on at least 3 pages) is skipped. Headings are numbered lines in any
    case ("4.3.2  Brake air gap") at the left margin, after a blank line, with single spaces inside
    the title. Captions are "Table N — Title" lines, or "Table 6-2: Title" lines as a word
    processor's plain-text export writes them (feedpump-fp55); a repeated "... (continued)" caption
    adds to the same span. A caption span ends at the next heading or caption, or at the first prose line
    (left margin, no run of two spaces, 50 characters or more) after a blank line."""
    with open(path, encoding="utf-8") as f:
        pages = [p.split("\n") for p in f.read().split("\f")]
    counts = {}

    def mask(s):
        return re.sub(r"\d+", "#", s.strip())

    ends = []
    for lines in pages:
        nb = [i for i, ln in enumerate(lines) if ln.strip()]
        e = {nb[0], nb[-1]} if nb else set()
        ends.append(e)
        for i in e:
            counts[mask(lines[i])] = counts.get(mask(lines[i]), 0) + 1
    spans, cur, cap = {}, None, None
    for lines, e in zip(pages, ends):
        prev_blank = True
        for i, ln in enumerate(lines):
            if i in e and counts.get(mask(ln), 0) >= 3:
                continue
            s = ln.rstrip()
            m = LAYOUT_HEAD_RE.match(s)
            mc = LAYOUT_CAP_RE.match(s)
            if m and prev_blank and len(m.group(2)) <= 60 and not s.endswith((".", ":", ";", ",")):
                cur, cap = norm(m.group(1) + " " + m.group(2)), None
                spans.setdefault(cur, [])
            elif mc:
                cap = norm(mc.group(1))
                spans.setdefault(cap, [])
                if cur:
                    spans[cur].append(s)
            else:
                if (cap and prev_blank and s and not s[0].isspace() and "  " not in s.strip()
                        and len(s) >= 50):
                    cap = None
                if cur:
                    spans[cur].append(s)
                if cap:
                    spans[cap].append(s)
            prev_blank = not s.strip()
    return {k: norm(" ".join(v)) for k, v in spans.items()}


TO_HEAD_RE = re.compile(r"^(\d{1,2}-\d{1,2})\.\s+([A-Z][A-Z0-9 /,()'&-]*[A-Z0-9)])\.\s*$")
TO_CHAP_RE = re.compile(r"^\s*(CHAPTER \d{1,2})\s*$")
TO_CAP_RE = re.compile(r"^\s*(TABLE \d{1,2}-\d{1,2})\.\s+([A-Z(][A-Z0-9 ,/()&'.-]*?)\s*$")
TO_RULE_RE = re.compile(r"^\s*-{20,}\s*$")


def is_to_text(raw):
    """Plain text in the style of a typed 'technical order': paragraphs numbered "3-12. TITLE."."""
    return sum(1 for ln in raw.split("\n") if TO_HEAD_RE.match(ln.rstrip())) >= 5


def spans_txt_to(path):
    """Spans for typed technical-order text (hydro-fg12). Headings are "3-12. BEARING TEMPERATURES."
    lines (key without the final period); a "CHAPTER n" line ends the current paragraph. Captions are
    "TABLE 4-2. TITLE" lines (title in capitals); a caption span runs to the third rule of dashes after it (top rule, rule
    under the header, bottom rule); a "TABLE 4-2. (CONT)" caption adds to the span of TABLE 4-2."""
    spans, cur, cap, rules, titles = {}, None, None, 0, {}
    for line in open(path, encoding="utf-8"):
        s = line.rstrip()
        m = TO_HEAD_RE.match(s)
        mch = TO_CHAP_RE.match(s)
        mc = TO_CAP_RE.match(s)
        if m:
            cur, cap = norm(m.group(1) + ". " + m.group(2)), None
            spans[cur] = []
            continue
        if mch:
            cur, cap = None, None
            continue
        if mc:
            if mc.group(2) == "(CONT)" and mc.group(1) in titles:
                cap = titles[mc.group(1)]
            else:
                cap = norm(mc.group(1) + ". " + mc.group(2))
                titles[mc.group(1)] = cap
                spans[cap] = []
            rules = 0
            if cur:
                spans[cur].append(s)
            continue
        if cur:
            spans[cur].append(s)
        if cap:
            spans[cap].append(s)
            if TO_RULE_RE.match(s):
                rules += 1
                if rules >= 3:
                    cap = None
    return {k: norm(" ".join(v)) for k, v in spans.items()}


class _HTMLSpans(html.parser.HTMLParser):
    def __init__(self, heads=("h2", "h3", "h4"), word=False):
        super().__init__()
        self.spans, self.cur, self.cap, self.mode, self.buf = {}, None, None, None, ""
        self.skip = 0
        self.table_depth = 0
        self.heads = heads
        self.word = word

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "nav"):
            self.skip += 1
        if self.skip:
            return
        if tag in self.heads:
            self.mode, self.buf = "h", ""
        elif tag == "caption":
            self.mode, self.buf = "cap", ""
        elif (self.word and tag == "p" and self.table_depth == 0
                and (dict(attrs).get("class") or "") == "MsoCaption"):
            self.mode, self.buf = "wcap", ""
            return
        elif tag == "table":
            self.table_depth += 1
        if tag in ("td", "th", "li", "dd", "dt", "p"):
            self._add(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "nav"):
            self.skip -= 1
            return
        if self.skip:
            return
        if tag in self.heads and self.mode == "h":
            self.cur = norm(self.buf)
            self.spans[self.cur] = []
            self.mode = None
        elif tag == "p" and self.mode == "wcap":
            self.cap = norm(self.buf)
            self.spans[self.cap] = []
            self.mode = None
        elif tag == "caption" and self.mode == "cap":
            self.cap = norm(self.buf)
            self.spans[self.cap] = []
            self.mode = None
        elif tag == "table":
            self.table_depth -= 1
            self.cap = None

    def _add(self, data):
        if self.cur:
            self.spans[self.cur].append(data)
        if self.cap:
            self.spans[self.cap].append(data)

    def handle_data(self, data):
        if self.skip:
            return
        if self.mode in ("h", "cap", "wcap"):
            self.buf += data
        else:
            self._add(data)


def spans_html(path):
    """h2-h4 headings and captions; a Confluence page export (a `wiki-content` div, e.g.
    blower-rb90) also uses h1 for its top-level content headings, so there h1 counts too.
    An HTML file saved by Microsoft Word ("Web Page, Filtered": a Generator meta naming
    Microsoft Word, e.g. reach-rr16) uses h1 for its chapters, so there h1 counts too, and its
    captions are `<p class=MsoCaption>` paragraphs whose span runs to the end of the next table."""
    src = open(path, encoding="utf-8").read()
    wiki = re.search(r'class="[^"]*\bwiki-content\b', src) is not None
    word = re.search(r'<meta name=(?:"Generator"|Generator) content="Microsoft Word', src) is not None
    p = _HTMLSpans(("h1", "h2", "h3", "h4") if (wiki or word) else ("h2", "h3", "h4"), word=word)
    p.feed(src)
    return {k: norm(" ".join(v)) for k, v in p.spans.items()}


# ------------------------------------------------------------------ main

def find_source(folder, mid):
    for name in os.listdir(folder):
        if name.endswith("-source.txt"):
            return os.path.join(folder, name)
    return None


def check_manual(folder):
    errors, warnings = [], []
    mid = os.path.basename(folder)
    with open(os.path.join(folder, "questions.toml"), "rb") as f:
        data = tomllib.load(f)
    man = data["manual"]
    for k in ("id", "title", "file", "machine", "format"):
        if k not in man:
            errors.append(f"[manual] missing {k}")
    if man.get("id") != mid:
        errors.append(f"id {man.get('id')} != folder {mid}")
    fmt = man["format"]
    path = os.path.join(folder, man["file"])
    if fmt not in FORMATS or not path.endswith(FORMATS[fmt]):
        errors.append(f"format {fmt} does not match file {man['file']}")
    if not os.path.exists(path):
        errors.append(f"missing file {path}")
        return errors, warnings, {}
    extractor = {"pdf": text_pdf, "docx": text_docx, "html": text_html,
                 "markdown": text_plain, "text": text_plain}[fmt]
    raw, pages = extractor(path)
    text = norm(raw)
    ltext = text.lower()
    if norm(man["title"]) not in text:
        warnings.append(f"title not found literally: {man['title']!r}")

    src = find_source(folder, mid)
    if fmt in ("pdf", "docx"):
        spans = spans_msrc(src)
    elif fmt == "markdown":
        spans = spans_md(path)
    elif fmt == "text":
        if "\f" in raw:
            spans = spans_txt_layout(path)
        elif is_to_text(raw):
            spans = spans_txt_to(path)
        else:
            spans = spans_txt(path)
    else:
        spans = spans_html(path)
    headings = [k for k in spans if not k.startswith(("Table", "TABLE "))]

    qs = data.get("question", [])
    rs = data.get("reading", [])
    kinds = {}
    for i, q in enumerate(qs, 1):
        tag = f"Q{i} {q.get('text', '')!r}"
        for k in ("kind", "text", "sections", "values"):
            if k not in q:
                errors.append(f"{tag}: missing {k}")
        kind = q.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind not in KINDS:
            errors.append(f"{tag}: bad kind {kind}")
        if kind == "no-answer":
            if q.get("sections") or q.get("values"):
                errors.append(f"{tag}: no-answer must have empty sections and values")
            continue
        if not q["sections"] or not q["values"]:
            errors.append(f"{tag}: sections and values required")
        for v in q["values"]:
            if norm(v) not in text:
                if norm(v).lower() in ltext:
                    warnings.append(f"{tag}: value {v!r} only matches case-insensitively")
                else:
                    errors.append(f"{tag}: value {v!r} not in manual text")
        ok_span = False
        for s in q["sections"]:
            if norm(s) not in text:
                errors.append(f"{tag}: section {s!r} not in manual text")
            if norm(s) not in spans:
                errors.append(f"{tag}: section {s!r} is not a heading/caption of the manual")
            else:
                span = spans[norm(s)]
                if all(norm(v) in span for v in q["values"]):
                    ok_span = True
        if not ok_span:
            errors.append(f"{tag}: values {q['values']} not all inside any cited section")
    nq = len(qs)
    na = kinds.get("no-answer", 0)
    npara = kinds.get("paraphrase", 0)
    if nq < 25:
        errors.append(f"only {nq} questions")
    if na < 3:
        errors.append(f"only {na} no-answer questions")
    if npara < 5:
        errors.append(f"only {npara} paraphrase questions")
    for k in KINDS:
        if k not in kinds:
            warnings.append(f"no question of kind {k}")

    exp = {"high": 0, "low": 0, "ok": 0}
    for i, r in enumerate(rs, 1):
        tag = f"R{i} {r.get('text', '')!r}"
        for k in ("text", "component", "parameter", "expect", "limit", "sections"):
            if k not in r:
                errors.append(f"{tag}: missing {k}")
        if r.get("expect") not in exp:
            errors.append(f"{tag}: bad expect {r.get('expect')}")
        else:
            exp[r["expect"]] += 1
        nums = NUM_RE.findall(r["limit"])
        if not nums:
            errors.append(f"{tag}: limit has no number")
        for n in nums:
            if n not in text:
                errors.append(f"{tag}: limit number {n} not in manual text")
        ok_span = False
        for s in r["sections"]:
            if norm(s) not in text:
                errors.append(f"{tag}: section {s!r} not in manual text")
            if norm(s) not in spans:
                errors.append(f"{tag}: section {s!r} is not a heading/caption of the manual")
            elif all(n in spans[norm(s)] for n in nums):
                ok_span = True
        if not ok_span:
            errors.append(f"{tag}: limit numbers {nums} not all inside any cited section")
    if len(rs) < 8:
        errors.append(f"only {len(rs)} readings")
    if exp["high"] + exp["low"] < 5 or exp["ok"] < 3 or exp["high"] == 0 or exp["low"] == 0:
        errors.append(f"reading mix {exp}")
    stats = {"id": mid, "machine": man["machine"], "format": fmt, "file": man["file"],
             "pages": pages, "headings": len(headings), "questions": nq, "readings": len(rs),
             "kinds": kinds, "expect": exp, "words": len(text.split())}
    return errors, warnings, stats


def main():
    total_err = 0
    ids = []
    for name in sorted(os.listdir(ROOT)):
        folder = os.path.join(ROOT, name)
        if not os.path.isfile(os.path.join(folder, "questions.toml")):
            continue
        ids.append(name)
        errors, warnings, st = check_manual(folder)
        total_err += len(errors)
        if st:
            print(f"{st['id']:16s} {st['machine']:28s} {st['format']:8s} headings={st['headings']:2d} "
                  f"questions={st['questions']} readings={st['readings']} words={st['words']}"
                  + (f" pages={st['pages']}" if st['pages'] else "")
                  + f" expect={st['expect']}")
        for e in errors:
            print("   ERROR  ", e)
        for w in warnings:
            print("   warning", w)
    with open(os.path.join(ROOT, "splits.toml"), "rb") as f:
        splits = tomllib.load(f)
    listed = {m["id"]: m["split"] for m in splits.get("manual", [])}
    for i in ids:
        if listed.get(i) != "dev":
            print(f"   ERROR   splits.toml: {i} missing or not dev")
            total_err += 1
    for i in listed:
        if i not in ids:
            print(f"   ERROR   splits.toml lists unknown manual {i}")
            total_err += 1
    print(f"{len(ids)} manuals checked, {total_err} errors")
    sys.exit(1 if total_err else 0)


if __name__ == "__main__":
    main()
