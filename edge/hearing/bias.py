"""Recognition biased to the manuals: what was heard, restored to what exists, with a record.

After the recognizer's final transcript, and before anything acts on it:

- **codes** (fault codes, part numbers, bolt sizes, IDs) that no manual contains are restored to
  the one that sounds nearest ("H-400-12" -> "H-412", "E-170" -> "E-117") when exactly one comes
  close; several close ones leave it as heard and mark it doubtful;
- **units** after a number that the manuals do not use are restored by sound among the units the
  manuals use, preferring those of the component named ("232 mAh" -> "232 bar" for the pitch
  system);
- **numbers** spelled out before a unit become digits ("two hundred and ten bar" -> "210 bar");
- **command words** at the start survive mishearing ("Laga high severity incident" -> "Log a
  high severity incident"; "Stob." -> "Stop.").

Every change is a :class:`Correction`; with the recognizer's confidence it travels on the
:class:`Heard` record to the responder and the tools (``ToolRequest.heard``), so a doubtful
reading or incident can be read back to the technician instead of acted on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from edge.hearing.phonetic import (
    Phonemes,
    best_similarity,
    code_readings,
    phrase_phonemes,
    similarity,
)
from edge.knowledge.numbers import find_numbers
from edge.knowledge.terms import normalize_code
from edge.knowledge.units import normalize_unit, spoken_unit

CODE_SIMILARITY: Final = 0.8
"""A heard code is restored to a known one that sounds at least this alike (0..1) ..."""
CODE_MARGIN: Final = 0.05
"""... and this much more alike than the runner-up (else it is ambiguous, left as heard)."""
UNIT_SIMILARITY: Final = 0.3
"""A unit the manuals do not use is restored to a manual unit this alike, of the named component."""
COMMAND_SIMILARITY: Final = 0.74
"""Opening words this alike to a command phrase are taken as it."""
DOUBTFUL_CONFIDENCE: Final = 0.6
"""Below this recognizer confidence (mean token probability) a transcript is doubtful."""

CorrectionKind = Literal["code", "unit", "number", "command"]

INCIDENT_COMMANDS: Final = ("log a", "log an", "report a", "report an")
"""How an incident report starts; the words must never reach the incident's description."""
CONTROL_WORDS: Final = (
    "stop", "next", "repeat", "say again", "go back", "cancel", "confirm", "pause",
    "continue", "skip", "yes", "no", "done", "wait",
)  # fmt: skip
"""Short commands that steer the dialogue."""
_INCIDENT_CUES: Final = re.compile(
    r"\b(?:incident|severity|priority|critical|high|medium|low|urgent|emergency)\b", re.I
)
_FILLERS: Final = frozenset({"okay", "ok", "please", "now", "then", "uh", "um"})
_OPENING_BEFORE_SEVERITY: Final = re.compile(
    r"\s*((?:[A-Za-z']+\s+){0,1}(?:an?|[A-Za-z']+))\s+(?=(?:critical|high|medium|low|urgent|minor)"
    r"\b[\s-]*(?:severity|priority)?[\s,]*incident\b)",
    re.I,
)
_COMMAND_VERBS: Final = frozenset(
    {"log", "report", "record", "file", "raise", "create", "open", "submit", "register", "note"}
)


@dataclass(frozen=True, slots=True)
class Correction:
    """One change made to the transcript."""

    kind: CorrectionKind
    heard: str
    """The words as recognized."""
    restored: str
    """What they were changed to."""
    similarity: float = 1.0
    """How alike they sound (0..1); 1.0 for pure normalization (spelled number to digits)."""


@dataclass(frozen=True, slots=True)
class Heard:
    """A final transcript with what the recognizer and the bias know about it."""

    text: str
    """The transcript the assistant acts on (corrections applied)."""
    raw: str
    """The recognizer's words, unchanged."""
    confidence: float | None = None
    """Recognizer confidence, 0..1 (mean token probability), None when unknown."""
    corrections: tuple[Correction, ...] = ()
    ambiguous: tuple[str, ...] = ()
    """Codes heard that exist nowhere and sound like several known ones: left as heard."""

    @property
    def doubtful(self) -> bool:
        """True when the words should be checked back before they are acted on.

        That is: low confidence, a code or unit restored by sound, or a code that could be one
        of several.
        """
        low = self.confidence is not None and self.confidence < DOUBTFUL_CONFIDENCE
        restored = any(
            c.kind in ("code", "unit") and normalize_code(c.heard) != normalize_code(c.restored)
            for c in self.corrections
        )
        return low or restored or bool(self.ambiguous)


