"""Operating limits read from manuals, however they are written, and readings checked against them.

A limit is (component, parameter, unit, min, max, source). Manuals write them in many ways:

* tables: a parameter column and either minimum/maximum columns, a nominal and a tolerance
  column, or a column of limit expressions ("7.5–9.0 bar", "up to 138 A", "max. 75 °C",
  "250 ± 10 N·m"; see :mod:`edge.knowledge.limit_text`); the component from an ID column (IDs
  the manual defines in its own components table), else the section's; a bare value counts
  when the parameter's name says which bound it is ("Minimum working pressure | 4.0 bar");
  columns per model ("VT 55", "VT 75") give one limit per model;
* prose: "The distance between the hubs must be between 3 and 4 millimetres", "must not exceed
  4.5 mm/s", "shall not fall below 1 MΩ", "Replace the wear rings when the clearance reaches
  0.90 mm" (the sentence is also the action to take);
* fault-code and troubleshooting tables: a condition's threshold ("B2 reads above 65 °C") is
  the limit on its other side, the row's remedy the action (:mod:`edge.knowledge.limit_conditions`);
* a minimum and a maximum of one quantity in two rows ("Minimum working pressure", "Maximum
  working pressure") are one limit.

Everything here is pure: the store persists :class:`Limit` rows, the tools call :func:`assess`.
Matching a spoken reading to a limit is :mod:`edge.knowledge.limit_match`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from edge.events import SourceRef
from edge.knowledge.components import id_list
from edge.knowledge.limit_conditions import condition_limits
from edge.knowledge.limit_headers import (
    COMPONENT,
    LIMIT_HEADER,
    MAX,
    MEASURED,
    MIN,
    NOMINAL,
    NORMAL_HEADER,
    NOT_LIMITS_TABLE,
    NOT_VALUES,
    PARAMETER,
    PROTECTIVE_HEADER,
    TOLERANCE,
    UNIT,
    find_column,
    header_unit,
)
from edge.knowledge.limit_points import point_columns, point_limits, points_beside
from edge.knowledge.limit_prose import NEW_ONLY, SENTENCE, prose_limits
from edge.knowledge.limit_text import (
    Bounds,
    bound_in_name,
    cell_value,
    nominal_with_tolerance,
    parse_bounds,
    printed_number,
)
from edge.knowledge.limit_text import unit_of as _unit_of
from edge.knowledge.records import Chunk, Limit, Threshold
from edge.knowledge.terms import codes_in_text
from edge.knowledge.units import convert, unit_in_header, unit_named_in

_NUMBER: Final = re.compile(r"^[-+\u2212]?\d+(?:[.,]\d+)?$")
_BOUND_WORDS: Final = re.compile(r"\b(?:min(?:imum)?|max(?:imum)?)\b\.?\s*", re.IGNORECASE)


def _number(cell: str) -> float | None:
    return printed_number(cell) if _NUMBER.match(cell.strip()) else None


def _ids(cell: str, known: set[str]) -> list[str]:
    """Component IDs in an ID cell ("P-101A / P-101B" is two), when all are known."""
    parts = id_list(cell)
    return parts if parts and all(p in known for p in parts) else []


@dataclass(frozen=True, slots=True)
class _Columns:
    param: int
    component: int | None
    unit: int | None
    low: int | None
    high: int | None
    nominal: int | None
    tolerance: int | None
    values: tuple[int, ...]


def _columns(rows: Sequence[Sequence[str]], known: set[str]) -> _Columns | None:
    header = list(rows[0])
    lowered = [unit_in_header(h)[0].strip().lower() for h in header]
    comp = next(
        (
            i
            for i, h in enumerate(lowered)
            if h in COMPONENT and any(_ids(r[i], known) for r in rows[1:] if i < len(r))
        ),
        None,
    )
    param = find_column(header, PARAMETER)
    if param is None or param == comp:
        texty = [
            i
            for i in range(len(header))
            if i != comp and sum(bool(re.search(r"[A-Za-z]{3}", r[i])) for r in rows[1:]) > 0
        ]
        param = texty[0] if texty else None
    if param is None:
        return None
    low, high = find_column(header, MIN), find_column(header, MAX)
    nominal, tolerance = find_column(header, NOMINAL), find_column(header, TOLERANCE)
    unit = find_column(header, UNIT)
    if nominal is None:
        tolerance = None  # a "Tolerance" column alone holds limits ("max. 0.05 mm")
    used = {param, comp, unit, low, high, nominal, tolerance}
    values = tuple(i for i, h in enumerate(lowered) if i not in used and not NOT_VALUES.search(h))
    return _Columns(param, comp, unit, low, high, nominal, tolerance, values)


def extract_limits(
    rows: Sequence[Sequence[str]],
    *,
    section_component: str | None,
    known_components: set[str],
    source: SourceRef,
    context: str = "",
) -> list[Limit]:
    """Limits in a table (header row first); an empty list when it holds none.

    ``context`` (the table's caption or section title) is kept for matching spoken readings.
    """
    if len(rows) < 2:
        return []
    points = point_columns(rows)
    if points:
        return point_limits(rows, points, known_components, section_component, source, context)
    if find_column(rows[0], MEASURED) is None and any(
        NOT_LIMITS_TABLE.match(h.strip()) for h in rows[0]
    ):
        # Its thresholds say when something is wrong: the other side is the limit. (A table of
        # parameters with an "Alarm" column is a limits table: see :data:`PROTECTIVE_HEADER`.)
        return condition_limits(
            rows,
            known_components=known_components,
            section_component=section_component,
            source=source,
            context=context,
        )
    cols = _columns(rows, known_components)
    if cols is None:
        return []
    header = rows[0]
    limits: list[Limit] = []
    for row in rows[1:]:
        row = list(row) + [""] * (len(header) - len(row))
        if cols.component is not None:
            owners = _ids(row[cols.component], known_components)
            if not owners:
                continue
        else:
            owners = [section_component or ""]
        parameter = row[cols.param].strip()
        if not parameter:
            continue
        printed = _row_codes(row, cols)
        for name, bounds in _row_bounds(row, header, cols):
            for owner in owners:
                limits.append(replace(bounds.limit(owner, name, source, context), codes=printed))
    return limits


def _row_codes(row: Sequence[str], cols: _Columns) -> tuple[str, ...]:
    """Codes in a limit row's other cells: its test point ("MP7"), its valve ("V31")."""
    ranged = cols.low is not None or cols.high is not None or cols.nominal is not None
    bounds = {cols.low, cols.high, cols.nominal, cols.tolerance} if ranged else set(cols.values)
    return tuple(
        code
        for i, cell in enumerate(row)
        if i not in bounds | {cols.param, cols.component}
        for code in codes_in_text(cell)
    )


def _row_bounds(
    row: Sequence[str], header: Sequence[str], cols: _Columns
) -> list[tuple[str, Bounds]]:
    parameter = row[cols.param].strip()
    unit_text = row[cols.unit].strip() if cols.unit is not None else ""
    default_unit = _unit_of(unit_text) if unit_text else ""
    if cols.low is not None or cols.high is not None:
        low = high = None
        printed: list[str] = []
        if cols.low is not None:
            low = cell_value(row[cols.low], default_unit or header_unit(header, cols.low))
            printed += [f"{row[cols.low].strip()} minimum"] if low else []
        if cols.high is not None:
            high = cell_value(row[cols.high], default_unit or header_unit(header, cols.high))
            printed += [f"{row[cols.high].strip()} maximum"] if high else []
        either = high or low
        if either is None:
            return []
        unit = either[1]
        bounds = Bounds(
            low[0] if low else None,
            high[0] if high else None,
            unit,
            low[2] if low else "",
            high[2] if high else "",
            ", ".join(printed),
        )
        return [(parameter, bounds)]
    if cols.nominal is not None and cols.tolerance is not None:
        toleranced = nominal_with_tolerance(row[cols.nominal], row[cols.tolerance])
        return [(parameter, toleranced)] if toleranced else []
    named = bound_in_name(parameter)
    found: list[tuple[int, Bounds]] = []
    for col in cols.values:
        cell = row[col].strip()
        if not cell or NEW_ONLY.search(cell):
            continue
        unit = default_unit or header_unit(header, col) or unit_named_in(parameter) or ""
        variants = [] if PROTECTIVE_HEADER.search(header[col]) else _variants(cell, unit)
        if variants:
            # "max. 16 A (TX-9/630); max. 26 A (TX-9/1000)": one limit per model.
            return [(f"{parameter} ({model})", bounds) for model, bounds in variants]
        hint = named if LIMIT_HEADER.search(header[col]) else None
        parsed = parse_bounds(cell, bound=hint, default_unit=unit)
        if parsed is not None:
            found.append((col, parsed))
    normal = [(col, b) for col, b in found if NORMAL_HEADER.search(header[col])]
    if normal:
        # "Normal | Alarm | Trip": where the machine itself raises an alarm or trips is its own
        # protection, written as the fault's side ("> 770 V"); the technician is warned as soon
        # as a reading leaves the normal band, and told which of those points it passed.
        found = [
            (col, replace(b, thresholds=points_beside(row, header, cols.values, b)))
            if (col, b) in normal
            else (col, b)
            for col, b in found
            if not PROTECTIVE_HEADER.search(header[col])
        ]
    limits = [(col, b) for col, b in found if not NORMAL_HEADER.search(header[col])]
    if limits and len(limits) < len(found):
        # "Normal range | Limit": the normal band is where a healthy machine runs, the limit is
        # what a reading is judged against (a take-up at 81 kN is below the 84 kN minimum, not
        # a question about which of the two was meant).
        found = limits
    if len(found) > 1:
        # One column per model or variant ("VT 55", "VT 75"): say which.
        return [(f"{parameter} ({header[col].strip()})", b) for col, b in found]
    return [(parameter, b) for _, b in found]


_VARIANT: Final = re.compile(r"^(?P<bound>.*\d.*?)\s*\((?P<model>[^()]*\d[^()]*)\)$")


def _variants(cell: str, unit: str) -> list[tuple[str, Bounds]]:
    """A cell's bounds per model ("max. 16 A (TX-9/630); max. 26 A (TX-9/1000)"), else none."""
    parts = [p.strip() for p in cell.split(";")]
    if len(parts) < 2:
        return []
    found = []
    for part in parts:
        m = _VARIANT.match(part)
        bounds = parse_bounds(m["bound"], default_unit=unit) if m else None
        if m is None or bounds is None or parse_bounds(m["model"]) is not None:
            return []  # no model in brackets: the same value in other units ("(167 °F)")
        found.append((m["model"].strip(), bounds))
    return found


# -- a document's limits ---------------------------------------------------------------------------


def merge_bounds(limits: Iterable[Limit]) -> list[Limit]:
    """One limit per quantity: "Minimum working pressure" and "Maximum working pressure" join."""
    out: list[Limit] = []
    for lim in limits:
        base = _BOUND_WORDS.sub("", lim.parameter).strip()
        partner = next(
            (
                i
                for i, o in enumerate(out)
                if o.component_id == lim.component_id
                and o.unit == lim.unit
                and base.lower() == _BOUND_WORDS.sub("", o.parameter).strip().lower()
                and base.lower() != lim.parameter.lower()
                and (o.minimum is None) != (lim.minimum is None)
                and (o.maximum is None) != (lim.maximum is None)
            ),
            None,
        )
        if partner is None:
            out.append(lim)
            continue
        other = out[partner]
        low, high = (lim, other) if lim.minimum is not None else (other, lim)
        out[partner] = replace(
            other,
            parameter=base[0].upper() + base[1:],
            minimum=low.minimum,
            minimum_text=low.minimum_text,
            maximum=high.maximum,
            maximum_text=high.maximum_text,
            text=f"{low.text} minimum, {high.text} maximum",
        )
    return out


_ACTION: Final = re.compile(
    r"\b(?:outside|exceed\w*|above|below|beyond)\b.*\b(?:stop|check|correct|replace|reduce|"
    r"contact|shut|report|switch off|do not)\b|^(?:if|when)\b.*\b(?:outside|exceed\w*)\b",
    re.IGNORECASE,
)


def section_actions(chunks: Sequence[Chunk]) -> dict[tuple[str, ...], str]:
    """Per section, the sentence saying what to do when a value is out of range, if any."""
    found: dict[tuple[str, ...], str] = {}
    for chunk in chunks:
        if chunk.kind != "text" or chunk.section in found:
            continue
        for sentence in SENTENCE.split(" ".join(chunk.text.split())):
            if _ACTION.search(sentence) and not re.search(r"\d", sentence):
                found[chunk.section] = sentence
                break
    return found


def document_limits(
    chunks: Sequence[Chunk],
    intros: Sequence[str],
    section_components: Mapping[tuple[str, ...], str],
    *,
    title: str,
    known: set[str],
) -> list[Limit]:
    """Every limit of a chunked manual: its tables, its sentences and its procedures."""
    actions = section_actions(chunks)
    limits: list[Limit] = []
    for chunk, intro in zip(chunks, intros, strict=True):
        source = SourceRef(title, chunk.section_path, chunk.page)
        owner = section_components.get(chunk.section)
        leaf = chunk.section[-1] if chunk.section else ""
        if chunk.kind == "table":
            found = extract_limits(
                chunk.rows,
                section_component=owner,
                known_components=known,
                source=source,
                context=f"{leaf} {intro}".strip(),
            )
            action = actions.get(chunk.section, "")
            limits += [replace(lim, action=lim.action or action) for lim in found]
        else:
            text = "\n".join(chunk.items) if chunk.kind == "steps" else chunk.text
            limits += prose_limits(text, component=owner, source=source, context=leaf)
        if intro:  # the paragraph before a table or procedure ("The deflection must be ...")
            limits += prose_limits(intro, component=owner, source=source, context=leaf)
    return merge_bounds(limits)


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
    passed: Threshold | None = None
    """The limit's alarm or shutdown point the reading is past (the last one it passed), if any."""


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
    passed = [
        t
        for t in limit.thresholds
        if t.side == verdict
        and (converted >= t.value if verdict == "above" else converted <= t.value)
    ]
    # Past the shutdown point is past the alarm point too: the one nearest the value is said.
    worst = min(passed, key=lambda t: abs(converted - t.value), default=None)
    return Assessment(limit, value, unit, converted, verdict, worst)
