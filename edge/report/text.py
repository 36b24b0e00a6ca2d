"""Wording of incidents: bounded, printable text; severities as people say them; short summaries.

Everything here is pure. Tool arguments come from a small LLM and from speech recognition, so any
of it may be missing, wrong or huge: these functions never raise on odd input and always return
bounded text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from edge.report.base import Severity

MAX_DESCRIPTION: Final = 1000
"""Longest description kept in a report (characters).

About 170 words: a minute of speech, twice the default longest turn (``endpoint.max_utterance_s``
30 s), and a line a fleet dashboard can show. Longer text is cut at a word and ends with "…"; the
payload lists the field in ``truncated`` and ``edge incidents log`` says so, so a cut is never
silent. The technician's full words go in ``transcript`` (up to :data:`MAX_TRANSCRIPT`)."""
MAX_TRANSCRIPT: Final = 2000
"""Longest transcript kept in a report (characters)."""
MAX_SUMMARY: Final = 80
"""Longest summary, read back to the technician (characters)."""
MAX_LABEL: Final = 64
"""Longest identifier-like field: component, parameter, unit (characters)."""

# Control characters (NUL included), line and paragraph separators, surrogates, private-use and
# unassigned code points become spaces: they break terminals, JSON consumers and TTS, and dropping
# them would run the words on either side together ("oil\0leak" must not become "oilleak").
# Format characters are dropped (soft hyphen, joiners, bidi overrides sit inside words), except
# the zero-width space, which separates words.
_SPACE_CATEGORIES: Final = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
_DROP_CATEGORIES: Final = frozenset({"Cf"})
_WORD_SEPARATORS: Final = frozenset("\u200b")


def clean_text(value: object, limit: int) -> str:
    """``value`` as printable, single-spaced NFC text of at most ``limit`` characters.

    Non-text values become ``""`` (numbers become their decimal form). Overlong text is cut at a
    word boundary and ends with an ellipsis (:func:`bounded_text` also says whether it was).
    """
    return bounded_text(value, limit)[0]


def bounded_text(value: object, limit: int) -> tuple[str, bool]:
    """:func:`clean_text` of ``value`` and whether it had to be cut to fit ``limit``."""
    if isinstance(value, bool) or value is None:
        return "", False
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str) or limit <= 0:
        return "", False
    # Bound the work before normalising: 100 kB from a confused model must stay cheap.
    bound = limit * 4 + 16
    beyond = bool(value[bound:].strip())
    text = unicodedata.normalize("NFC", value[:bound])
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _SPACE_CATEGORIES or ch in _WORD_SEPARATORS:
            kept.append(" ")
        elif category not in _DROP_CATEGORIES:
            kept.append(ch)
    text = " ".join("".join(kept).split())
    return _cut(text, limit), len(text) > limit or beyond


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit * 0.6:  # cut at a word, unless that would lose too much
        head = head[:space]
    return head.rstrip(" ,;:-") + "…"


_SYNONYMS: Final[dict[str, Severity]] = {
    "low": Severity.LOW,
    "minor": Severity.LOW,
    "trivial": Severity.LOW,
    "cosmetic": Severity.LOW,
    "lowest": Severity.LOW,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "normal": Severity.MEDIUM,
    "med": Severity.MEDIUM,
    "mid": Severity.MEDIUM,
    "high": Severity.HIGH,
    "major": Severity.HIGH,
    "serious": Severity.HIGH,
    "severe": Severity.HIGH,
    "urgent": Severity.HIGH,
    "important": Severity.HIGH,
    "critical": Severity.CRITICAL,
    "crit": Severity.CRITICAL,
    "emergency": Severity.CRITICAL,
    "highest": Severity.CRITICAL,
    "catastrophic": Severity.CRITICAL,
    "life threatening": Severity.CRITICAL,
    "p1": Severity.CRITICAL,
    "p2": Severity.HIGH,
    "p3": Severity.MEDIUM,
    "p4": Severity.LOW,
    "sev1": Severity.CRITICAL,
    "sev2": Severity.HIGH,
    "sev3": Severity.MEDIUM,
    "sev4": Severity.LOW,
}
_FILLER_WORDS: Final = frozenset(
    {"severity", "priority", "level", "very", "really", "extremely", "quite", "a", "an", "the"}
)


