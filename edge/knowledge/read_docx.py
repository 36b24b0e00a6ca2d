"""Word (DOCX) manuals to blocks with the standard library: zipfile and ElementTree.

A DOCX file is a zip of XML parts. ``word/document.xml`` holds the body: paragraphs (``w:p``) and
tables (``w:tbl``) in reading order. What a paragraph *is* comes from its style, resolved through
``word/styles.xml`` (a style's name, its ``basedOn`` parent, its outline level), and from its list
numbering, resolved through ``word/numbering.xml``:

* ``Title`` is the document title (level 1); ``heading N`` (or an outline level) a heading of
  level N + 1, like Markdown's ``#`` levels;
* a numbered list (decimal, letters, roman) is a procedure: Word prints its numbers, the text does
  not hold them; deeper levels (sub-steps, bullets inside a step) join their step's text;
* bullets are a list; a ``Caption`` paragraph is kept as a paragraph, so it introduces its table;
* a table whose rows have one cell each (a boxed warning) is read as paragraphs; other tables keep
  their cells, a vertically merged cell repeating its text in every row it spans.

No page numbers: a DOCX has no pages until a word processor lays it out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Final
from xml.etree import ElementTree

from edge.knowledge.records import Block

_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC: Final = "{http://purl.org/dc/elements/1.1/}"
MAX_PART_BYTES: Final = 64 * 1024 * 1024
"""Largest XML part read (uncompressed); a bigger one is refused rather than exhausting memory."""
_HEADING_NAME: Final = re.compile(r"^heading\s*(\d)$")
_STEP_FORMATS: Final = frozenset(
    {"decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "decimalZero"}
)


class DocxError(Exception):
    """The file is not a readable DOCX document."""


@dataclass(frozen=True, slots=True)
class _Style:
    name: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    num_level: int


@dataclass
class _Doc:
    styles: dict[str, _Style] = field(default_factory=dict)
    formats: dict[tuple[str, int], str] = field(default_factory=dict)
    """(numId, level) -> number format ("decimal", "bullet" ...)."""


def read_docx(data: bytes) -> tuple[str, list[Block]]:
    """Title (from the document properties, may be empty) and blocks of a DOCX file.

    Raises:
        DocxError: not a zip, no ``word/document.xml``, damaged XML, or a part too large.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError) as err:
        raise DocxError(f"not a DOCX file ({err})") from err
    with archive:
        body = _part(archive, "word/document.xml", required=True)
        assert body is not None
        doc = _Doc(_styles(_part(archive, "word/styles.xml")))
        doc.formats = _numbering(_part(archive, "word/numbering.xml"))
        core = _part(archive, "docProps/core.xml")
    title = ""
    if core is not None:
        found = core.find(f"{_DC}title")
        title = " ".join((found.text or "").split()) if found is not None else ""
    root = body.find(f"{_W}body")
    if root is None:
        raise DocxError("word/document.xml has no body")
    return title, _Reader(doc).read(root)


def _part(
    archive: zipfile.ZipFile, name: str, *, required: bool = False
) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise DocxError(f"not a Word document (no {name})") from None
        return None
    if info.file_size > MAX_PART_BYTES:
        raise DocxError(f"{name} is {info.file_size} bytes; at most {MAX_PART_BYTES} are read")
    try:
        return ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as err:
        raise DocxError(f"damaged {name} ({err})") from err


def _val(element: ElementTree.Element | None, tag: str) -> str | None:
    if element is None:
        return None
    found = element.find(f"{_W}{tag}")
    return found.get(f"{_W}val") if found is not None else None


def _num(ppr: ElementTree.Element | None) -> tuple[str | None, int]:
    num = ppr.find(f"{_W}numPr") if ppr is not None else None
    if num is None:
        return None, 0
    level = _val(num, "ilvl")
    return _val(num, "numId"), int(level) if level and level.isdigit() else 0


def _styles(root: ElementTree.Element | None) -> dict[str, _Style]:
    styles: dict[str, _Style] = {}
    for style in root.iter(f"{_W}style") if root is not None else ():
        sid = style.get(f"{_W}styleId")
        if not sid:
            continue
        ppr = style.find(f"{_W}pPr")
        outline = _val(ppr, "outlineLvl")
        num_id, level = _num(ppr)
        styles[sid] = _Style(
            name=(_val(style, "name") or sid).strip().lower(),
            based_on=_val(style, "basedOn"),
            outline=int(outline) if outline and outline.isdigit() else None,
            num_id=num_id,
            num_level=level,
        )
    return styles


def _numbering(root: ElementTree.Element | None) -> dict[tuple[str, int], str]:
    if root is None:
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for item in root.iter(f"{_W}abstractNum"):
        levels = {}
        for lvl in item.iter(f"{_W}lvl"):
            index = lvl.get(f"{_W}ilvl") or "0"
            levels[int(index) if index.isdigit() else 0] = _val(lvl, "numFmt") or "decimal"
        abstract[item.get(f"{_W}abstractNumId") or ""] = levels
    formats: dict[tuple[str, int], str] = {}
    for num in root.iter(f"{_W}num"):
        levels = abstract.get(_val(num, "abstractNumId") or "", {})
        for level, fmt in levels.items():
            formats[(num.get(f"{_W}numId") or "", level)] = fmt
    return formats


