"""Which limit a spoken reading is about: by its words and by its unit's dimension.

"The main motor is pulling 61 amps at full load" has to find M1's "Current at full load | up to
55 A" among every limit of every manual on the device. A limit is described by its parameter,
its component (ID, name and aliases: "main motor" fits "Main drive motor"), and the words around
it (caption, section, the sentence it came from). A reading's words are compared with each:

* a word of the parameter counts most, a code in it (``TT11``, ``VT 75``) more still;
* a word of the component's name counts a little less, a word of the context a little;
* an ID said aloud brings its component's name along ("TT-101A" is "pump bearing temperature");
* a word said after "no" or "without" counts against limits that have it ("no glycol");
* the unit said keeps only limits of the same dimension ("degrees" only temperatures).

Spoken synonyms are few and general (amps/pulling -> current, delta p -> differential/drop,
room/outside -> ambient). Limits that score the same are a true tie for the caller to ask about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from edge.knowledge.records import Limit
from edge.knowledge.terms import STOPWORDS, stem
from edge.knowledge.units import dimension

PARAMETER_WEIGHT: Final = 1.0
CODE_WEIGHT: Final = 2.0
COMPONENT_WEIGHT: Final = 0.8
CONTEXT_WEIGHT: Final = 0.25
NEGATED_WEIGHT: Final = 1.5
PREFERRED_BONUS: Final = 0.3
TIE: Final = 0.05
"""Scores closer than this to the best are a tie."""

_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "temp": ("temperature",),
    "temps": ("temperature",),
    "hot": ("temperature",),
    "pres": ("pressure",),
    "press": ("pressure",),
    "psi": ("pressure",),
    "rpm": ("speed",),
    "revs": ("speed",),
    "vib": ("vibration",),
    "amps": ("current",),
    "amp": ("current",),
    "pulling": ("current",),
    "drawing": ("current",),
    "draw": ("current",),
    "volts": ("voltage",),
    "megger": ("insulation", "resistance"),
    "meggers": ("insulation", "resistance"),
    "megohms": ("insulation", "resistance"),
    "differential": ("differential", "drop"),
    "drop": ("drop", "differential"),
    "delta": ("differential", "drop"),
    "dp": ("differential", "drop"),
    "room": ("ambient",),
    "outside": ("ambient",),
    "outdoors": ("ambient",),
    "outdoor": ("ambient",),
    "lining": ("pad",),
    "pads": ("pad",),
    "deflects": ("deflection",),
    "deflect": ("deflection",),
    "runout": ("run-out", "concentricity"),
}
_IGNORED: Final = frozenset(
    {"reading", "reads", "read", "shows", "showing", "says", "measured", "measures", "measure",
     "about", "only", "level", "value", "sitting", "getting", "currently", "right", "now"}
)  # fmt: skip
_NEGATION: Final = re.compile(r"\b(?:no|without|not)\s+(\w+)", re.IGNORECASE)
_CODE: Final = re.compile(
    r"\b([A-Za-z]{1,5})[\s-]?(\d{1,4}[A-Za-z]?)\b|\b([A-Za-z]{1,5}\d+[A-Za-z]?(?:-\w+)?)\b"
)


def words(text: str) -> set[str]:
    """Stems of the content words of ``text``, synonyms added."""
    out: set[str] = set()
    for raw in re.findall(r"[A-Za-z][A-Za-z\-]*", text):
        word = raw.lower().strip("-")
        if word in STOPWORDS or word in _IGNORED or len(word) < 2:
            continue
        out.add(stem(word))
        out.update(stem(s) for s in _SYNONYMS.get(word, ()))
    return out


def codes(text: str) -> set[str]:
    """Codes written or said in ``text``, normalised: "TT-101A" and "tt 101a" -> "tt101a"."""
    found: set[str] = set()
    for m in _CODE.finditer(text):
        if m.group(3):
            found.add(re.sub(r"[\s\-]", "", m.group(3)).lower())
        elif m.group(1).isupper() or len(m.group(1)) <= 2:
            found.add(f"{m.group(1)}{m.group(2)}".lower())
    return found


@dataclass(frozen=True, slots=True)
class Described:
    """A limit and the words that describe it."""

    limit: Limit
    parameter: frozenset[str]
    codes: frozenset[str]
    component: frozenset[str]
    context: frozenset[str]


def describe(limit: Limit, component_names: Mapping[str, Sequence[str]]) -> Described:
    """The words of ``limit`` (``component_names``: ID -> name and aliases)."""
    names = component_names.get(limit.component_id, ())
    parameter = words(limit.parameter)
    component = words(" ".join(names)) | (
        {limit.component_id.lower()} if limit.component_id else set()
    )
    return Described(
        limit,
        frozenset(parameter),
        frozenset(codes(limit.parameter)),
        frozenset(component - parameter),
        frozenset(words(limit.context) - parameter - component),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A limit and how well a reading names it."""

    limit: Limit
    score: float
    matched: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Said:
    """What a reading says, for matching."""

    words: frozenset[str]
    codes: frozenset[str]
    negated: frozenset[str]