def parse_severity(value: object) -> Severity | None:
    """A severity from an argument such as ``"High"``, ``"urgent"`` or ``"sev-2"``, else None."""
    if not isinstance(value, str):
        return None
    text = clean_text(value, 40).lower().replace("_", " ").replace("-", " ")
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _FILLER_WORDS]
    joined = " ".join(words)
    for candidate in (joined, joined.replace(" ", "")):
        if candidate in _SYNONYMS:
            return _SYNONYMS[candidate]
    return None


_WORDS: Final = "|".join(
    sorted((re.escape(k).replace(r"\ ", r"[\s-]+") for k in _SYNONYMS), key=len)[::-1]
)
_NOUNS: Final = r"incident|issue|problem|fault|report|defect|event|alarm|ticket|case"
_STATED: Final = (
    # "high severity", "critical priority"
    re.compile(rf"\b(?P<w>{_WORDS})[\s-]+(?:severity|priority|importance)\b", re.I),
    # "severity high", "priority is critical", "severity level: low"
    re.compile(
        rf"\b(?:severity|priority)(?:\s+(?:level|is|of|as|to|should\s+be|=)|\s*:)*\s*(?P<w>{_WORDS})\b",
        re.I,
    ),
    # "a critical incident", "minor issue"
    re.compile(rf"\b(?P<w>{_WORDS})\s+(?:{_NOUNS})\b", re.I),
    # "log it as urgent", "mark this as high"
    re.compile(
        rf"\b(?:log|report|file|mark|flag|record|raise)\s+(?:it\s+|this\s+|that\s+)?as\s+(?:an?\s+)?"
        rf"(?P<w>{_WORDS})\b",
        re.I,
    ),
    # "it's urgent", "this is an emergency" (not "emergency stop": only after "is")
    re.compile(r"\b(?:is|it's|its|that's)\s+(?:an?\s+)?(?P<w>urgent|emergency)\b", re.I),
    re.compile(r"^\s*(?P<w>urgent)\b", re.I),
)
_NEGATION: Final = re.compile(r"\b(?:not|no|isn't|nothing|never)\s+(?:\w+\s+)?$", re.I)


def stated_severity(transcript: str) -> Severity | None:
    """The severity the technician said out loud ("log a high severity incident"), if any.

    Words like "high" alone do not count ("high vibration" is a reading, not a severity). When
    several different severities are stated, the highest wins: safety first.
    """
    text = clean_text(transcript, MAX_TRANSCRIPT)
    found: set[Severity] = set()
    for pattern in _STATED:
        for match in pattern.finditer(text):
            if _NEGATION.search(text[: match.start("w")]):
                continue
            severity = parse_severity(match.group("w"))
            if severity is not None:
                found.add(severity)
    if not found:
        return None
    order = list(Severity)
    return max(found, key=order.index)


_HAZARDS: Final = re.compile(
    r"\b(?:fire|flames?|smoke|smoking|burning|injur(?:y|ed|ies)|hurt|bleeding|unconscious|"
    r"electrocut\w*|electric(?:al)?\s+shock|arc\s+flash|fell|fallen|collapse[sd]?)\b",
    re.I,
)


def hazard_severity(text: str) -> Severity | None:
    """CRITICAL when ``text`` names a danger to people (fire, smoke, injury), else None."""
    return Severity.CRITICAL if _HAZARDS.search(clean_text(text, MAX_TRANSCRIPT)) else None