def _text(element: ElementTree.Element) -> str:
    """The visible text of a paragraph (runs, tabs and breaks; deleted text and fields skipped)."""
    out: list[str] = []
    for node in element.iter():
        tag = node.tag
        if tag == f"{_W}t":
            out.append(node.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            out.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
    return " ".join("".join(out).split())


@dataclass
class _List:
    num_id: str
    steps: bool
    items: list[str]


class _Reader:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.blocks: list[Block] = []
        self.list: _List | None = None

    def read(self, body: ElementTree.Element) -> list[Block]:
        for element in _content(body):
            if element.tag == f"{_W}p":
                self._paragraph(element)
            elif element.tag == f"{_W}tbl":
                self._end_list()
                self._table(element)
        self._end_list()
        return self.blocks

    # -- paragraphs -------------------------------------------------------------------------------

    def _style_chain(self, sid: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while sid and sid not in seen and sid in self.doc.styles:
            seen.add(sid)
            style = self.doc.styles[sid]
            yield style
            sid = style.based_on

    def _level(self, ppr: ElementTree.Element | None, sid: str | None) -> int | None:
        """Block level of a heading paragraph (1 = document title), None for body text."""
        outline = _val(ppr, "outlineLvl")
        if outline and outline.isdigit() and int(outline) < 9:
            return int(outline) + 2
        for style in self._style_chain(sid):
            if style.name == "title":
                return 1
            m = _HEADING_NAME.match(style.name)
            if m:
                return int(m.group(1)) + 1
            if style.outline is not None and style.outline < 9:
                return style.outline + 2
        return None

    def _numbering(
        self, ppr: ElementTree.Element | None, sid: str | None
    ) -> tuple[str, int] | None:
        num_id, level = _num(ppr)
        if num_id is None:
            for style in self._style_chain(sid):
                if style.num_id is not None:
                    num_id, level = style.num_id, style.num_level
                    break
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return None
        return num_id, level

    def _paragraph(self, p: ElementTree.Element) -> None:
        text = _text(p)
        ppr = p.find(f"{_W}pPr")
        sid = _val(ppr, "pStyle")
        level = self._level(ppr, sid)
        if level is not None:
            self._end_list()
            if text:
                self.blocks.append(Block("heading", text, level=level))
            return
        numbering = self._numbering(ppr, sid)
        if numbering is None:
            if text:
                self._end_list()
                self.blocks.append(Block("paragraph", text))
            return
        if not text:
            return
        num_id, depth = numbering
        fmt = self.doc.formats.get((num_id, depth), "decimal")
        current = self.list
        if depth > 0 and current is not None and current.items:
            # A sub-step or a bullet inside a step belongs to that step.
            joined = current.items[-1].rstrip()
            glue = " " if joined.endswith((":", ".", ";")) else "; "
            current.items[-1] = f"{joined}{glue}{text}"
            return
        steps = fmt in _STEP_FORMATS
        if current is None or current.num_id != num_id or current.steps != steps:
            self._end_list()
            self.list = current = _List(num_id, steps, [])
        current.items.append(text)

    def _end_list(self) -> None:
        if self.list is not None and self.list.items:
            items = tuple(self.list.items)
            self.blocks.append(Block("steps" if self.list.steps else "list", items=items))
        self.list = None

    # -- tables -----------------------------------------------------------------------------------

    def _table(self, tbl: ElementTree.Element) -> None:
        rows: list[list[str]] = []
        above: dict[int, str] = {}
        for tr in tbl.findall(f"{_W}tr"):
            row: list[str] = []
            for tc in tr.findall(f"{_W}tc"):
                tcpr = tc.find(f"{_W}tcPr")
                span = _val(tcpr, "gridSpan")
                width = int(span) if span and span.isdigit() else 1
                merge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
                col = len(row)
                if merge is not None and merge.get(f"{_W}val") in (None, "continue"):
                    text = above.get(col, "")  # continues the cell above
                else:
                    text = " ".join(t for t in (_cell_text(tc),) if t)
                above[col] = text
                row.extend([text] + [""] * (width - 1))
            if any(row):
                rows.append(row)
        if not rows:
            return
        if all(sum(1 for c in r if c) <= 1 for r in rows):
            # A boxed note or warning, or a one-column layout table: it is text.
            for r in rows:
                text = next((c for c in r if c), "")
                if text:
                    self.blocks.append(Block("paragraph", text))
            return
        width = max(len(r) for r in rows)
        self.blocks.append(
            Block("table", rows=tuple(tuple(r + [""] * (width - len(r))) for r in rows))
        )


def _cell_text(tc: ElementTree.Element) -> str:
    parts = []
    for child in _content(tc):
        if child.tag == f"{_W}p":
            parts.append(_text(child))
        elif child.tag == f"{_W}tbl":  # a table inside a cell: its text, row by row
            parts.append(" ".join(_text(p) for p in child.iter(f"{_W}p")))
    return " ".join(p for p in parts if p)


def _content(parent: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """Paragraphs and tables in order, looking inside content controls (``w:sdt``)."""
    for child in parent:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _content(content)
