"""Words and codes: what the keyword index stores and how a question becomes an FTS5 query.

Codes (bolt sizes ``M24``, fault codes ``E-117``, part numbers ``GO-320S``, component IDs
``YAW-BRK``) must match exactly, but FTS5's tokenizer splits ``E-117`` into ``e`` and ``117`` and
speech recognition writes it as ``E-117``, ``E117`` or ``E 117``. So codes are stored a second time
in their own column, normalised (``e117``), and a question's codes are normalised the same way.
Only codes that exist in the manuals are searched for; an unknown one (``E-999``) is reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Final

from edge.knowledge.components import CODE_START
from edge.knowledge.units import units_said

_NOT_CODES: Final = (
    "ISO", "VG", "SAE", "DIN", "EN", "IEC", "ANSI", "NLGI", "API", "DN", "PN", "IP", "NPT", "UNC",
    "UNF", "AWG", "ASTM", "NEMA", "UL", "IEEE", "BS", "JIS", "ACEA", "DOT", "NFPA", "OSHA", "ASME",
    "AGMA", "NAS", "HP", "KW", "AC", "DC",
)  # fmt: skip
"""Letters that print a number after a space but name a standard, a grade or a size, not a code."""
_CODE_IN_TEXT: Final = re.compile(
    # M24, E-117, HTW-1500, GO-320S, Q1, PT100, WT2-MM-001 (a capital and a digit) ...
    rf"{CODE_START}(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*(?![\w-])"
    # ... or letters joined by hyphens: YAW-BRK, PITCH-HYD ...
    rf"|{CODE_START}[A-Z]{{2,}}(?:-[A-Z0-9]+)+(?![\w-])"
    # ... or a code's letters, a space and its number, as controllers display them: DTC 4120,
    # ALM 221, E 31 (not a standard or a grade: ISO 4406, VG 46, DN 50).
    rf"|{CODE_START}(?!(?:{'|'.join(_NOT_CODES)})\b)[A-Z]{{1,4}} \d{{2,5}}[A-Z]?"
    r"(?![\w/-]|[.,]\d|\s?%)"
)
_CODE_IN_SPEECH: Final = re.compile(
    r"(?<![\w-])([A-Za-z]{1,5})(?:[\s-]?)(\d{1,5}[A-Za-z]?)(?![\w-])"
    r"|(?<![\w-])([A-Za-z]{2,})-([A-Za-z0-9]+)(?![\w-])"
)
_STRICT_CODE: Final = re.compile(r"(?<![\w-])[A-Z]{1,5}-?\d{1,5}[A-Z]?(?![\w-])")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)?")

STOPWORDS: Final = frozenset(
    re.findall(
        r"\w+",
        """a an the is are was were be been am do does did doing done have has had of to in on at
        for from by with about as into over under and or but if then than so not no yes i me my we
        our you your it its this that these those there here what whats which who whom whose when
        where why how can could should would will shall may might must need needs please tell give
        say said show find look up check let lets know much many any some get got go going want like
        just also again okay ok hey right now value values number one""",
    )
)


_THREAD_SIZE: Final = re.compile(r"m\d{1,2}(?:x[\d.]+)?")


def is_thread_size(code: str) -> bool:
    """Whether a normalised code is an ISO metric thread size ("m24", "m16x1.5").

    A size every manual prints, in every torque table: it tells no machine and no passage apart.
    """
    return _THREAD_SIZE.fullmatch(code) is not None


def normalize_code(code: str) -> str:
    """Canonical form of a code: lower case, no hyphens, dots, slashes or spaces."""
    return re.sub(r"[\s\-./]", "", code).lower()


def codes_in_text(text: str) -> list[str]:
    """Codes printed in manual text, as written (``["M24", "E-117"]``), in order, unique."""
    found = [(m.start(), m.group()) for m in _CODE_IN_TEXT.finditer(text)]
    for m in _DOTTED_CODE.finditer(text):
        after = [word.rstrip(".,;:)") for word in text[m.end() :].split()[:1]]
        if not after or not units_said(after[0]) and after[0] not in ("%", "°C", "°F"):
            found.append((m.start(), m.group()))  # "E 2.14", not "E 3.50 bar"
    seen: dict[str, None] = {}
    for _, code in sorted(found):
        seen.setdefault(code, None)
    return list(seen)


_DOTTED_CODE: Final = re.compile(rf"{CODE_START}[A-Z]{{1,3}} \d{{1,2}}\.\d{{2}}(?![\w.,]\w)")
"""A controller's code of module and error number: "E 2.14" is error 14 of module 2, said "E two
fourteen" (its normal form, without the dot, is "e214")."""


