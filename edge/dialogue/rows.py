"""One table row said value first ("900 newton metres, caliper to yaw ring, M24.").

The manuals' answer gives the table (header and rows) and which rows fit the question, best first.
Here the row is turned around for the ear: the cell the question asks for (the torque for "what
torque", the maximum for "max temperature", the pump pressure for "pump pressure for 4280 N·m")
comes first with its unit, then what the row is (its label, and short codes like the bolt size).
The other cells are for "more". Cells are quoted exactly; only units are spelled out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from edge.knowledge.answer import INTERVAL, names_kind_asked, value_cues
from edge.knowledge.components import in_sentence
from edge.knowledge.limit_headers import MAX, MIN, NOMINAL
from edge.knowledge.numbers import stated_values
from edge.knowledge.tables import numeric, row_sentences
from edge.knowledge.terms import normalize_code, stems
from edge.knowledge.units import (
    normalize_unit,
    speakable,
    spoken_unit,
    unit_in_header,
    units_said,
)

_SKIP: Final = frozenset({"component", "component id", "unit"})
# The limits tables' words for their columns, and the looser ones a column of a data table uses.
_MIN: Final = frozenset(MIN) | {"low"}
_MAX: Final = frozenset(MAX) | {"high"}
_NOMINAL: Final = frozenset(NOMINAL) | {"nom.", "set point", "target"}
_ASKS_MAX: Final = re.compile(
    r"\b(max|maximum|highest|upper|top (?:speed|limit|end)|most|hot|hottest|exceed|above|over|fast"
    r"|fastest)\b",
    re.I,
)
_ASKS_MIN: Final = re.compile(
    r"\b(min|minimum|lowest|lower|least|thinnest|cold|coldest|below|under|slowest)\b", re.I
)
_CODE: Final = re.compile(r"^[A-Z]{1,4}-?\d[\w.-]*$")
_MARK: Final = re.compile(r"^\s*([xX✓✔●•■◆*+I]|yes)\s*$")
"""A cell that only ticks its column ("2000 h" | "X"): the column's header is the value."""
_LEADING_NUMBER: Final = re.compile(r"^((?:±|\+/-|\+-)?\s*)(-?\d[\d,]*(?:\.\d+)?)(\s*[+±].*)?$")
"""A number led by a tolerance sign or followed by more (an angle): the unit goes after it."""
_TOLERANCE: Final = re.compile(r"\b(tolerance|±|plus or minus)\b", re.I)
_ASIDE: Final = re.compile(r"\b(tolerance|note|notes|remark|remarks|comment|see|ref)\b", re.I)
"""Columns that qualify a value, never the value asked for."""


@dataclass(frozen=True, slots=True)
class RowValue:
    """The cell said first, as data for follow-ups ("in foot-pounds?")."""

    text: str
    """The number as printed ("900")."""
    unit: str | None
    """Canonical unit (``"N·m"``), when the column has one."""
    label: str
    """What the row is ("Caliper to yaw ring")."""


@dataclass(frozen=True, slots=True)
class RowAnswer:
    """A row said for the ear."""

    sentence: str
    """Value first, one sentence, speakable."""
    column: int
    """Index of the column said first (the one a follow-up asks for in another row)."""
    value: RowValue | None
    """The number said first, when it is one."""
    details: tuple[str, ...]
    """The whole row in the manual's order (for "more")."""


