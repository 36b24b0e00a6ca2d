"""Alarm and shutdown points: where a machine protects itself beyond a limit's normal band.

Two layouts print them. Beside a normal band ("Parameter | Normal | Alarm | Trip"), the band is
the limit and the points say how far past it a reading went (:func:`points_beside`). Alone
("Measuring point | Quantity | Warning | Alarm"), the first point is the limit and the others
are points past it (:func:`point_limits`). A warning names the point passed ("84 °C is above the
80 °C alarm point").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from edge.events import SourceRef
from edge.knowledge.limit_headers import (
    LIMIT_HEADER,
    MAX,
    MIN,
    NORMAL_HEADER,
    PROTECTIVE_HEADER,
    header_unit,
)
from edge.knowledge.limit_text import Bounds, cell_value
from edge.knowledge.records import Limit, Threshold
from edge.knowledge.terms import codes_in_text
from edge.knowledge.units import unit_in_header

_FIGURE_START: Final = re.compile(r"^\s*(?:below|above|<|>|≤|≥)?\s*[-+\u2212]?\d", re.IGNORECASE)


_LEVEL: Final = re.compile(
    r"(?:low|high|lo|hi|low-low|high-high|first|second|1st|2nd|pre|early|final)?", re.IGNORECASE
)
"""Words before a point's name that say its level, not another quantity."""


def point_columns(rows: Sequence[Sequence[str]]) -> list[int]:
    """The columns of a table of warning and alarm points with no normal band beside them.

    "Measuring point | Quantity | Warning | Alarm" with figures in the last two: the first point
    is the limit a reading is judged against, the others how far past it the machine acts.
    """
    header = rows[0]
    lowered = [unit_in_header(h)[0].strip().lower() for h in header]
    points = [i for i, h in enumerate(header) if PROTECTIVE_HEADER.search(h)]
    if not points or any(
        NORMAL_HEADER.search(h) or LIMIT_HEADER.search(h) or h in MIN or h in MAX for h in lowered
    ):
        return []
    figures = [
        cell_value(r[i], "") is not None and bool(_FIGURE_START.match(r[i]))
        for r in rows[1:]
        for i in points
        if i < len(r) and r[i].strip()
    ]
    return points if figures and sum(figures) * 2 > len(figures) else []


def point_limits(
    rows: Sequence[Sequence[str]],
    points: Sequence[int],
    known: set[str],
    section_component: str | None,
    source: SourceRef,
    context: str,
) -> list[Limit]:
    """The rows of a warning/alarm table as limits at their first point.

    ``points``: the table's :func:`point_columns`, found by the caller that chose this reading.
    """
    header = rows[0]
    groups: dict[str, list[int]] = {}
    for i in points:
        groups.setdefault(_point_name(header[i])[0], []).append(i)
    limits: list[Limit] = []
    for row in rows[1:]:
        row = list(row) + [""] * (len(header) - len(row))
        others = [row[i].strip() for i in range(len(row)) if i not in points and row[i].strip()]
        first_words = others[0].split(",")[0].split() if others else []
        owner = next((w for w in first_words if w in known), section_component or "")
        codes = tuple(c for cell in others for c in codes_in_text(cell))
        if owner and others[0].startswith(owner):
            # "GEN1, DE and NDE bearings": the ID is the component, the rest says where.
            others[0] = others[0][len(owner) :].lstrip(" ,")
        for group, columns in groups.items():
            # "Oil temperature" over "Alarm | Trip", "Winding temperature" over two more: each
            # group is a quantity of its own, measured where the row says.
            parameter = ", ".join(o for o in (group, *others) if o)
            limit = _row_limit(row, header, columns, owner, parameter, codes, source, context)
            if limit is not None:
                limits.append(limit)
    return limits


def _point_name(header: str) -> tuple[str, str]:
    """(group, point) of a point column's header.

    "Oil temperature Alarm (°C)" gives ("Oil temperature", "alarm"); "Trip / absolute limit"
    gives ("", "trip / absolute limit").
    """
    name = unit_in_header(header)[0].strip()
    m = PROTECTIVE_HEADER.search(name)
    if m is None:
        return "", name.lower()
    group = name[: m.start()].strip(" ,")
    if _LEVEL.fullmatch(group):
        return "", name.lower()  # "High alarm | High trip": levels of one quantity's points
    return group, name[m.start() :].strip().lower()


def _row_limit(
    row: Sequence[str],
    header: Sequence[str],
    columns: Sequence[int],
    owner: str,
    parameter: str,
    codes: tuple[str, ...],
    source: SourceRef,
    context: str,
) -> Limit | None:
    """The limit at the first of a row's points in ``columns``, the others past it."""
    found = [
        (i, value)
        for i in columns
        if (value := cell_value(row[i], header_unit(header, i))) is not None
        and _FIGURE_START.match(row[i])
    ]
    if not found:
        return None
    unit = found[0][1][1]
    below = bool(re.search(r"\bbelow\b|<", row[found[0][0]], re.IGNORECASE))
    marks = tuple(
        Threshold(_point_name(header[i])[1], "below" if below else "above", value, printed)
        for i, (value, cell_unit, printed) in found
        if cell_unit == unit
    )
    first = marks[0]
    return Limit(
        owner,
        parameter,
        unit,
        first.value if below else None,
        None if below else first.value,
        first.text if below else "",
        "" if below else first.text,
        source,
        text=row[found[0][0]].strip(),
        context=context,
        thresholds=marks,
        codes=codes,
    )


def points_beside(
    row: Sequence[str], header: Sequence[str], columns: Sequence[int], band: Bounds
) -> tuple[Threshold, ...]:
    """The alarm and shutdown points of a row beside its normal ``band`` ("80", "below 0.8").

    A point's side is the one of the band it lies on; one inside the band is no point.
    """
    out: list[Threshold] = []
    for col in columns:
        if not PROTECTIVE_HEADER.search(header[col]):
            continue
        name = unit_in_header(header[col])[0].strip().lower()
        # "L 420 / H 700": a low and a high point in one cell.
        for part in _POINTS_APART.split(row[col]):
            found = cell_value(part, band.unit)
            if found is None or found[1] != band.unit:
                continue
            value, _, printed = found
            if band.maximum is not None and value >= band.maximum:
                out.append(Threshold(name, "above", value, printed))
            elif band.minimum is not None and value <= band.minimum:
                out.append(Threshold(name, "below", value, printed))
    return tuple(out)


_POINTS_APART: Final = re.compile(r"\s+/\s+|\s*;\s*")
"""Between the points of one cell ("L 420 / H 700"); "/" inside a unit (mm/s) has no spaces."""
