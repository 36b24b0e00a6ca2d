"""Plain-text manuals (and text extracted from PDF pages) to blocks.

Plain text has no markup, so structure is inferred from the conventions manuals follow:

* numbered headings (``3.2 Yaw brake``, ``Section 4 – Hydraulic system``), accepted only when
  the number continues the outline (a wrapped line that happens to start with ``10 N·m`` is not a
  chapter 10 after chapter 3);
* underlined titles (``===`` or ``---`` on the next line), and a short first line as the title;
* numbered steps (``1.`` or ``1)``), continued by the lines that follow them;
* tables as columns separated by two or more spaces; cells are assigned to columns by position,
  so empty cells and wrapped cells (PDF layout text) land in the right column;
* captions ("Table 5 – Operating limits", "Figure 2 ...") start a paragraph of their own, so they
  introduce the table below them, and a row-like line ends the paragraph above it;
* a table or a procedure cut by a page break (the header repeated, the numbering going on) is
  joined back into one; a sentence cut by a blank line or a page break is joined when it goes on
  in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from edge.knowledge.records import Block
from edge.knowledge.table_headers import header_continued
from edge.knowledge.table_layout import (
    CAPTION,
    COLUMN_SLACK,
    GROUP_TITLE,
    closes_above,
    column_of,
    header_labels,
    labelled_header,
    segments,
)
from edge.knowledge.text_art import (
    box_rows,
    is_box_line,
    is_contents,
    is_rule,
    leader,
    rule_columns,
    unbox,
)
from edge.knowledge.units import unit_in_header

Line = tuple[str, int | None]
"""A line of text and the 1-based page it is on (None for unpaged text)."""

_NUMBERED_HEADING: Final = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-Z][^\n]{0,90})$")
_WORDED_HEADING: Final = re.compile(
    r"^(?:Section|Chapter|Part|SECTION|CHAPTER|PART)\s+(\d{1,2})\s*(?:[–—:.-]\s*)?"
    r"([A-Z][^\n]{0,90})$"
)
"""A chapter heading that says so: "Section 4 – Hydraulic system", "SECTION 40 – HYDRAULIC
SYSTEM". Saying so, its number may skip: dealer manuals number sections by system (10 engine,
13 fuel, 40 hydraulics)."""
_GROUP_HEADING: Final = re.compile(r"^(\d{1,2})-(\d{1,2})\s+([A-Z][^\n]{0,90})$")
"""A numbered group of a section: "40-3 Lift cylinder drift test" is group 3 of section 40."""
_ORDER_HEADING: Final = re.compile(r"^(\d{1,2})-(\d{1,2})\.\s+([A-Z][A-Z0-9 ,()/&'-]{2,80}?)\.?$")
"""A paragraph title in the technical-order style: "3-3. BEARING TEMPERATURES." is paragraph 3
of chapter 3."""
_CHAPTER_ALONE: Final = re.compile(r"^CHAPTER\s+(\d{1,2})$", re.IGNORECASE)
"""A chapter number on a line of its own, its title on the next ("CHAPTER 3" over "OPERATING
LIMITS")."""
_STEP: Final = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
_HEADER_TAIL: Final = re.compile(r"\(?[A-Z][A-Za-z.#/]*\)?(?: \(?[A-Za-z.#/]+\)?){0,2}")
"""A header cell's second line: a capitalised word or two, no figure ("NO.", "(DEG C)")."""
_BULLET: Final = re.compile(r"^(?:[-*\u2022]|o(?= ))\s+(\S.*)$")
"""A list item: a dash, a star, a bullet, or the "o" a word processor's plain text puts there."""
STEP_SAID: Final = r"Step\s+(\d{1,3})\s*[.:)\u2013\u2014-]"
"""A step that says so: "Step 1 – Inform the operator" is step 1 (a pattern, case-insensitive)."""
_STEP_WORD: Final = re.compile(rf"^\s*{STEP_SAID}\s*", re.IGNORECASE)
_UNDERLINE: Final = re.compile(r"^\s*(=+|-+)\s*$")
_WIDE_GAP: Final = re.compile(r"\S {3,}\S")
_NUMBER_GAP: Final = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s{2,}(?=[A-Z])")
_HEADER_SHIFT: Final = 8
"""How far right of its column's cells a header may be set (right-aligned over left-aligned)."""
_TAB_BETWEEN: Final = re.compile(r"\S *\t[ \t]*\S")
"""A TAB between two cells' text (a leading TAB alone only indents)."""


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
    return _Parser([(_STEP_WORD.sub(r"\1. ", unbox(text)), page) for text, page in lines]).run()


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
            elif is_box_line(stripped):
                self._box_table(page)
            elif _tabbed(text) and _tabbed(self._peek()):
                self._tab_table(page)
            elif is_rule(stripped):
                self.i += 1  # a separator, not content
            elif leader(stripped) and leader(self._peek().strip()):
                self._leaders(page)
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
            elif self._labelled_table(text):
                pass
            elif len(segments(text)) >= 2 and not CAPTION.match(stripped) and self._table():
                # (A caption set apart by two spaces, "Table 7-1  Tightening torques", is no
                # header row: it introduces the table below it.)
                pass
            else:
                self._paragraph()
        return self.blocks

    def _box_table(self, page: int | None) -> None:
        start = self.i
        while self.i < len(self.lines) and is_box_line(self.lines[self.i][0].strip()):
            self.i += 1
        rows = box_rows([text for text, _ in self.lines[start : self.i]])
        if len(rows) >= 2:
            self._add_table(tuple(rows), page)
        elif rows:
            self.blocks.append(Block("paragraph", " ".join(c for c in rows[0] if c), page=page))

    def _tab_table(self, page: int | None) -> None:
        """Lines of TAB-separated cells, as a word processor saves a table as plain text.

        One TAB between cells, two around an empty one: the cells do not line up (a short cell
        and a long one in the same column), so they are split at the TABs, not by position.
        """
        rows: list[tuple[str, ...]] = []
        while self.i < len(self.lines) and _tabbed(self.lines[self.i][0]):
            rows.append(
                tuple(cell.strip() for cell in self.lines[self.i][0].strip(" \r\n").split("\t"))
            )
            self.i += 1
        entries = [(row[0], row[-1]) for row in rows if len(row) == 2]
        if len(entries) == len(rows) and _contents(entries):
            self._add_contents(entries, page)
            return
        width = max(len(row) for row in rows)
        self._add_table(tuple(row + ("",) * (width - len(row)) for row in rows), page)

    def _add_contents(self, entries: Sequence[tuple[str, str]], page: int | None) -> None:
        """A table of contents as one paragraph of its sections' names (no page numbers)."""
        text = "; ".join(name for name, _ in entries)
        self.blocks.append(Block("paragraph", f"Contents: {text}.", page=page))

    def _leaders(self, page: int | None) -> None:
        """Dot-leader lines ("Operating weight ...... 11,800 lb") as a two-column table."""
        entries: list[tuple[str, str]] = []
        while self.i < len(self.lines) and (found := leader(self.lines[self.i][0].strip())):
            entries.append(found)
            self.i += 1
        if is_contents(entries):
            self._add_contents(entries, page)
            return
        self._add_table((("Item", "Value"), *entries), page)

    def _peek(self, offset: int = 1) -> str:
        j = self.i + offset
        return self.lines[j][0] if j < len(self.lines) else ""

    def _underlined_heading(self, stripped: str, page: int | None) -> bool:
        under = _UNDERLINE.match(self._peek())
        if not under or len(under.group(1)) < 3 or len(stripped) > 100:
            return False
        if _row_like(stripped):
            return False  # column headers over a rule ("Boiler size   500   650   850")
        if CAPTION.match(stripped):
            return False  # a table's caption over its top rule ("TABLE 3-2. BEARING ...")
        level = 1 if under.group(1)[0] == "=" else 2
        self.blocks.append(Block("heading", stripped, level=level, page=page))
        self.i += 2
        return True

    def _numbered_heading(self, stripped: str, page: int | None) -> bool:
        if self._order_heading(stripped, page):
            return True
        stripped = _NUMBER_GAP.sub(r"\1 ", stripped)  # "1.1  ABOUT THIS MANUAL"
        worded = _WORDED_HEADING.match(stripped)
        m = _NUMBERED_HEADING.match(stripped) or worded
        if not m or stripped.endswith((".", ",", ";", ":")) or len(m.group(2).split()) > 14:
            return False
        number = tuple(int(p) for p in m.group(1).split("."))
        if len(segments(stripped)) > 1:
            return False  # table rows are not headings
        # A heading that says it is one ("SECTION 13") may skip numbers, not go back.
        current = self.outline.current
        later = worded is not None and (not current or number[0] > current[0])
        if not later and not self.outline.accepts(number) and not self._after_contents(number):
            return False  # nor is wrapped text that starts with a number
        self.outline.current = number
        self.blocks.append(Block("heading", stripped, level=len(number) + 1, page=page))
        self.i += 1
        return True

    def _order_heading(self, stripped: str, page: int | None) -> bool:
        """A technical-order chapter ("CHAPTER 3" over its title) or paragraph ("3-3. TITLE.")."""
        chapter = _CHAPTER_ALONE.match(stripped)
        if chapter:
            title = self._peek().strip() or self._peek(2).strip()
            if not title or not title.isupper() or len(segments(title)) > 1:
                return False
            number: tuple[int, ...] = (int(chapter.group(1)),)
            text = f"{stripped} {title}"
            skip = 2 if self._peek().strip() else 3
        else:
            m = _ORDER_HEADING.match(stripped) or _GROUP_HEADING.match(stripped)
            if not m or len(m.group(3).split()) > 14 or len(segments(stripped)) > 1:
                return False
            if m.re is _GROUP_HEADING and stripped.endswith((".", ",", ";", ":")):
                return False
            number, text, skip = (int(m.group(1)), int(m.group(2))), stripped.rstrip("."), 1
        if not self.outline.accepts(number):
            return False
        self.outline.current = number
        self.blocks.append(Block("heading", text, level=len(number) + 1, page=page))
        self.i += skip
        return True

    def _after_contents(self, number: tuple[int, ...]) -> bool:
        """Chapter 1 right after a run of chapter headings: that run was a list of contents.

        The run is turned back into a paragraph and the outline starts again.
        """
        if number != (1,):
            return False
        run = 0
        while run < len(self.blocks) and self.blocks[-1 - run].kind == "heading":
            run += 1
        if run < 3 or any(b.level <= 1 for b in self.blocks[len(self.blocks) - run :]):
            return False
        contents = self.blocks[len(self.blocks) - run :]
        del self.blocks[len(self.blocks) - run :]
        joined = "; ".join(b.text for b in contents)
        self.blocks.append(Block("paragraph", f"Contents: {joined}.", page=contents[0].page))
        return True

    def _title(self, stripped: str, page: int | None) -> bool:
        if len(stripped) > 100 or stripped.endswith((".", ":")) or _STEP.match(stripped):
            return False
        if len(segments(stripped)) > 1:
            return False  # a table header, not a title
        self.blocks.append(Block("heading", stripped, level=1, page=page))
        self.i += 1
        return True

    def _items(self, marker: re.Pattern[str], kind: str) -> None:
        page = self.lines[self.i][1]
        items: list[str] = []
        first = 1
        while self.i < len(self.lines):
            stripped = self.lines[self.i][0].strip()
            m = marker.match(stripped)
            if m and kind == "steps" and not items:
                first = int(m.group(1))
            if m and (kind == "list" or not items or int(m.group(1)) == first + len(items)):
                items.append(m.group(m.lastindex or 1))
            elif stripped and items and not self._starts_structure(stripped):
                items[-1] += " " + stripped  # wrapped step
            elif not stripped and self._next_item_follows(marker, first + len(items), kind):
                pass  # blank line between two steps of the same procedure
            else:
                break
            self.i += 1
        cleaned = tuple(" ".join(t.split()) for t in items)
        last = self.blocks[-1] if self.blocks else None
        going_on = last is not None and last.kind == "steps" and len(last.items) == first - 1
        if kind == "steps" and first > 1 and last is not None and going_on:
            # The procedure goes on after a page break.
            self.blocks[-1] = Block("steps", items=last.items + cleaned, page=last.page)
            return
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

    def _labelled_table(self, text: str) -> bool:
        """A table under a label line (see :func:`.table_layout.header_labels`), header and all.

        A label with a unit gives it to the columns under it; the words of one without (the
        header says what it groups) go to the caption above, or nowhere when the table goes on
        after a page break, where the caption is not printed again.
        """
        labels = header_labels(text, self._peek())
        if not labels:
            return False
        self.i += 1
        before = len(self.blocks)
        if not self._table([(s, t) for s, t in labels if unit_in_header(t)[1]]):
            self.i -= 1
            return False
        words = " ".join(t for _, t in labels if not unit_in_header(t)[1])
        caption = self.blocks[-2] if len(self.blocks) > before and before else None
        if words and caption is not None and CAPTION.match(caption.text):
            self.blocks[-2] = Block("paragraph", f"{caption.text} {words}", page=caption.page)
        return True

    def _table(self, labels: Sequence[tuple[int, str]] = ()) -> bool:
        header_line, page = self.lines[self.i]
        header = segments(header_line)
        if any(len(t) > 40 for _, t in header):
            return False  # long runs are sentences with double spaces, not column headers
        starts = [s for s, _ in header]
        rows: list[list[str]] = [[t for _, t in header]]
        ruled = rule_columns(self._peek().expandtabs(8))
        if len(ruled) > len(starts):
            # The dashes under the header show the columns its single spaces hide.
            line = header_line.expandtabs(8)
            starts = ruled
            bounds = [*ruled[1:], len(line)]
            rows = [[line[a:b].strip() for a, b in zip(ruled, bounds, strict=True)]]
        below = self._first_row(self.i + 1)
        if below and below[0][0] < starts[0] - COLUMN_SLACK:
            # The header leaves the row labels' column blank ("      Natural gas   Propane").
            starts = [below[0][0], *starts]
            rows = [["", *rows[0]]]
        if len(below) == len(starts) and all(
            0 < s - b <= _HEADER_SHIFT for (b, _), s in zip(below[1:], starts[1:], strict=True)
        ):
            # Figures under headers set further right ("Boiler size   500   650" over
            # "Heat input   515 (1,757)   670 (2,286)"): the rows' own cells start the columns.
            starts = [starts[0], *(b for b, _ in below[1:])]
        header_cells = list(rows[0])
        repeated = False  # the header printed again (page break): skip it and its wrapped words
        j = self.i + 1
        blanks = 0
        while j < len(self.lines):
            line = self.lines[j][0]
            segs = segments(line)
            if not segs:
                blanks += 1
                if blanks >= 2:
                    break
                j += 1
                continue
            if is_rule(line.strip()):
                j += 1  # the dashes under a header
                continue
            first_col = column_of(segs[0][0], starts)
            if first_col == 0 and self._starts_structure(_NUMBER_GAP.sub(r"\1 ", line.strip())):
                break  # the next section's heading
            group = first_col == 0 and self._group_title(j, starts)
            alone = len(segs) < 2 and first_col == 0 and not group
            if alone and len(rows) == 1 and _HEADER_TAIL.fullmatch(segs[0][1]):
                # "DEVICE" over "NO.": the first header cell wrapped onto the line below.
                rows[0][0] = f"{rows[0][0]} {segs[0][1]}".strip()
                j += 1
                continue
            if alone and not self._wrapped_first_cell(j, starts):
                break  # a line of ordinary text ends the table
            cells = [""] * len(starts)
            for start, text in segs:
                col = column_of(start, starts)
                cells[col] = f"{cells[col]} {text}".strip()
            wrapped = (
                len(segs) < 2
                or (cells[0][:1].islower() and not all(cells))
                or (len(rows) > 1 and closes_above(rows[-1], cells))
            )
            if cells == header_cells:
                repeated = True
            elif repeated and wrapped:
                pass
            elif group:
                # A group of rows begins ("Drive train", "Yaw system"): a row of its own, so
                # neither the header nor the row above takes its words.
                rows.append(cells)
            elif first_col > 0 or wrapped:
                # Continuation of wrapped cells in the row above (or in the header, where a
                # line that is only a unit is the cell's unit: "LIMITS" over "MM").
                for k, cell in enumerate(cells):
                    if cell and len(rows) == 1:
                        rows[0][k] = header_continued(rows[0][k], cell)
                    elif cell:
                        rows[-1][k] = f"{rows[-1][k]} {cell}".strip()
            else:
                rows.append(cells)
                repeated = False
            blanks = 0
            j += 1
        if len(rows) < 2:
            return False
        self.i = j
        if labels:
            rows[0] = labelled_header(rows, starts, labels)
        self._add_table(tuple(tuple(r) for r in rows), page)
        return True

    def _group_title(self, j: int, starts: list[int]) -> bool:
        """Line ``j`` is a title over the table rows that follow it ("Drive train")."""
        segs = segments(self.lines[j][0])
        if len(segs) != 1 or not GROUP_TITLE.match(segs[0][1]):
            return False
        below = self._first_row(j + 1)
        return len(below) >= 2 and column_of(below[0][0], starts) == 0

    def _first_row(self, j: int) -> list[tuple[int, str]]:
        """Segments of the first line of text from line ``j`` on (rules and blanks skipped)."""
        while j < len(self.lines):
            line = self.lines[j][0]
            if line.strip() and not is_rule(line.strip()):
                return segments(line)
            j += 1
        return []

    def _add_table(self, rows: tuple[tuple[str, ...], ...], page: int | None) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last is not None and last.kind == "table" and last.rows[0] == rows[0]:
            # The same header again: the table goes on after a page break.
            self.blocks[-1] = Block("table", rows=last.rows + rows[1:], page=last.page)
            return
        self.blocks.append(Block("table", rows=rows, page=page))

    def _wrapped_first_cell(self, j: int, starts: list[int]) -> bool:
        """Line ``j`` (one run at the left) is the first cell of the row above, wrapped.

        It must fit in the first column, and either the table goes on after it or it is a word
        or two that end no sentence ("(aluminium housing)", "°C").
        """
        text = self.lines[j][0].strip()
        if len(starts) < 2 or len(text) > starts[1] + COLUMN_SLACK:
            return False
        if self._starts_structure(text) or CAPTION.match(text):
            return False
        k = j + 1
        while k < len(self.lines) and k <= j + 2 and not self.lines[k][0].strip():
            k += 1
        following = self.lines[k][0] if k < len(self.lines) else ""
        if len(segments(following)) >= 2 and column_of(segments(following)[0][0], starts) == 0:
            return True
        return len(text.split()) <= 3 and not text.endswith((".", ":"))

    def _continues(self, last: str) -> bool:
        """A sentence cut by blank lines (a page break, the other column's spacing): keep going.

        Only when the text goes on in lower case after words that end no sentence.
        """
        j = self.i
        while j < len(self.lines) and not self.lines[j][0].strip():
            j += 1
        if j >= len(self.lines) or last.endswith((".", ":", "!", "?", ";")):
            return False
        text = self.lines[j][0].strip()
        if not text[:1].islower() or self._starts_structure(text) or _row_like(self.lines[j][0]):
            return False
        self.i = j
        return True

    def _paragraph(self) -> None:
        page = self.lines[self.i][1]
        parts: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i][0]
            stripped = line.strip()
            if not stripped and parts and self._continues(parts[-1]):
                continue
            if not stripped or (parts and self._starts_structure(stripped)):
                break
            if is_rule(stripped):
                break
            if parts and (
                CAPTION.match(stripped)
                or _row_like(line)
                or _tabbed(line)
                or header_labels(line, self._peek())
            ):
                break  # a caption, or the first row of a table, starts something new
            parts.append(stripped)
            self.i += 1
        self.blocks.append(Block("paragraph", " ".join(" ".join(parts).split()), page=page))


def _tabbed(line: str) -> bool:
    """Whether ``line`` holds TAB-separated cells (a TAB between two runs of text).

    A leading TAB alone is an indented paragraph, or an empty first cell before other cells.
    """
    return bool(_TAB_BETWEEN.search(line))


def _contents(entries: Sequence[tuple[str, str]]) -> bool:
    """Whether name | page lines are a table of contents.

    They list sections ("6.3 Bearing lubrication | 13"), chapters among them ("Chapter 6 –
    Maintenance | 12").
    """
    numbered = [(k, v) for k, v in entries if not _WORDED_HEADING.match(k)]
    pages_only = all(v.isdigit() and len(v) <= 4 for _, v in entries)
    return pages_only and len(numbered) * 2 >= len(entries) and is_contents(numbered)


def _row_like(line: str) -> bool:
    """A line that reads as a table row: short runs of text with wide gaps between them."""
    runs = segments(line)
    return (
        len(runs) >= 2
        and all(len(t) <= 40 for _, t in runs)
        and bool(_WIDE_GAP.search(line.strip()))
    )
