"""Procedures step by step: opening, moving, nesting, expiry; the clock is an argument."""

from __future__ import annotations

import pytest

from edge.dialogue import procedure as steps
from edge.dialogue.procedure import Citation, Procedure

pytestmark = pytest.mark.unit

LOCKOUT = Procedure(
    "Lockout/tagout procedure",
    ("Inform the control room.", "Stop the turbine.", "Open Q1 and Q5.", "Fit your padlock."),
    warnings=("Warning: The converter stays energised until Q1 is open.",),
    source=Citation("WT-2000 Manual", "2 Safety > 2.2 Lockout/tagout procedure", 3),
    touched_at=100.0,
)
RELIEF = Procedure("Relieving hydraulic pressure", ("Stop the pump.", "Open the valves."))


def test_opening_says_the_warnings_the_length_and_step_one() -> None:
    assert LOCKOUT.opening() == (
        "Warning: The converter stays energised until Q1 is open.",
        "Lockout/tagout procedure.",
        "Step 1 of 4: Inform the control room.",
    )


def test_next_back_and_go_to_move_and_say_one_step() -> None:
    move = steps.next_step((LOCKOUT,), 110.0)
    assert move.speech == ("Step 2: Stop the turbine.",)
    assert move.open[-1].at == 1 and move.open[-1].touched_at == 110.0
    move = steps.go_to(move.open, 4, 120.0)
    assert move.speech == ("Step 4: Fit your padlock.",)
    move = steps.previous_step(move.open, 130.0)
    assert move.speech == ("Step 3: Open Q1 and Q5.",)
    assert steps.where(move.open, 131.0).speech == ("Step 3 of 4: Open Q1 and Q5.",)
    assert steps.left(move.open, 132.0).speech == ("1 more step after step 3.",)


def test_the_edges_of_a_procedure() -> None:
    first = steps.previous_step((LOCKOUT,), 1.0)
    assert first.speech == ("This is the first step.", "Step 1: Inform the control room.")
    bad = steps.go_to((LOCKOUT,), 9, 1.0)
    assert bad.speech == ("The lockout/tagout procedure has 4 steps.",) and bad.open[-1].at == 0
    last = (LOCKOUT.at_step(3, 1.0),)
    assert steps.left(last, 2.0).speech == ("This is the last step.",)
    done = steps.next_step(last, 3.0)
    assert done.open == () and done.speech == (
        "That was the last step of the lockout/tagout procedure.",
    )


def test_read_all_reads_every_step_and_keeps_the_place() -> None:
    at_two = (LOCKOUT.at_step(1, 1.0),)
    move = steps.read_all(at_two, 5.0)
    assert len(move.speech) == 4 and move.speech[0].startswith("Step 1:")
    assert move.open[-1].at == 1


def test_a_procedure_opened_inside_another_returns_to_it() -> None:
    outer = LOCKOUT.at_step(2, 1.0)
    open_ = steps.push((outer,), RELIEF.at_step(1, 2.0))
    move = steps.next_step(open_, 3.0)
    assert move.speech == (
        "That was the last step of the relieving hydraulic pressure.",
        "Back to the lockout/tagout procedure, step 3.",
    )
    assert move.open == (outer.at_step(2, 3.0),)
    cancelled = steps.cancel(open_, 4.0)
    assert cancelled.speech == () and cancelled.open[-1].title == LOCKOUT.title


def test_opening_the_same_procedure_again_replaces_it() -> None:
    open_ = steps.push((LOCKOUT.at_step(3, 1.0),), LOCKOUT)
    assert open_ == (LOCKOUT,)


def test_idle_procedures_expire() -> None:
    assert steps.expire((LOCKOUT,), now=100.0 + 1800.0, idle_s=1800.0) == (LOCKOUT,)
    assert steps.expire((LOCKOUT,), now=100.0 + 1800.5, idle_s=1800.0) == ()


def test_citations_short_and_full() -> None:
    assert LOCKOUT.source is not None
    assert LOCKOUT.source.short() == "Section 2.2."
    assert LOCKOUT.source.full() == (
        "Source: WT-2000 Manual, section 2.2 Lockout/tagout procedure, page 3."
    )
    assert Citation("X", "TABLE 8-1  TIGHTENING TORQUES").short() == "Table 8-1."
    assert Citation("X", "Ratings", 4).short() == "Page 4."
    assert Citation("X", "Ratings").short() == ""


def test_a_procedure_needs_steps_and_a_valid_place() -> None:
    with pytest.raises(ValueError):
        Procedure("Empty", ())
    with pytest.raises(ValueError):
        Procedure("Short", ("one",), at=1)
