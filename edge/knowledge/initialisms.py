"""Initialisms a technician says for what a manual spells out: "PPE", "VFD", "NPSH".

A manual titles a section "Personal protective equipment" and may never print "PPE"; the
technician asks "what PPE do I need on the skid?", and neither the keyword search nor the
answer's word matching finds the section. The initials of every section title (its numbering
dropped, three to five words) name that title; a question word of three to five capitals that is
such an initialism, and names one title only, is searched with the title's words beside it. Only
capitals count ("air" is a word), and never two letters: "SL", "PT" are tags and model codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

_NUMBERING: Final = re.compile(r"^\s*(?:[A-Z]?\d+(?:\.\d+)*\.?|[A-Z]\.)\s+")
_WORD: Final = re.compile(r"[A-Za-z]+")
_CAPITALS: Final = re.compile(r"(?<![\w-])[A-Z]{3,5}s?(?![\w-])")
"""A word in capitals on its own: not part of a code ("DG-400", "PT20")."""
MIN_WORDS: Final = 3
MAX_WORDS: Final = 5


def initialisms(titles: Iterable[str]) -> dict[str, str]:
    """Initials (upper case) -> the section title they stand for, lower case.

    Initials two titles share ("Pump Protection Equipment", "Personal Protective Equipment")
    stand for neither.
    """
    found: dict[str, set[str]] = {}
    for title in titles:
        words = _WORD.findall(_NUMBERING.sub("", title))
        if not MIN_WORDS <= len(words) <= MAX_WORDS:
            continue
        phrase = " ".join(w.lower() for w in words)
        found.setdefault("".join(w[0] for w in words).upper(), set()).add(phrase)
    return {initials: next(iter(p)) for initials, p in found.items() if len(p) == 1}


def spelled_out(question: str, known: Mapping[str, str]) -> str:
    """``question`` with the title each of its initialisms stands for beside it.

    "what PPE do I need" -> "what PPE (personal protective equipment) do I need".
    """

    def beside(m: re.Match[str]) -> str:
        word = m.group(0)
        phrase = known.get(word) or known.get(word[:-1] if word.endswith("s") else "")
        if phrase is None or phrase in question.lower():
            return word
        return f"{word} ({phrase})"

    return _CAPITALS.sub(beside, question)
