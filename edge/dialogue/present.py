"""Answers for the ear: the asked value and its unit first, one short sentence, the rest on request.

The manuals tool answers with structured data (the table and the rows that fit, the procedure, the
quoted sentences, the source); this module decides what of it is *said*. A value question gets the
one row asked about, value first ("900 newton metres, caliper to yaw ring, M24."); a text answer
gets the clause that holds the value; a procedure opens with its warnings, its length and step 1
(see :mod:`edge.dialogue.procedure`). The spoken citation is short ("Section 3.3.") or left out
(``dialogue.citation``); the full one is kept for "source?", the log and the JSON output. What was
left out ("more", "details", "why") is kept with the answer.

Pure: no engines, no clock (the time is an argument), nothing read from disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from edge.dialogue.conversion import in_unit, unit_asked
from edge.dialogue.procedure import Citation, Procedure
from edge.dialogue.rows import RowValue, say_row
from edge.events import ToolResult
from edge.knowledge.answer import value_cues
from edge.knowledge.terms import stems
from edge.knowledge.units import normalize_unit, speakable

CitationMode = Literal["short", "full", "off"]
"""How an answer's source is said: "Section 3.3.", the whole citation, or not at all."""

NOT_FOUND: Final = "I found nothing about that in the manuals."
NOT_FOUND_SPEECH: Final = (NOT_FOUND,)
NO_REASON: Final = "The manual gives no reason."
_CONNECTOR: Final = re.compile(r"^(in addition|and|but|also|however|then|so),?\s+", re.I)
_NUMBER_UNIT: Final = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*([^\s\d,;:()]+(?:\s+[a-z]+){0,2})"
)
_ASKS_ALL: Final = re.compile(
    r"\b(all|every|each|list|whole|table|limits|values|torques|rows|ranges)\b", re.I
)
"""Words of a question that asks for a whole table, not one row."""
_COMPONENT_TAG: Final = re.compile(r"\s*\([A-Z][A-Z0-9-]*\)")
_LATE_VALUE_WORDS: Final = 10
"""A value this many words into a long clause is said first as well."""
_LONG_CLAUSE_WORDS: Final = 15
_LONG_SENTENCE_WORDS: Final = 22
"""A sentence longer than this is cut at a colon that introduces values."""
_RANGE_BEFORE: Final = re.compile(r"(?:between|from)\s+(-?[\d.,]+)\s+(?:and|to)\s+$", re.I)


@dataclass(frozen=True, slots=True)
class Value:
    """A number the answer said, for "in foot-pounds?"."""

    text: str
    """As printed ("900")."""
    unit: str
    """Canonical unit ("N·m")."""
    label: str = ""
    """What it is the value of."""


@dataclass(frozen=True, slots=True)
class TableView:
    """The table an answer came from, for "and the caliper halves?"."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    column: int
    """The column that was said first."""
    row: int
    """The row that was said."""


@dataclass(frozen=True, slots=True)
class Presented:
    """What to say now, and what to keep for later."""

    speech: tuple[str, ...]
    """Said now."""
    more: tuple[str, ...] = ()
    """Said on "more" / "details"."""
    why: tuple[str, ...] = ()
    """Said on "why": the manual's explanation, if it gives one."""
    citation: Citation | None = None
    """The whole source (said on "source?", logged, in the JSON output)."""
    procedure: Procedure | None = None
    """A procedure this answer opened."""
    value: Value | None = None
    """The value said first."""
    table: TableView | None = None
    """The table it came from."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Facts for logs and tests."""


def present(
    result: ToolResult,
    question: str,
    *,
    citation: CitationMode = "off",
    now: float = 0.0,
    named_component: bool = True,
) -> Presented:
    """What to say for ``result``, the answer to ``question``.

    Args:
        result: a tool's result (the manuals, a reading check, an incident ...).
        question: the technician's words.
        citation: how the source is said.
        now: wall-clock time (s since the epoch), stamped on a procedure it opens.
        named_component: False when the component only came from the conversation (a "nothing
            found" then does not blame that component).
    """
    data = result.data
    cite = _citation(result)
    if data.get("found") is False:
        said = result.speech
        if not named_component and said and " for the " in said[0]:
            said = (NOT_FOUND, *said[1:])
        return Presented(said, citation=cite)
    if data.get("found") is not True:
        return _other(result, cite, citation)
    notes = tuple(speakable(s) for s in data.get("notes") or ())
    why = notes or (NO_REASON,)
    if isinstance(data.get("procedure"), dict):
        return _procedure(data["procedure"], cite, citation, now, notes)
    table = data.get("table")
    if isinstance(table, dict) and data.get("values"):
        printed = " ".join(str(c) for row in table["rows"] for c in row)
        presented = _table(table, question, cite, citation, notes, why)
        return _in_unit_asked(presented, question, printed)
    quotes = [str(q) for q in data.get("quotes") or ()]
    if quotes:
        presented = _quotes(quotes, question, cite, citation, notes, why)
        return _in_unit_asked(presented, question, " ".join(quotes))
    return _other(result, cite, citation)


