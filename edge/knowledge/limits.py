"""Operating limits: read from limits tables at ingest, and readings checked against them.

A limits table has a parameter column and a minimum and/or maximum column, plus a unit column or a
unit in the column headers; a component column is optional (else the section's component applies).
Everything here is pure: the store persists :class:`Limit` rows, the tools call :func:`assess`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from edge.events import SourceRef
from edge.knowledge.records import Limit
from edge.knowledge.units import convert, dimension, normalize_unit, unit_in_header

_PARAMETER: Final = ("parameter", "measurement", "quantity", "item", "variable")
_UNIT: Final = ("unit", "units")
_MIN: Final = ("min", "minimum", "min.", "lower limit", "low limit", "lowest")
_MAX: Final = ("max", "maximum", "max.", "upper limit", "high limit", "highest")
_COMPONENT: Final = ("component", "component id", "id", "equipment")
_NUMBER: Final = re.compile(r"^[-+\u2212]?\d+(?:[.,]\d+)?$")
_SYNONYMS: Final = {
    "temp": "temperature",
    "temps": "temperature",
    "pres": "pressure",
    "press": "pressure",
    "rpm": "speed",
    "revs": "speed",
    "vib": "vibration",
    "vibrations": "vibration",
    "thickness": "thickness",
    "lining": "pad",
    "pads": "pad",
}
_FILLER: Final = {"the", "of", "a", "an", "in", "on", "at", "is", "reading", "level", "value"}


def _find(header: Sequence[str], names: tuple[str, ...]) -> int | None:
    for i, cell in enumerate(header):
        name, _ = unit_in_header(cell)
        if name.strip().lower() in names:
            return i
    return None


def _number(cell: str) -> float | None:
    text = cell.strip().replace("\u2212", "-")
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def extract_limits(
    rows: Sequence[Sequence[str]],
    *,
    section_component: str | None,
    known_components: set[str],
    source: SourceRef,
) -> list[Limit]:
    """Limits in a table (header row first); an empty list when it is not a limits table."""
    if len(rows) < 2:
        return []
    header = list(rows[0])
    param = _find(header, _PARAMETER)
    low, high = _find(header, _MIN), _find(header, _MAX)
    if param is None or (low is None and high is None):
        return []
    unit_col = _find(header, _UNIT)
    comp_col = _find(header, _COMPONENT)
    limits = []
    for row in rows[1:]:
        component = row[comp_col].strip() if comp_col is not None else section_component
        if not component or (comp_col is not None and component not in known_components):
            continue
        unit_text = row[unit_col] if unit_col is not None else ""
        if not unit_text:
            # "Max (°C)" style headers carry the unit.
            unit_text = next(
                (u for u in (_header_unit(header, low), _header_unit(header, high)) if u), ""
            )
        unit = normalize_unit(unit_text) or unit_text.strip()
        lo_text = row[low].strip() if low is not None else ""
        hi_text = row[high].strip() if high is not None else ""
        lo, hi = _number(lo_text), _number(hi_text)
        if lo is None and hi is None:
            continue
        limits.append(
            Limit(
                component_id=component,
                parameter=row[param].strip(),
                unit=unit,
                minimum=lo,
                maximum=hi,
                minimum_text=lo_text if lo is not None else "",
                maximum_text=hi_text if hi is not None else "",
                source=source,
            )
        )
    return limits


def _header_unit(header: Sequence[str], col: int | None) -> str:
    if col is None:
        return ""
    return unit_in_header(header[col])[1] or ""


def _words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {_SYNONYMS.get(w, w).rstrip("s") for w in words if w not in _FILLER}


@dataclass(frozen=True, slots=True)
class Match:
    """How well a spoken parameter names a limit."""

    limit: Limit
    words: int
    """Words of the limit's parameter that were said."""
    share: float
    """Share of the limit's words that were said (0..1)."""


def match_parameter(spoken: str, unit: str | None, limits: Sequence[Limit]) -> list[Match]:
    """Limits ``spoken`` may name, best first; a known unit keeps only limits it converts to.

    More words in common wins; equal counts are a tie for the caller to ask about ("the gearbox
    temperature" fits the oil sump and the bearing alike), whatever the names' lengths.
    """
    said = _words(spoken)
    matches = []
    for limit in limits:
        if unit and dimension(unit) and dimension(limit.unit) != dimension(unit):
            continue
        words = _words(limit.parameter)
        common = len(said & words)
        matches.append(Match(limit, common, common / len(words) if words else 0.0))
    matches.sort(key=lambda m: (-m.words, -m.share))
    return matches


Verdict = Literal["below", "above", "within"]


@dataclass(frozen=True, slots=True)
class Assessment:
    """A reading compared with its limit."""

    limit: Limit
    value: float
    """The reading in the unit the technician used."""
    unit: str
    """That unit (canonical)."""
    value_in_limit_unit: float
    """The reading converted to the limit's unit."""
    verdict: Verdict


def assess(limit: Limit, value: float, unit: str) -> Assessment | None:
    """Compare ``value`` (in ``unit``) with ``limit``; None when the units do not convert."""
    converted = convert(value, unit, limit.unit)
    if converted is None:
        return None
    # Compare at the manual's precision so 85.0000001 from a unit conversion is not "above 85".
    converted = round(converted, 6)
    verdict: Verdict = "within"
    if limit.maximum is not None and converted > limit.maximum:
        verdict = "above"
    elif limit.minimum is not None and converted < limit.minimum:
        verdict = "below"
    return Assessment(limit, value, unit, converted, verdict)
