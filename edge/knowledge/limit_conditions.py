"""Limits stated as the condition of a fault or a troubleshooting check: "B2 reads above 65 °C".

A fault-code table ("E02 | Fluid temperature high | B2 reads above 65 °C | Check cooler and fan"),
a fault-code list ("E18: Brake coil over-temperature: brake coil temperature above 100 °C. The car
stops at the landing.") or a troubleshooting table ("Pump worn | Case drain flow above 6 L/min |
Overhaul or replace P1") says when something is wrong; the other side of that threshold is where
the machine should be. So the condition "above 65 °C" is a maximum of 65 °C, "below 3.8 mA or
above 20.5 mA" the range 3.8 to 20.5 mA, and the row's remedy is the action to take. A condition
with more to it than a threshold ("below 180 bar 10 s after start", "at 75 % of limit") is no
plain limit and is skipped; one said in words ("above 10 % during constant-speed travel") joins
the parameter's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from edge.events import SourceRef
from edge.knowledge.limit_prose import SENTENCE
from edge.knowledge.limit_text import Bounds, printed_number, unit_of
from edge.knowledge.records import Limit

_ABOVE: Final = r"above|over|exceeds|greater than|higher than|more than"
_BELOW: Final = r"below|under|less than|lower than"
_THRESHOLD: Final = (
    rf"(?P<{{w}}>{_ABOVE}|{_BELOW})\s+(?P<{{v}}>[+\-\u2212]?\d+(?:[.,]\d+)?)\s*"
    r"(?P<{u}>[^\d\s,;()]+(?:\s?/\s?[^\d\s,;()]+)?)?(?:\s+(?:abs|absolute|gauge|g|rms))?"
    # The same value in other units ("above 110 °C (230 °F)").
    r"(?:\s*\(\s*[+\-\u2212]?\d+(?:[.,]\d+)?\s*[^\d\s,;()]+(?:\s[^\d\s,;()]+)?\s*\))?"
)
_CONDITION: Final = re.compile(
    r"^(?:(?P<where>[^:]{1,30}):\s*)?(?P<what>[A-Za-z\u0394][^:;]*?)\s+"
    r"(?:(?:reads|reading|is|are|rises|falls|drops)\s+)?"
    + _THRESHOLD.format(w="first", v="v1", u="u1")
    + r"(?:\s+or\s+"
    + _THRESHOLD.format(w="second", v="v2", u="u2")
    + r")?"
    # A circumstance in words ("during constant-speed travel"); one with figures is no threshold.
    + r"(?:\s+(?P<when>(?:during|while|when|at|in|with)\s+[^\d.;:]+?))?\s*\.?\s*$",
    re.IGNORECASE,
)
_CODE_TEXT: Final = r"[A-Z]{0,3}[-\s]?\d{1,4}[A-Z]?"
"""A fault code as printed ("E02", "F-12")."""
_LISTED: Final = re.compile(rf"^\s*(?P<code>{_CODE_TEXT})\s*[:\u2013\u2014-]\s+(?P<text>.+)$")
"""An entry of a fault-code list printed as paragraphs: "E18: Brake coil over-temperature: ..."."""
_ACTION_HEADER: Final = re.compile(r"\b(?:action|remedy|what to do|correction|fix)\b", re.I)
_CODE_CELL: Final = re.compile(rf"^{_CODE_TEXT}$")
_STATE_WORDS: Final = re.compile(
    r"\s+(?:too\s+)?(?:high|low|hot|cold|fault|alarm|warning|exceeded|clogged|blocked)$",
    re.IGNORECASE,
)


def condition_limits(
    rows: Sequence[Sequence[str]],
    *,
    known_components: set[str],
    section_component: str | None,
    source: SourceRef,
    context: str = "",
) -> list[Limit]:
    """The thresholds of a fault-code or troubleshooting table (header row first) as limits.

    Args:
        rows: the table, header first.
        known_components: the manual's component IDs; a condition naming one ("B2 reads above
            65 °C") belongs to it, else to ``section_component``.
        section_component: the component of the table's section, if any.
        source: where the table is.
        context: the table's caption or section title (kept for matching spoken readings).
    """
    if len(rows) < 2:
        return []
    header = [h.strip() for h in rows[0]]
    action_col = next((i for i, h in enumerate(header) if _ACTION_HEADER.search(h)), None)
    found: list[Limit] = []
    for row in rows[1:]:
        cells = [c.strip() for c in row]
        for col, cell in enumerate(cells):
            if col == action_col:
                continue
            m = _CONDITION.match(cell)
            if m is None:
                continue
            bounds = _bounds(m, cell)
            if bounds is None:
                continue
            words = " ".join(p for p in (m.group("where"), m.group("what")) if p)
            owner = next(
                (t for t in re.findall(r"[\w-]+", words) if t in known_components),
                section_component or "",
            )
            others = [c for i, c in enumerate(cells) if i not in (col, action_col) and c]
            parameter = _parameter(m.group("what"), owner, others)
            if m.group("when"):
                parameter = f"{parameter} {' '.join(m.group('when').split())}"
            action = cells[action_col] if action_col is not None and action_col < len(cells) else ""
            found.append(
                bounds.limit(owner, parameter, source, " ".join([context, *others]).strip(), action)
            )
    return found


def listed_condition_limits(
    text: str,
    *,
    known_components: set[str],
    section_component: str | None,
    source: SourceRef,
    context: str = "",
) -> list[Limit]:
    """The thresholds of a fault-code list printed as paragraphs, a code and its text on each.

    The entry's first sentence is the condition; the sentences after it say what happens and
    what to do ("The car finishes its run and stops at the landing. Check the hold voltage").
    """
    rows: list[tuple[str, str, str]] = []
    for line in text.split("\n"):
        m = _LISTED.match(line)
        if m is not None:
            first, *after = SENTENCE.split(" ".join(m.group("text").split()))
            rows.append((m.group("code"), first, " ".join(after)))
    if not rows:
        return []
    return condition_limits(
        [("Code", "Condition", "Action"), *rows],
        known_components=known_components,
        section_component=section_component,
        source=source,
        context=context,
    )


def _bounds(m: re.Match[str], printed: str) -> Bounds | None:
    low = high = None
    low_text = high_text = ""
    unit = unit_of(m.group("u1") or "") or unit_of(m.group("u2") or "")
    for word, value in ((m.group("first"), m.group("v1")), (m.group("second"), m.group("v2"))):
        if word is None:
            continue
        number = printed_number(value)
        text = value.lstrip("+")
        if re.fullmatch(_ABOVE, word, re.IGNORECASE):
            if high is not None:
                return None  # "above 5 or above 7" is no range
            high, high_text = number, text
        else:
            if low is not None:
                return None
            low, low_text = number, text
    if low is not None and high is not None and low >= high:
        return None
    if not unit:
        return None  # a count or a percentage of something unnamed is not a reading's limit
    return Bounds(low, high, unit, low_text, high_text, " ".join(printed.split()))


def _parameter(what: str, owner: str, others: Sequence[str]) -> str:
    """What the threshold is on: the condition's words, or the row's message when they are an ID.

    "Case drain flow" names itself; "B2" names only its sensor, so the fault's message says what
    it measures ("Fluid temperature high" -> "Fluid temperature").
    """
    plain = " ".join(w for w in what.split() if w != owner)
    if re.search(r"[A-Za-z]{3}", plain):
        return " ".join(what.split())
    messages = [c for c in others if not _CODE_CELL.match(c) and re.search(r"[A-Za-z]{3}", c)]
    if not messages:
        return " ".join(what.split())
    return _STATE_WORDS.sub("", messages[0]).strip() or messages[0]
