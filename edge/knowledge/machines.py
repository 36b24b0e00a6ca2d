"""Which manual a question is about, from the words it uses for the machine.

A device holds the manuals of several machines, and most questions name none ("what oil goes in
it?"). Some do, in the technician's words rather than by model code: "the power unit", "the
chiller", "on the truck", "these compressors". Those words come from the manual's own title, and
the manual uses them far more than the other manuals do ("truck" in a forklift manual, not in a
pump skid's). A title word or word pair counts as naming its manual when that manual holds most of
its uses on the device; words every manual uses ("service", "unit", "manual", "pump" in a hydraulic
unit and a pump skid alike) name nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Final

from edge.knowledge.terms import STOPWORDS, stem

SHARE: Final = 0.8
"""Least share of a word's uses on the device its manual must hold to be named by it."""
MIN_USES: Final = 1
"""Uses of the word in its own manual's text (a word printed once only in the title is noise)."""
_WORD: Final = re.compile(r"[a-z]{2,}")


def grams(text: str) -> list[str]:
    """Stems of ``text``'s words, and each pair of neighbouring ones ("power unit")."""
    stems = [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return [*stems, *(f"{a} {b}" for a, b in pairwise(stems))]


def machine_words(documents: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Title word or pair -> the titles of the manuals it names.

    Args:
        documents: each manual's title and its texts (sections and chunks).
    """
    titles = {title: set(grams(title)) for title in documents}
    wanted = set().union(*titles.values())  # only title words can name a manual: count only them
    uses: dict[str, Counter[str]] = {}
    for title, texts in documents.items():
        counted: Counter[str] = Counter()
        for text in texts:
            counted.update(g for g in grams(text) if g in wanted)
        uses[title] = counted
    named: dict[str, set[str]] = {}
    for title, counted in uses.items():
        for gram in titles[title]:
            mine = counted[gram]
            everywhere = sum(c[gram] for c in uses.values())
            if mine >= MIN_USES and mine >= SHARE * everywhere:
                named.setdefault(gram, set()).add(title)
    return {gram: frozenset(titles) for gram, titles in named.items()}


def machines_named(question: str, words: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Titles of the manuals ``question`` names by their machine's words."""
    return frozenset(t for gram in set(grams(question)) for t in words.get(gram, ()))


def machine_stems(question: str, words: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Stems of the words in ``question`` that name a machine ("torque wrench", "chiller").

    They tell which manual, not which passage of it: "the maximum pump pressure of the torque
    wrench" asks for a pump pressure, and a table headed "Torque" is no better for it.
    """
    return frozenset(w for gram in set(grams(question)) if gram in words for w in gram.split())


_TITLE_END: Final = re.compile(r"\s+[–—-]\s+|[:,(]|\s+(?:for|with)\s+", re.IGNORECASE)
_DOCUMENT_WORDS: Final = frozenset(
    {
        *("installation", "operation", "operating", "operator", "operators", "service"),
        *("servicing", "maintenance", "manual", "manuals", "handbook", "guide", "instructions"),
        *("instruction", "repair", "technical", "and"),
    }
)
"""Words of a manual's title that say what kind of document it is, not which machine."""
MACHINE_WORDS: Final = 7
"""Most words of a manual's title kept to name its machine aloud."""


def machine_name(title: str) -> str:
    """The machine a manual's title names, short enough to say in a question.

    "CPS 200 Duty/Standby Centrifugal Pump Skid – Installation, Operation and Maintenance Manual"
    -> "CPS 200 Duty/Standby Centrifugal Pump Skid"; the document's kind ("Service Manual") and
    whatever follows a dash, colon or comma are dropped.
    """
    head = _TITLE_END.split(title.strip(), maxsplit=1)[0]
    kept: list[str] = []
    for word in head.split():
        if word.lower().strip(".") in _DOCUMENT_WORDS and kept:
            break
        if sum(any(c.isalnum() for c in w) for w in kept) == MACHINE_WORDS:
            break  # a "/" between model names is no word
        kept.append(word)
    kept = kept or title.split()
    if " ".join(kept).isupper():
        # Shouted titles read as a sentence; model codes ("WC-180") keep their capitals.
        kept = [w if any(c.isdigit() for c in w) else w.lower() for w in kept]
    name = " ".join(kept)
    return name[:1].upper() + name[1:]
