"""Numbers in transcripts: digits ("92", "1,450") and spelled out ("ninety two", "two point five").

Used by ``check_reading`` so that a value is only ever taken from what the technician said: the
value an LLM proposes must be one of these, and when it is not, the value is read from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_UNITS_WORDS: Final = {
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES: Final = {"hundred", "thousand"}
_NUMBER_WORDS: Final = set(_UNITS_WORDS) | set(_TENS_WORDS) | set(_SCALES) | {"point", "and", "a"}
_WORD: Final = re.compile(r"[A-Za-z]+|[-\u2212]?\d(?:\d|,(?=\d{3}(?!\d)))*(?:\.\d+)?|\S")
"""A word, a number ("1,000.5": a comma only before three digits, so "46, then" is 46), or a
sign."""
_DIGITS: Final = re.compile(r"^[-\u2212]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_CODE_DIGITS: Final = re.compile(r"[A-Za-z][\-]?$")
_NAME_BEFORE: Final = re.compile(r"(?<![A-Za-z])[A-Z]{2,}[\s\-]$")
_DEVICE_SUFFIX: Final = re.compile(r"[A-Z]{2,4}\d?\b")
"""Capitals glued after a number: a device number's suffix ("38TGB", "63QB"), no unit."""


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number found in text."""

    value: float
    """Its value."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset just after its last character."""
    text: str
    """The words or digits as written."""


FRACTION_PARTS: Final = {
    "half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "eighth": 8,
    "tenth": 10, "sixteenth": 16, "thirty-second": 32, "hundredth": 100, "thousandth": 1000,
}  # fmt: skip
"""The word for a part of a whole (singular) -> its denominator: "eighths" are 8ths."""
FRACTION_WORDS: Final = "|".join(
    rf"{w.replace('-', '[ -]')}s?" for w in sorted(FRACTION_PARTS, key=len, reverse=True)
)
"""A regular expression for those words, singular or plural ("thirty seconds" too)."""
_FRACTION: Final = re.compile(
    rf"\b(?:(a|an|one|two|three)\s+({FRACTION_WORDS})(?:\s+of\s+an?)?|(half)\s+an?)\b",
    re.IGNORECASE,
)
"""A spoken fraction of a unit ("a quarter inch", "a tenth of an inch", "three quarters",
"half a percent")."""