def _in_unit_asked(presented: Presented, question: str, printed: str) -> Presented:
    """``presented`` led by its value in the unit the question asked for, if it asked for one.

    "Flywheel screws torque in foot pounds": "About 811 pound-feet." before the manual's
    "1,100 newton metres, flywheel screws."
    """
    wanted = unit_asked(question)
    value = presented.value
    if wanted is None or value is None:
        return presented
    said = in_unit(value.text, value.unit, wanted, printed)
    return presented if said is None else replace(presented, speech=(said, *presented.speech))


def spoken_citation(cite: Citation | None, mode: CitationMode) -> tuple[str, ...]:
    """The citation as said under ``mode`` (nothing when there is none to say)."""
    if cite is None or mode == "off":
        return ()
    said = cite.full() if mode == "full" else cite.short()
    return (said,) if said else ()


def _full(cite: Citation | None) -> tuple[str, ...]:
    return (cite.full(),) if cite else ()


def _citation(result: ToolResult) -> Citation | None:
    source = result.data.get("source")
    if isinstance(source, dict) and source.get("document"):
        return Citation.from_json(source)
    if result.sources:
        ref = result.sources[0]
        return Citation(ref.document, ref.section, ref.page)
    return None


def _other(result: ToolResult, cite: Citation | None, mode: CitationMode) -> Presented:
    """Any other tool: its own words, with the spoken source shortened."""
    said = tuple(s for s in result.speech if not s.startswith("Source:"))
    if len(said) == len(result.speech):
        return Presented(result.speech, citation=cite)
    return Presented((*said, *spoken_citation(cite, mode)), citation=cite)


def _procedure(
    spec: dict[str, Any],
    cite: Citation | None,
    mode: CitationMode,
    now: float,
    notes: tuple[str, ...],
) -> Presented:
    title = _COMPONENT_TAG.sub("", str(spec.get("title") or "Procedure")).strip()
    # "Yaw brake inspection:" introducing the steps names them better than the section does.
    lead = [n for n in notes if n.endswith(":") and len(n.split()) <= 6]
    if lead:
        title = lead[-1].rstrip(":").strip()
        notes = tuple(n for n in notes if n not in lead)
    warnings = tuple(
        speakable(re.sub(r"^(WARNING|CAUTION|DANGER)\b", lambda m: m.group(1).capitalize(), w))
        for w in spec.get("warnings") or ()
    )
    steps = tuple(speakable(str(s)) for s in spec.get("steps") or ())
    at = int(spec.get("at") or 0)
    procedure = Procedure(title, steps, warnings, cite, at, now, notes)
    if at == 0:
        speech = procedure.opening()
    else:
        text = steps[at].strip().rstrip(".")
        speech = (f"{title}, step {at + 1} of {len(steps)}: {text}.",)
    more = (*notes, *_full(cite))
    return Presented(
        (*speech, *spoken_citation(cite, mode)),
        more=more,
        why=notes or (NO_REASON,),
        citation=cite,
        procedure=procedure,
    )


def _table(
    table: dict[str, Any],
    question: str,
    cite: Citation | None,
    mode: CitationMode,
    notes: tuple[str, ...],
    why: tuple[str, ...],
) -> Presented:
    header = tuple(str(h) for h in table["header"])
    rows = tuple(tuple(str(c) for c in r) for r in table["rows"])
    ranked = [int(i) for i in table.get("ranked") or () if 0 <= int(i) < len(rows)]
    if not ranked:
        return Presented(NOT_FOUND_SPEECH, citation=cite)
    whole = not table.get("singled") and _ASKS_ALL.search(question) is not None
    best = int(table.get("best", ranked[0]))
    if not whole and not table.get("singled") and 0 <= best < len(rows):
        # No row named, and not the whole table asked for: the row that fits best, the rest
        # on "more" ("torque for the yaw brake caliper bolts": the caliper to yaw ring bolts).
        ranked = [best, *(i for i in range(len(rows)) if i != best)][: len(ranked)]
    top = say_row(header, rows[ranked[0]], question)
    said = [top.sentence]
    more: list[str] = list(top.details)
    if whole:
        # "What are the gearbox limits?": the table, row by row, each value first.
        others = [say_row(header, rows[i], question, top.column) for i in ranked[1:]]
        said += [o.sentence for o in others]
    else:
        more += [d for i in ranked[1:] for d in say_row(header, rows[i], question).details]
    more += [*notes, *_full(cite)]
    more = list(_unique(tuple(more), *said))
    value = _row_value(top.value)
    view = TableView(header, rows, top.column, ranked[0])
    return Presented(
        (*said, *spoken_citation(cite, mode)),
        more=tuple(more),
        why=why,
        citation=cite,
        value=value,
        table=view,
    )


