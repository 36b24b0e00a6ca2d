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
from edge.knowledge.components import DESIGNATION, id_list
from edge.knowledge.limit_conditions import condition_limits, listed_condition_limits
from edge.knowledge.limit_headers import (
    AS_NEW_HEADER,
    COMPONENT,
    LIMIT_HEADER,
    MAX,
    MEASURED,
    MIN,
    NEW,
    NOMINAL,
    NORMAL_HEADER,
    NOT_LIMITS_TABLE,
    NOT_VALUES,
    PARAMETER,
    PROTECTIVE_HEADER,
    SETTING,
    TOLERANCE,
    UNIT,
    find_column,
    header_unit,
)
from edge.knowledge.limit_match import words
from edge.knowledge.limit_points import point_columns, point_limits, points_beside
from edge.knowledge.limit_prose import NEW_ONLY, SENTENCE, prose_limits
from edge.knowledge.limit_text import (
    Bound,
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
from edge.knowledge.units import convert, dimension, unit_in_header, unit_named_in
from edge.knowledge.units import header_unit as header_parts

_NUMBER: Final = re.compile(r"^[-+\u2212]?\d+(?:[.,]\d+)?$")
_TABLE_NUMBER: Final = r"\b(?:table|tab\.)\s+[A-Z]?\d+(?:[.\-]\d+)*\s*[.:—–-]?\s*"
"""A caption's label: "Table 7-1:", "Tab. 5-2", "TABLE 5."."""
_CAPTION_TITLE: Final = re.compile(_TABLE_NUMBER + r"(\w+)", re.IGNORECASE)
"""A caption's first word (it may say which bound the table gives: "Minimum ...")."""
_CAPTION: Final = re.compile(_TABLE_NUMBER + r"([^\n]+)", re.IGNORECASE)
"""A caption's title: what the table gives ("Stopping distance, empty step band")."""
_VALUES_ARE: Final = re.compile(r"\bvalues? (?:\w+ ){0,4}(?:are|is) (?:the )?(\w+) values?\b", re.I)
_LAST_BRACKET: Final = re.compile(r"\s*\([^()]*\)\s*$")
_NOMINAL_WORD: Final = re.compile(r",?\s*\bnominal\b\.?", re.IGNORECASE)
_QUALIFIED: Final = re.compile(
    r"\b(?:min(?:imum)?|max(?:imum)?|nominal)\b\.?\s*(?:\([^()]*\))?", re.IGNORECASE
)
_BOUND_WORDS: Final = re.compile(r"\b(?:min(?:imum)?|max(?:imum)?)\b\.?\s*", re.IGNORECASE)


def _number(cell: str) -> float | None:
    return printed_number(cell) if _NUMBER.match(cell.strip()) else None


def _ids(cell: str, known: set[str] | None) -> list[str]:
    """Component IDs in an ID cell ("P-101A / P-101B" is two), when all are known.

    ``known`` None: any IDs, for a tag column whose tags no table of the manual names ("M1–M4"
    where the tag list says "Mn: fan motor of cell n").
    """
    parts = id_list(cell)
    if known is None:
        return parts if parts and all(DESIGNATION.fullmatch(p) for p in parts) else []
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
    tagged: bool = False
    """The component column holds tags no table of the manual names."""
    keyed: bool = False
    """The parameter column holds figures of a condition, not names ("Rated speed [m/s] | Min.
    [m] | Max. [m]": one stopping distance per speed); the quantity is the caption's."""


_NO_TAG: Final = re.compile(r"\s*[-–—]\s*")
"""A dash in a tag column: the row's limit is the machine's own, no tagged part's
("– | Crankshaft end float | 0.10–0.25 | 0.40")."""


def _code_column(rows: Sequence[Sequence[str]], known: set[str]) -> int | None:
    """A "Code" column whose cells are the manual's measuring points or parts ("PT-101").

    Such a table ("Code | Normal [bar] | Alarm [bar]") gives limits by point; a "Code" column
    of fault codes ("E-117") makes a troubleshooting table.
    """
    for i, h in enumerate(rows[0]):
        if h.strip().lower() == "code":
            cells = [r[i] for r in rows[1:] if i < len(r) and r[i].strip()]
            firsts = [ids[0] for ids in map(id_list, cells) if ids]
            keyed = sum(first in known for first in firsts)
            if cells and keyed * 2 > len(cells):
                return i
    return None


def _columns(
    rows: Sequence[Sequence[str]], known: set[str], code_column: int | None
) -> _Columns | None:
    """Which column holds what; ``code_column`` is :func:`_code_column`'s answer."""
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
    tagged = False
    comp = comp if comp is not None else code_column
    if comp is None:
        # A tag column whose tags no table of the manual names: the tags still say whose limit
        # each row is, and the column holds no limits.
        comp = next(
            (
                i
                for i, h in enumerate(lowered)
                if h in COMPONENT
                and sum(bool(_ids(r[i], None)) for r in rows[1:] if i < len(r)) * 2 >= len(rows) - 1
            ),
            None,
        )
        tagged = comp is not None
    param = find_column(header, PARAMETER)
    if param is None or param == comp:
        texty = [
            i
            for i in range(len(header))
            if i not in (comp, find_column(header, UNIT))
            and not (PROTECTIVE_HEADER.search(header[i]) or NORMAL_HEADER.search(header[i]))
            and sum(bool(re.search(r"[A-Za-z]{3}", r[i])) for r in rows[1:]) > 0
        ]
        # "Code | Normal [bar] | Alarm [bar]": no column names the quantity; the code does (the
        # manual's list of measuring points says what PT-101 measures).
        param = texty[0] if texty else comp
    low, high = find_column(header, MIN), find_column(header, MAX)
    keyed = False
    if param is None and (low is not None or high is not None) and 0 not in (comp, low, high):
        # Every cell a figure: the first column says under which condition each row holds.
        param = 0
        keyed = all(_number(r[0]) is not None for r in rows[1:] if r and r[0].strip())
        if not keyed:
            return None
    if param is None:
        return None
    nominal, tolerance = find_column(header, NOMINAL), find_column(header, TOLERANCE)
    if nominal is None and tolerance is not None:
        nominal = find_column(header, SETTING)
    unit = find_column(header, UNIT)
    if nominal is None:
        tolerance = None  # a "Tolerance" column alone holds limits ("max. 0.05 mm")
    used = {param, comp, unit, low, high, nominal, tolerance}
    # "Reset when clearance exceeds": an action's column, but its figures are limits.
    values = tuple(
        i
        for i, h in enumerate(lowered)
        if i not in used and (not NOT_VALUES.search(h) or _CROSSED.search(h))
    )
    return _Columns(param, comp, unit, low, high, nominal, tolerance, values, tagged, keyed)


_CROSSED: Final = re.compile(
    r"\b(?:exceeds?|rises? above|is above|reaches)\b"
    r"|\b(?P<low>falls? below|drops? below|is below)\b",
    re.IGNORECASE,
)
"""A header that says what to do past its figures ("Reset when clearance exceeds")."""


def _side_crossed(header: str) -> Bound | None:
    """The bound a column headed by what happens past it holds.

    "Reset when clearance exceeds" holds maxima, "Recharge when SG falls below" minima.
    """
    m = _CROSSED.search(header)
    if m is None:
        return None
    return "min" if m.group("low") else "max"


def is_condition_table(rows: Sequence[Sequence[str]], known_components: set[str]) -> bool:
    """Whether a table says when something is wrong (fault codes, troubleshooting), not limits.

    "Code | Message | Cause" lists conditions; "Device no. | Normal at full load | Alarm | Trip"
    is a limits table keyed by device (a normal band beside the alarm points), and so is one
    keyed by the manual's tags.
    """
    return _lists_conditions(rows[0], _code_column(rows, known_components))


def _lists_conditions(header: Sequence[str], code_column: int | None) -> bool:
    """:func:`is_condition_table`, given the table's :func:`_code_column`."""
    return (
        find_column(header, MEASURED) is None
        and any(NOT_LIMITS_TABLE.match(h.strip()) for h in header)
        and code_column is None
        and not any(NORMAL_HEADER.search(h) for h in header)
    )


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
    if _headless(rows):
        rows = [HEADLESS_HEADER, *rows]
    points = point_columns(rows)
    if points:
        return point_limits(rows, points, known_components, section_component, source, context)
    code_column = _code_column(rows, known_components)
    if _lists_conditions(rows[0], code_column):
        # Its thresholds say when something is wrong: the other side is the limit. (A table of
        # parameters with an "Alarm" column is a limits table: see :data:`PROTECTIVE_HEADER`.)
        return condition_limits(
            rows,
            known_components=known_components,
            section_component=section_component,
            source=source,
            context=context,
        )
    cols = _columns(rows, known_components, code_column)
    if cols is None:
        return []
    header = rows[0]
    qualifiers = _qualifiers(rows, cols)
    stated = _bound_of_table(context)
    limits: list[Limit] = []
    for n, row in enumerate(rows[1:]):
        row = list(row) + [""] * (len(header) - len(row))
        if cols.component is not None:
            # A tag the manual's tag list gives only as a pattern ("Mn: fan motor of cell n")
            # still says whose limit the row is.
            cell = row[cols.component]
            owners, variant = _ids(cell, known_components), ""
            parts = id_list(cell)
            if not owners and parts and parts[0] in known_components:
                # "SE-802, ME640-6L": the point, and the model its limit is for.
                owners = [p for p in parts if p in known_components]
                variant = ", ".join(p for p in parts if p not in known_components)
            owners = owners or _ids(cell, None)
            if not owners and not cols.tagged and not _NO_TAG.fullmatch(cell):
                continue
            owners = owners or [section_component or ""]
        else:
            owners, variant = [section_component or ""], ""
        parameter = row[cols.param].strip()
        if not parameter:
            continue
        if cols.keyed:
            quantity = _caption_quantity(context)
            if not quantity:
                continue
            name, _, printed_unit = header_parts(header[cols.param])
            row[cols.param] = parameter = (
                f"{quantity} at {name.strip().lower()} {parameter} {printed_unit}".strip()
            )
        # Its measuring point printed in the name ("HT water temperature at engine outlet
        # (TE-202)") names it as a code in another cell does.
        printed = tuple(dict.fromkeys((*codes_in_text(parameter), *_row_codes(row, cols))))
        for name, bounds in _row_bounds(row, header, cols, stated):
            if n in qualifiers:  # "Breakdown voltage (kV), Main tank (In service)"
                name = name.replace(parameter, f"{parameter}, {qualifiers[n]}", 1)
            for owner in owners:
                # Keyed by code alone ("TE-701 … TE-709 | 75–92"): each point is its own name.
                named = owner if cols.param == cols.component and owner else name
                named = f"{named} ({variant})" if variant else named
                # "TT-101A/B/C": pump B's limit does not carry pump A's tag.
                own = tuple(c for c in printed if c == owner or c not in owners)
                limits.append(replace(bounds.limit(owner, named, source, context), codes=own))
    return limits


HEADLESS_HEADER: Final = ("Parameter", "Limit")
"""The header a two-column table of limits printed without one is read with."""


def _headless(rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table of "name | limit" rows starts with a row of data, not a header.

    "Water content | max. 500 ppm" over "Iron (Fe) | max. 60 ppm": no header says what the
    columns are; the first row is a limit like the others.
    """
    if any(len(row) != 2 for row in rows) or re.search(r"\d", rows[0][0]):
        return False
    return all(parse_bounds(row[1]) is not None for row in rows[:2])


def _qualifiers(rows: Sequence[Sequence[str]], cols: _Columns) -> dict[int, str]:
    """What tells apart rows that give limits for the same parameter, by row (0 = first row).

    "Breakdown voltage | IEC 60156 | Main tank | min. 40" and "... | Diverter compartment |
    min. 30": the label is printed once for both (a merged cell) and a text column says where
    each applies. Its cells join the parameter's name; cells the rows share do not.
    """
    body = [list(r) for r in rows[1:]]
    bounds = {cols.param, cols.component, cols.unit, cols.low, cols.high, cols.nominal}
    texts = [
        i
        for i in range(len(rows[0]))
        if i not in bounds | {cols.tolerance}
        and not any(re.search(r"\d", r[i]) for r in body if i < len(r))
    ]
    by_name: dict[str, list[int]] = {}
    for n, row in enumerate(body):
        if cols.param < len(row) and row[cols.param].strip():
            by_name.setdefault(row[cols.param].strip(), []).append(n)
    out: dict[int, str] = {}
    for same in by_name.values():
        if len(same) < 2:
            continue
        telling = [
            i for i in texts if len({body[n][i].strip() for n in same if i < len(body[n])}) > 1
        ]
        for n in same:
            cells = [body[n][i].strip() for i in telling if i < len(body[n]) and body[n][i].strip()]
            if cells:
                out[n] = ", ".join(cells)
    return out


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


def _caption_quantity(context: str) -> str:
    """What a table's caption says it gives: "Table 7-1: Stopping distance, empty step band"."""
    m = _CAPTION.search(context)
    return m.group(1).strip(" .:") if m else ""


def _bound_of_table(context: str) -> Bound | None:
    """The bound every value of a table is, when its caption or intro says so.

    "Table 4 — Minimum insulation resistance", "The values in Table 4 are minimum values": a bare
    "2 MΩ" under "In service" is then a minimum.
    """
    for m in _CAPTION_TITLE.finditer(context):
        if bound := bound_in_name(m.group(1)):
            return bound
    said = _VALUES_ARE.search(context)
    return bound_in_name(said.group(1)) if said else None


def _row_bounds(
    row: Sequence[str], header: Sequence[str], cols: _Columns, stated: Bound | None = None
) -> list[tuple[str, Bounds]]:
    """The bounds a limits table's row gives, with the name of each (per column, per model).

    ``stated``: the bound the table's caption says all its values are.
    """
    parameter = row[cols.param].strip()
    unit_text = row[cols.unit].strip() if cols.unit is not None else ""
    # The row's own unit: its Unit cell, or a unit closing its label ("Water content (ppm)").
    default_unit = (_unit_of(unit_text) if unit_text else "") or unit_in_header(parameter)[1] or ""
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
        unit = (
            default_unit or header_unit(header, cols.nominal) or header_unit(header, cols.tolerance)
        )
        toleranced = nominal_with_tolerance(row[cols.nominal], row[cols.tolerance], unit)
        if toleranced is None and not re.search(r"±|\+/-", row[cols.tolerance]):
            # "— | max. 4 s", "15 s | 10–30 s": a limit of its own, not a deviation.
            toleranced = parse_bounds(row[cols.tolerance], default_unit=unit)
        return [(parameter, toleranced)] if toleranced else []
    named = bound_in_name(parameter)
    new = find_column(header, NEW)
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
        # A bound the name states holds under a limits header, or under one column per model
        # or part ("Air gap, max. | Y1 hoist | Y2 trolley"), not in a data sheet's one value
        # column ("Max. output | 22 kW" is a rating).
        by_variant = len(cols.values) > 1
        hint = (named or stated) if LIMIT_HEADER.search(header[col]) or by_variant else stated
        # "Min. R60 at 20 °C | 1,000 MΩ": the column's header says which bound its values are.
        hint = bound_in_name(unit_in_header(header[col])[0]) or _side_crossed(header[col]) or hint
        worn_from = None
        if hint is None and new is not None and col != new:
            new_unit = default_unit or header_unit(header, new) or unit
            hint = _side_of_new(cell, unit, row[new], new_unit)
            if hint and parse_bounds(cell, default_unit=unit) is None:
                # A bare figure ("0.40") is bounded on its other side by the new size.
                worn_from = parse_bounds(row[new], default_unit=new_unit)
        parsed = parse_bounds(cell, bound=hint, default_unit=unit)
        if parsed is not None and worn_from is not None:
            parsed = _from_new(parsed, worn_from)
        if parsed is not None:
            found.append((col, parsed))
    in_service = [(col, b) for col, b in found if not AS_NEW_HEADER.search(header[col])]
    if in_service:
        # "New or rewound | In service", "After filling | In service": a reading is taken on a
        # machine in service; the stricter figures for new parts are its acceptance test.
        found = in_service
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
    # "Wear limit [mm] | Wear limit [in]": one limit printed twice, in two units; the first is
    # the manual's own.
    found = [
        (col, b)
        for i, (col, b) in enumerate(found)
        if not any(_repeats(b, a) for _, a in found[:i])
    ]
    if len(found) > 1 or any(_MODEL_HEADER.match(header[col].strip()) for col, _ in found):
        # One column per model or variant ("VT 55", "VT 75"), or a variant's own table ("Item |
        # RP-22/10", the next one "Item | RP-22/13"): say which.
        return [(f"{parameter} ({header[col].strip()})", b) for col, b in found]
    return [(parameter, b) for _, b in found]


_MODEL_HEADER: Final = re.compile(r"^[A-Z]{1,6}[- ]?\d[\dA-Z]*(?:[-/][\dA-Z]+)*$")
"""A value column headed by a model's code ("RP-22/10", "VT 55", "GP30-L"), not by a unit."""


_REPEAT_SLACK: Final = 0.02
"""How far a bound printed again in another unit may be off, rounded ("0.25 mm | 0.010 in")."""


def _repeats(bounds: Bounds, first: Bounds) -> bool:
    """Whether ``bounds`` are ``first`` printed again in another unit."""
    if bounds.unit == first.unit or not bounds.unit or not first.unit:
        return False
    pairs = [(a, b) for a, b in ((bounds.minimum, first.minimum), (bounds.maximum, first.maximum))
             if a is not None]  # fmt: skip
    if not pairs:
        return False
    for value, other in pairs:
        if other is None:
            return False
        converted = convert(value, bounds.unit, first.unit)
        if converted is None or abs(converted - other) > _REPEAT_SLACK * max(abs(other), 1e-9):
            return False
    return True


def _from_new(worn: Bounds, new: Bounds) -> Bounds:
    """A bare wear limit with the size when new, in the same unit, as its other side.

    "New 0.22–0.30 | Wear limit 0.40" for a clearance: it grows as the part wears, and one
    under the new size means a rub or a wrong measurement, not a healthy part.
    """
    if new.unit != worn.unit:
        return worn  # "New [mm] | Wear limit [in]": the inch column repeats the other one
    low, high = new.minimum, new.maximum
    grows = worn.minimum is None and worn.maximum is not None
    if grows and low is not None and worn.maximum is not None and low < worn.maximum:
        return replace(worn, minimum=low, minimum_text=new.minimum_text)
    shrinks = worn.maximum is None and worn.minimum is not None
    if shrinks and high is not None and worn.minimum is not None and high > worn.minimum:
        return replace(worn, maximum=high, maximum_text=new.maximum_text)
    return worn


def _side_of_new(cell: str, unit: str, new_cell: str, new_unit: str) -> Bound | None:
    """The bound a bare wear or discard limit is, from the size when new printed beside it.

    "New 90.0 mm | Discard limit 94.5 mm" (a hook opens up as it wears): a maximum;
    "New 95.0 mm | Discard limit 90.2 mm": a minimum. Each is read in its own column's unit
    ("New [mm] | Wear limit [in]").
    """
    limit = cell_value(cell, unit)
    band = parse_bounds(new_cell, default_unit=new_unit)  # "0.020–0.040 in. (0.5–1.0 mm)"
    single = cell_value(new_cell, new_unit)
    if band is not None and band.minimum is not None and band.maximum is not None:
        sizes, new_in = (band.minimum, band.maximum), band.unit
    elif single is not None:
        sizes, new_in = (single[0], single[0]), single[1]
    else:
        return None
    if limit is None:
        return None
    low, high = (convert(x, new_in, limit[1]) if new_in != limit[1] else x for x in sizes)
    if low is None or high is None:
        return None
    return "max" if limit[0] > high else "min" if limit[0] < low else None


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
    return _points_joined(_nominal_widened(out))


_POINT_ROW: Final = re.compile(
    r",?\s+(?P<name>alarm|trip|warning|shut[- ]?down|cut[- ]?(?:out|back))"
    r"(?:\s+(?:point|level|setting|set[- ]?point))?\.?$",
    re.IGNORECASE,
)
"""A row of a quantity's protective points ("Discharge pressure PT-102, alarm")."""
_NORMAL_ROW: Final = re.compile(
    r",?\s+(?:normal|nominal|typical|operating)(?:\s+(?:range|band|value))?\.?$", re.IGNORECASE
)
"""A row of the band the same quantity keeps ("Discharge pressure PT-102, normal")."""


def _points_joined(limits: list[Limit]) -> list[Limit]:
    """A quantity's rows of alarm and trip points, as thresholds of its normal row.

    "X, normal | 29.5–33.5 bar" over "X, alarm | H 37.5 / L 26.0 bar" and "X, trip | H 40.0 bar"
    is one table of columns "Normal | Alarm | Trip" written as rows: a reading is out of range
    as soon as it leaves the normal band, and is told which point it passed.
    """
    normal: dict[tuple[str, str, str, str], int] = {}
    for i, lim in enumerate(limits):
        name, variant = _name_and_variant(lim.parameter)
        if not _POINT_ROW.search(name):
            normal[_row_key(lim, _NORMAL_ROW.sub("", name), variant)] = i
    out = list(limits)
    dropped: set[int] = set()
    for i, lim in enumerate(limits):
        name, variant = _name_and_variant(lim.parameter)
        point = _POINT_ROW.search(name)
        if point is None:
            continue
        band_at = normal.get(_row_key(lim, name[: point.start()], variant))
        if band_at is None:
            continue
        band = out[band_at]
        what = point.group("name").lower()
        marks = []
        if lim.maximum is not None and band.maximum is not None and lim.maximum >= band.maximum:
            marks.append(Threshold(what, "above", lim.maximum, lim.maximum_text))
        if lim.minimum is not None and band.minimum is not None and lim.minimum <= band.minimum:
            marks.append(Threshold(what, "below", lim.minimum, lim.minimum_text))
        if marks:
            out[band_at] = replace(band, thresholds=(*band.thresholds, *marks))
            dropped.add(i)
    return [lim for i, lim in enumerate(out) if i not in dropped]


def _name_and_variant(parameter: str) -> tuple[str, str]:
    """A parameter's name and its last bracket, the model or part it is for ("(FP55-6)")."""
    last = _LAST_BRACKET.search(parameter)
    return (parameter[: last.start()], last.group().strip()) if last else (parameter, "")


def _row_key(lim: Limit, name: str, variant: str) -> tuple[str, str, str, str]:
    document = lim.source.document if lim.source is not None else ""
    return (document, lim.component_id, lim.unit, f"{' '.join(name.split()).lower()} {variant}")


def _nominal_widened(limits: list[Limit]) -> list[Limit]:
    """A nominal band and the limit of the same quantity beside it, as one limit.

    "Air gap, nominal | 0.40 ± 0.05 mm" over "Air gap, max. (re-adjust) | 0.80 mm": the band is
    where the part is set, the maximum is where a reading is out of range. The maximum replaces
    the band's upper end (a minimum its lower end); the band's other end stays.
    """
    out = list(limits)
    for lim in limits:
        if lim not in out or lim.minimum is None or lim.maximum is None:
            continue
        if not _NOMINAL_WORD.search(lim.parameter):
            continue
        quantity = _quantity(lim.parameter)
        for other in limits:
            if (
                other is lim
                or other not in out
                or other.component_id != lim.component_id
                or other.unit != lim.unit
                or (other.minimum is None) == (other.maximum is None)
                or _quantity(other.parameter) != quantity
            ):
                continue
            name = _NOMINAL_WORD.sub("", lim.parameter)
            widened = replace(
                lim,
                parameter=" ".join(name.replace(" ,", ",").split()).strip(" ,"),
                minimum=lim.minimum if other.minimum is None else other.minimum,
                minimum_text=lim.minimum_text if other.minimum is None else other.minimum_text,
                maximum=lim.maximum if other.maximum is None else other.maximum,
                maximum_text=lim.maximum_text if other.maximum is None else other.maximum_text,
                text=f"{lim.text}; {other.text}",
            )
            out[out.index(lim)] = widened
            out.remove(other)
            break
    return out


def _quantity(parameter: str) -> str:
    """A parameter's name without bound or nominal words and the remark after them.

    The last bracket stays: it names the model or part of a column ("... (Y1 hoist)").
    """
    last = _LAST_BRACKET.search(parameter)
    name, variant = (parameter[: last.start()], last.group()) if last else (parameter, "")
    bare = _QUALIFIED.sub(" ", name) + variant
    return " ".join(re.sub(r"[\s,]+", " ", bare).split()).lower()


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
    faults: list[Limit] = []
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
            found = [replace(lim, action=lim.action or action) for lim in found]
            if len(chunk.rows) >= 2 and is_condition_table(chunk.rows, known):
                faults += found  # "W-11 | FROST | ambient temperature below +3 °C"
            else:
                limits += found
        else:
            text = "\n".join(chunk.items) if chunk.kind == "steps" else chunk.text
            limits += prose_limits(text, component=owner, source=source, context=leaf)
            faults += listed_condition_limits(
                text, known_components=known, section_component=owner, source=source, context=leaf
            )
        if intro:  # the paragraph before a table or procedure ("The deflection must be ...")
            limits += prose_limits(intro, component=owner, source=source, context=leaf)
    return merge_bounds([*limits, *_not_given_otherwise(faults, limits)])


def _not_given_otherwise(faults: Sequence[Limit], limits: Sequence[Limit]) -> list[Limit]:
    """The thresholds of a fault list or table for what none of the manual's limits measures.

    "E21: motor winding temperature above 130 °C" is where the machine trips; where the manual's
    limits give "M1 winding temperature max. 110 °C", that is what a reading is judged by, and
    the trip point would only compete with it (a room at 43 °C was judged "above the 3 °C
    minimum" of a frost warning, not above the 40 °C of the operating limits).
    """

    def measures(limit: Limit) -> tuple[str | None, set[str]]:
        return dimension(limit.unit) or limit.unit, words(limit.parameter)

    given = [measures(limit) for limit in limits]
    kept: list[Limit] = []
    for fault in faults:
        kind, named = measures(fault)
        if not any(kind == other and len(named & said) >= 2 for other, said in given):
            kept.append(fault)
    return kept


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
