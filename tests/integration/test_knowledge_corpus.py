"""The dev split of the evaluation corpus, end to end: the figures stay above their floors.

Every dev manual is ingested into one fresh store, and every question and reading goes through the
typed-question path of the real assistant (router, cache, tools), as ``bench/knowledge.py`` does
(which prints the exact figures). The floors sit a little below what the dev split measured when
this test was written, so a regression in any reader, the limits or the answers shows here.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from edge.evaluation.corpus import load_split
from edge.evaluation.figures import by_manual, confusion, figures
from edge.evaluation.runner import SplitRun, run_split

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FLOORS = {
    "answer_accuracy": 0.66,
    "first_answer_accuracy": 0.63,
    "recall_at_3": 0.83,
    "declined": 0.55,
    "warned": 0.63,
}
"""Dev-split floors, below what the dev split measured through this full path (router, cache, tools,
the dialogue's presentation) on 2026-12-01 (thirteen manuals, seven of them written blind):
answers 386/565 with a procedure's later steps heard as "next" reads them (368/565 in the first
answer alone), recall@3 481/565, no-answer declined 35/59, out-of-range warned 138/211, 1 false
warning in 91 in-range readings, 40 clarifications in 302 readings; ``bench/knowledge.py`` prints
the exact figures."""
MAX_FALSE_WARNINGS = 1
"""By the words alone, 'parallel offset across the coupling is three thou': the pump skid's
0.05 mm limit, not the conveyor's 0.10 mm (nothing in the words tells the two machines apart); at
the machine, 'the heavy duty one is drawing seventy amps': the mixer's standard model's 56 A, not
the heavy-duty model's 82 A (the limit names the model AM-60H; "heavy duty" is said of it only
in the front matter and the technical description)."""
MAX_CLARIFICATIONS = 0.15
AT_MACHINE_FLOORS = {
    "answer_accuracy": 0.79,
    "first_answer_accuracy": 0.75,
    "recall_at_3": 0.93,
    "declined": 0.69,
    "warned": 0.80,
}
"""The same, asked at the machine (the conversation knows which machine's manual it is at), on
2026-12-01: answers 457/565 (437/565 in the first answer), recall@3 535/565, declined 44/59,
warned 172/211, 1 false warning in 91, 17 clarifications in 302."""
AT_MACHINE_MAX_CLARIFICATIONS = 0.07


def _dev_run(tmp_path_factory: pytest.TempPathFactory, *, at_machine: bool) -> SplitRun:
    manuals = load_split(REPO / "samples" / "eval", "dev")
    state = tmp_path_factory.mktemp("corpus") / "state"
    return asyncio.run(run_split(manuals, state, at_machine=at_machine))


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory: pytest.TempPathFactory) -> SplitRun:
    return _dev_run(tmp_path_factory, at_machine=False)


def test_every_dev_manual_is_ingested_with_limits(dev_run: SplitRun) -> None:
    assert {o.status for o in dev_run.ingest} == {"added"}, dev_run.ingest
    assert all(o.limits > 0 for o in dev_run.ingest), [(o.path, o.limits) for o in dev_run.ingest]


def _assert_above(run: SplitRun, floors: dict[str, float], max_clarifications: float) -> None:
    overall = figures(run.questions, run.readings)
    low = {k: overall[k] for k, floor in floors.items() if (overall[k] or 0.0) < floor}
    assert not low, (low, by_manual(run.questions, run.readings))
    assert overall["false_warnings"] <= MAX_FALSE_WARNINGS, overall
    clarifications = overall["clarifications"]
    assert clarifications is not None and clarifications <= max_clarifications, overall


def test_the_figures_stay_above_their_floors(dev_run: SplitRun) -> None:
    _assert_above(dev_run, FLOORS, MAX_CLARIFICATIONS)


def test_at_the_machine_the_figures_stay_above_their_floors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The machine being worked on settles what the words leave open between manuals: its manual
    # answers and its limits judge, so its figures sit above the words-only ones.
    run = _dev_run(tmp_path_factory, at_machine=True)
    _assert_above(run, AT_MACHINE_FLOORS, AT_MACHINE_MAX_CLARIFICATIONS)


def test_a_procedures_values_are_heard_in_its_later_steps(dev_run: SplitRun) -> None:
    # "How do I check the gas inlet pressure?" opens the procedure at step 1; the test nipple
    # it asks about is in a later step, which the technician hears with "next".
    later = [o for o in dev_run.questions if o.values_ok and not o.first_ok]
    opened = [o for o in later if re.search(r"\bstep \d+ of \d+", o.answer, re.IGNORECASE)]
    assert later and opened == later, [o.answer for o in later]


def test_questions_go_to_the_manuals_and_readings_to_the_readings_tool(dev_run: SplitRun) -> None:
    table = confusion(dev_run.questions, dev_run.readings)
    readings = table["check_reading"]
    assert readings.get("check_reading", 0) >= 0.8 * sum(readings.values()), table
    questions = table["query_technical_manuals"]
    manuals = questions.get("query_technical_manuals", 0) + questions.get("cache", 0)
    assert manuals >= 0.8 * sum(questions.values()), table
