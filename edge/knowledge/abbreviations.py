"""Abbreviations a manual uses for its own words: "LO" for lube oil, "FO" for fuel oil.

Alarm lists print a short display text in capitals beside the measuring point it is about
("AL-101 | LO PRESS LOW | PT-101"), and the manual's list of measuring points names that point in
words ("PT-101 | Lube oil pressure, engine inlet"); prose defines others on first use ("the
high-temperature (HT) circuit"). A technician says the abbreviation ("LO pressure at the inlet is
3.8 bar"). Matched word for word, "LO" fits no limit and "pressure at the engine inlet" fits fuel,
lube oil and water alike.

A word in capitals stands for words of the manual when its letters are their initials: the
consecutive words of the named point's name in the same table row, or the words right before a
bracketed definition; a bracketed token that spells no initials names the word before it
("propane (LP)", "polyolester (POE)"). A word the manual has stand for two different things
stands for neither, and words that are words ("LOW", "AT") stand for nothing. Unlike section-title
initialisms (:mod:`edge.knowledge.initialisms`), two letters count: the manual itself says what
they mean. A manual's own list of abbreviations ("TGB | Turbine guide bearing") is read by
:func:`listed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from edge.knowledge.terms import STOPWORDS

_CAPITALS_CELL: Final = re.compile(r"[A-Z][A-Z0-9 ./&-]*")
"""A display text: capitals, figures and separators only ("TC LO PRESS LOW")."""
_TOKEN: Final = re.compile(r"(?<![\w-])[A-Z]{2,4}(?![\w-])")
"""A word in capitals that may be an abbreviation: not part of a code ("PT-101", "TE5")."""
_DEFINED: Final = re.compile(r"((?:[A-Za-z]+[\s-]+){1,4})\(([A-Z]{2,4})\)")
"""Words followed by their abbreviation in brackets: "high-temperature (HT)"."""
_LISTED: Final = re.compile(r"(?:^|[;:]\s*)([A-Z]{2,4}),\s+([a-z][a-z\s-]{2,60}?)(?=;|\.\s|\.?$)")
"""An abbreviations list written as prose: "LGB, lower guide bearing; NSD, normal shutdown;"."""
_WORD: Final = re.compile(r"[A-Za-z]+")
_PLAIN_WORDS: Final = frozenset(
    {"low", "high", "max", "min", "off", "on", "run", "set", "stop", "trip", "alarm", "fault",
     "level", "temp", "press", "flow", "open", "shut", "start", "fail", "oil", "air", "gas"}
)  # fmt: skip
"""Words of display texts that are words (or the usual clipped ones), never initials."""


def learned(
    tables: Iterable[Sequence[Sequence[str]]],
    names: Mapping[str, str],
    texts: Iterable[str] = (),
) -> dict[str, str]:
    """Abbreviation (as printed) -> the words it stands for (lower case).

    Args:
        tables: one manual's tables, rows of cells.
        names: the manual's component/measuring-point IDs -> their names.
        texts: the manual's prose, for bracketed definitions.
    """
    found: dict[str, set[str]] = {}
    for rows in tables:
        for row in rows:
            cells = [cell.strip() for cell in row]
            points = [names[cell] for cell in cells if cell in names]
            shown = [cell for cell in cells if cell not in names and _CAPITALS_CELL.fullmatch(cell)]
            for name in points:
                for cell in shown:
                    for token in _TOKEN.findall(cell):
                        phrase = _initials_in(token, name)
                        if phrase:
                            found.setdefault(token, set()).add(phrase)
    for text in texts:
        for m in _DEFINED.finditer(text):
            token = m.group(2)
            words = _WORD.findall(m.group(1))[-len(token) :]
            if _initials(words) == token.lower():
                found.setdefault(token, set()).add(" ".join(w.lower() for w in words))
            elif words and words[-1].lower() not in STOPWORDS:
                # "propane (LP)", "polyolester (POE)": a trade name for the word before it.
                found.setdefault(token, set()).add(words[-1].lower())
    return _unambiguous(found)


def listed(tables: Iterable[Sequence[Sequence[str]]], texts: Iterable[str] = ()) -> dict[str, str]:
    """Abbreviations a manual's own list of abbreviations defines (lower-case words).

    A table row "TGB | Turbine guide bearing" or prose "LGB, lower guide bearing; NSD, normal
    shutdown". These describe its limits; they are not used to spell out questions: a question
    spelled out in the list's words finds the list itself, not the answer.
    """
    found: dict[str, set[str]] = {}
    pairs = [
        (cells[0].strip(), cells[1])
        for rows in tables
        for cells in rows
        if len(cells) >= 2 and _TOKEN.fullmatch(cells[0].strip())
    ]
    pairs += [
        (m.group(1), m.group(2)) for text in texts for m in _LISTED.finditer(" ".join(text.split()))
    ]
    for token, words in pairs:
        phrase = _initials_in(token, words)
        if phrase:
            found.setdefault(token, set()).add(phrase)
    return _unambiguous(found)


def _unambiguous(found: Mapping[str, set[str]]) -> dict[str, str]:
    """Each abbreviation that stands for one thing only, and is no plain word."""
    return {
        token: next(iter(phrases))
        for token, phrases in found.items()
        if len(phrases) == 1 and token.lower() not in STOPWORDS | _PLAIN_WORDS
    }


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words).lower()


def _initials_in(token: str, name: str) -> str | None:
    """The consecutive words of ``name`` whose initials spell ``token``, if exactly one run."""
    words = [w.lower() for w in _WORD.findall(name)]
    if token.lower() in words:
        return None  # "HT water pressure": the name says HT itself
    size = len(token)
    runs = {
        " ".join(words[i : i + size])
        for i in range(len(words) - size + 1)
        if _initials(words[i : i + size]) == token.lower()
    }
    return next(iter(runs)) if len(runs) == 1 else None


def merged(per_manual: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """One mapping for every manual: an abbreviation two manuals read otherwise is dropped."""
    found: dict[str, set[str]] = {}
    for known in per_manual:
        for token, phrase in known.items():
            found.setdefault(token, set()).add(phrase)
    return {token: next(iter(p)) for token, p in found.items() if len(p) == 1}


def spelled(text: str, known: Mapping[str, str]) -> str:
    """``text`` with the words each abbreviation stands for beside it.

    "LO pressure is 3.8 bar" -> "LO (lube oil) pressure is 3.8 bar".
    """

    def beside(m: re.Match[str]) -> str:
        phrase = known.get(m.group(0))
        if phrase is None or phrase in text.lower():
            return m.group(0)
        return f"{m.group(0)} ({phrase})"

    return _TOKEN.sub(beside, text)