@dataclass(frozen=True)
class Lexicon:
    """What exists in the manuals: codes as printed, units, components' units."""

    codes: Mapping[str, str] = field(default_factory=dict)
    """Normalized code (``e117``) -> code as printed (``E-117``)."""
    units: frozenset[str] = frozenset()
    """Canonical units the manuals use (``bar``, ``°C``...)."""
    component_units: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Component ID -> units of its limits."""
    _readings: dict[str, list[Phonemes]] = field(default_factory=dict, repr=False, compare=False)

    def readings(self, printed: str) -> list[Phonemes]:
        """Phoneme readings of a known code (memoised)."""
        found = self._readings.get(printed)
        if found is None:
            found = self._readings[printed] = code_readings(printed)
        return found


# A code as recognizers write it: capital letters, then digit groups (H-400-12, E 170, GO 320 S).
_HEARD_CODE: Final = re.compile(
    r"(?<![\w-])([A-Z]{1,5})(?:[\s-]*)(\d{1,5}(?:[\s-]\d{1,5})*)(?:[\s-]?([A-Z])(?![\w]))?(?![\w])"
)


def hear(
    text: str,
    lexicon: Lexicon,
    *,
    confidence: float | None = None,
    component: str | None = None,
) -> Heard:
    """Apply the manuals' bias to a final transcript.

    Args:
        text: the recognizer's final transcript.
        lexicon: what the manuals contain.
        confidence: the recognizer's confidence in ``text`` (0..1).
        component: the component the utterance names, if known (for units).
    """
    corrections: list[Correction] = []
    ambiguous: list[str] = []
    out = _commands(text, corrections)
    out = _codes(out, lexicon, corrections, ambiguous)
    out = _numbers_and_units(out, lexicon, component, corrections)
    return Heard(out, text, confidence, tuple(corrections), tuple(ambiguous))


# -- commands --------------------------------------------------------------------------------------


def _commands(text: str, corrections: list[Correction]) -> str:
    words = list(re.finditer(r"[A-Za-z']+", text))
    if not words:
        return text
    content = [w for w in words if w.group().lower() not in _FILLERS]
    if 0 < len(content) <= 3 and len(content) == len(words):
        # A short utterance: is it a control word, misheard?
        spoken = " ".join(w.group() for w in words)
        best = _best_phrase(spoken, CONTROL_WORDS)
        if best is not None and best[0] != spoken.lower():
            corrections.append(Correction("command", spoken, best[0], best[1]))
            return text[: words[0].start()] + _like(best[0], spoken) + text[words[-1].end() :]
    if not _INCIDENT_CUES.search(" ".join(w.group() for w in words[:6])):
        return text
    if words[0].group().lower() in _COMMAND_VERBS:
        return text  # the verb was heard; what follows is the technician's phrasing
    candidates = []
    for k in (1, 2):
        if len(words) > k:
            opening = " ".join(w.group() for w in words[:k])
            best = _best_phrase(opening, INCIDENT_COMMANDS)
            if best is not None:
                candidates.append((best[1], k, opening, best[0]))
    if candidates:
        score, k, opening, phrase = max(candidates)
        corrections.append(Correction("command", opening, phrase, score))
        return _like(phrase, opening) + text[words[k - 1].end() :]
    # The opening drowned ("A high severity incident, ...", "Blood a critical incident, ..."):
    # words before "<severity> incident" at the start can only be the command.
    m = _OPENING_BEFORE_SEVERITY.match(text)
    if m is not None and m.group(1).lower() not in _COMMAND_VERBS:
        heard = m.group(1).strip()
        score = similarity(phrase_phonemes(heard), phrase_phonemes("log a"))
        corrections.append(Correction("command", heard, "log a", round(score, 3)))
        return "Log a " + text[m.end() :]
    return text


def _best_phrase(spoken: str, phrases: Iterable[str]) -> tuple[str, float] | None:
    heard = phrase_phonemes(spoken)
    scored = sorted(((similarity(heard, phrase_phonemes(p)), p) for p in phrases), reverse=True)
    if not scored or scored[0][0] < COMMAND_SIMILARITY:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]:
        return None
    return scored[0][1], scored[0][0]


def _like(phrase: str, model: str) -> str:
    """``phrase`` with the capitalisation of the words it replaces."""
    return phrase[0].upper() + phrase[1:] if model[:1].isupper() else phrase


# -- codes -----------------------------------------------------------------------------------------


def _codes(text: str, lexicon: Lexicon, corrections: list[Correction], ambiguous: list[str]) -> str:
    if not lexicon.codes:
        return text
    pieces: list[str] = []
    last = 0
    for m in _HEARD_CODE.finditer(text):
        heard = m.group().strip()
        known = lexicon.codes.get(normalize_code(heard))
        if known is not None:
            if heard != known:  # "GO 320 S", "E 117": written as the manuals print it
                corrections.append(Correction("code", heard, known, 1.0))
                pieces += [text[last : m.start()], known]
                last = m.end()
            continue
        restored = _nearest_code(heard, lexicon)
        if restored is None:
            continue
        if isinstance(restored, list):
            ambiguous.append(heard)
            continue
        printed, score = restored
        corrections.append(Correction("code", heard, printed, score))
        pieces += [text[last : m.start()], printed]
        last = m.end()
    return "".join([*pieces, text[last:]])


def _nearest_code(heard: str, lexicon: Lexicon) -> tuple[str, float] | list[str] | None:
    readings = code_readings(heard)
    letters = re.match(r"[A-Z]+", heard)
    scored = sorted(
        (
            (best_similarity(readings, lexicon.readings(printed)), printed)
            for printed in lexicon.codes.values()
            # Only codes with a digit are said by sound; a code's letters must be heard
            # (a different first letter is a different family: E-117 is never L-17).
            if re.search(r"\d", printed) and letters and printed[0] == letters.group()[0]
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < CODE_SIMILARITY:
        return None
    close = [p for s, p in scored if s >= scored[0][0] - CODE_MARGIN]
    if len(close) > 1:
        return close
    return scored[0][1], round(scored[0][0], 3)


# -- numbers and units -----------------------------------------------------------------------------

_UNIT_AFTER: Final = re.compile(r"\s*([^\W\d_][\w°·/%]*(?:\s+[^\W\d_]+){0,2}|%|°\s?[CF])", re.U)


def _numbers_and_units(
    text: str, lexicon: Lexicon, component: str | None, corrections: list[Correction]
) -> str:
    pieces: list[str] = []
    last = 0
    for mention in find_numbers(text):
        unit_text, unit_end, canonical = _unit_after(text, mention.end)
        if unit_text is None:
            continue
        number = mention.text
        if not re.fullmatch(r"[-\u2212]?[\d,.]+", number):
            digits = _digits(mention.value)
            corrections.append(Correction("number", number, digits))
            number = digits
        unit = unit_text
        if canonical is None or (lexicon.units and canonical not in lexicon.units):
            restored = _nearest_unit(unit_text, lexicon, component)
            if restored is None and canonical is None:
                if number != mention.text:
                    pieces += [text[last : mention.start], number]
                    last = mention.end
                continue
            if restored is not None:
                corrections.append(Correction("unit", unit_text, restored[0], restored[1]))
                unit = restored[0]
        pieces += [
            text[last : mention.start],
            number,
            text[mention.end : unit_end - len(unit_text)],
            unit,
        ]
        last = unit_end
    return "".join([*pieces, text[last:]])


def _unit_after(text: str, end: int) -> tuple[str | None, int, str | None]:
    """The unit-like words right after a number, their end, and the canonical unit if known."""
    m = _UNIT_AFTER.match(text, end)
    if m is None:
        return None, end, None
    words = m.group(1).split()
    # Longest unit phrase first: "degrees Celsius" before "degrees".
    for n in range(len(words), 0, -1):
        phrase = " ".join(words[:n])
        canonical = normalize_unit(phrase)
        if canonical is not None:
            start = m.start(1)
            return phrase, start + len(phrase), canonical
    first = words[0] if words else ""
    # An unknown short symbol (mixed case: "mAh", "kWh") is a unit-shaped mishearing.
    if 1 <= len(first) <= 4 and first.isalpha() and not first.islower() and not first.istitle():
        return first, m.start(1) + len(first), None
    return None, end, None


def _nearest_unit(heard: str, lexicon: Lexicon, component: str | None) -> tuple[str, float] | None:
    pool = lexicon.component_units.get(component or "", frozenset()) or lexicon.units
    said = phrase_phonemes(heard)
    scored = sorted(
        ((similarity(said, phrase_phonemes(spoken_unit(u))), u) for u in pool), reverse=True
    )
    if not scored or scored[0][0] < UNIT_SIMILARITY:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - CODE_MARGIN:
        return None
    return scored[0][1], round(scored[0][0], 3)


def _digits(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
