"""Run a split of the evaluation corpus through the assistant, as typed questions.

The manuals of the split are ingested together into a fresh store (a device holds several
manuals, so a question may be answered from the wrong one, as it could be in the field). Then the
real assistant of the default config is loaded on that store and every question and reading goes
through :func:`edge.oneshot.ask_text`: router, semantic cache, tools; a reading out of range is
logged to the outbox in the state folder like any other. Each question starts a new conversation:
the corpus' questions are independent, not follow-ups. Asked "at the machine", that conversation
already knows which machine the technician stands at (its manual), as it does in the field once an
answer has come from that machine's manual; asked without, nothing tells the manuals apart but
the question's own words. A procedure is read a step at a time, so
its values are looked for in all its steps ("read all"), as the technician hears them with
"next"; the first answer's own figure is kept beside it. Search recall is measured separately, with
the same search call the manuals tool makes.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from edge.evaluation.corpus import EvalManual, EvalQuestion, EvalReading
from edge.evaluation.matching import holds_all, normalize
from edge.events import TurnId
from edge.knowledge.numbers import find_numbers
from edge.knowledge.records import Hit, IngestOutcome

CLARIFYING: Final = frozenset(
    {
        "reading-which-component",
        "reading-which-machine",
        "reading-which-parameter",
        "reading-parameter-unclear",
        "reading-value-unclear",
    }
)
"""Result codes of a reading answered with a question back to the technician."""


@dataclass(frozen=True, slots=True)
class QuestionOutcome:
    """How one question fared."""

    manual: str
    question: EvalQuestion
    intent: str
    answer: str
    found: bool
    """The answer claimed to have found something in the manuals."""
    values_ok: bool
    """Every expected value is in what the technician hears: the answer, and for a procedure
    (read step by step) its remaining steps, as "next" would read them."""
    first_ok: bool
    """Every expected value is in the first answer alone."""
    rank: int | None
    """1-based rank of the first right hit among the top 3 of the search, None when absent."""
    seconds: float


@dataclass(frozen=True, slots=True)
class ReadingOutcome:
    """How one reading fared."""

    manual: str
    reading: EvalReading
    intent: str
    answer: str
    verdict: str | None
    """``above``, ``below`` or ``within`` when a limit was applied."""
    error: str | None
    """The tool's refusal code, when it did not compare (``reading-which-component`` ...)."""
    limit_matched: bool
    """The limit applied has a bound the manual's limit states (the right limit was used)."""
    seconds: float

    @property
    def warned(self) -> bool:
        """An out-of-range reading warned in the right direction against the right limit."""
        wanted = {"high": "above", "low": "below"}.get(self.reading.expect)
        return wanted is not None and self.verdict == wanted and self.limit_matched

    @property
    def false_warning(self) -> bool:
        """An in-range reading warned about."""
        return self.reading.expect == "ok" and self.verdict in ("above", "below")

    @property
    def clarified(self) -> bool:
        """Answered with a question back (which component, which parameter ...)."""
        return self.error in CLARIFYING


@dataclass(frozen=True, slots=True)
class SplitRun:
    """Everything a split's run produced."""

    ingest: tuple[IngestOutcome, ...]
    ingest_s: float
    load_s: float
    questions: tuple[QuestionOutcome, ...]
    readings: tuple[ReadingOutcome, ...]


def section_matches(hit: Hit, sections: Sequence[str]) -> bool:
    """Whether ``hit`` is one of the cited places: its leaf heading, or its table's caption."""
    wanted = {normalize(s) for s in sections}
    leaf = normalize(hit.section[-1]) if hit.section else ""
    if leaf in wanted:
        return True
    intro = normalize(hit.intro)
    return any(intro.startswith(w) for w in wanted if w)


def limit_numbers(text: str) -> set[float]:
    """Numbers written in a limit ("max. 2 bar (29 psi)" -> {2, 29})."""
    return {abs(m.value) for m in find_numbers(text.replace("±", " "))}


def _limit_matched(data: dict[str, Any], expected: str) -> bool:
    printed = " ".join(
        str(data.get(k) or "")
        for k in ("limit_text", "minimum_text", "maximum_text", "passed_text")
    )
    ours = limit_numbers(printed)
    for key in ("minimum", "maximum"):
        if isinstance(data.get(key), int | float):
            ours.add(abs(float(data[key])))
    return bool(ours & limit_numbers(expected))


