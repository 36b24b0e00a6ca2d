"""A limit as a manual writes it, read into bounds: "7.5–9.0 bar", "up to 138 A", "250 ± 10 N·m".

Forms understood (case does not matter, the unit may be written once or after each number):

* ranges: ``7.5–9.0 bar``, ``+1 to +45 °C``, ``between 6 and 8 millimetres``, ``within 414 to
  506 V``, ``100 to 160 F``;
* upper bounds: ``max. 75 °C``, ``75 °C max.``, ``maximum 10``, ``up to 55 A``, ``not above``,
  ``not more than``, ``(must) not exceed``, ``not to exceed``, ``at most``, ``≤``, ``when it
  reaches 0.90 mm``;
* lower bounds: ``min. 0.8 bar``, ``4 max.``/``4 min.``, ``not below 41.8 V``, ``not less than``,
  ``at least``, ``≥``, ``(shall not) fall below``;
* tolerances: ``130 ± 5 bar``, ``0.30 mm (± 0.05 mm)``, ``113–139 N·m``, and a nominal value
  with a tolerance in per cent (``50 Hz`` with ``± 0.25 %``);
* the machine's own protective points, named: ``Warning 130 °C, trip 145 °C`` (the first point
  reached is the limit, the later ones its thresholds), ``alarm L 1.8 / H 3.3 bar``, and after a
  band, ``1.2–3.5 bar, alarm below 0.8 bar`` (the band is the limit, the point its threshold).

A dual unit in brackets ("max. 2 bar (29 psi)") is the same limit again: the first unit is kept.
A bare value ("4.0 bar") is a bound only when the caller knows which one (``bound="min"``, from a
parameter called "Minimum working pressure").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final, Literal

from edge.events import SourceRef
from edge.knowledge.records import Limit, Threshold
from edge.knowledge.units import normalize_unit

Bound = Literal["min", "max"]

# A number that stands alone: not the digits of a code ("KCS-026-1180", "DG-400", "80W-90").
_NUM: Final = r"(?<![\w.\-/])[-+\u2212]?\d+(?:[.,]\d+)?(?![\w/]*-\d)"
_UNIT: Final = r"(?:[^\s\d()±,;]+(?:\s?[^\s\d()±,;]+){0,3})?"
_DASH: Final = r"\s*(?:[\u2013\u2014]|-(?=\s*\d)|\bto\b)\s*"
_RANGE: Final = re.compile(
    rf"(?:\b(between)\s+|within\s+|from\s+)?({_NUM})\s*({_UNIT}?)(?:{_DASH}|\s+(and)\s+)"
    rf"({_NUM})\s*({_UNIT})",
    re.IGNORECASE,
)
_TOLERANCE: Final = re.compile(
    rf"({_NUM})\s*({_UNIT}?)\s*\(?\s*(?:±|\+/-|\+-)\s*({_NUM})\s*({_UNIT})\)?", re.IGNORECASE
)
_ASYMMETRIC: Final = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*([^\s\d()±,;+/]*)\s*\+\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*/\s*"
    r"[-\u2212]\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*([^\s\d()±,;]*)"
)
"""A nominal with a tolerance each way ("11.5 bar +3 %/-0 %": a safety valve's set pressure may
be up to 3 % over, never under)."""
_VALUE: Final = re.compile(rf"({_NUM})\s*({_UNIT})", re.IGNORECASE)
_BAND: Final = re.compile(rf"(?:±|\+/-|\+-)\s*({_NUM})\s*({_UNIT})", re.IGNORECASE)
"""A deviation band with no nominal before it ("max. ± 6 %", "± 50 °C from the mean"): as far
either way from a reference (a set value, the mean of the others) as the figure."""
_MAX_BEFORE: Final = re.compile(
    r"\b(?:max(?:imum)?\.?|up to|(?:not|never) (?:be )?(?:above|more than|higher than|"
    r"greater than|(?:thicker|longer|larger|wider) than)|"
    r"(?:not|never) (?:rise|go|get|climb|increase) (?:above|over|beyond)|"
    r"not (?:\w+ ){1,2}by more than|"
    r"(?:must|shall|should|may) not exceed|(?:not|never) (?:to )?exceed|no more than|at most|"
    r"(?:(?:must|should|shall) (?:stay|be|remain) )?at or below|"
    r"(?:must|should|shall) (?:stay|be|remain) below|(?<!not )(?<!be )less than|"
    r"reaches|reach)"
    r"\s*:?\s*$|[≤<]\s*$|^\s*(?:below|under)\s+$"  # a cell that is "below 45"
    r"|(?:^|/)\s*(?-i:HH?)\s+$",  # an instrument's high alarm: "H 85 A", "L 26 / H 37.5"
    re.IGNORECASE,
)
_MIN_BEFORE: Final = re.compile(
    r"\b(?:min(?:imum)?\.?|(?:not|never) (?:be )?(?:below|less than|lower than|under|"
    r"(?:thinner|shorter|smaller|narrower) than)|at least|"
    r"(?:fall|falls|drop|drops) below|no less than|(?:(?:must|should|shall) "
    r"(?:stay|be|remain) )?at or above|(?:must|should|shall) (?:stay|be|remain) above|"
    r"(?<!not )(?<!be )more than)\s*:?\s*$|[≥>]\s*$|^\s*(?:above|over)\s+$"  # "above 40"
    r"|(?:^|/)\s*(?-i:LL?)\s+$",  # and its low one: "L 0.5 bar"
    re.IGNORECASE,
)
_NEGATED_COMPARISON: Final = re.compile(
    r"\bnot\b(?!\s+(?:be\s+)?(?:below|above|less|more|exceed|lower|higher|under))[^.;]*"
    r"\b(?:more|less) than\s*$",
    re.IGNORECASE,
)
_CODE_LIKE: Final = re.compile(r"^[-+]?0\d")
_REFERENCE_BEFORE: Final = re.compile(
    r"\b(?:in|see|section|chapter|table|clause|step|item|fig\.?|figure)\s+$", re.IGNORECASE
)
"""Words before a number that make it a place in the manual ("the limits in 4.6")."""
_POINT: Final = re.compile(
    r"(?:\b(?P<name>alarms?|trips?|warning|warn|alert|shut[- ]?(?:down|off)|stop|"
    # "trip 145", "alarm: 80", or with words between, "at" before the value: "trips the unit at"
    r"cut[- ]?(?:out|back))(?:\s*:?\s*(?:at\s+)?|(?:\s+[\w-]+){1,4}?\s+at\s+)"
    r"|(?<=/)\s*(?=(?-i:HH?|LL?)\s))"
    r"(?:(?P<side>(?-i:HH?|LL?)|high|low|above|below|over|under|[<>≤≥])\s*)?"
    rf"(?P<value>{_NUM})\s*(?P<unit>(?!/)(?:(?!(?:and|or|then)\b)[^\s\d()±,;]+\s?){{0,3}})",
    re.IGNORECASE,
)
"""A protective point named by what the machine does there: "trip 145 °C", "alarm below 0.8
bar", "shut down H 1035 rpm"; after a slash, the next side of the same one ("alarm L 1.8 /
H 3.3 bar")."""
_POINT_NAMES: Final = {"alarms": "alarm", "trips": "trip", "warn": "warning"}
_HIGH_SIDE: Final = re.compile(r"^(?:HH?|high|above|over|>|≥)$", re.IGNORECASE)
_MAX_AFTER: Final = re.compile(
    r"^\s*(?:[^\s\d]+\s+){0,3}?(?:max(?:imum)?\b|or (?:less|lower|below)\b)", re.IGNORECASE
)
_MIN_AFTER: Final = re.compile(
    r"^\s*(?:[^\s\d]+\s+){0,3}?(?:minimum\b|min\.(?!\w)|or (?:more|higher|above)\b)",
    re.IGNORECASE,
)
_QUALIFIER: Final = re.compile(r"^(?:max|min|maximum|minimum|up|to|at|or)\b", re.IGNORECASE)
_SUFFIX_WORDS: Final = re.compile(
    r"\s+(?:max(?:imum)?|min(?:imum)?|or|at|per|pk-pk|when|for|in|on|of|at)\b.*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Bounds:
    """What a limit allows, in ``unit``."""

    minimum: float | None
    maximum: float | None
    unit: str
    """Canonical unit when known (``"°C"``), else the unit as written, else ``""``."""
    minimum_text: str = ""
    """The lower bound as printed (``"0.8"``; for a tolerance, the computed bound)."""
    maximum_text: str = ""
    text: str = ""
    """The whole limit as printed (``"max. 2 bar (29 psi)"``), for speech and citations."""
    thresholds: tuple[Threshold, ...] = ()
    """Alarm and shutdown points beyond the bounds (see :class:`Limit`)."""

    def limit(
        self,
        component_id: str,
        parameter: str,
        source: SourceRef,
        context: str,
        action: str = "",
    ) -> Limit:
        """These bounds as the limit of ``component_id``'s ``parameter``, found in ``source``."""
        return Limit(
            component_id=component_id,
            parameter=parameter,
            unit=self.unit,
            minimum=self.minimum,
            maximum=self.maximum,
            minimum_text=self.minimum_text,
            maximum_text=self.maximum_text,
            source=source,
            text=self.text,
            context=context,
            action=action,
            thresholds=self.thresholds,
        )


def is_band(minimum: float | None, maximum: float | None) -> bool:
    """Whether bounds are a deviation band about a reference ("± 10", "± 5 % from the mean")."""
    return minimum is not None and maximum is not None and maximum > 0 and minimum == -maximum


_THOUSANDS: Final = re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+")


def printed_number(text: str) -> float:
    """A number as manuals print it: a minus sign (U+2212), a decimal comma or thousands commas.

    A comma before exactly three digits after a non-zero lead is a thousands separator
    ("1,150 rpm", "12,500 h"): written with a decimal comma such a number would need a leading
    zero ("0,125 mm") or fewer decimals ("2,5 bar").
    """
    text = text.strip().replace("\u2212", "-")
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def unit_of(text: str) -> str:
    """The canonical unit at the start of ``text`` (``"bar(g) (145 psig)"`` -> ``"bar"``).

    An unknown unit comes back as written, lower case ("drops per minute"); none gives ``""``.
    """
    words = text.strip().split()
    for size in (4, 3, 2, 1):
        if len(words) >= size:
            found = normalize_unit(" ".join(words[:size]).rstrip(".,;:"))
            if found:
                return found
    # "bar(g)", "°C," or "A)" glued to punctuation
    first = re.sub(r"[.,;:)]+$", "", words[0]) if words else ""
    found = normalize_unit(first) or normalize_unit(re.sub(r"\(.*$", "", first))
    if found:
        return found
    plain = _SUFFIX_WORDS.sub("", " " + text.strip()).strip(" .,;:()")
    if not plain or re.search(r"\d", plain) or len(plain) > 24 or _QUALIFIER.match(plain):
        return ""
    if not re.search(r"[^\W\d_]", plain):
        return ""  # "min. 16 / max. 26": a mark between two bounds is no unit
    return plain.lower()


def _strip_alternatives(text: str) -> str:
    """Drop bracketed repeats in other units and notes: "max. 2 bar (29 psi)" -> "max. 2 bar".

    Square brackets too: "3/4 in to 1-1/2 in [19–38 mm]".
    """
    return re.sub(r"\((?!\s*(?:±|\+/-))[^()]*\)|\[[^\[\]]*\]", " ", text)


_INCH_FRACTION: Final = re.compile(
    r"(?<![\w./-])(?:(\d+)[ -])?(\d+)/(\d+)(?=\s*(?:in\b|inch|\"|″))", re.IGNORECASE
)
"""A fraction of an inch as US manuals print it: "3/4 in", "1-1/2 in", "1 1/2\"."""


def _decimal_inches(text: str) -> str:
    """``text`` with fractions of an inch written as decimals ("1-1/2 in" -> "1.5 in")."""

    def decimal(m: re.Match[str]) -> str:
        whole = int(m.group(1)) if m.group(1) else 0
        value = whole + int(m.group(2)) / int(m.group(3))
        return f"{value:g}"

    return _INCH_FRACTION.sub(decimal, text)


def parse_bounds(text: str, *, bound: Bound | None = None, default_unit: str = "") -> Bounds | None:
    """The bounds ``text`` states, or None when it states none.

    Args:
        text: a table cell or the part of a sentence holding the limit.
        bound: which bound a bare value is (from the parameter's name), if any.
        default_unit: unit from the column header, for cells that give none.
    """
    printed = " ".join(text.split())
    body = _parsed_text(printed)
    if not re.search(r"\d", body):
        return None
    points = _points(body, default_unit)
    found = _bounds(body, printed, bound, default_unit)
    if found is None:
        return _from_points(points, bound, printed)
    outside = tuple(
        t
        for t in points
        if t.value not in (found.minimum, found.maximum)
        and (found.unit == "" or t.text_unit in ("", found.unit))
        and beyond(t, found)
    )
    if not outside:
        return found
    return replace(found, thresholds=tuple(t.threshold(found) for t in outside))


@dataclass(frozen=True, slots=True)
class Point:
    """A protective point as printed: what happens there, its side when said, and its value."""

    name: str
    side: Literal["above", "below"] | None
    value: float
    printed: str
    text_unit: str
    """The unit printed with it ("" when none)."""

    def threshold(self, band: Bounds) -> Threshold:
        """This point as a threshold of ``band``, on the side of it where it lies."""
        above = band.maximum is not None and self.value >= band.maximum
        return Threshold(self.name, "above" if above else "below", self.value, self.printed)


def _parsed_text(printed: str) -> str:
    """``printed`` as parsed: no bracketed alternatives, inch fractions as decimals, "−" as "-"."""
    return _decimal_inches(_strip_alternatives(printed)).replace("\u2212", "-")


def protective_points(text: str, default_unit: str = "") -> list[Point]:
    """The protective points ``text`` names ("alarms at 115 DEG C and trips the unit at 125")."""
    return _points(_parsed_text(" ".join(text.split())), default_unit)


def _points(body: str, default_unit: str) -> list[Point]:
    out: list[Point] = []
    for m in _POINT.finditer(body):
        side = m.group("side")
        if m.group("name") is None and not out:
            continue
        said = m.group("name") or out[-1].name
        name = " ".join(said.lower().replace("-", " ").split())
        out.append(
            Point(
                _POINT_NAMES.get(name, name),
                None if side is None else "above" if _HIGH_SIDE.match(side) else "below",
                printed_number(m.group("value")),
                m.group("value").lstrip("+"),
                unit_of(m.group("unit")) or default_unit,
            )
        )
    return out


def beyond(point: Point, band: Bounds) -> bool:
    """Whether ``point`` lies outside ``band``, on the side it says it is on (if it says)."""
    above = band.maximum is not None and point.value >= band.maximum
    below = band.minimum is not None and point.value <= band.minimum
    return (above and point.side != "below") or (below and point.side != "above")


def _from_points(points: list[Point], bound: Bound | None, printed: str) -> Bounds | None:
    """The limit that named protective points alone set: the first one reached is the bound.

    Points with no side rise on a high side ("warning 130 °C, trip 145 °C") and fall on a low
    one ("alarm 20 kΩ, trip 5 kΩ"); a lone point without a side is a bound only when the caller
    knows which.
    """
    # "alarm L 420 / H 700 V": the unit may be printed once, after the last point.
    unit = next((p.text_unit for p in points if p.text_unit), "")
    if not unit:
        return None
    points = [p for p in points if p.text_unit in ("", unit)]
    unsided = [p for p in points if p.side is None]
    if len(unsided) >= 2:
        side: Literal["above", "below"] = (
            "above" if unsided[1].value > unsided[0].value else "below"
        )
    elif unsided and bound is None and len(points) == 1:
        return None
    else:
        side = "below" if bound == "min" else "above"
    sided = [replace(p, side=p.side or side) for p in points]
    high = sorted((p for p in sided if p.side == "above"), key=lambda p: p.value)
    low = sorted((p for p in sided if p.side == "below"), key=lambda p: -p.value)
    found = Bounds(
        low[0].value if low else None,
        high[0].value if high else None,
        unit,
        low[0].printed if low else "",
        high[0].printed if high else "",
        printed,
    )
    rest = [*high[1:], *low[1:]]
    return replace(found, thresholds=tuple(p.threshold(found) for p in rest))


def _bounds(body: str, printed: str, bound: Bound | None, default_unit: str) -> Bounds | None:
    """The bounds of ``body`` (``printed`` as cleaned for parsing), protective points aside."""
    if m := _TOLERANCE.search(body):
        nominal, tol = printed_number(m.group(1)), printed_number(m.group(3))
        unit = unit_of(m.group(2)) or unit_of(m.group(4)) or default_unit
        if unit_of(m.group(4)) == "%":
            tol = abs(nominal) * tol / 100.0
            unit = unit_of(m.group(2)) or default_unit
        low, high = round(nominal - tol, 6), round(nominal + tol, 6)
        return Bounds(low, high, unit, _fmt(low), _fmt(high), printed)
    if m := _ASYMMETRIC.search(body):
        nominal = printed_number(m.group(1))
        over, under = printed_number(m.group(3)), printed_number(m.group(5))
        over *= abs(nominal) / 100.0 if m.group(4) else 1.0
        under *= abs(nominal) / 100.0 if m.group(6) else 1.0
        unit = unit_of(m.group(2)) or unit_of(m.group(7)) or default_unit
        low, high = round(nominal - under, 6), round(nominal + over, 6)
        return Bounds(low, high, unit, _fmt(low), _fmt(high), printed)
    if m := _BAND.search(body):
        width = abs(printed_number(m.group(1)))
        unit = unit_of(m.group(2)) or default_unit
        return Bounds(-width, width, unit, _fmt(-width), _fmt(width), printed)
    for m in _RANGE.finditer(body):
        if m.group(4) and not m.group(1):
            continue  # "see 9.1 and 9.2" is no range; "between 6 and 8 mm" is
        if _CODE_LIKE.search(m.group(2)) or _CODE_LIKE.search(m.group(5)):
            continue  # leading zeros: part of a part number
        low, high = printed_number(m.group(2)), printed_number(m.group(5))
        if low > high:
            low, high = high, low
        unit = unit_of(m.group(6)) or unit_of(m.group(3)) or default_unit
        return Bounds(low, high, unit, m.group(2).lstrip("+"), m.group(5).lstrip("+"), printed)
    first: Bounds | None = None
    for m in _VALUE.finditer(body):
        before, after = body[: m.start()], body[m.end(1) :]
        if not unit_of(m.group(2)) and _REFERENCE_BEFORE.search(before):
            continue  # "the limits in 4.6": a section of the manual, not a value
        unit = unit_of(m.group(2)) or default_unit
        value_text = m.group(1).lstrip("+")
        value = printed_number(m.group(1))
        # A qualifier before a value is its own; one after it may be the next value's ("min.
        # 84 kN, max. 100 kN": the "max." is 100's, not 84's).
        upper, lower = _MAX_BEFORE.search(before), _MIN_BEFORE.search(before)
        stated = bool(upper or lower)
        if not stated:
            upper, lower = _MAX_AFTER.match(after), _MIN_AFTER.match(after)
        if (upper or lower) and _NEGATED_COMPARISON.search(before):
            upper, lower = lower, upper  # "must not be used for more than 200 hours"
        if first is not None:
            # A second value completes the limit only when it says itself which bound it is.
            return _both(first, value, value_text, unit, upper, lower, printed) if stated else first
        if upper or bound == "max" and not lower:
            first = Bounds(None, value, unit, "", value_text, printed)
        elif lower or bound == "min":
            first = Bounds(value, None, unit, value_text, "", printed)
        else:
            return None  # a bare value is no limit unless the caller knows which bound it is
    return first


def _both(
    first: Bounds,
    value: float,
    value_text: str,
    unit: str,
    upper: re.Match[str] | None,
    lower: re.Match[str] | None,
    printed: str,
) -> Bounds:
    """``first`` with the other bound a second value states, when it states that one."""
    if first.unit and unit and first.unit != unit:
        return first
    if upper and first.maximum is None and first.minimum is not None and value >= first.minimum:
        return Bounds(
            first.minimum, value, first.unit or unit, first.minimum_text, value_text, printed
        )
    if lower and first.minimum is None and first.maximum is not None and value <= first.maximum:
        return Bounds(
            value, first.maximum, first.unit or unit, value_text, first.maximum_text, printed
        )
    return first


def nominal_with_tolerance(nominal: str, tolerance: str, default_unit: str = "") -> Bounds | None:
    """A nominal cell and a tolerance cell ("400 V", "± 1 %") as one limit.

    ``default_unit``: the row's Unit cell or the columns' header unit, for cells that give none
    ("0.6 | ±0.1 | mm").
    """
    joined = f"{nominal.strip()} {tolerance.strip()}"
    if not re.search(r"\d", nominal) or not re.search(r"±|\+/-", tolerance):
        return None
    return parse_bounds(joined, default_unit=default_unit)


def bound_in_name(name: str) -> Bound | None:
    """Which bound a parameter's name states: "Minimum working pressure" -> ``"min"``.

    A name that starts with it, or sets it after a comma or in brackets ("Air gap, max."):
    "initial fill to MAX" or "between MIN and MAX marks" name no bound.
    """
    lowered = name.strip().lower()
    if re.match(r"(min|minimum|lowest|lower limit)\b", lowered) or _MIN_SET_AFTER.search(lowered):
        return "min"
    if re.match(r"(max|maximum|highest|upper limit)\b", lowered) or _MAX_SET_AFTER.search(lowered):
        return "max"
    return None


_MIN_SET_AFTER: Final = re.compile(r",\s*(?:min|minimum)\b|\((?:min|minimum)\.?\)")
_MAX_SET_AFTER: Final = re.compile(r",\s*(?:max|maximum)\b|\((?:max|maximum)\.?\)")
"""A bound set after the quantity: "Air gap, max. (re-adjust)", "Wear (max.)"."""


_VALUE_WITH_UNIT: Final = re.compile(r"([-+\u2212]?\d+(?:[.,]\d+)?)\s*([^\s\d()]*)")


def cell_value(cell: str, default_unit: str) -> tuple[float, str, str] | None:
    """(value, unit, as printed) of a minimum or maximum cell ("40 F (4.4 C)", "700", "--")."""
    m = _VALUE_WITH_UNIT.search(re.sub(r"\([^()]*\)", " ", cell))
    if m is None:
        return None
    unit = unit_of(m.group(2)) if m.group(2) else ""
    value = printed_number(m.group(1))
    return value, unit or default_unit, m.group(1).lstrip("+")