def codes_in_question(question: str, vocabulary: set[str] | frozenset[str]) -> list[str]:
    """Normalised codes in a question that the manuals contain (``"E 117"`` -> ``"e117"``)."""
    found: dict[str, None] = {}
    for m in _CODE_IN_SPEECH.finditer(question):
        letters, digits = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        code = normalize_code(letters + digits)
        if code in vocabulary and not quantity_not_code(letters, question[m.end() :]):
            found.setdefault(code, None)
    for word in question.split():
        word = word.strip(",.?!;:'\"")
        # "GBX" or "YAW-BRK" is a code; "lift" or "hub" is a word, even if LIFT is an ID too.
        if not (word.isupper() and len(word) > 1) and not re.search(r"[\d-]", word):
            continue
        code = normalize_code(word)
        if code in vocabulary and not code.isdigit():
            found.setdefault(code, None)
    return list(found)


WORDS_NOT_CODES: Final = frozenset({"a", "i", "at", "to", "is", "on", "in", "of", "by", "or"})
"""Words a number may follow in speech that are no code's letters: "a 2 mm gap", "at 12 volts"."""


def quantity_not_code(letters: str, rest: str) -> bool:
    """Whether ``letters`` and the number after them are a word and a quantity, not a code.

    "a 12 volt block" is no A12: the number is followed by a unit (``rest`` is what follows it).
    """
    after = rest.split()[:1]
    return letters.lower() in WORDS_NOT_CODES and bool(after) and bool(units_said(after[0]))


def unknown_codes(question: str, vocabulary: set[str] | frozenset[str]) -> list[str]:
    """Codes written like ``E-999`` or ``M48`` that no manual contains, as written."""
    return [
        m.group()
        for m in _STRICT_CODE.finditer(question)
        if normalize_code(m.group()) not in vocabulary
    ]


_BARE_NUMBER: Final = re.compile(r"(?<![\w.,-])(\d{3,5})(?![\w.,-])\s*(\S*)")
"""A number of three to five digits and the word after it ("got a 2110 on the yaw")."""
_CODE_CUE: Final = re.compile(
    r"\b(?:faults?|codes?|alarms?|errors?|warnings?|trips?|messages?)\b|\ban?\s+(?=\d+\b)",
    re.IGNORECASE,
)
"""Words that say a number is a code: "fault 1012", "got a 2110" (not "the 650", a model)."""


def code_said_as_number(
    question: str,
    vocabulary: set[str] | frozenset[str],
    mine: Callable[[list[str]], list[str]] = lambda found: found,
) -> tuple[str, str]:
    """("2110", "f2110") when ``question`` says a code by its figures alone; ("", "") if not.

    Fault codes are read out by their number ("twenty one ten" for F2110). A bare number is that
    code when the words say it is a code ("fault", "got a") and exactly one code of the manuals
    is letters followed by those very digits, or, of several, one of ``mine`` (those the
    manual of the machine being worked on prints: "DTC 4120" there, "F4120" in another's).
    """
    if not _CODE_CUE.search(question):
        return "", ""
    for m in _BARE_NUMBER.finditer(question):
        digits, after = m.group(1), m.group(2)
        if units_said(after) or after[:1] in ("%", "°") or after.lower() in ("h", "hours", "hour"):
            continue  # a quantity ("1500 rpm", "the 1000 h kit"), not a code
        pattern = re.compile(rf"[a-z]{{1,3}}0*{digits}")
        found = [c for c in vocabulary if c.endswith(digits) and pattern.fullmatch(c)]
        if len(found) > 1:
            found = mine(found)
        if len(found) == 1:
            return digits, found[0]
    return "", ""


# Speech recognisers confuse "-teen" with "-ty": "E one seventeen" comes out as "E-170".
_TEEN_TY: Final = {f"1{d}": f"{d}0" for d in "3456789"} | {f"{d}0": f"1{d}" for d in "3456789"}