async def run_split(
    manuals: Sequence[EvalManual],
    state_dir: Path,
    *,
    at_machine: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SplitRun:
    """Ingest ``manuals`` into a fresh store under ``state_dir`` and ask everything.

    ``at_machine``: every request starts at the machine of the manual it was written for.
    """
    from edge.assistant import load_assistant
    from edge.config import load_config
    from edge.knowledge import Knowledge
    from edge.knowledge.embedding import configured_embedder
    from edge.report.service import open_reporting
    from edge.toolset import default_tools

    say = progress or (lambda _: None)
    config = load_config(env={}, overrides={"device.state_dir": str(state_dir)})
    started = time.perf_counter()
    store = Knowledge.open(config.knowledge_db, configured_embedder(config))
    try:
        ingested = tuple(store.ingest([m.path for m in manuals]))
    finally:
        store.close()
    ingest_s = time.perf_counter() - started
    for outcome in ingested:
        say(
            f"ingest {outcome.status:9} {Path(outcome.path).name}: {outcome.chunks} chunks, "
            f"{outcome.limits} limits {outcome.message}"
        )
    started = time.perf_counter()
    _, reporter = open_reporting(config, status=False)
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    load_s = time.perf_counter() - started
    try:
        knowledge = assistant.knowledge
        if knowledge is None:
            raise RuntimeError("no manuals were ingested")
        docs = {d.path: d for d in knowledge.documents()}
        questions: list[QuestionOutcome] = []
        readings: list[ReadingOutcome] = []
        turn = 0
        for manual in manuals:
            resolved = str(manual.path.resolve())
            doc_ids = {d.doc_id for p, d in docs.items() if p == resolved}
            if manual.document_hint:
                doc_ids |= {d.doc_id for d in docs.values() if manual.document_hint in d.title}
            if manual.any_document:
                doc_ids = {d.doc_id for d in docs.values()}
            titles = {d.title for d in docs.values() if d.doc_id in doc_ids}
            machine = next(iter(titles)) if at_machine and len(titles) == 1 else None
            for q in manual.questions:
                turn += 1
                assistant.start_afresh(machine=machine)
                questions.append(await _question(assistant, manual.id, q, doc_ids, turn, machine))
            for r in manual.readings:
                turn += 1
                assistant.start_afresh(machine=machine)
                readings.append(await _reading(assistant, manual.id, r, turn))
            say(
                f"asked {manual.id}: {len(manual.questions)} questions, "
                f"{len(manual.readings)} readings"
            )
    finally:
        await assistant.toolbox.close()
        assistant.close()
    return SplitRun(ingested, ingest_s, load_s, tuple(questions), tuple(readings))


async def _question(
    assistant: Any,
    manual: str,
    q: EvalQuestion,
    doc_ids: set[int],
    turn: int,
    machine: str | None,
) -> QuestionOutcome:
    from edge.oneshot import ask_text

    answer = await ask_text(assistant, q.text, TurnId(turn))
    knowledge = assistant.knowledge
    component = knowledge.resolve_component(q.text)
    search = functools.partial(
        knowledge.search, q.text, k=3, prefer_component=component, machine=machine
    )
    hits: list[Hit] = await assistant.threads["embed"].run(search)
    rank = next(
        (
            i + 1
            for i, h in enumerate(hits)
            if h.doc_id in doc_ids and section_matches(h, q.sections)
        ),
        None,
    )
    result = answer.result
    found = bool(result is not None and result.data.get("found"))
    heard = answer.answer
    if assistant.responder.dialogue.state.procedures:
        # A procedure is read a step at a time; its steps are what "next" says.
        rest = await ask_text(assistant, "read all", TurnId(turn))
        heard = f"{heard} {rest.answer}"
    first_ok = q.answerable and holds_all(answer.answer, q.values)
    values_ok = q.answerable and holds_all(heard, q.values)
    return QuestionOutcome(
        manual, q, answer.intent, answer.answer, found, values_ok, first_ok, rank, answer.seconds
    )


async def _reading(assistant: Any, manual: str, r: EvalReading, turn: int) -> ReadingOutcome:
    from edge.oneshot import ask_text

    answer = await ask_text(assistant, r.text, TurnId(turn))
    data = dict(answer.result.data) if answer.result is not None else {}
    verdict = data.get("verdict") if isinstance(data.get("verdict"), str) else None
    error = data.get("error") if isinstance(data.get("error"), str) else None
    return ReadingOutcome(
        manual,
        r,
        answer.intent,
        answer.answer,
        verdict,
        error,
        verdict is not None and _limit_matched(data, r.limit),
        answer.seconds,
    )


def spoken_words(text: str) -> int:
    """Words a listener hears (the citation included: it is spoken too)."""
    return len(re.findall(r"\S+", text))