def fraction_part(word: str) -> int:
    """The denominator a fraction word names ("eighths" -> 8, "thirty seconds" -> 32)."""
    key = re.sub(r"[ -]+", "-", word.lower())
    return FRACTION_PARTS.get(key) or FRACTION_PARTS[key.removesuffix("s")]


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in ``text``, in order, digits and spelled-out English alike."""
    fractions = {m.start(): m for m in _FRACTION.finditer(text)}
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    found: list[NumberMention] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        if start in fractions:
            fraction = fractions[start]
            if fraction.group(3):
                value = 0.5  # "half a percent"
            else:
                top = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}[fraction.group(1).lower()]
                value = top / fraction_part(fraction.group(2))
            before = text[: fraction.start()]
            if found and re.fullmatch(r"\s+and\s+", before[found[-1].end :]):
                whole = found.pop()  # "five and a half": one number
                value, start = whole.value + value, whole.start
            found.append(_mention(text, value, start, fraction.end()))
            while i < len(tokens) and tokens[i][1] < fraction.end():
                i += 1
            continue
        negative = False
        j = i
        if word.lower() in ("minus", "negative") and i + 1 < len(tokens):
            negative, j = True, i + 1
        token = tokens[j][0]
        if _DIGITS.match(token):
            value = float(token.replace(",", "").replace("\u2212", "-"))
            found.append(_mention(text, -value if negative else value, start, tokens[j][2]))
            i = j + 1
            continue
        parsed = _spelled(tokens, j)
        if parsed is not None:
            value, k = parsed
            found.append(_mention(text, -value if negative else value, start, tokens[k - 1][2]))
            i = k
            continue
        i += 1
    return found


def _mention(text: str, value: float, start: int, end: int) -> NumberMention:
    return NumberMention(value, start, end, text[start:end])


def _spelled(tokens: list[tuple[str, int, int]], i: int) -> tuple[float, int] | None:
    """Parse spelled words from ``tokens[i]``; return the value and the index after them."""
    words: list[str] = []
    k = i
    while k < len(tokens):
        # "ninety-two" arrives as "ninety", "-", "two".
        w = tokens[k][0].lower()
        if w == "-" and words and k + 1 < len(tokens) and tokens[k + 1][0].lower() in _UNITS_WORDS:
            k += 1
            continue
        if w not in _NUMBER_WORDS:
            break
        words.append(w)
        k += 1
    # Trailing glue words are not part of the number ("five and", "ten a").
    while words and words[-1] in ("and", "a", "point"):
        words.pop()
        k -= 1
    if not words or words[0] == "and" or words in (["a"], ["point"]):
        return None  # "point one five" is 0.15; "point" alone is no number
    if words[0] == "a" and (len(words) < 2 or words[1] not in _SCALES):
        return None
    if words[0] == "oh" and len(words) == 1:
        return None  # "oh" alone is an interjection
    value = _words_value(words)
    return None if value is None else (value, k)


def _words_value(words: list[str]) -> float | None:
    if "point" in words:
        cut = words.index("point")
        whole = _words_value(words[:cut]) if cut else 0.0
        digits = [_UNITS_WORDS.get(w) for w in words[cut + 1 :]]
        if whole is None or not digits or any(d is None or d > 9 for d in digits):
            return None
        return whole + float("0." + "".join(str(d) for d in digits))
    total = 0
    current = 0
    previous = ""
    for w in words:
        if w == "and":
            continue
        if w == "a":
            current = 1
        elif w in _UNITS_WORDS or w in _TENS_WORDS:
            v = _UNITS_WORDS.get(w, _TENS_WORDS.get(w, 0))
            if previous in _UNITS_WORDS or (previous in _TENS_WORDS and w in _TENS_WORDS):
                # Digit groups read as written: "one two five", "nineteen ninety", "thirty
                # thirty five" (3035, as a year or a model's "30/35" is said; not 65).
                current = current * (10 if v < 10 else 100) + v
            else:
                current += v
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        previous = w
    return float(total + current)


def reading_numbers(text: str) -> list[NumberMention]:
    """Numbers in ``text`` that are values, not parts of codes or names.

    A number glued to letters is part of a code ("M24", "E-117", "TT11", "XY-75", and a device
    number before its suffix, "38TGB"); one after a capitalised name is part of that name ("VT 75",
    "HX 30").
    """
    out = []
    for m in find_numbers(text):
        before = text[: m.start]
        if _CODE_DIGITS.search(before) or _NAME_BEFORE.search(before):
            continue
        if _DEVICE_SUFFIX.match(text[m.end :]):
            continue
        out.append(m)
    return out


_CODE_TOKEN: Final = re.compile(r"\b[A-Za-z]+[-.]?\d[\w.-]*")


_GROUPED_CODE: Final = re.compile(r"\b[A-Za-z]+[-.]?\d+(?:[/.\-]\d+)+")


def code_figures(text: str) -> set[float]:
    """The figures of codes in ``text`` said digit group after digit group, or by the last group.

    "ES-30/35" is "ES thirty thirty five", 3035; "FP55-6" is also "the six stage", 6 (a family's
    variants differ in their last group). Codes of one group are left out.
    """
    out = set()
    for code in _GROUPED_CODE.findall(text):
        groups = re.findall(r"\d+", code)
        if len(groups) > 1:
            out |= {float("".join(groups)), float(groups[-1])}
    return out


def stated_values(text: str) -> set[float]:
    """The values of the numbers ``text`` states, leaving out those of codes ("HW-500", "dr.05").

    "The 1000 hour kit", "the 16 mm tube": figures that pick a row or a column.
    """
    return {n.value for n in find_numbers(_CODE_TOKEN.sub(" ", text))}
