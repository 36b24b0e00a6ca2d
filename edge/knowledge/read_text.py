"""Plain-text manuals (and text extracted from PDF pages) to blocks.

Plain text has no markup, so structure is inferred from the conventions manuals follow:

* numbered headings (``3.2 Yaw brake``), accepted only when the number continues the outline
  (a wrapped line that happens to start with ``10 N·m`` is not a chapter 10 after chapter 3);
* underlined titles (``===`` or ``---`` on the next line), and a short first line as the title;
* numbered steps (``1.`` or ``1)``), continued by the lines that follow them;
* tables as columns separated by two or more spaces; cells are assigned to columns by position,
  so empty cells and wrapped cells (PDF layout text) land in the right column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from edge.knowledge.records import Block

Line = tuple[str, int | None]
"""A line of text and the 1-based page it is on (None for unpaged text)."""

_NUMBERED_HEADING: Final = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-Z][^\n]{0,90})$")
_STEP: Final = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
_BULLET: Final = re.compile(r"^[-*\u2022]\s+(\S.*)$")
_UNDERLINE: Final = re.compile(r"^\s*(=+|-+)\s*$")
_SEGMENT: Final = re.compile(r"\S+(?: \S+)*")
_COLUMN_SLACK: Final = 2
"""Characters a cell may start left of its header (right-aligned numbers, layout rounding)."""


@dataclass
class _Outline:
    """Heading numbers seen so far, to judge whether a numbered line is really a heading."""

    current: tuple[int, ...] = ()

    def accepts(self, number: tuple[int, ...]) -> bool:
        if not self.current:
            return True
        if self._next(number):
            return True
        # A skipped parent heading ("4.1" right after "3.4") still continues the outline.
        return number[-1] == 1 and len(number) > 1 and self._next(number[:-1])

    def _next(self, number: tuple[int, ...]) -> bool:
        c = self.current
        if number == c + (1,):
            return True
        return any(number == c[:i] + (c[i] + 1,) for i in range(len(c)))


def parse_text(lines: Sequence[Line]) -> list[Block]:
    """Split text ``lines`` into blocks in reading order."""
    return _Parser(lines).run()


def _segments(line: str) -> list[tuple[int, str]]:
    """Runs of text separated by two or more spaces, with their start columns."""
    return [(m.start(), m.group()) for m in _SEGMENT.finditer(line.expandtabs(8))]


class _Parser:
    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = list(lines)
        self.blocks: list[Block] = []
        self.outline = _Outline()
        self.i = 0

    def run(self) -> list[Block]:
        while self.i < len(self.lines):
            text, page = self.lines[self.i]
            stripped = text.strip()
            if not stripped:
                self.i += 1
            elif (
                self._underlined_heading(stripped, page)
                or self._numbered_heading(stripped, page)
                or not self.blocks
                and self._title(stripped, page)
            ):
                pass
            elif _STEP.match(stripped):
                self._items(_STEP, "steps")
            elif _BULLET.match(stripped):
                self._items(_BULLET, "list")
            elif len(_segments(text)) >= 2 and self._table():
                pass
            else:
                self._paragraph()
        return self.blocks

    def _peek(self, offset: int = 1) -> str:
        j = self.i + offset
        return self.lines[j][0] if j < len(self.lines) else ""

    def _underlined_heading(self, stripped: str, page: int | None) -> bool:
        under = _UNDERLINE.match(self._peek())
        if not under or len(under.group(1)) < 3 or len(stripped) > 100:
            return False
        level = 1 if under.group(1)[0] == "=" else 2
        self.blocks.append(Block("heading", stripped, level=level, page=page))
        self.i += 2
        return True

    def _numbered_heading(self, stripped: str, page: int | None) -> bool:
        m = _NUMBERED_HEADING.match(stripped)
        if not m or stripped.endswith((".", ",", ";", ":")) or len(m.group(2).split()) > 14:
            return False
        number = tuple(int(p) for p in m.group(1).split("."))
        if len(_segments(stripped)) > 1 or not self.outline.accepts(number):
            return False  # table rows and wrapped text are not headings
        self.outline.current = number
        self.blocks.append(Block("heading", stripped, level=len(number) + 1, page=page))
        self.i += 1
        return True

    def _title(self, stripped: str, page: int | None) -> bool:
        if len(stripped) > 100 or stripped.endswith((".", ":")) or _STEP.match(stripped):
            return False
        if len(_segments(stripped)) > 1:
            return False  # a table header, not a title
        self.blocks.append(Block("heading", stripped, level=1, page=page))
        self.i += 1
        return True

    def _items(self, marker: re.Pattern[str], kind: str) -> None:
        page = self.lines[self.i][1]
        items: list[str] = []
        while self.i < len(self.lines):
            stripped = self.lines[self.i][0].strip()
            m = marker.match(stripped)
            if m and (kind == "list" or not items or int(m.group(1)) == len(items) + 1):
                items.append(m.group(m.lastindex or 1))
            elif stripped and items and not self._starts_structure(stripped):
                items[-1] += " " + stripped  # wrapped step
            elif not stripped and self._next_item_follows(marker, len(items) + 1, kind):
                pass  # blank line between two steps of the same procedure
            else:
                break
            self.i += 1
        cleaned = tuple(" ".join(t.split()) for t in items)
        if kind == "steps":
            self.blocks.append(Block("steps", items=cleaned, page=page))
        else:
            self.blocks.append(Block("list", items=cleaned, page=page))

    def _next_item_follows(self, marker: re.Pattern[str], number: int, kind: str) -> bool:
        j = self.i
        while j < len(self.lines) and not self.lines[j][0].strip():
            j += 1
        if j >= len(self.lines):
            return False
        m = marker.match(self.lines[j][0].strip())
        if m is None:
            return False
        return kind == "list" or int(m.group(1)) == number

    def _starts_structure(self, stripped: str) -> bool:
        m = _NUMBERED_HEADING.match(stripped)
        heading = m is not None and self.outline.accepts(
            tuple(int(p) for p in m.group(1).split("."))
        )
        return heading or bool(_STEP.match(stripped) or _BULLET.match(stripped))

    def _table(self) -> bool:
        header_line, page = self.lines[self.i]
        header = _segments(header_line)
        if any(len(t) > 40 for _, t in header):
            return False  # long runs are sentences with double spaces, not column headers
        starts = [s for s, _ in header]
        rows: list[list[str]] = [[t for _, t in header]]
        j = self.i + 1
        blanks = 0
        while j < len(self.lines):
            line = self.lines[j][0]
            segs = _segments(line)
            if not segs:
                blanks += 1
                if blanks >= 2:
                    break
                j += 1
                continue
            first_col = _column(segs[0][0], starts)
            if len(segs) < 2 and first_col == 0:
                break  # a line of ordinary text ends the table
            cells = [""] * len(starts)
            for start, text in segs:
                col = _column(start, starts)
                cells[col] = f"{cells[col]} {text}".strip()
            if first_col > 0:
                # Continuation of wrapped cells in the row above.
                for k, cell in enumerate(cells):
                    if cell:
                        rows[-1][k] = f"{rows[-1][k]} {cell}".strip()
            elif cells != rows[0]:  # a header repeated after a page break is skipped
                rows.append(cells)
            blanks = 0
            j += 1
        if len(rows) < 2:
            return False
        self.blocks.append(Block("table", rows=tuple(tuple(r) for r in rows), page=page))
        self.i = j
        return True

    def _continues_on_next_page(self, last: str, page: int | None) -> bool:
        """A sentence cut by a page break: skip the blank lines and keep going."""
        j = self.i
        while j < len(self.lines) and not self.lines[j][0].strip():
            j += 1
        if page is None or j >= len(self.lines) or last.endswith((".", ":", "!", "?")):
            return False
        text, next_page = self.lines[j]
        if next_page == page or not text.strip()[:1].islower():
            return False
        self.i = j
        return True

    def _paragraph(self) -> None:
        page = self.lines[self.i][1]
        parts: list[str] = []
        while self.i < len(self.lines):
            stripped = self.lines[self.i][0].strip()
            if not stripped and parts and self._continues_on_next_page(parts[-1], page):
                continue
            if not stripped or (parts and self._starts_structure(stripped)):
                break
            parts.append(stripped)
            self.i += 1
        self.blocks.append(Block("paragraph", " ".join(" ".join(parts).split()), page=page))


def _column(start: int, starts: list[int]) -> int:
    """Index of the column a cell starting at ``start`` belongs to."""
    col = 0
    for k, s in enumerate(starts):
        if s <= start + _COLUMN_SLACK:
            col = k
    return col