def _row_value(value: RowValue | None) -> Value | None:
    if value is None or value.unit is None:
        return None
    return Value(value.text, value.unit, value.label)


def _quotes(
    quotes: list[str],
    question: str,
    cite: Citation | None,
    mode: CitationMode,
    notes: tuple[str, ...],
    why: tuple[str, ...],
) -> Presented:
    cues = value_cues(question)
    asked = stems(question)
    codes = _codes(question)
    clauses = [(i, c) for i, q in enumerate(quotes) for c in _clauses(q, cues)]

    def holds(clause: str) -> bool:
        return any(cue.search(clause) for cue in cues)

    def fit(item: tuple[int, str]) -> tuple[float, int]:
        i, clause = item
        score = 3.0 if holds(clause) else 0.0  # the kind of value asked for, once
        score += len(stems(clause) & asked)
        score += 3.0 * len(codes & _codes(clause))
        score += 0.5 if re.search(r"\d", clause) else 0.0
        return score, -i

    ranked = sorted(clauses, key=fit, reverse=True)
    best_index, best = ranked[0]
    value = _value_in(best, cues, strict=True) if cues else None
    spoken = speakable(_sentence(best))
    if not cues:
        # Nothing tells which kind of value is asked for: what the manuals chose, all of it.
        tied = [c for c in clauses if c[1] != best]
    else:
        tied = [c for c in ranked[1:2] if fit(c)[0] == fit(ranked[0])[0] and c[1] != best]
    if value is not None:
        before = best[: best.find(value.text)]
        first = value.text
        if m := _RANGE_BEFORE.search(before):
            first, before = f"{m.group(1)} to {value.text}", before[: m.start()]
        if len(before.split()) >= _LATE_VALUE_WORDS and len(best.split()) > _LONG_CLAUSE_WORDS:
            spoken = f"{speakable(f'{first} {value.unit}')}. {spoken}"
    else:
        value = _value_in(best, [])
    # Two clauses fit equally well ("pinion backlash on the yaw drive", misheard): say both.
    said = (spoken, *(speakable(_sentence(c)) for _, c in tied))
    rest = [speakable(_sentence(c)) for _, c in clauses if c != best]
    more = _unique((*rest, *notes, *_full(cite)), *said)
    return Presented(
        (*said, *spoken_citation(cite, mode)),
        more=more,
        why=why,
        citation=cite,
        value=value,
        extras={"quote": quotes[best_index]},
    )


def _clauses(sentence: str, cues: list[re.Pattern[str]]) -> list[str]:
    """A sentence cut at semicolons (and, a long one, at a colon that introduces values).

    Only when the cut is a choice: two of its parts hold the kind of value asked for ("160 bar
    parked; 20 bar while yawing"). Otherwise the parts belong together ("reset in menu 6.2;
    enter 7500").
    """
    cut = r";\s+|:\s+(?=\d)" if len(sentence.split()) > _LONG_SENTENCE_WORDS else r";\s+"
    parts = [p.strip() for p in re.split(cut, sentence) if p.strip()]
    if len([p for p in parts if any(cue.search(p) for cue in cues)]) < 2:
        return [sentence]
    return [_CONNECTOR.sub("", p) for p in parts]


def _codes(text: str) -> set[str]:
    """Codes in ``text`` ("dr.05", "E-117", "W-080"), normalised."""
    found = re.findall(r"\b[A-Za-z]{1,4}[-. ]?\d[\w.-]*\b", text)
    return {re.sub(r"[^a-z0-9]", "", c.lower()) for c in found}


def _unique(items: tuple[str, ...], *said: str) -> tuple[str, ...]:
    """``items`` without repeats and without what was already said."""
    seen = {" ".join(s.split()) for s in said}
    out: list[str] = []
    for item in items:
        key = " ".join(item.split())
        if key and key not in seen and not any(key in s for s in seen):
            seen.add(key)
            out.append(item)
    return tuple(out)


def _value_in(clause: str, cues: list[re.Pattern[str]], *, strict: bool = False) -> Value | None:
    """The number and unit in ``clause`` the question asks for; else the first (None if strict)."""
    found: list[Value] = []
    raw: list[str] = []
    for m in _NUMBER_UNIT.finditer(clause):
        words = m.group(2).split()
        for size in range(len(words), 0, -1):
            unit = normalize_unit(" ".join(words[:size]))
            if unit is not None:
                found.append(Value(m.group(1), unit))
                raw.append(f"{m.group(1)} {' '.join(words[:size])}")
                break
    if not found:
        return None
    for value, said in zip(found, raw, strict=True):
        if any(cue.search(said) for cue in cues):
            return value
    return None if strict else found[0]


def _sentence(text: str) -> str:
    text = text.strip().rstrip(" ,;:")
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
