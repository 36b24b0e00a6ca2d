"""Pick a reader by file type and turn a manual into a :class:`ParsedDocument`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final

from edge.knowledge.page_edges import form_fed_lines
from edge.knowledge.read_docx import DocxError, read_docx
from edge.knowledge.read_html import parse_html
from edge.knowledge.read_markdown import parse_markdown
from edge.knowledge.read_pdf import PdfTextError, TooManyPages, read_pdf
from edge.knowledge.read_text import STEP_SAID, parse_text
from edge.knowledge.records import Block, ParsedDocument

SUFFIXES: Final = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
}
"""File name endings ``edge ingest`` picks up when given a folder."""
_MODEL: Final = re.compile(r"\b[A-Za-z]{1,6}[- ]?\d{2,5}[A-Za-z]?\b")
"""A model designation ("HX-30", "VT 55", "WC-180"): what a manual's title names."""
_MODEL_SAID: Final = re.compile(
    r"(?:unit|model|type|series|machine)\s+[A-Za-z]{1,6}[- ]?\d{2,5}[A-Za-z]?\b", re.IGNORECASE
)
_COVER_LINES: Final = 6
"""How many lines of a cover, after its first, may hold the machine's name (the utility, its
division, the document number and the station come first on some)."""
TITLE_CHARS: Final = 100
"""Longest line taken for a title (a sentence is not one)."""
_DASH_AS_MINUS: Final = re.compile(r"(?<![\w.,)\u2013\u2212-])\u2013(?=\d)")
"""An en dash right before a figure and after no figure or word: typesetters' minus sign
("below –15 °C", "–25 to +40 °C"); "40–75 °C" and "Figure A–3" keep their dash."""


class ReadError(Exception):
    """A manual could not be read; the message says why in a few words."""


class LimitError(ReadError):
    """A manual is larger than a ``knowledge.max_*`` setting allows; the message names it."""


def detect_format(path: Path, head: bytes) -> str:
    """Reader name for ``path`` from its suffix, else from its first bytes."""
    known = SUFFIXES.get(path.suffix.lower())
    if known:
        return known
    if head.startswith(b"%PDF"):
        return "pdf"
    lowered = head[:512].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "html"
    return "text"


def read_document(
    path: Path,
    data: bytes,
    *,
    max_pages: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> ParsedDocument:
    """Parse ``data`` (the bytes of ``path``) into blocks.

    Args:
        path: the file (its suffix picks the reader).
        data: its bytes.
        max_pages: refuse a PDF with more pages (``knowledge.max_pages``).
        on_page: called with (pages read, pages in all) as a PDF is read.

    Raises:
        LimitError: the PDF has more than ``max_pages`` pages.
        ReadError: the file is damaged, binary, not text in a known encoding, or empty.
    """
    fmt = detect_format(path, data[:1024])
    title = ""
    pages: int | None = None
    if fmt == "pdf":
        if not data.startswith(b"%PDF"):
            raise ReadError("not a PDF file (no %PDF header)")
        try:
            title, blocks, pages = read_pdf(path, max_pages=max_pages, on_page=on_page)
        except TooManyPages as err:
            raise LimitError(
                f"{err}: split the manual or raise knowledge.max_pages (now {max_pages})"
            ) from err
        except PdfTextError as err:
            raise ReadError(str(err)) from err
    elif fmt == "docx":
        try:
            title, blocks = read_docx(data)
        except DocxError as err:
            raise ReadError(str(err)) from err
    else:
        text = _decode(data)
        if fmt == "markdown":
            blocks = parse_markdown(text)
        elif fmt == "html":
            title, blocks = parse_html(text)
        elif "\f" in text:
            lines, pages = form_fed_lines(text)
            blocks = parse_text(lines)
        else:
            blocks = parse_text([(line, None) for line in text.splitlines()])
    if not any(b.text or b.rows or b.items for b in blocks if b.kind != "heading"):
        raise ReadError("no readable text found")
    blocks = [_with_minus_signs(b) for b in typed_steps(blocks)]
    return ParsedDocument(
        title=_title(title, blocks, path), format=fmt, blocks=tuple(blocks), pages=pages
    )


_TYPED_STEP: Final = re.compile(rf"^(?:{STEP_SAID}|(\d{{1,2}})[.)](?=\s))\s*(\S.*)$", re.IGNORECASE)
"""A step typed into its paragraph: "Step 1: ...", or "1. ..." as Word's HTML writes a list."""


def typed_steps(blocks: Sequence[Block]) -> list[Block]:
    """Paragraphs typed "Step 1: ...", "Step 2: ..." (or "1. ...") as one block of numbered steps.

    A manual typed in a word processor without list numbering writes each step as its own
    paragraph; read apart, a procedure's answer would be one of its steps. A run counts from
    step 1 and each next paragraph is the next step; a note between steps ends it.
    """
    out: list[Block] = []
    run: list[tuple[Block, str]] = []  # each step's paragraph, and its text after "Step n:"

    def flush() -> None:
        if len(run) > 1:
            items = tuple(step for _, step in run)
            out.append(Block("steps", items=items, page=run[0][0].page))
        else:
            out.extend(block for block, _ in run)
        run.clear()

    for block in blocks:
        m = _TYPED_STEP.match(block.text) if block.kind == "paragraph" else None
        number = int(m.group(1) or m.group(2)) if m else 0
        if m and number == len(run) + 1:
            run.append((block, m.group(3)))
            continue
        flush()
        if m and number == 1:
            run.append((block, m.group(3)))
        else:
            out.append(block)
    flush()
    return out


def minus_signs(text: str) -> str:
    """``text`` with every en dash used as a minus sign made the minus sign U+2212.

    Every figure parser reads "−15" as minus fifteen; an en dash before a figure read as a
    separator made a cold-start minimum of –15 °C a minimum of 15 °C.
    """
    return _DASH_AS_MINUS.sub("\u2212", text) if "\u2013" in text else text


def _with_minus_signs(block: Block) -> Block:
    if not any(
        "\u2013" in s for s in (block.text, *block.items, *(c for r in block.rows for c in r))
    ):
        return block
    return replace(
        block,
        text=minus_signs(block.text),
        items=tuple(minus_signs(i) for i in block.items),
        rows=tuple(tuple(minus_signs(c) for c in row) for row in block.rows),
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ReadError("binary data where text was expected (damaged or wrong file type)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Older manuals exported on Windows are often cp1252; that decode fails on junk bytes.
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise ReadError(f"not UTF-8 or Windows-1252 text (byte {err.start})") from None


def _title(found: str, blocks: list[Block], path: Path) -> str:
    """The manual's name as a technician would say it: the line of the cover naming the model.

    Cover pages often print the manufacturer biggest ("TAMSEN FLUID SYSTEMS") with the machine
    ("HX-30 Hydraulic Power Unit") on the next line; a citation and a question name the machine.
    """
    first = next((i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1), None)
    if first is None:
        return found or path.stem
    heading = blocks[first].text
    if _MODEL.search(heading):
        return heading
    for block in blocks[first + 1 : first + _COVER_LINES]:
        if block.kind != "paragraph" or len(block.text) > TITLE_CHARS:
            break
        # A title line leads with the model it names, or says it is one ("UNIT FG-12 ...").
        if _MODEL.match(block.text) or _MODEL_SAID.match(block.text):
            return block.text
    if found and _MODEL.search(found) and len(found) <= TITLE_CHARS:
        # The cover's biggest line is the maker ("Ardenne Bendworks Ltd."); the document's own
        # title names the machine ("Ardenne PB-160 CNC Hydraulic Press Brake – Service Manual").
        return found
    return heading