def say_row(
    header: Sequence[str], row: Sequence[str], question: str, column: int | None = None
) -> RowAnswer:
    """``row`` of a table with ``header``, value first; ``column`` forces the value's column."""
    lowered = [_quantity(h) for h in header]  # "Max. (bar)" is a maximum
    skip = frozenset(i for i, h in enumerate(lowered) if h in _SKIP)
    details = tuple(
        speakable(s) for s in row_sentences(header, row, unit_text=spoken_unit, skip_columns=skip)
    )
    label_col = next((i for i, v in enumerate(row) if i not in skip and v and not numeric(v)), 0)
    asked = stems(question)
    keys = {i for i, v in enumerate(row) if v and _in_question(v, question)}
    bounds = [i for i, h in enumerate(lowered) if (h in _MIN or h in _MAX) and i < len(row)]
    if any(_FIGURE.match(row[i]) for i in bounds):
        return _limits(header, row, lowered, label_col, question, details)
    forced = column is not None  # a follow-up: the column was established by the question before
    if not forced and not value_cues(question) and _codes(question) & _codes(row[label_col]):
        # "Display says W-21, what's that": the code's row is the answer, all of it.
        return RowAnswer(" ".join(details), label_col, None, details)
    tied: list[int] = []
    if column is None:
        tied = _value_columns(header, row, skip, label_col, keys, question)
        column = tied[-1] if tied else None
    if column is None:  # a descriptive row (a fault code): the manual's own wording, in full
        return RowAnswer(" ".join(details), label_col, None, details)
    if len(tied) > 1 and all(re.search(r"\d", header[i]) and _FIGURE.match(row[i]) for i in tied):
        # One column per model or size ("AM-60S | AM-60H", "8 mm | 10 mm") and the question
        # names none: each one's.
        each = ", ".join(f"{_with_unit(header, row, i, lowered)} for the {header[i].strip()}"
                         for i in tied)  # fmt: skip
        label = row[label_col].strip()
        said = each if _said(label, question) else f"{each}, {in_sentence(label)}"
        return RowAnswer(_sentence(said), column, None, details)
    cell = row[column].strip()
    unit = _unit(header, row, column, lowered)
    value = _with_unit(header, row, column, lowered)
    marked = [i for i, c in enumerate(row) if i not in skip and i != label_col and _MARK.match(c)]
    if _MARK.match(cell) and not forced:
        # An interval matrix ("Valve clearances | 500 h | 1000 h: X"): the ticked columns' headers.
        value = " and ".join(header[i].strip() for i in marked if header[i].strip())
        column = marked[0]
    if not forced and INTERVAL.search(value) and INTERVAL in value_cues(question):
        # "Hours | Calendar": an interval is said in both, whichever comes first.
        cells = [
            value if i == column else _with_unit(header, row, i, lowered)
            for i in range(len(row))
            if i == column or (i != label_col and i not in skip and row[i].strip())
        ]
        value = " or ".join([c for c in cells if INTERVAL.search(c)][:2])
    tolerance = next(
        (i for i in range(len(row)) if i != column and _TOLERANCE.search(header[i]) and row[i]),
        None,
    )
    if tolerance is not None and _LEADING_NUMBER.match(cell):
        value = f"{value}, {_with_unit(header, row, tolerance, lowered)}"
    name, _ = unit_in_header(header[column])
    cues = value_cues(question)
    # The column's name is said only when the question asked for another kind of value ("what
    # torque for the blade root bolts?": "1500 bar tensioner pressure").
    named = forced or not cues or bool(stems(name) & asked)
    named = named or any(c.search(f"{header[column]} {cell}") for c in cues)
    if not named and re.search(r"\d", name):
        value = f"{value} for the {name.strip()}"  # a model's or a size's column ("for the 650")
    elif not named and name.strip():
        value = f"{value} {name.strip().lower()}" if numeric(cell) else f"{name.strip()}: {value}"
    # What the row is, unless the question already said it ("caliper halves", "M24").
    who: list[str] = []
    if label_col != column and row[label_col].strip() and not _said(row[label_col], question):
        who.append(in_sentence(row[label_col]))
    elif label_col == column:
        who += [_with_unit(header, row, i, lowered, prefix="for ") for i in sorted(keys)]
    who += [
        row[i].strip()
        for i in range(len(row))
        if i not in (column, label_col)
        and i not in skip
        and _CODE.match(row[i].strip())
        and not _in_question(row[i], question)
    ]
    sentence = _sentence(", ".join([value, *who]))
    number = RowValue(cell, unit, row[label_col].strip()) if numeric(cell) else None
    return RowAnswer(sentence, column, number, details)


