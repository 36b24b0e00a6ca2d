"""Table rows as sentences: ``"Caliper to yaw ring: size M24, torque 900 N·m."``.

The same wording is embedded at ingest (one vector per row, so a question about one row of a big
table finds it) and spoken in answers (after :func:`~edge.knowledge.units.speakable`), so what the
encoder matched is what the technician hears. Cells are quoted exactly; only headers are reworded
("Max" -> "maximum") and units moved next to their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from edge.knowledge.units import bracketed_unit, normalize_unit, unit_in_header

_NAMES: Final = {"min": "minimum", "max": "maximum", "min.": "minimum", "max.": "maximum"}
_NUMERIC: Final = re.compile(r"[-+\u2212]?\d+(?:[.,]\d+)?")


def numeric(value: str) -> bool:
    """True for a cell holding just a number."""
    return bool(_NUMERIC.fullmatch(value.strip()))


def row_sentences(
    header: Sequence[str],
    row: Sequence[str],
    *,
    unit_text: Callable[[str], str] = lambda unit: unit,
    skip_columns: frozenset[int] = frozenset(),
) -> list[str]:
    """One table row as sentences; ``unit_text`` renders a canonical unit (e.g. spoken)."""
    lowered = [h.strip().lower() for h in header]
    unit_col = lowered.index("unit") if "unit" in lowered else None
    skip = set(skip_columns) | ({unit_col} if unit_col is not None else set())
    label_col = next((i for i, v in enumerate(row) if i not in skip and v and not numeric(v)), 0)
    parts: list[str] = []
    extra: list[str] = []
    for i, (h, v) in enumerate(zip(header, row, strict=False)):
        if i in skip or i == label_col or not v:
            continue
        name, unit = unit_in_header(h)
        if unit is None and unit_col is not None and numeric(v):
            unit = normalize_unit(row[unit_col]) or row[unit_col] or None
        if unit is None and numeric(v) and (bracketed := bracketed_unit(h)):
            name, unit = bracketed  # "Interval [h] | 250": "interval 250 h"
        plain = name.strip() if re.search(r"\d", name) else name.strip().lower()  # "AM-60S"
        spoken_name = _NAMES.get(name.strip().lower(), plain)
        value = f"{v} {unit_text(unit)}" if unit and numeric(v) else v
        if spoken_name in ("description", "meaning"):
            parts.insert(0, value)
        elif len(v.split()) > 6:
            extra.append(f"{name.strip()}: {v.rstrip('.')}.")
        else:
            parts.append(f"{spoken_name} {value}")
    label = row[label_col]
    if numeric(label):
        # "Pump pressure (bar)" = "300" reads as "pump pressure 300 bar".
        name, unit = unit_in_header(header[label_col])
        label = f"{name.strip()} {label}" + (f" {unit_text(unit)}" if unit else "")
    first = f"{label}: {', '.join(parts)}." if parts else f"{label}."
    return [first, *extra]
