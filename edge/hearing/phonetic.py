"""How codes, units and command words sound: phoneme sequences and a distance between them.

Speech recognition errs by sound, not by spelling: "H-412" said "aitch four twelve" comes out as
"H-400-12", "E one seventeen" as "E-170", "log a" as "Laga", "bar" as "mAh". So candidates are
compared as phoneme sequences (ARPAbet-like symbols): letters by their names, digit groups in
every way people read them ("412": four one two / four twelve / four hundred twelve), words by
a small letter-to-sound approximation. The distance is an edit distance in which a phoneme
swapped for a similar one (a vowel for a vowel, /b/ for /m/) costs half.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Final

Phonemes = tuple[str, ...]

LETTERS: Final[dict[str, str]] = {
    "a": "ey", "b": "b iy", "c": "s iy", "d": "d iy", "e": "iy", "f": "eh f", "g": "jh iy",
    "h": "ey ch", "i": "ay", "j": "jh ey", "k": "k ey", "l": "eh l", "m": "eh m", "n": "eh n",
    "o": "ow", "p": "p iy", "q": "k y uw", "r": "aa r", "s": "eh s", "t": "t iy", "u": "y uw",
    "v": "v iy", "w": "d ah b ah l y uw", "x": "eh k s", "y": "w ay", "z": "z iy",
}  # fmt: skip
NUMBER_WORDS: Final[dict[str, str]] = {
    "zero": "z ih r ow", "oh": "ow", "one": "w ah n", "two": "t uw", "three": "th r iy",
    "four": "f ao r", "five": "f ay v", "six": "s ih k s", "seven": "s eh v ah n", "eight": "ey t",
    "nine": "n ay n", "ten": "t eh n", "eleven": "ih l eh v ah n", "twelve": "t w eh l v",
    "thirteen": "th er t iy n", "fourteen": "f ao r t iy n", "fifteen": "f ih f t iy n",
    "sixteen": "s ih k s t iy n", "seventeen": "s eh v ah n t iy n", "eighteen": "ey t iy n",
    "nineteen": "n ay n t iy n", "twenty": "t w eh n t iy", "thirty": "th er t iy",
    "forty": "f ao r t iy", "fifty": "f ih f t iy", "sixty": "s ih k s t iy",
    "seventy": "s eh v ah n t iy", "eighty": "ey t iy", "ninety": "n ay n t iy",
    "hundred": "hh ah n d r ah d", "thousand": "th aw z ah n d",
}  # fmt: skip
_DIGITS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS: Final = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_TENS: Final = (
    "",
    "",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)

_VOWELS: Final = frozenset(
    ["aa", "ae", "ah", "ao", "aw", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw"]
)
_CLASSES: Final = (
    frozenset(["b", "p", "m"]),  # lips
    frozenset(["d", "t", "n"]),
    frozenset(["g", "k", "ng"]),
    frozenset(["f", "v", "th", "dh"]),
    frozenset(["s", "z", "sh", "zh", "ch", "jh"]),
    frozenset(["l", "r", "w", "y"]),
)


def number_words(n: int) -> list[str]:
    """``n`` (0..9999) in words, the plain way: 412 -> four hundred twelve."""
    if n < 10:
        return [_DIGITS[n]]
    if n < 20:
        return [_TEENS[n - 10]]
    if n < 100:
        return [_TENS[n // 10]] + ([_DIGITS[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = number_words(n % 100) if n % 100 else []
        return [_DIGITS[n // 100], "hundred", *rest]
    rest = number_words(n % 1000) if n % 1000 else []
    return [*number_words(n // 1000), "thousand", *rest]


def digit_readings(group: str) -> list[list[str]]:
    """The ways people say a group of digits: digit by digit, as a number, in pairs."""
    readings = [[_DIGITS[int(d)] if d != "0" or len(group) == 1 else "oh" for d in group]]
    readings.append([_DIGITS[int(d)] for d in group])
    value = int(group)
    if not (group.startswith("0") and len(group) > 1) and value < 10_000:
        readings.append(number_words(value))
    if len(group) == 3 and group[1] != "0":
        readings.append([_DIGITS[int(group[0])], *number_words(int(group[1:]))])
    if len(group) == 4:
        high, low = int(group[:2]), int(group[2:])
        if low == 0 and group[1] != "0":
            readings.append([*number_words(high), "hundred"])
        elif group[2] != "0":
            readings.append([*number_words(high), *number_words(low)])
    unique: dict[tuple[str, ...], None] = {tuple(r): None for r in readings}
    return [list(r) for r in unique]


_PIECE: Final = re.compile(r"[A-Za-z]+|\d+")


def code_readings(code: str, *, max_readings: int = 64) -> list[Phonemes]:
    """Phoneme sequences for the ways ``code`` can be said ("GO-320S": jh iy ow th r iy ...).

    Letters are said one by one; a run of letters that is also a number word ("one") is read
    as that word.
    """
    options: list[list[list[str]]] = []
    for piece in _PIECE.findall(code):
        if piece.isdigit():
            options.append(digit_readings(piece))
        elif piece.lower() in NUMBER_WORDS:
            options.append([[piece.lower()]])
        else:
            options.append([[f"#{c}" for c in piece.lower()]])
    found = []
    for combo in itertools.islice(itertools.product(*options), max_readings):
        found.append(to_phonemes(w for part in combo for w in part))
    return found


def to_phonemes(words: Iterable[str]) -> Phonemes:
    """Phonemes of number words, letters (``#a``) and other words (approximated)."""
    out: list[str] = []
    for word in words:
        if word.startswith("#"):
            out.extend(LETTERS[word[1]].split())
        elif word in NUMBER_WORDS:
            out.extend(NUMBER_WORDS[word].split())
        else:
            out.extend(word_phonemes(word))
    return tuple(out)


_GRAPHEMES: Final = (
    ("tch", "ch"), ("ch", "ch"), ("sh", "sh"), ("th", "th"), ("ph", "f"), ("ck", "k"),
    ("ng", "ng"), ("qu", "k w"), ("wh", "w"), ("ee", "iy"), ("ea", "iy"), ("oo", "uw"),
    ("ou", "aw"), ("ow", "ow"), ("ai", "ey"), ("ay", "ey"), ("oa", "ow"), ("igh", "ay"),
    ("ar", "aa r"), ("er", "er"), ("ir", "er"), ("ur", "er"), ("or", "ao r"),
)  # fmt: skip
_SINGLE: Final = {
    "a": "ae", "e": "eh", "i": "ih", "o": "aa", "u": "ah", "y": "iy", "c": "k", "q": "k",
    "x": "k s", "j": "jh",
}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def word_phonemes(word: str) -> Phonemes:
    """A rough letter-to-sound reading of an English word ("laga": l ae g ae).

    Good enough to compare short words by sound; not a pronouncing dictionary.
    """
    w = re.sub(r"[^a-z]", "", word.lower())
    if w.endswith("e") and len(w) > 2 and w[-2] not in "aeiou":
        w = w[:-1]  # silent final e
    out: list[str] = []
    i = 0
    while i < len(w):
        for graph, sound in _GRAPHEMES:
            if w.startswith(graph, i):
                out.extend(sound.split())
                i += len(graph)
                break
        else:
            c = w[i]
            if c == "h" and i > 0 and w[i - 1] in "aeiou":
                pass  # "ah", "oh": the h lengthens the vowel
            elif not (out and c not in "aeiouy" and out[-1] == _SINGLE.get(c, c)):
                out.extend(_SINGLE.get(c, c).split())  # doubled consonants are one sound
            i += 1
    return tuple(out)


def phrase_phonemes(text: str) -> Phonemes:
    """Phonemes of a phrase of ordinary words and numbers ("log a", "stop")."""
    words = re.findall(r"[A-Za-z]+|\d+", text)
    out: list[str] = []
    for word in words:
        if word.isdigit():
            out.extend(to_phonemes(digit_readings(word)[-1] if len(word) < 5 else list(word)))
        else:
            out.extend(word_phonemes(word))
    return tuple(out)


def _cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in _VOWELS and b in _VOWELS:
        return 0.5
    if any(a in c and b in c for c in _CLASSES):
        return 0.5
    return 1.0


def distance(a: Sequence[str], b: Sequence[str]) -> float:
    """Edit distance between phoneme sequences; similar phonemes substitute for half."""
    row = [float(j) for j in range(len(b) + 1)]
    for i, pa in enumerate(a, 1):
        prev, row[0] = row[0], float(i)
        for j, pb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + _cost(pa, pb))
    return row[len(b)]


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """1 - distance / longer length: 1.0 sounds the same, 0.0 nothing alike."""
    longest = max(len(a), len(b))
    return 1.0 - distance(a, b) / longest if longest else 1.0


def best_similarity(heard: Sequence[Phonemes], known: Sequence[Phonemes]) -> float:
    """The highest similarity between any reading of one and any reading of the other."""
    return max((similarity(h, k) for h in heard for k in known), default=0.0)
