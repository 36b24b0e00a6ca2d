"""Follow-ups answered from the last answer: "and the caliper halves?", "in foot-pounds?".

A short question that names another row of the table just quoted gets that row, said the same
way (the torque again, for the caliper halves); one that asks for another unit gets the value
converted, with the manual's own value quoted too. Anything else is a new question: it goes to
the manuals (with the conversation's component as a hint, never as a filter).
"""

from __future__ import annotations

import re
from typing import Final

from edge.dialogue.conversion import in_unit
from edge.dialogue.present import TableView, Value
from edge.dialogue.rows import RowAnswer, say_row
from edge.knowledge.terms import stems
from edge.knowledge.units import normalize_unit, spoken_unit

_OPENER: Final = re.compile(
    r"^(and|what about|how about|and what about|same for|and for|what of|now)\b", re.I
)
_CONVERSION: Final = re.compile(
    r"^(?:and |so |ok |okay )?(?:what(?:'s| is)? (?:that|it|this) |how much is (?:that|it) |"
    r"(?:can you )?(?:convert|say) (?:that|it) |give (?:me )?(?:that|it) )?"
    r"(?:in|into|to|as) (?P<unit>[a-z°·/ -]+?)\s*(?:please)?[?.!]*$",
    re.I,
)
_FOLLOW_UP_WORDS: Final = 8
"""A follow-up is short; a longer question is a question of its own."""
_GENERIC: Final = frozenset(
    stems(
        "and what about how the for bolt bolts torque value one ones same please then now of it "
        "that this those size"
    )
)


def target_unit(question: str) -> str | None:
    """The unit a conversion follow-up asks for ("in foot-pounds?" -> ``"lbf·ft"``), else None."""
    m = _CONVERSION.match(" ".join(question.strip().split()))
    if m is None:
        return None
    return normalize_unit(m.group("unit").strip(" -"))


def converted(value: Value, unit: str) -> str | None:
    """The value in ``unit``, quoting the manual's own value; None when they do not convert."""
    manual = f"{value.text} {spoken_unit(value.unit)}"
    if unit == value.unit:
        return f"The manual gives {manual}."
    said = in_unit(value.text, value.unit, unit)
    return None if said is None else f"{said} The manual says {manual}."


def other_row(question: str, table: TableView) -> int | None:
    """The row of ``table`` a short follow-up names ("and the caliper halves?"), if exactly one."""
    words = question.split()
    codes = {c.upper() for c in re.findall(r"\b[A-Za-z]{1,4}-?\d[\w.-]*\b", question)}
    # A code of the table's ("M30") marks a follow-up whose opener was misheard ("welcome out
    # to the M30" for "what about the M30").
    # A longer question that names one asks something new ("where is the M8 clamp located?").
    in_table = len(words) <= 5 and any(codes & {c.strip().upper() for c in r} for r in table.rows)
    opened = _OPENER.match(question.strip()) is not None or in_table
    if len(words) > _FOLLOW_UP_WORDS or (len(words) > 4 and not opened):
        return None
    asked = stems(question) - _GENERIC
    if not asked and not codes:
        return None
    scores: list[tuple[float, int]] = []
    for i, row in enumerate(table.rows):
        cells = [c for j, c in enumerate(row) if j != table.column]
        score = float(len(stems(" ".join(cells)) & asked))
        score += 3.0 * len(codes & {c.strip().upper() for c in cells})
        scores.append((score, i))
    scores.sort(reverse=True)
    best, index = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if best <= 0 or best == runner_up:
        return None
    return index


def say_other_row(question: str, table: TableView, index: int) -> RowAnswer:
    """Row ``index`` said like the last answer (the same column first)."""
    return say_row(table.header, table.rows[index], question, column=table.column)
