"""The words of a limits table's headers: which column is the parameter, a bound, a unit.

Manuals name the same columns many ways ("Min", "Minimum", "Lower limit"; "Tag", "ID",
"Designation"); these vocabularies, and the two helpers that read a header through them, are
shared by the readers of limits tables (:mod:`edge.knowledge.limits`) and of their alarm and
shutdown points (:mod:`edge.knowledge.limit_points`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from edge.knowledge.units import unit_in_header

MEASURED: Final = (
    "parameter",
    "measurement",
    "measured quantity",
    "measured variable",
    "process variable",
    "quantity",
    "variable",
)
"""Headers that make a table one of measured quantities, whatever its other columns are called
(a troubleshooting table's "Check" or "Description" column does not)."""
PARAMETER: Final = (*MEASURED, "item", "description", "point", "check", "characteristic")
"""Headers of the column that names each row's quantity."""
UNIT: Final = ("unit", "units")
MIN: Final = ("min", "minimum", "min.", "lower limit", "low limit", "lowest")
MAX: Final = ("max", "maximum", "max.", "upper limit", "high limit", "highest")
NOMINAL: Final = ("nominal", "nominal value", "setpoint", "rated")
SETTING: Final = ("setting", "set value", "set point")
"""A nominal column when no column says "Nominal" ("Item | Setting | Tolerance"); beside one, a
"Setting" column names each row ("Tag | Setting | Nominal | Tolerance")."""
NEW: Final = ("new", "as new", "when new", "new value", "new size", "new condition")
"""A column of sizes when new, beside the wear or discard limit they are worn towards."""
TOLERANCE: Final = (
    "tolerance",
    "permissible deviation",
    "deviation",
    "tolerance / limit",
    "tolerance/limit",
)
"""A column of deviations about the nominal beside it ("± 25 mbar"); one headed "Tolerance /
limit" may also hold a limit of its own ("max. 4 s", "10–30 s")."""
COMPONENT: Final = (
    "component",
    "component id",
    "id",
    "equipment",
    "desig",
    "designation",
    "tag",
    "item id",
    "device no.",
    "device no",
    "device number",
)
NOT_VALUES: Final = re.compile(
    r"\b(?:test|notes?|remarks?|see|reset|action|comments?|type|condition|setting|rated|capacity|"
    r"quantity|lubricant|interval|part|thread|size|description|check|remedy|cause|for|signal|"
    r"location)\b",
    re.IGNORECASE,
)
"""Columns that hold facts, not limits (an instrument's "Range / type" or "Signal" such as
"4–20 mA, 0–1,000 mbar", an alarm's condition)."""
NOT_LIMITS_TABLE: Final = re.compile(
    r"^(?:code|alarm|fault|message|symptom|possible cause|cause|remedy)\b", re.IGNORECASE
)
"""A table of fault codes or troubleshooting: only its conditions' thresholds are limits
(:mod:`edge.knowledge.limit_conditions`), never its other cells."""
LIMIT_HEADER: Final = re.compile(
    r"limit|permissib|allow|range|tolerance|value|normal|operating", re.IGNORECASE
)
"""Columns where a bare value is a bound when the parameter's name says which one."""
AS_DESIGNED: Final = r"\bdesign\b(?!\s+(?:pressure|temperature|load|flow|speed|limit))"
"""What a part is designed to ("design clearance"), not what it is run to (a design pressure or
load is a limit)."""
AS_NEW_HEADER: Final = re.compile(
    r"\bnew\b|\brewound\b|\bafter (?:filling|overhaul|repair)|\bcommissioning\b|\binitial\b|"
    + AS_DESIGNED,
    re.IGNORECASE,
)
"""A column of figures for new or rebuilt parts ("New or rewound", "After filling", "Design
clearance"), beside the one a machine in service is judged by."""
NORMAL_HEADER: Final = re.compile(
    r"\b(?:normal|typical|nominal|expected|usual|control range|target)\b", re.IGNORECASE
)
"""A column of the values a healthy machine shows, beside the limits' column."""
PROTECTIVE_HEADER: Final = re.compile(
    r"\b(?:alarm|trip|warning|shut[- ]?(?:down|off)|stop|alert|fault|cut[- ]?(?:out|back)|"
    r"protection)\b",
    re.IGNORECASE,
)
"""A column of the thresholds at which the machine protects itself, beside the normal band."""


def find_column(header: Sequence[str], names: tuple[str, ...]) -> int | None:
    """The first column whose header, without its unit, is one of ``names``."""
    for i, cell in enumerate(header):
        name, _ = unit_in_header(cell)
        if _DIAMETER.sub("", name.strip()).lower() in names:
            return i
    return None


_DIAMETER: Final = re.compile(r"^(?:Ø|⌀|diameter|dia\.)\s*", re.IGNORECASE)
"""A column of diameters says so before its name: "Ø new [mm] | Ø wear limit [mm]"."""


def header_unit(header: Sequence[str], col: int | None) -> str:
    """The canonical unit column ``col``'s header names ("" when none, or no column)."""
    if col is None:
        return ""
    return unit_in_header(header[col])[1] or ""
