"""Does a spoken answer hold an expected value? The matching rule of the evaluation.

The corpus gives each value as the manual prints it ("210", "7.5–9.0 bar", "ISO VG 46",
"LOW OIL PRESSURE"); the answer is what the technician hears, with unit symbols spelled out for
speech ("7.5 to 9.0 bar", "210 newton metres"). A value is held when:

1. after folding case, unifying dashes and spaces and collapsing whitespace, the value as printed,
   or the value as :func:`~edge.knowledge.units.speakable` would say it, occurs in the answer as
   a whole token sequence: it may not continue a longer number or word on either side, so "2" is
   not found in "12", "2.5", "2,000" or "M20", and "ISO VG 46" is not found in "ISO VG 460";
2. or, for a bare number, the answer says that number in words or digits ("two point five" for
   "2.5", "1450" for "1,450"), again as a whole number.

Nothing else is loosened: no rounding, no unit conversion, no partial phrases.
"""

from __future__ import annotations

import re
from typing import Final

from edge.knowledge.numbers import find_numbers
from edge.knowledge.units import speakable

_DASHES: Final = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES: Final = re.compile(r"[\s\u00a0\u2009\u202f]+")
_BARE_NUMBER: Final = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[-+]?\d+(?:[.,]\d+)?$")


def normalize(text: str) -> str:
    """Case folded, dashes as "-", one plain space between words."""
    return _SPACES.sub(" ", _DASHES.sub("-", text)).strip().casefold()


def _forms(value: str) -> list[str]:
    forms = [normalize(value), normalize(speakable(value))]
    if _BARE_NUMBER.match(value.strip()) and "," in value and "." not in value.split(",")[-1]:
        forms.append(normalize(value.replace(",", "")))  # "1,450" said as "1450"
    return [f for f in dict.fromkeys(forms) if f]


def _whole(text: str, form: str) -> bool:
    """``form`` occurs in ``text`` without continuing a word or number on either side."""
    start = 0
    while (i := text.find(form, start)) >= 0:
        end = i + len(form)
        before = text[i - 1] if i > 0 else " "
        after = text[end] if end < len(text) else " "
        before2 = text[i - 2] if i > 1 else " "
        after2 = text[end + 1] if end + 1 < len(text) else " "
        clean_left = not (form[0].isalnum() and before.isalnum()) and not (
            form[0].isdigit() and before in ".," and before2.isdigit()
        )
        clean_right = not (form[-1].isalnum() and after.isalnum()) and not (
            form[-1].isdigit() and after in ".," and after2.isdigit()
        )
        if clean_left and clean_right:
            return True
        start = i + 1
    return False


def holds_value(answer: str, value: str) -> bool:
    """Whether ``answer`` holds ``value`` by the rule of this module."""
    text = normalize(answer)
    if any(_whole(text, form) for form in _forms(value)):
        return True
    bare = value.strip()
    if not _BARE_NUMBER.match(bare):
        return False
    thousands = re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", bare) is not None
    wanted = float(bare.replace(",", "") if thousands else bare.replace(",", "."))
    for mention in find_numbers(answer):
        # A number glued to letters is part of a code ("M20", "E-117"), not a value.
        glued = mention.start > 0 and answer[mention.start - 1].isalpha()
        if not glued and abs(mention.value - wanted) < 1e-9:
            return True
    return False


def holds_all(answer: str, values: tuple[str, ...] | list[str]) -> bool:
    """Whether ``answer`` holds every one of ``values`` (True for none)."""
    return all(holds_value(answer, v) for v in values)