def said(transcript: str, component_names: Mapping[str, Sequence[str]]) -> Said:
    """The words and codes of a reading; IDs said aloud bring their component's name along."""
    found_codes = codes(transcript)
    spoken = words(transcript)
    by_code = {re.sub(r"[\s\-]", "", cid).lower(): cid for cid in component_names}
    for code in found_codes:
        if code in by_code:
            spoken |= words(" ".join(component_names[by_code[code]]))
            spoken.add(by_code[code].lower())
    negated = {stem(m.group(1).lower()) for m in _NEGATION.finditer(transcript)}
    return Said(frozenset(spoken - negated), frozenset(found_codes), frozenset(negated))


def unit_fits(limit: Limit, unit: str | None) -> bool:
    """Whether a reading in ``unit`` can be compared with ``limit`` (no unit: any limit)."""
    if unit is None:
        return True
    wanted, have = dimension(unit), dimension(limit.unit)
    if wanted is None or have is None:
        return unit.lower() == limit.unit.lower()
    return wanted == have


def rank(
    reading: Said,
    described: Sequence[Described],
    unit: str | None,
    *,
    prefer: str | None = None,
) -> list[Candidate]:
    """Limits a reading may be about, best first; only those whose unit fits."""
    out: list[Candidate] = []
    for d in described:
        if not unit_fits(d.limit, unit):
            continue
        in_parameter = reading.words & d.parameter
        in_codes = reading.codes & d.codes
        in_component = (reading.words | reading.codes) & d.component
        in_context = reading.words & d.context
        against = reading.negated & (d.parameter | d.context)
        score = (
            PARAMETER_WEIGHT * len(in_parameter)
            + CODE_WEIGHT * len(in_codes)
            + COMPONENT_WEIGHT * len(in_component)
            + CONTEXT_WEIGHT * len(in_context)
            - NEGATED_WEIGHT * len(against)
        )
        if prefer and d.limit.component_id == prefer:
            score += PREFERRED_BONUS
        matched = tuple(sorted(in_parameter | in_codes | in_component))
        out.append(Candidate(d.limit, score, matched))
    out.sort(key=lambda c: -c.score)
    return out


def same_limit(a: Limit, b: Limit) -> bool:
    """The same limit from two copies of a manual (a PDF and its Markdown source)."""
    return (a.parameter.lower(), a.unit, a.minimum, a.maximum) == (
        b.parameter.lower(),
        b.unit,
        b.minimum,
        b.maximum,
    )


def best(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The top candidates that tie (one when there is a clear winner), duplicates dropped."""
    if not candidates:
        return []
    top = candidates[0].score
    tied: list[Candidate] = []
    for c in candidates:
        if c.score < top - TIE:
            break
        if not any(same_limit(c.limit, t.limit) for t in tied):
            tied.append(c)
    return tied
