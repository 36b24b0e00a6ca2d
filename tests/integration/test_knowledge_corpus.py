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
    "answer_accuracy": 0.54,
    "first_answer_accuracy": 0.52,
    "recall_at_3": 0.75,
    "declined": 0.41,
    "warned": 0.66,
}
"""Dev-split floors, below what the dev split measured through this full path (router, cache, tools,
the dialogue's presentation) on 2026-12-03 (twenty-seven manuals, twenty-one of them written blind;
a feed pump skid saved as plain text and a reach truck saved as Word's HTML added last): answers
751/1333 with a procedure's later steps heard as "next" reads them (731/1333 in the first answer
alone), recall@3 1029/1333, no-answer declined 56/129, out-of-range warned 455/670, 24 false
warnings in 286 in-range readings, 81 clarifications in 956 readings; ``bench/knowledge.py``
prints the exact figures. (The two new manuals, harder by the words alone than the rest, took the
rates down a point or two: the twenty-five before them measured 700/1221 and 402/610.)"""
MAX_FALSE_WARNINGS = 25
"""By the words alone, with nothing to tell twenty-seven manuals apart, tags and words every manual
uses pick another machine's limit: 'PT-101 is reading 95 kPa' (the pump skid's suction
transmitter, judged by the marine engine's PT-101 lube oil pressure); 'M2 drawing 44 amps' (the
cooling tower's fan motor, judged by the crane's trolley motor); 'battery charger float voltage is
27.5 volts' (the generator set's charger, judged by the switchgear battery's 122.6 V float);
'engine's running at 195 degrees on the water temp' (the forklift's °F, judged by the marine
engine's HT water in °C); 'turbocharger bearing housing is vibrating 6 millimetres per second' (the
marine engine's turbocharger, judged by the pump skid's 4.0 mm/s bearing housing limit: since
"vibrating" and "vibration" share a stem, that limit's words match; it was asked back before);
and twenty more of the same kind. Widening the tie between machines to ask "which machine?" cost
more right answers than it saved (tried in an earlier stop: 6 fewer false warnings, 19 right
readings turned into questions)."""
MAX_CLARIFICATIONS = 0.11
AT_MACHINE_FLOORS = {
    "answer_accuracy": 0.71,
    "first_answer_accuracy": 0.69,
    "recall_at_3": 0.90,
    "declined": 0.65,
    "warned": 0.85,
}
"""The same, asked at the machine (the conversation knows which machine's manual it is at), on
2026-12-03, twenty-seven manuals: answers 991/1333 (968/1333 in the first answer), recall@3
1232/1333, declined 89/129, warned 582/670, 5 false warnings in 286, 37 clarifications in 956."""
AT_MACHINE_MAX_FALSE_WARNINGS = 5
"""At the machine: 'the heavy duty one is drawing seventy amps' (the mixer's standard model's
56 A, not the heavy-duty model's 82 A: "heavy duty" is said of the AM-60H only in the front
matter); 'HPU pressure is 880 psi' (the hydro unit's governor HPU band is only the pump start and
stop settings of a table of switch functions, so the oil-lift pressure at the pad manifold,
"normally 90 TO 110 BAR", is the pressure limit that fits); 'intercooler pressure 36 psi on the
rp 22 10' (the intercooler's safety valve set pressure, over PT2's interstage pressure: only the
valve's name says "intercooler"); 'FI one twelve B on the eight stage reads 0.6 cubic metres an
hour' (the balance leak-off's limit is a share of the rated flow, "4 % of rated flow", so the
minimum continuous flow in m³/h wins); 'the lead acid battery's at 46 volts under load' (its
limits under load are bare figures in a "warning" row, which says no side, so the open-circuit
voltage judges)."""
AT_MACHINE_MAX_CLARIFICATIONS = 0.06


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


def _assert_above(
    run: SplitRun, floors: dict[str, float], max_clarifications: float, max_false: int
) -> None:
    overall = figures(run.questions, run.readings)
    low = {k: overall[k] for k, floor in floors.items() if (overall[k] or 0.0) < floor}
    assert not low, (low, by_manual(run.questions, run.readings))
    assert overall["false_warnings"] <= max_false, overall
    clarifications = overall["clarifications"]
    assert clarifications is not None and clarifications <= max_clarifications, overall


def test_the_figures_stay_above_their_floors(dev_run: SplitRun) -> None:
    _assert_above(dev_run, FLOORS, MAX_CLARIFICATIONS, MAX_FALSE_WARNINGS)


def test_at_the_machine_the_figures_stay_above_their_floors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The machine being worked on settles what the words leave open between manuals: its manual
    # answers and its limits judge, so its figures sit above the words-only ones.
    run = _dev_run(tmp_path_factory, at_machine=True)
    _assert_above(
        run, AT_MACHINE_FLOORS, AT_MACHINE_MAX_CLARIFICATIONS, AT_MACHINE_MAX_FALSE_WARNINGS
    )


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