def misheard_code(code: str, vocabulary: set[str] | frozenset[str]) -> str | None:
    """The known code that an unknown ``code`` is probably a mishearing of, normalised, or None.

    Only the "-teen"/"-ty" confusion in the last two digits is undone (``E-170`` -> ``e117``,
    ``L-30`` -> ``l13``): it maps one code to exactly one other, so the guess is never a choice.
    """
    m = re.fullmatch(r"([a-z]+)(\d*)(\d\d)([a-z]?)", normalize_code(code))
    twin = _TEEN_TY.get(m.group(3)) if m else None
    if m is None or twin is None:
        return None
    candidate = f"{m.group(1)}{m.group(2)}{twin}{m.group(4)}"
    return candidate if candidate in vocabulary else None


_ORDINAL: Final = re.compile(r"\b([1-9])(?:st|nd|rd|th)\b", re.IGNORECASE)
_ORDINAL_WORDS: Final = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                         "eighth", "ninth")  # fmt: skip


def ordinals_spelled(text: str) -> str:
    """``text`` with "1st", "2nd" written as words: "2nd-stage" is said "second stage"."""
    return _ORDINAL.sub(lambda m: _ORDINAL_WORDS[int(m.group(1)) - 1], text)


def keywords(text: str) -> list[str]:
    """Content words of ``text``, lower case, stopwords removed, in order, unique."""
    seen: dict[str, None] = {}
    for m in _WORD.finditer(ordinals_spelled(text)):
        word = m.group().lower()
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


_SUFFIXES: Final = ("ions", "ings", "ors", "ion", "ing", "or", "ed", "es", "s", "e")
_AGENT_SUFFIXES: Final = frozenset({"ions", "ors", "ion", "or"})
"""Endings of the doer and the doing ("injector", "injection"): one stem, "inject". Only off a
long word: "motor", "sensor" and "section" keep theirs."""


_SHORT_FORMS: Final = {"maximum": "max", "minimum": "min", "maxima": "max", "minima": "min"}
"""Words manuals abbreviate in headers and limits ("Max", "min."): one stem for both."""


def stem(word: str) -> str:
    """A crude English stem: "sampling" is "sample", "bolts" "bolt", "injector" "injection"."""
    w = word.lower()
    if w in _SHORT_FORMS:
        return _SHORT_FORMS[w]
    for suffix in _SUFFIXES:
        shortest = 5 if suffix in _AGENT_SUFFIXES else 3
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest and not w.isdigit():
            return w[: -len(suffix)]
    return w


_NON: Final = re.compile(r"\bnon[-\s]+(?=[a-z])", re.IGNORECASE)
"""The prefix "non-", written or said apart ("non drive end"): it makes the opposite word."""


def non_joined(text: str) -> str:
    """``text`` with "non-" joined to its word: "non-drive end" is "nondrive end".

    Its "drive" is not the "drive end" a technician asks about.
    """
    return _NON.sub("non", text)


def stems(text: str) -> set[str]:
    """Stems of the content words of ``text``, "non-" joined to its word (:func:`non_joined`)."""
    return {stem(w) for w in keywords(non_joined(text))}


_PARTICLES: Final = frozenset({"out", "up", "down", "off", "over"})


def compounds(text: str) -> list[str]:
    """Phrasal verbs written as one word in manuals: "lock out" -> "lockout", "shut down"..."""
    words = [m.group().lower() for m in _WORD.finditer(text)]
    pairs = itertools.pairwise(words)
    return [a + b for a, b in pairs if b in _PARTICLES and a.isalpha() and a not in STOPWORDS]


def fts_query(question: str, codes: list[str]) -> str | None:
    """An FTS5 MATCH expression: any content word, or any of the question's codes."""
    words = [*keywords(question), *compounds(question)]
    parts = [f'"{w}"' for w in dict.fromkeys(words) if not _is_code_part(w, codes)]
    parts += [f'codes : "{c}"' for c in codes]
    return " OR ".join(parts) if parts else None


def _is_code_part(word: str, codes: list[str]) -> bool:
    # "e" and "117" of "E-117" would match every code with a 117 in it; the codes column decides.
    return any(word in c for c in codes) and not word.isalpha() or (len(word) == 1)
