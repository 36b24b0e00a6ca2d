"""Score retrieval and answers against a question set (``samples/questions/manual_qa.toml``).

Used by the tests and ``bench/retrieval.py``; also handy after ingesting a new manual set with its
own questions. A hit is right when its leaf heading is one of the expected ``sections`` (and its
document title contains ``document``, when given); an answer is right when its speech contains
every expected value, digits exactly as printed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edge.knowledge.records import Hit

if TYPE_CHECKING:
    from edge.knowledge import Knowledge


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a question set."""

    text: str
    """What the technician said."""
    sections: tuple[str, ...]
    """Leaf headings that answer it; empty when the manuals have no answer."""
    values: tuple[str, ...] = ()
    """Strings the spoken answer must contain."""
    document: str = ""
    """Part of the expected document title, when headings repeat across manuals."""
    component: str | None = None
    """The conversation's component (a follow-up question)."""
    kind: str = ""
    """What sort of question it is (``torque``, ``fault-code`` ...), for figures per kind."""
    paraphrases: tuple[str, ...] = ()
    """Other wordings meaning the same: the semantic cache should answer them."""
    different: tuple[str, ...] = ()
    """Look-alike questions meaning something else: the semantic cache must not answer them."""

    @property
    def answerable(self) -> bool:
        """Whether the manuals hold the answer."""
        return bool(self.sections)

    def matches(self, hit: Hit) -> bool:
        """Whether ``hit`` is one of the right places."""
        leaf = hit.section[-1] if hit.section else ""
        return leaf in self.sections and self.document in hit.document


def load_questions(path: Path) -> list[Question]:
    """Read a question set (TOML, ``[[question]]`` tables)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Question(
            text=q["text"],
            sections=tuple(q.get("sections", ())),
            values=tuple(q.get("values", ())),
            document=q.get("document", ""),
            component=q.get("component"),
            kind=q.get("kind", ""),
            paraphrases=tuple(q.get("paraphrases", ())),
            different=tuple(q.get("different", ())),
        )
        for q in raw["question"]
    ]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one question fared."""

    question: Question
    rank: int | None
    """1-based rank of the first right hit among the top 3, None when absent."""
    found: bool
    """The answer claimed to have found something."""
    values_ok: bool
    """Every expected value was spoken (answerable questions only)."""
    speech: tuple[str, ...]


def evaluate(
    knowledge: Knowledge,
    questions: Sequence[Question],
    *,
    vector_of: Callable[[str], Any] | None = None,
) -> tuple[dict[str, float], list[Outcome]]:
    """Recall@1/@3 of search, exact-value accuracy of answers, and no-answer accuracy."""
    outcomes = []
    for q in questions:
        vector = vector_of(q.text) if vector_of else None
        comp = knowledge.resolve_component(q.text) or q.component
        hits = knowledge.search(q.text, k=3, vector=vector, prefer_component=comp)
        rank = next((i + 1 for i, h in enumerate(hits) if q.matches(h)), None)
        result = knowledge.answer(q.text, component_id=q.component, vector=vector)
        spoken = " ".join(result.speech)
        found = bool(result.data.get("found"))
        values_ok = found and all(v in spoken for v in q.values)
        outcomes.append(Outcome(q, rank, found, values_ok, result.speech))
    return scores(outcomes), outcomes


def scores(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """The figures of :func:`evaluate` over ``outcomes`` (all of them, or one kind's)."""
    answerable = [o for o in outcomes if o.question.answerable]
    with_values = [o for o in answerable if o.question.values]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    populations = {
        "recall_at_1": [o.rank == 1 for o in answerable],
        "recall_at_3": [o.rank is not None for o in answerable],
        "exact_value_accuracy": [o.values_ok for o in with_values],
        "answered_when_answerable": [o.found for o in answerable],
        "declined_when_unanswerable": [not o.found for o in unanswerable],
    }
    # A share of nothing is no figure: a kind without no-answer questions has no decline rate.
    shares = {name: sum(flags) / len(flags) for name, flags in populations.items() if flags}
    return {"questions": float(len(outcomes)), **shares}


def scores_by_kind(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """:func:`scores` for each question kind, in the order kinds first appear."""
    kinds = dict.fromkeys(o.question.kind for o in outcomes)
    return {k: scores([o for o in outcomes if o.question.kind == k]) for k in kinds}
