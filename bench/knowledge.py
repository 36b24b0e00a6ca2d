"""The knowledge layer on manuals it was not built with: the evaluation corpus, split by split.

``python -m bench.run knowledge [--split dev|test|samples]`` (default: dev and samples; the test
split only when asked, and only at the end of a piece of work: nobody tunes on it). Each split's
manuals are ingested together into a fresh store and every question and reading is asked as a
typed question through the real assistant (``edge ask --text``'s path: router, semantic cache,
tools); see :mod:`edge.evaluation` for the corpus format, the value-matching rule and the figures.

Each split is asked twice: with nothing to tell the manuals apart but the question's words, and
"at the machine", where every request starts in a conversation that knows which machine the
technician stands at (its manual), as the device does once an answer has come from that manual.

Printed per split and way of asking: a table per manual (answer accuracy, recall@1/@3, no-answer
declined, readings warned, false warnings, clarifications, median spoken words), the figures by
question kind, the intent confusion table, and every miss. The JSON holds all of it, misses with
their answers.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final

from bench.common import table
from edge.evaluation.corpus import load_split
from edge.evaluation.figures import by_kind, by_manual, confusion, figures, misses
from edge.evaluation.runner import SplitRun, run_split

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPLITS: Final = ("dev", "samples")


def corpus_root(split: str) -> Path:
    """Where a split lives: ``samples/eval`` for dev and test, ``samples`` for the samples."""
    return REPO / "samples" if split == "samples" else REPO / "samples" / "eval"


def run(out_dir: Path, split: str | None = None) -> dict[str, Any]:
    """Run the named split (dev and samples by default) and return the figures."""
    splits = (split,) if split else DEFAULT_SPLITS
    return {"splits": {name: run_one(name) for name in splits}}


def run_one(split: str) -> dict[str, Any]:
    """Ask one split both ways (see the module's doc); print and return its figures.

    The words-only figures stay at the top level of the JSON, as before; the others are under
    ``"at_machine"``.
    """
    words_only = report(split, _asked(split, at_machine=False), "by its words alone")
    at_machine = report(split, _asked(split, at_machine=True), "at the machine")
    return {**words_only, "at_machine": at_machine}


def _asked(split: str, *, at_machine: bool) -> SplitRun:
    """Ingest and ask one split in a temporary state folder."""
    manuals = load_split(corpus_root(split), split)
    work = Path(tempfile.mkdtemp(prefix=f"edge-bench-knowledge-{split}-"))
    try:
        return asyncio.run(
            run_split(manuals, work / "state", at_machine=at_machine, progress=print)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(split: str, result: SplitRun, asked: str) -> dict[str, Any]:
    """Print the tables of one split asked one way and return its figures as JSON-ready data."""
    questions, readings = result.questions, result.readings
    per_manual = by_manual(questions, readings)
    overall = figures(questions, readings)
    rows = [_row(m, f) for m, f in per_manual.items()] + [_row("all", overall)]
    print(
        f"\nknowledge, {split} split, asked {asked} "
        f"({len(questions)} questions, {len(readings)} readings)"
    )
    print(
        table(
            rows,
            ["manual", "questions", "accuracy", "1st answer", "R@1", "R@3", "declined"]
            + ["warned", "false warn", "clarify", "words"],
        )
    )
    kinds = by_kind(questions)
    print(
        table(
            [
                [k, f["questions"], _pct(f["answer_accuracy"]), _pct(f["recall_at_3"])]
                + [_pct(f["declined"])]
                for k, f in kinds.items()
            ],
            ["kind", "n", "accuracy", "R@3", "declined"],
        )
    )
    matrix = confusion(questions, readings)
    routed = sorted({i for row in matrix.values() for i in row})
    print(
        table(
            [[expected, *(row.get(i, 0) for i in routed)] for expected, row in matrix.items()],
            ["expected \\ routed", *routed],
        )
    )
    missed = misses(questions, readings)
    for miss in missed:
        print(
            f"  miss [{miss['manual']}/{miss['kind']}] {miss['text']!r} -> {miss['answer'][:160]!r}"
        )
    print(
        f"ingest {result.ingest_s:.1f} s, assistant load {result.load_s:.1f} s, "
        f"{len(questions) + len(readings)} asked"
    )
    return {
        "overall": overall,
        "manuals": per_manual,
        "kinds": kinds,
        "confusion": matrix,
        "ingest": [
            {
                "file": Path(o.path).name,
                "status": o.status,
                "chunks": o.chunks,
                "limits": o.limits,
                "message": o.message,
            }
            for o in result.ingest
        ],
        "ingest_s": result.ingest_s,
        "load_s": result.load_s,
        "misses": missed,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def _row(name: str, f: dict[str, Any]) -> list[Any]:
    return [
        name,
        f["questions"],
        _pct(f["answer_accuracy"]),
        _pct(f["first_answer_accuracy"]),
        _pct(f["recall_at_1"]),
        _pct(f["recall_at_3"]),
        f"{_pct(f['declined'])} of {f['no_answer']}",
        f"{f['warned_n']}/{f['out_of_range']}",
        f"{f['false_warnings']}/{f['in_range']}",
        f"{f['clarifications_n']}/{f['readings']}",
        "-" if f["median_words"] is None else f"{f['median_words']:.0f}",
    ]
