"""A value said in the unit the technician asked for: "flywheel screws torque in foot pounds".

The manual's own figure in that unit comes first when it prints one beside the value ("780 bar
(11,310 psi)"); otherwise the value is converted and rounded to three significant figures, said
as "about". The manual's value is always said too, so nothing is lost in the rounding.
"""

from __future__ import annotations

import math
import re
from typing import Final

from edge.knowledge.units import convert, format_number, normalize_unit, spoken_unit

_ASKED_AT_END: Final = re.compile(
    r"\b(?:in|into)\s+(?P<unit>[a-z°·/ -]+?)\s*(?:please)?[?.!]*$", re.IGNORECASE
)
"""The words a question ends with when it asks for a unit ("... in foot pounds?")."""
_THEN_BRACKETED: Final = r"\s*[^\d()]{0,12}\(([\d.,]+)\s*([^()\d]+)\)"
"""After a value: its unit, then the same value in another unit in brackets ("bar (11,310 psi)")."""


def unit_asked(question: str) -> str | None:
    """The unit a question ends by asking for ("... torque in foot pounds?" -> ``"lbf·ft"``)."""
    m = _ASKED_AT_END.search(" ".join(question.strip().split()))
    if m is None:
        return None
    return normalize_unit(m.group("unit").strip(" -"))


def _significant(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def in_unit(text: str, unit: str, wanted: str, printed: str = "") -> str | None:
    """The value ``text`` (in ``unit``) said in ``wanted``; None when they do not convert.

    ``printed``: the manual's text around the value, which may give it in ``wanted`` already
    ("780 bar (11,310 psi)").
    """
    if wanted == unit or convert(1.0, unit, wanted) is None:
        return None
    beside = re.search(rf"(?<![\d.,]){re.escape(text)}{_THEN_BRACKETED}", printed)
    if beside and normalize_unit(beside.group(2).strip()) == wanted:
        return f"{beside.group(1)} {spoken_unit(wanted)}."
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    result = convert(number, unit, wanted)
    if result is None:
        return None
    return f"About {format_number(_significant(result, 3))} {spoken_unit(wanted)}."