def _limits(
    header: Sequence[str],
    row: Sequence[str],
    lowered: list[str],
    label_col: int,
    question: str,
    details: tuple[str, ...],
) -> RowAnswer:
    low = next((i for i, h in enumerate(lowered) if h in _MIN and i < len(row)), None)
    high = next((i for i, h in enumerate(lowered) if h in _MAX and i < len(row)), None)
    # A bound without a figure ("–") is none.
    lo = row[low].strip() if low is not None and _FIGURE.match(row[low]) else ""
    hi = row[high].strip() if high is not None and _FIGURE.match(row[high]) else ""
    column = high if high is not None and hi else low
    assert column is not None
    unit = _unit(header, row, column, lowered)
    said = f" {spoken_unit(unit)}" if unit else ""
    wants_max, wants_min = bool(_ASKS_MAX.search(question)), bool(_ASKS_MIN.search(question))
    nominal = next((i for i, h in enumerate(lowered) if h in _NOMINAL and i < len(row)), None)
    nom = row[nominal].strip() if nominal is not None else ""
    if nom and _FIGURE.match(nom) and not (wants_max or wants_min):
        # "What's the main relief set to": the nominal value, then the band around it.
        band = f"{lo} to {hi}" if lo and hi else f"{hi} maximum" if hi else f"{lo} minimum"
        value, column = f"{nom}{said} nominal, {band}", nominal
    elif hi and (wants_max and not wants_min or not lo):
        value, column = f"{hi}{said} maximum", high
    elif lo and (wants_min and not wants_max or not hi):
        value, column = f"{lo}{said} minimum", low
    else:
        value = f"{lo} to {hi}{said}"
    assert column is not None
    label = row[label_col].strip()
    sentence = _sentence(value if _said(label, question) else f"{value}, {in_sentence(label)}")
    number = RowValue(row[column].strip(), unit, label) if numeric(row[column]) else None
    return RowAnswer(sentence, column, number, details)


def _value_columns(
    header: Sequence[str],
    row: Sequence[str],
    skip: frozenset[int],
    label_col: int,
    keys: set[int],
    question: str,
) -> list[int]:
    """The columns that best hold what ``question`` asks, in order (empty when none does).

    Several when they tie: one per model, or one quantity in two units (then only the first).
    """
    candidates = [i for i in range(len(row)) if i not in skip and i != label_col and row[i].strip()]
    free = [i for i in candidates if i not in keys]
    if not free:
        # Every other cell was said in the question ("pump pressure for 4280 N·m"): the label
        # column, if it was not said itself, is what is asked.
        free = [label_col] if label_col not in keys and numeric(row[label_col]) else []
    if not free:
        return []
    asked = stems(question)
    cues = value_cues(question)
    units = units_said(question)
    codes = _codes(question)
    figures = stated_values(question)

    def score(i: int) -> float:
        name, unit = unit_in_header(header[i])
        text = f"{header[i]} {row[i]}"
        named = stems(name)
        # Each of its words the question says; the column all of whose words it says first
        # ("per cell" over "per string (192 cells)").
        s = 2.0 * len(named & asked) + (len(named & asked) / len(named) if named else 0.0)
        # "In foot pounds": the unit says what is asked, in its header or in its cells.
        s += 3.0 if units & (units_said(header[i]) | units_said(row[i])) else 0.0
        s += 3.0 if codes & _codes(header[i]) else 0.0  # the model asked for ("on the AM-60S")
        s -= 3.0 if codes & _codes(row[i]) else 0.0  # "the M36 bolts" names the row, asks not M36
        s += 1.5 * len(figures & stated_values(header[i]))  # "the 1000 kilo version": TX-9/1000
        s += 1.5 * sum(1 for cue in cues if cue.search(text))
        s += 2.0 if names_kind_asked(cues, name) else 0.0
        s += 0.5 if numeric(row[i]) and unit else 0.0
        s += 1.0 if _MARK.match(row[i]) and cues and any(c.search(header[i]) for c in cues) else 0
        s -= 3.0 if _ASIDE.search(header[i]) else 0.0  # "Tolerance (N·m)" qualifies the torque
        return s

    scores = {i: score(i) for i in free}
    groups: dict[str, list[int]] = {}
    for i in free:
        groups.setdefault(_quantity(header[i]), []).append(i)
    for group in (g for g in groups.values() if len(g) > 1):
        # One quantity in two units ("Wear limit [mm] | Wear limit [in]"): the first is the
        # manual's own, the other its conversion, unless the question asks for the other's
        # unit. It scores as the better of the two.
        asked_in = [i for i in group if units & (units_said(header[i]) | units_said(row[i]))]
        keep = (asked_in or group)[0]
        best = max(scores[i] for i in group)
        for i in group:
            scores.pop(i)
        scores[keep] = best
    top = max(scores.values())
    if top <= 0:
        return []
    return [i for i in free if scores.get(i) == top]