_SEV_PHRASE: Final = (
    rf"(?:(?:{_WORDS})[\s-]+(?:severity|priority)"
    rf"|(?:severity|priority)(?:\s+level)?\s*(?:is\s+|of\s+|:\s*)?(?:{_WORDS}))\b"
)
_NOT_EMERGENCY: Final = (
    r"(?!\s+(?:stop|brake|button|light|lighting|exit|shutdown|switch|power|kit))"
)
_ADDRESS: Final = r"""
    (?:(?:hey|ok|okay)\s+\w+\s*[,.!]?\s+)?
    (?:(?:please|can\s+you|could\s+you|would\s+you|i\s+want\s+to|i'd\s+like\s+to|i\s+need\s+to|
        let's|go\s+ahead\s+and|we\s+need\s+to)\s+)*
"""
"""How a command may be addressed before its verb ("Hey Jarvis, please log ...")."""
_PREAMBLE: Final = re.compile(
    rf"""^\s*{_ADDRESS}
    (?:log|report|file|record|raise|create|open|submit|register|note)\s+
    (?:(?:a|an|new|this|it|me)\s+)*
    (?:as\s+(?:an?\s+)?(?:{_WORDS})\b\s*[,:]?\s*)?
    (?:{_SEV_PHRASE}\s*|(?:{_WORDS})\s+(?=(?:{_NOUNS})\b))?
    (?:(?:{_NOUNS}|emergency{_NOT_EMERGENCY})(?:\s+report)?\b)?
    (?:\s*(?:(?:about|for|regarding|on|that|of|with|saying)\b|[:,\-\u2014.]))*\s*
    (?:{_SEV_PHRASE}\s*[,:.\-]?\s*)?
    """,
    re.I | re.X,
)
_POSTAMBLE: Final = re.compile(
    rf"(?:[\s,.;-]*(?:please\s+)?(?:log|report|record|file)\s+(?:it|that|this)"
    rf"(?:\s+as\s+(?:an?\s+)?(?:{_WORDS})(?:[\s-]+(?:severity|priority))?(?:\s+(?:{_NOUNS}))?)?"
    rf"(?:\s+please)?|[\s,;.-]+(?:with\s+)?{_SEV_PHRASE})[\s.!]*$",
    re.I,
)


_EDGES: Final = " ,.;:-\u2014"
"""Punctuation left around the words once the command is gone."""
_COMMAND_HEAD: Final = re.compile(
    r"^\s*(?:[\w'-]+[\s,]+){0,6}?(?:incident|incidence)s?(?:\s+report)?\s*[,:;.\u2014-]+\s*", re.I
)
"""A garbled command ending in "incident" and a pause ("Log and medium severity incident, ...")."""


def strip_command(transcript: str) -> str:
    """The technician's words without the command around them.

    ``"Log a high severity incident: oil leak at the gearbox"`` -> ``"oil leak at the gearbox"``;
    ``"Oil on the yaw deck, log it"`` -> ``"Oil on the yaw deck"``. A command misheard past
    recognition ("We've got a nice severity incident, ...") still ends at its "incident" and
    the pause after it: words up to there never reach the description.
    """
    text = clean_text(transcript, MAX_TRANSCRIPT)
    preamble = _PREAMBLE.match(text)
    head = _COMMAND_HEAD.match(text)
    ends = [m.end() for m in (preamble, head) if m is not None]
    text = _POSTAMBLE.sub("", text[max(ends, default=0) :], count=1)
    return text.strip(_EDGES)


_OPENING: Final = re.compile(
    rf"""^\s*{_ADDRESS}
    (?:log|report|file|record|raise|create|open|submit|register)\s+
    (?:(?:a|an|new|this)\s+)*
    (?:{_SEV_PHRASE}\s*|(?:{_WORDS})\s+)?
    (?:incident|incidence|incidents)\b
    """,
    re.I | re.X,
)


def opens_with_command(transcript: str) -> bool:
    """Whether ``transcript`` opens with the command to log an incident.

    "Log a high severity incident, fault code E-117 keeps coming back" and "Please report an
    incident: ..." do; "What does E-117 mean?", "How do I report an incident?" and a statement
    ending in "log it" do not. Whatever else such a request names (a fault code, a reading),
    the technician asked for an incident.
    """
    return _OPENING.match(clean_text(transcript, MAX_TRANSCRIPT)) is not None


def carries_command(transcript: str) -> bool:
    """Whether ``transcript`` holds a command around the technician's words (see above)."""
    return strip_command(transcript) != clean_text(transcript, MAX_TRANSCRIPT).strip(_EDGES)


def summarize(description: str, limit: int = MAX_SUMMARY) -> str:
    """A short summary of ``description`` for read-back: its first sentence, bounded."""
    text = clean_text(description, MAX_DESCRIPTION)
    first = re.split(r"(?<=[.!?;])\s+", text, maxsplit=1)[0]
    # A description that is only punctuation ("!") keeps it: a summary is never empty.
    return _cut(first.rstrip(" .!?;,:"), limit) or _cut(text, limit)


def spoken_summary(summary: str) -> str:
    """``summary`` for a sentence middle: "Oil leak" -> "oil leak"; acronyms stay ("GBX oil")."""
    first = summary.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return first[0].lower() + summary[1:]
    return summary
