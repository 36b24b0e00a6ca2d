"""Two-column PDF pages in reading order: the left column, then the right one.

pypdf's layout mode keeps each glyph's horizontal position, so a two-column page comes out with
both columns side by side on every line ("3.3 Ambient conditions      Item   Quantity ...").
Read as is, every sentence is cut in half by the other column. The gutter is found as a
character column that is blank on most lines while those lines have text on both sides of it,
near the middle of the page, with lines of running text (not table cells) on both sides: a table
with two wide columns has a blank column too, but not prose on both sides of it. A table's long last
cell ("Check master controller or select local") reads like prose; it does not count while the
other side of that line is a row of cells.

Lines that cross the gutter (running headers, full-width tables and headings) split the page into
bands; each band is read left column first, then right column.
"""

from __future__ import annotations

import re
from typing import Final

MIN_SIDE_LINES: Final = 4
"""Lines with text on both sides of the gutter needed to call a page two-column."""
PROSE_CHARS: Final = 25
"""Shortest line of running text in a column (a column narrower than this is a table's)."""
_GAP: Final = re.compile(r"\S {2,}\S")
_LIST_MARK: Final = re.compile(r"^(?:\d{1,2}[.)]|[•*\-–])\s+")
"""A step number or bullet, often followed by two spaces that are no column gap."""


def _prose(part: str, width: int) -> bool:
    """A line of running text: long for its column and no wide gaps (table cells have them)."""
    text = part.strip()
    long_enough = len(text) >= max(PROSE_CHARS, 0.55 * width)
    # ".......... 2.5–4.0 bar" is the end of a dot-leader line whose name sits left of it.
    return long_enough and not _cells(text) and " " in text and not text.startswith("...")


def _cells(part: str) -> bool:
    """Runs of text with wide gaps between them: table cells, not a line of a column."""
    return bool(_GAP.search(_LIST_MARK.sub("", part.strip())))


def crosses(line: str, c: int) -> bool:
    """Text runs across character column ``c`` (a word on it, or words either side of one space)."""
    at = line[c : c + 1].strip()
    return bool(at) or bool(line[c - 1 : c].strip() and line[c + 1 : c + 2].strip())


def find_gutter(lines: list[str]) -> int | None:
    """Character column of the gutter of a two-column page, or None for a one-column page."""
    content = [line for line in lines if line.strip()]
    if len(content) < MIN_SIDE_LINES + 2:
        return None
    width = max(len(line) for line in content)
    best: tuple[int, int] | None = None
    for c in range(int(width * 0.3), int(width * 0.7)):
        both = crossing = left_prose = right_prose = 0
        for line in content:
            if crosses(line, c):
                crossing += 1
                continue
            left, right = line[: c - 1], line[c + 2 :]
            left_prose += _prose(left, c) and not _cells(right)
            right_prose += _prose(right, width - c) and not _cells(left)
            both += bool(left.strip() and right.strip())
        if both < MIN_SIDE_LINES or min(left_prose, right_prose) < 2 or crossing > both:
            continue
        if best is None or both - crossing > best[0]:  # the leftmost of equals
            best = (both - crossing, c)
    return best[1] if best else None


def reading_order(lines: list[str]) -> list[str]:
    """The page's lines with each two-column band read column by column.

    A band is a run of lines between lines that cross the gutter. A band is split only when it
    has running text on both sides itself: a full-width table under a two-column text has a blank
    column where the gutter is, but no prose to the right of it.
    """
    gutter = find_gutter(lines)
    if gutter is None:
        return lines
    out: list[str] = []
    band: list[str] = []

    def flush() -> None:
        left = [line[:gutter].rstrip() for line in band]
        right = [line[gutter:].rstrip() for line in band]
        width = max((len(line) for line in band), default=0)
        split = any(_prose(x, gutter) for x in left) and any(
            _prose(x, width - gutter) for x in right
        )
        if not split:
            out.extend(band)
        else:
            indents = [len(r) - len(r.lstrip()) for r in right if r.strip()]
            cut = min(indents, default=0)
            out.extend(left)
            out.append("")  # the end of the left column ends its paragraph
            out.extend(r[cut:] for r in right)
        band.clear()

    for line in lines:
        if crosses(line, gutter):
            flush()
            out.append(line)
        else:
            band.append(line)
    flush()
    return out
