"""A table's header rows: two printed rows read as one.

Word, HTML and Markdown tables often group columns under a label that spans them: "Oil
temperature (°C)" over "Alarm | Trip", "In service" over "Normal | Action". The reader gives
the label once (a spanned cell is blank) or repeats it (HTML ``colspan``), and the cells that span
both rows ("Device") come twice. Everything downstream - the row sentences that are embedded and
spoken, the limits read from the table - expects one header row naming each column, so the two
are joined: "Oil temperature Alarm (°C)", or "Min. (bar)" under a label that only gives the unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from edge.knowledge.limit_headers import MAX, MIN, NOMINAL, TOLERANCE, UNIT
from edge.knowledge.units import header_unit, normalize_unit

_FIGURE_FIRST: Final = re.compile(r"^[<>≤≥±+\-\u2212]?\s*\d")
_LABEL_WORDS: Final = 5
"""A header cell is a few words; a longer cell is a row of data."""


def joined_header(rows: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """``rows`` with a two-row header joined into one (unchanged when it has one header row).

    The second row is a header when it sits under labels that span columns: some column has a
    label in the second row but none of its own in the first (blank, or the label of the column
    to its left repeated), the first column is blank or the same in both rows (a cell spanning
    both), and no cell of it is a figure or more than a few words.
    """
    table = tuple(tuple(r) for r in rows)
    if len(table) < 3 or len(table[1]) != len(table[0]):
        return table
    top, second = table[0], table[1]
    spanned = [
        i
        for i in range(1, len(top))
        if second[i].strip() and (not top[i].strip() or top[i] == top[i - 1])
    ]
    if not spanned and _wrapped(table):
        # "NORMAL AT FULL" over "LOAD (DEG C)": each header cell wrapped onto a second line.
        joined = tuple(header_continued(a, b) for a, b in zip(top, second, strict=True))
        return (joined, *table[2:])
    first_spans = second[0].strip() in ("", top[0].strip())
    # The first cell printed again ("No." over "No."): a cell spanning both rows, so the second
    # is a header even when its labels are figures ("Interval" over "1 M | 6 M | 1 Y").
    repeated = bool(top[0].strip()) and second[0].strip() == top[0].strip()
    labels = [c.strip() for c in second if c.strip()]
    if (
        not spanned
        or not first_spans
        or len(labels) < 2
        or any(len(c.split()) > _LABEL_WORDS for c in labels)
        or (not repeated and any(_FIGURE_FIRST.match(c) for c in labels))
    ):
        return table
    groups = _group_labels(top)
    return (tuple(_join(g, label) for g, label in zip(groups, second, strict=True)), *table[2:])


def _wrapped(table: Sequence[Sequence[str]]) -> bool:
    """Whether the second row continues the header's cells (a typed table's two-line header).

    Words under two or more header cells (some wrap onto no second line: "SERVICE" over nothing
    beside "NORMAL" over "L/MIN (GPM)") and no digit, above data rows that are mostly figures.
    """
    top, second, data = table[0], table[1], table[2]
    continued = sum(bool(c.strip()) for c in second)
    if not all(c.strip() for c in top) or continued < 2:
        return False
    if any(re.search(r"\d", c) or len(c.split()) > _LABEL_WORDS for c in second):
        return False
    figures = sum(bool(_FIGURE_FIRST.match(c.strip())) for c in data[1:])
    return figures * 2 >= len(data) - 1 > 0


def header_continued(top: str, second: str) -> str:
    """A header cell and its second line: a line that is only a unit is the cell's unit.

    "LIMITS" over "MM" is "LIMITS (MM)", as a header gives its unit; "NORMAL AT FULL" over
    "LOAD (DEG C)" is one phrase.
    """
    second = second.strip()
    if second and normalize_unit(second) is not None:
        return f"{top.strip()} ({second})"
    return " ".join(f"{top} {second}".split())


def _group_labels(top: Sequence[str]) -> list[str]:
    """Each column's label in the first row: its own, or that of the span it is under."""
    out: list[str] = []
    for cell in top:
        out.append(cell.strip() or (out[-1] if out else ""))
    return out


def _join(group: str, label: str) -> str:
    """One column's header from the group label over it and its own label.

    The group's unit goes to the column, and its name in front ("Oil temperature Alarm (°C)"),
    except before a bound: "Pressure (bar)" over "Min. | Nominal | Max." gives "Min. (bar)", as
    a limits table names its bound columns.
    """
    label = label.strip()
    if not label or label == group:
        return group or label
    if not group:
        return label
    name, unit, printed = header_unit(group)
    own_name, own_unit, own_printed = header_unit(label)
    bound = own_name.strip().lower() in (*MIN, *MAX, *NOMINAL, *TOLERANCE, *UNIT)
    text = own_name.strip() if bound or not name.strip() else f"{name.strip()} {own_name.strip()}"
    unit_text = printed if unit and not own_unit else own_printed
    return f"{text} ({unit_text})" if unit_text else text
