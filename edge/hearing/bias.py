"""Recognition biased to the manuals: what was heard, restored to what exists, with a record.

After the recognizer's final transcript, and before anything acts on it:

- **codes** (fault codes, part numbers, bolt sizes, IDs) that no manual contains are restored to
  the one that sounds nearest ("H-400-12" -> "H-412", "E-170" -> "E-117") when exactly one comes
  close; several close ones leave it as heard and mark it doubtful;
- **units** after a number that the manuals do not use are restored by sound among the units the
  manuals use, preferring those of the component named ("232 mAh" -> "232 bar" for the pitch
  system);
- **numbers** spelled out before a unit become digits ("two hundred and ten bar" -> "210 bar"),
  and a number heard as letters before one is restored by sound ("reads AD bar" -> "80 bar");
- **command words** at the start survive mishearing ("Laga high severity incident" -> "Log a
  high severity incident"; "Stob." -> "Stop.").

Every change is a :class:`Correction`; with the recognizer's confidence it travels on the
:class:`Heard` record to the responder and the tools (``ToolRequest.heard``), so a doubtful
reading or incident can be read back to the technician instead of acted on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from edge.hearing.phonetic import (
    Phonemes,
    best_similarity,
    code_readings,
    number_words,
    phrase_phonemes,
    similarity,
    to_phonemes,
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

CorrectionKind = Literal["code", "unit", "number", "value", "command"]
"""``number``: spelled out as digits; ``value``: a number heard as letters ("AD bar": 80 bar)."""

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

        That is: low confidence, a code, unit or value restored by sound, or a code that could
        be one of several.
        """
        low = self.confidence is not None and self.confidence < DOUBTFUL_CONFIDENCE
        restored = any(
            c.kind == "value"
            or c.kind in ("code", "unit")
            and normalize_code(c.heard) != normalize_code(c.restored)
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
    out = _bare_codes(out, lexicon, corrections, ambiguous)
    out = _letters_for_numbers(out, lexicon, corrections)
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
            # Only codes with a digit are said by sound; a code's letters must be heard (a
            # different first letter is a different family: E-117 is never L-17), but a letter
            # may be heard as one that rhymes with it ("D-117" for "E-117").
            if re.search(r"\d", printed) and letters and _same_family(printed[0], letters.group())
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < CODE_SIMILARITY:
        return None
    close = [p for s, p in scored if s >= scored[0][0] - CODE_MARGIN]
    if len(close) > 1:
        return close
    return scored[0][1], round(scored[0][0], 3)


# A number standing alone, not in a code, a decimal or a thousands group ("fault code 105").
_BARE_NUMBER: Final = re.compile(r"(?<![\w.,-])\d{2,5}(?:-\d{1,5})*(?![\w-]|[.,]\d)")
_WORD_BEFORE: Final = re.compile(r"([A-Za-z']+)[\s,]*$")
CODE_CUES: Final = ("code", "fault code", "error", "error code", "alarm", "fault")
"""Words that say a code follows: a number after them is compared with the codes' digits."""
CUE_SIMILARITY: Final = 0.6
"""Words before a number this alike to a code cue are taken as it ("Eror 117": "Error 117")."""
_CUE_SOUNDS: Final = tuple(phrase_phonemes(cue) for cue in CODE_CUES)
_VALUE_WORDS: Final = frozenset(
    {"is", "are", "was", "were", "at", "to", "reads", "about", "around", "by", "of", "than"}
    | {"from", "over", "under", "and", "or"}
)
"""Words that put a value, not a code's letters, before a number ("the sump is 117")."""


def _bare_codes(
    text: str, lexicon: Lexicon, corrections: list[Correction], ambiguous: list[str]
) -> str:
    """Codes whose letters were lost or heard as a word ("fault code 105", "he 117").

    "fault code 105" -> "fault code E-105", "What does he 117 mean?" -> "What does E-117 mean?".

    A bare number (no unit after it) is compared by sound with every code in two ways: with the
    word before it as the code's letter ("he 117" is "E one seventeen"), and, after words that
    sound like a code cue ("fault code", "error", "felt code"), as the code's digits alone. As
    for heard codes, only one code that comes close is restored.
    """
    if not lexicon.codes:
        return text
    pieces: list[str] = []
    last = 0
    for m in _BARE_NUMBER.finditer(text):
        if _unit_after(text, m.end())[0] is not None:
            continue  # a value: "80 bar"
        before = _WORD_BEFORE.search(text, 0, m.start())
        word = before.group(1) if before is not None else ""
        if len(word) > 4 or word.lower() in _VALUE_WORDS:
            word = ""  # a letter misheard is a short word, and never one that states a value
        cued = _after_cue(text[: m.start()])
        found = _nearest_bare(m.group(), word, cued, lexicon)
        if found is None:
            continue
        if isinstance(found, list):
            ambiguous.append(m.group())
            continue
        printed, score, with_word = found
        start = before.start(1) if with_word and before is not None else m.start()
        corrections.append(Correction("code", text[start : m.end()], printed, score))
        pieces += [text[last:start], printed]
        last = m.end()
    return "".join([*pieces, text[last:]])


def _after_cue(prefix: str) -> bool:
    """Whether the last one or two words of ``prefix`` sound like a code cue."""
    words = re.findall(r"[A-Za-z']+", prefix)[-2:]
    spans = [phrase_phonemes(" ".join(words[-n:])) for n in (1, 2) if len(words) >= n]
    return any(similarity(s, cue) >= CUE_SIMILARITY for s in spans for cue in _CUE_SOUNDS)


def _same_family(letter: str, heard: str) -> bool:
    """Whether a code starting with ``letter`` may have been heard starting with ``heard``.

    The same letter, or one whose name rhymes with it (B, C, D, E, G, P, T, V, Z all end in
    "ee"; Q, U, W in "oo"), or a name of the same length less than half unlike it; never
    another vowel (A is no E), nor L or M for E.
    """
    first = heard[0].upper()
    if letter.upper() == first:
        return True
    a, b = _letter_name(letter), _letter_name(first)
    if a[-1] == b[-1] and a[-1][0] in "aeiou":  # ARPAbet vowels start with a vowel letter
        return len(a) + len(b) > 2  # a letter that is the vowel alone (E) rhymes with D, not A
    return len(a) == len(b) and similarity(a, b) > 0.5


def _sounds_like_letter(spoken: Phonemes, letter: str) -> bool:
    """Whether a word could be a letter's name misheard ("he" for E, "in" for M).

    No longer than the name by more than one sound, and somewhat alike ("has" is no E).
    """
    name = _letter_name(letter)
    return len(spoken) <= len(name) + 1 and similarity(spoken, name) >= 0.25


@functools.cache
def _letter_name(letter: str) -> Phonemes:
    """How a letter is said ("E": iy), asked for every known code by every bare number."""
    return code_readings(letter)[0]


def _nearest_bare(
    number: str, word: str, cued: bool, lexicon: Lexicon
) -> tuple[str, float, bool] | list[str] | None:
    """The one code ``number`` (with ``word`` before it) sounds like.

    Returns the code, its score and whether the word is part of it; the codes when several
    come close; None when none does.
    """
    digits = code_readings(number)
    spoken = phrase_phonemes(word) if word else ()
    lettered = [spoken + r for r in digits] if spoken else []
    scored: list[tuple[float, str, bool]] = []
    for printed in lexicon.codes.values():
        letters = re.match(r"[A-Za-z]+[\s-]*", printed)
        if letters is None or not re.search(r"\d", printed):
            continue
        options = []
        letter = letters.group().rstrip(" -")
        if lettered and len(letter) == 1 and _sounds_like_letter(spoken, letter):
            options.append((best_similarity(lettered, lexicon.readings(printed)), True))
        if cued:
            bare = lexicon.readings(printed[letters.end() :])
            options.append((best_similarity(digits, bare), False))
        if options:
            score, with_word = max(options)
            scored.append((score, printed, with_word))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < CODE_SIMILARITY:
        return None
    close = [p for s, p, _ in scored if s >= scored[0][0] - CODE_MARGIN]
    if len(close) > 1:
        return close
    score, printed, with_word = scored[0]
    return printed, round(score, 3), with_word


# -- numbers and units -----------------------------------------------------------------------------

_UNIT_AFTER: Final = re.compile(r"\s*([^\W\d_][\w°·/%]*(?:\s+[^\W\d_]+){0,2}|%|°\s?[CF])", re.U)


# Capitals, maybe with a digit, standing alone: "AD" and "8E" for "eighty".
_LETTERS_AS_NUMBER: Final = re.compile(r"(?<![\w.,-])(?=[A-Z0-9]{1,3}\b)[0-9]?[A-Z]{1,2}[0-9]?\b")
_SPOKEN_NUMBERS: Final = tuple(range(1, 100)) + tuple(range(100, 1000, 100))


def _letters_for_numbers(text: str, lexicon: Lexicon, corrections: list[Correction]) -> str:
    """A number heard as letters before a unit ("reads AD bar", "8E bar") -> "80 bar".

    Only before a unit the recognizer wrote out, only when no code is spelled so, and only when
    the letters sound like exactly one number from 1 to 99 or a whole hundred.
    """
    pieces: list[str] = []
    last = 0
    for m in _LETTERS_AS_NUMBER.finditer(text):
        token = m.group()
        if normalize_code(token) in lexicon.codes or _unit_after(text, m.end())[2] is None:
            continue
        heard = code_readings(token)
        scored = sorted(
            ((best_similarity(heard, [_number_phonemes(n)]), n) for n in _SPOKEN_NUMBERS),
            reverse=True,
        )
        score, number = scored[0]
        if score < CODE_SIMILARITY or scored[1][0] >= score - CODE_MARGIN:
            continue
        corrections.append(Correction("value", token, str(number), round(score, 3)))
        pieces += [text[last : m.start()], str(number)]
        last = m.end()
    return "".join([*pieces, text[last:]])


@functools.cache
def _number_phonemes(n: int) -> Phonemes:
    return to_phonemes(number_words(n))


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
