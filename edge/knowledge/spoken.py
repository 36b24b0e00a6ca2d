"""A spoken question written the way manuals print it: digits, fractions, bolt classes.

Manuals print "1000 h service kit", "5/8 in", "M12 10.9"; a technician says (and a typed
question may read) "the thousand hour kit", "five eighths", "M12 ten nine". Keyword search and
the choice of the row asked about match printed figures, so the question's spelled-out numbers
are written as digits first. Numbers under ten stay words, as house styles print them in prose
("the two coupling hubs"); digits already written are left alone.
"""

from __future__ import annotations

import re
from typing import Final

from edge.knowledge.numbers import FRACTION_WORDS, find_numbers, fraction_part

_SMALL: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
}  # fmt: skip
_FRACTION: Final = re.compile(
    # "a half turn" stays words: manuals print it so.
    rf"\b({'|'.join(_SMALL)})[\s-]+({FRACTION_WORDS})\b",
    re.IGNORECASE,
)
_CLASS: Final = re.compile(
    r"\b(four|five|six|eight|ten|twelve)[\s-]+(six|eight|nine)\b"
    r"(?=(?:\s+\w+){0,2}?\s+(?:bolts?|screws?|nuts?|grade|class|studs?)\b)"
    r"|(?<=\b(?:grade|class)\s)(four|five|six|eight|ten|twelve)[\s-]+(six|eight|nine)\b",
    re.IGNORECASE,
)
"""A bolt's property class said as two numbers ("ten nine bolt" is class 10.9, ISO 898-1)."""
_SPELLED_BELOW: Final = 10
"""Numbers printed as words in running text."""
_CLASS_NUMBERS: Final = {"four": 4, "five": 5, "six": 6, "eight": 8, "nine": 9, "ten": 10,
                         "twelve": 12}  # fmt: skip


def written(question: str) -> str:
    """``question`` with spelled-out numbers, fractions, bolt classes and tags written as printed.

    A tag spelled letter by letter ("G B one oh one", "P T twenty") becomes "GB 101", "PT 20",
    which the codes' own matching reads as GB-101 and PT20.
    """
    text = _LETTERS.sub(lambda m: m.group(0).replace(" ", ""), _numbers_written(question))
    return _THREAD.sub(r"M\1", text)


_THREAD: Final = re.compile(r"\bM (\d{1,2})\b(?![.,]\d)")
"""A metric thread said "M thirty": printed M30 (ISO 261), which tables of torques key by."""
_LETTERS: Final = re.compile(r"\b[A-Z](?: [A-Z]){1,2}\b(?= \d)")
"""Capital letters said one by one before a number: the letters of a tag."""


def _numbers_written(question: str) -> str:
    text = _CLASS.sub(_class, question)
    text = _FRACTION.sub(_fraction, text)
    pieces: list[str] = []
    last = 0
    for mention in find_numbers(text):
        value = mention.value
        if re.search(r"\d", mention.text):
            continue
        if said_digits := _digit_by_digit(mention.text):
            digits = said_digits  # "F zero seven" is F-07: the zero is printed
        elif abs(value) < _SPELLED_BELOW:
            continue
        else:
            digits = str(int(value)) if value == int(value) else f"{value:g}"
        pieces += [text[last : mention.start], digits]
        last = mention.end
    return "".join([*pieces, text[last:]])


def _digit_by_digit(said: str) -> str | None:
    """The digits of a number said one by one from a leading zero ("oh nine" -> "09").

    Codes and tags print their leading zeros ("F-07", "S01"), which the number's value drops.
    """
    words = re.split(r"[\s-]+", said.lower().strip())
    if len(words) < 2 or words[0] not in ("zero", "oh", "o"):
        return None
    if not all(word in _DIGITS for word in words):
        return None
    return "".join(str(_DIGITS[word]) for word in words)


_DIGITS: Final = {"zero": 0, "oh": 0, "o": 0} | {w: n for w, n in _SMALL.items() if n < 10}


def _class(m: re.Match[str]) -> str:
    major, minor = (g for g in m.groups() if g)
    return f"{_CLASS_NUMBERS[major.lower()]}.{_CLASS_NUMBERS[minor.lower()]}"


def _fraction(m: re.Match[str]) -> str:
    top = _SMALL[m.group(1).lower()]
    bottom = fraction_part(m.group(2))
    return f"{top}/{bottom}"