def _codes(text: str) -> set[str]:
    """The model codes and tags ``text`` says, normalised ("AM-60S" -> "AM60S")."""
    return {normalize_code(t) for t in re.findall(r"[A-Za-z]+-?\d+[A-Za-z]?", text)}


def _quantity(header: str) -> str:
    """What a column holds, without its unit ("Torque, N·m" -> "torque")."""
    return unit_in_header(header)[0].strip().lower()


def _unit(header: Sequence[str], row: Sequence[str], column: int, lowered: list[str]) -> str | None:
    _, unit = unit_in_header(header[column])
    if unit is None and "unit" in lowered:
        cell = row[lowered.index("unit")] if lowered.index("unit") < len(row) else ""
        unit = normalize_unit(cell) or (cell.strip() or None)
    return unit


_FIGURE: Final = re.compile(r"\s*[-+\u2212]?\d")
"""A cell that starts with a figure ("8 L (8.5 US qt)"), not a tick mark."""
_TIME_HEADER: Final = re.compile(
    r"^(?:operating |running )?(?:hours|months|weeks|days|years)$", re.IGNORECASE
)
"""A column headed by the time unit its figures count ("Hours")."""


def _with_unit(
    header: Sequence[str], row: Sequence[str], i: int, lowered: list[str], prefix: str = ""
) -> str:
    """Cell ``i`` with its column's unit after the number ("95 + 60°" -> "95 N·m + 60°")."""
    unit = _unit(header, row, i, lowered)
    cell = row[i].strip()
    if not unit and numeric(cell) and _TIME_HEADER.match(header[i].strip()):
        return f"{prefix}{cell} {header[i].strip().lower()}"  # "Hours | 4000": "4000 hours"
    if not unit:
        return f"{prefix}{cell}"
    if numeric(cell):
        return f"{prefix}{cell} {spoken_unit(unit)}"
    m = _LEADING_NUMBER.match(cell)
    if m and (tolerance := _TOLERANCE_AFTER.match(m.group(3) or "")):
        # "480 ± 30 (650 ± 40)": "480 plus or minus 30 pound-feet", as it is said.
        said = f"{m.group(1)}{m.group(2)}{tolerance.group(1)} {spoken_unit(unit)}"
        return f"{prefix}{said}{tolerance.group(2)}"
    if m:  # a tolerance ("± 10") or a torque and angle ("95 + 60°")
        return f"{prefix}{m.group(1)}{m.group(2)} {spoken_unit(unit)}{m.group(3) or ''}"
    if bound := _BOUND_FIRST.fullmatch(cell):  # "max. 0.25" under "Wear limit [mm]"
        return f"{prefix}{bound.group(1)} {bound.group(2)} {spoken_unit(unit)}"
    return f"{prefix}{cell}"


_TOLERANCE_AFTER: Final = re.compile(r"(\s*(?:±|\+/-)\s*\d[\d,]*(?:\.\d+)?)(?![\d°])(.*)$")
"""A tolerance after a value ("± 30"): the unit follows it, not the value."""
_BOUND_FIRST: Final = re.compile(
    r"((?:max|min)(?:imum|\.)?|up to|at (?:most|least)|[≤≥<>])\s*([-+\u2212]?\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
"""A cell that is a bound and a bare figure, its unit in the column's header."""


def _said(label: str, question: str) -> bool:
    """Whether every content word of ``label`` is in ``question`` (saying it again adds nothing)."""
    words = stems(label)
    return bool(words) and words <= stems(question)


def _in_question(cell: str, question: str) -> bool:
    cell = cell.strip()
    if not cell or len(cell) > 40:
        return False
    pattern = r"(?<![\w.])" + re.escape(cell).replace(r"\-", "[- ]?") + r"(?![\w.])"
    return re.search(pattern, question, re.IGNORECASE) is not None


def _sentence(text: str) -> str:
    text = speakable(" ".join(text.split()).rstrip(" ,;:."))
    return (text[:1].upper() + text[1:] + ".") if text else ""
