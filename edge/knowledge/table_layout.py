"""How a table set in layout text (PDF pages, plain-text manuals) is put together.

Layout text keeps each cell where it was printed, so a table's structure is read off positions
and the shape of its lines: a label set over some of the header's columns ("Pressure (bar)" over
"Min.  Nominal  Max."), a cell wrapped onto the next line inside a bracket ("(1,025 ± 52" /
"lbf·ft)"), a title over a group of rows ("Drive train"). :mod:`edge.knowledge.read_text` reads
the table; these are the judgements it asks of a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from edge.knowledge.units import unit_in_header

_NO_VALUE: Final = frozenset(["", "-", "–", "—"])
_NUMBER_FIRST: Final = re.compile(r"^[<>≤≥±+\-\u2212]?\s*\d")
GROUP_TITLE: Final = re.compile(r"^[A-Z][a-z]+,?(?: [a-z]+,?){0,4}$")
"""A title over a group of table rows: a capital, then words without figures or marks."""
COLUMN_SLACK: Final = 2
"""Characters a cell may start left of its header (right-aligned numbers, layout rounding)."""
_SEGMENT: Final = re.compile(r"\S+(?: \S+)*")
CAPTION: Final = re.compile(
    r"^(Table|Figure|Fig\.|Tab\.)\s+[A-Z]?\d+(?:[.\-]\d+)*\b",
    re.IGNORECASE,  # "TABLE 6."
)
"""A table's or figure's caption ("Table 5 – Operating limits")."""
TABLE_CAPTION: Final = re.compile(r"^(?:Table|Tab\.)\s+[A-Z]?\d+(?:[.\-]\d+)*\b", re.IGNORECASE)
"""A table's caption only: "Table 18: Bushing and terminal torques", "TABLE 5.", "Tab. 5-2"."""


def segments(line: str) -> list[tuple[int, str]]:
    """Runs of text separated by two or more spaces, with their start columns."""
    return [(m.start(), m.group()) for m in _SEGMENT.finditer(line.expandtabs(8))]


def column_of(start: int, starts: list[int]) -> int:
    """Index of the column a cell starting at ``start`` belongs to."""
    col = 0
    for k, s in enumerate(starts):
        if s <= start + COLUMN_SLACK:
            col = k
    return col


def header_labels(line: str, below: str) -> list[tuple[int, str]]:
    """The runs of ``line`` when it labels some columns of the table header below it.

    A two-row header in layout text: "Pressure (bar)" set over "Min.  Nominal  Max.", "Limit"
    over "Alarm  Shutdown". The label starts right of the header's first column and is a few
    short words; the header below is short runs that do not start with a figure (a row of
    values, or headers that are sizes, "6 m  12 m", which keep the label in the caption).
    """
    labels, header = segments(line), segments(below)
    if (
        not 1 <= len(labels) <= 3
        or len(header) < 2
        or labels[0][0] <= header[0][0] + COLUMN_SLACK
        or CAPTION.match(below.strip())
        or any(len(t) > 30 or t.endswith(".") for _, t in labels)
        or any(len(t) > 40 or _NUMBER_FIRST.match(t) for _, t in header)
    ):
        return []
    return labels


def labelled_header(
    rows: list[list[str]], starts: list[int], labels: Sequence[tuple[int, str]]
) -> list[str]:
    """The header with each label's unit added to the columns of bare numbers under it.

    A label is centred over its columns or starts at the first of them, and the columns next to
    them hold something else (a name, a test point): the label's columns are the run of numeric
    columns around the one under it, each going to the nearest label when there are several.
    """
    header = list(rows[0])
    numbers = [
        not unit_in_header(h)[1] and _numeric_column(rows, col) for col, h in enumerate(header)
    ]
    centres = [(a + b) / 2 for a, b in zip(starts, [*starts[1:], starts[-1] + 12], strict=True)]
    middles = [start + len(label) / 2 for start, label in labels]
    for k, (start, label) in enumerate(labels):
        col = column_of(int(middles[k]), starts)
        if not numbers[col]:
            col = column_of(start, starts)
        if not numbers[col]:
            continue
        run = [col]
        for step in (-1, 1):
            nxt = col + step
            while 0 <= nxt < len(header) and numbers[nxt]:
                run.append(nxt)
                nxt += step
        unit = unit_in_header(label)[1]
        for c in run:
            if min(range(len(labels)), key=lambda m: abs(middles[m] - centres[c])) == k:
                header[c] = f"{header[c]} ({unit})"
    return header


def _numeric_column(rows: list[list[str]], col: int) -> bool:
    """Most of the column's filled cells start with a number."""
    cells = [r[col] for r in rows[1:] if col < len(r) and r[col].strip() not in _NO_VALUE]
    return bool(cells) and sum(_NUMBER_FIRST.match(c) is not None for c in cells) * 2 > len(cells)


def closes_above(above: Sequence[str], cells: Sequence[str]) -> bool:
    """A sparse line that goes on with a bracket the row above left open.

    "1,025 ± 52" over "lbf·ft)": a cell wrapped inside a bracket, and the line holds no row of
    its own (at most half its cells filled).
    """
    if sum(bool(c) for c in cells) * 2 > len(cells):
        return False
    return any(
        cell and above[k].count("(") > above[k].count(")")
        for k, cell in enumerate(cells)
        if k < len(above)
    )
