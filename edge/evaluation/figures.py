"""Figures from a split's outcomes: per manual and over the split, and the intent confusion table.

* answer accuracy: answerable questions whose answer holds every expected value;
* recall@1 / recall@3: answerable questions whose cited section is the first / in the top 3 hits;
* declined: no-answer questions answered with "found nothing" (not with something made up);
* warned: out-of-range readings warned in the right direction against the right limit;
* false warnings: in-range readings warned about (the target is none);
* clarifications: readings answered with a question back ("which component?");
* spoken words: median words per answer to a question, citation included.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

from edge.evaluation.runner import QuestionOutcome, ReadingOutcome, spoken_words

MANUALS_TOOL: Final = "query_technical_manuals"
READINGS_TOOL: Final = "check_reading"


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def figures(
    questions: Sequence[QuestionOutcome], readings: Sequence[ReadingOutcome]
) -> dict[str, Any]:
    """The figures of one manual or of a whole split."""
    answerable = [o for o in questions if o.question.answerable]
    with_values = [o for o in answerable if o.question.values]
    unanswerable = [o for o in questions if not o.question.answerable]
    high_low = [r for r in readings if r.reading.expect != "ok"]
    in_range = [r for r in readings if r.reading.expect == "ok"]
    words = [spoken_words(o.answer) for o in questions]
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "answer_accuracy": _share([o.values_ok for o in with_values]),
        "first_answer_accuracy": _share([o.first_ok for o in with_values]),
        "recall_at_1": _share([o.rank == 1 for o in answerable]),
        "recall_at_3": _share([o.rank is not None for o in answerable]),
        "no_answer": len(unanswerable),
        "declined": _share([not o.found for o in unanswerable]),
        "readings": len(readings),
        "out_of_range": len(high_low),
        "warned": _share([r.warned for r in high_low]),
        "warned_n": sum(r.warned for r in high_low),
        "in_range": len(in_range),
        "false_warnings": sum(r.false_warning for r in in_range),
        "clarifications": _share([r.clarified for r in readings]),
        "clarifications_n": sum(r.clarified for r in readings),
        "median_words": statistics.median(words) if words else None,
    }


def by_manual(
    questions: Sequence[QuestionOutcome], readings: Sequence[ReadingOutcome]
) -> dict[str, dict[str, Any]]:
    """:func:`figures` for each manual, in the order the manuals were asked."""
    ids = dict.fromkeys([*(o.manual for o in questions), *(r.manual for r in readings)])
    return {
        m: figures([o for o in questions if o.manual == m], [r for r in readings if r.manual == m])
        for m in ids
    }


def by_kind(questions: Sequence[QuestionOutcome]) -> dict[str, dict[str, Any]]:
    """Answer accuracy, recall and declines for each kind of question."""
    kinds = dict.fromkeys(o.question.kind for o in questions)
    return {k: figures([o for o in questions if o.question.kind == k], []) for k in kinds}


def confusion(
    questions: Sequence[QuestionOutcome], readings: Sequence[ReadingOutcome]
) -> dict[str, dict[str, int]]:
    """Expected intent -> routed intent -> count (questions ask the manuals; readings check).

    A cache hit (``cache``) reuses an earlier manuals answer; no-answer questions are manuals
    questions too (the manuals tool is what declines them).
    """
    table: dict[str, Counter[str]] = {MANUALS_TOOL: Counter(), READINGS_TOOL: Counter()}
    for o in questions:
        table[MANUALS_TOOL][o.intent] += 1
    for r in readings:
        table[READINGS_TOOL][r.intent] += 1
    return {k: dict(v) for k, v in table.items()}


def misses(
    questions: Sequence[QuestionOutcome], readings: Sequence[ReadingOutcome]
) -> list[dict[str, Any]]:
    """Every question or reading that did not come out right, with what was said."""
    out: list[dict[str, Any]] = []
    for o in questions:
        q = o.question
        wrong = (not o.values_ok or o.rank is None) if q.answerable else o.found
        if wrong:
            out.append(
                {
                    "manual": o.manual,
                    "kind": q.kind,
                    "text": q.text,
                    "values": list(q.values),
                    "sections": list(q.sections),
                    "intent": o.intent,
                    "rank": o.rank,
                    "values_ok": o.values_ok,
                    "found": o.found,
                    "answer": o.answer,
                }
            )
    for r in readings:
        right = r.warned if r.reading.expect != "ok" else r.verdict == "within"
        if not right:
            out.append(
                {
                    "manual": r.manual,
                    "kind": f"reading-{r.reading.expect}",
                    "text": r.reading.text,
                    "limit": r.reading.limit,
                    "intent": r.intent,
                    "verdict": r.verdict,
                    "error": r.error,
                    "limit_matched": r.limit_matched,
                    "answer": r.answer,
                }
            )
    return out
