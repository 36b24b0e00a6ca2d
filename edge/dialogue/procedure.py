"""A procedure read step by step: where the technician is, and what to say for each move.

"How do I lock out the turbine?" opens the procedure: its warnings, how many steps, step 1; then
it waits. "Next", "back", "go to step 5", "what step am I on", "how many left" and "read all" move
through it, across presses and barge-ins, with questions in between. Pure: every move returns the
new state and the sentences to say; nothing here reads a clock or touches a file.

A procedure opened while another is open (step 8 of lockout says "relieve the hydraulic pressure
as described in section 7.4") stacks on it; when the inner one is finished or cancelled, the outer
one is where it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

MAX_OPEN: Final = 3
"""Procedures kept open at once (the oldest is forgotten beyond this)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """Where something was quoted from."""

    document: str
    """Document title."""
    section: str = ""
    """Section path, ``" > "`` between titles."""
    page: int | None = None
    """1-based page, for paged sources."""

    @property
    def leaf(self) -> str:
        """The last title of the section path."""
        return self.section.split(" > ")[-1] if self.section else ""

    def full(self) -> str:
        """The whole citation as a sentence."""
        text = f"Source: {self.document}" + (f", section {self.leaf}" if self.leaf else "")
        return text + (f", page {self.page}." if self.page else ".")

    def short(self) -> str:
        """The short form, e.g. "Section 3.3.", "Table 8-1." or "Page 4."; "" for none of them."""
        for title in reversed(self.section.split(" > ")) if self.section else ():
            number = re.match(r"^\s*(?:section\s+)?(\d+(?:\.\d+)*)\b", title, re.IGNORECASE)
            if number:
                return f"Section {number.group(1)}."
            table = re.match(r"^\s*(table|figure)\s+([\w.-]*\d[\w.-]*)", title, re.IGNORECASE)
            if table:
                return f"{table.group(1).capitalize()} {table.group(2)}."
        return f"Page {self.page}." if self.page else ""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the state file."""
        return {"document": self.document, "section": self.section, "page": self.page}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        """Inverse of :meth:`to_json`."""
        page = data.get("page")
        return cls(str(data["document"]), str(data.get("section") or ""), page)


@dataclass(frozen=True, slots=True)
class Procedure:
    """One procedure and the step the technician is on."""

    title: str
    """What it is called, e.g. ``"Lockout/tagout procedure"``."""
    steps: tuple[str, ...]
    """The steps as the manual prints them."""
    warnings: tuple[str, ...] = ()
    """Warnings and cautions printed before the steps."""
    source: Citation | None = None
    """Where it is written."""
    at: int = 0
    """Index of the step last said (0-based)."""
    touched_at: float = 0.0
    """Wall-clock time of the last move (s since the epoch): it expires when idle too long."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Intro sentences that are not warnings (said on "more")."""

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a procedure needs at least one step")
        if not 0 <= self.at < len(self.steps):
            raise ValueError(f"step index {self.at} is outside 0..{len(self.steps) - 1}")

    @property
    def count(self) -> int:
        """Number of steps."""
        return len(self.steps)

    def step(self, index: int) -> str:
        """Step ``index`` (0-based) as said: ``"Step 3: Open the main circuit breaker Q1."``."""
        text = self.steps[index].strip().rstrip(".")
        return f"Step {index + 1}: {text}."

    def opening(self) -> tuple[str, ...]:
        """Warnings first, then the title, then step 1 and how many there are.

        "Step 1 of 9" says the count in two words ("Lockout/tagout procedure, 9 steps. Step 1:"
        took 0.6 s longer with piper).
        """
        text = self.steps[0].strip().rstrip(".")
        first = f"Step 1 of {self.count}: {text}." if self.count > 1 else f"{text}."
        return (*self.warnings, f"{self.title}.", first)

    def at_step(self, index: int, now: float) -> Procedure:
        """The same procedure positioned at step ``index``."""
        return replace(self, at=index, touched_at=now)


@dataclass(frozen=True, slots=True)
class Move:
    """What a move through the procedures produced."""

    open: tuple[Procedure, ...]
    """The procedures still open, innermost last."""
    speech: tuple[str, ...]
    """What to say."""


def next_step(open_: tuple[Procedure, ...], now: float) -> Move:
    """The step after the current one; past the last, the procedure closes."""
    current = open_[-1]
    if current.at + 1 < current.count:
        moved = current.at_step(current.at + 1, now)
        return Move((*open_[:-1], moved), (moved.step(moved.at),))
    done = f"That was the last step of the {_lower(current.title)}."
    rest = _touch(open_[:-1], now)
    return Move(rest, (done, *_resume(rest)))


def previous_step(open_: tuple[Procedure, ...], now: float) -> Move:
    """The step before the current one (step 1 again at the start)."""
    current = open_[-1]
    if current.at == 0:
        return Move(_touch(open_, now), ("This is the first step.", current.step(0)))
    moved = current.at_step(current.at - 1, now)
    return Move((*open_[:-1], moved), (moved.step(moved.at),))


def go_to(open_: tuple[Procedure, ...], number: int, now: float) -> Move:
    """Step ``number`` (1-based)."""
    current = open_[-1]
    if not 1 <= number <= current.count:
        said = f"The {_lower(current.title)} has {current.count} steps."
        return Move(_touch(open_, now), (said,))
    moved = current.at_step(number - 1, now)
    return Move((*open_[:-1], moved), (moved.step(moved.at),))


def where(open_: tuple[Procedure, ...], now: float) -> Move:
    """Which step this is, of how many, and what it says."""
    current = open_[-1]
    text = current.steps[current.at].strip().rstrip(".")
    said = f"Step {current.at + 1} of {current.count}: {text}."
    return Move(_touch(open_, now), (said,))


def left(open_: tuple[Procedure, ...], now: float) -> Move:
    """How many steps come after the current one."""
    current = open_[-1]
    remaining = current.count - current.at - 1
    if remaining == 0:
        said = "This is the last step."
    else:
        said = f"{remaining} more step{'s' if remaining > 1 else ''} after step {current.at + 1}."
    return Move(_touch(open_, now), (said,))


def read_all(open_: tuple[Procedure, ...], now: float) -> Move:
    """Every step, in order; the technician stays on the step they were on."""
    current = open_[-1]
    speech = tuple(current.step(i) for i in range(current.count))
    return Move(_touch(open_, now), speech)


def cancel(open_: tuple[Procedure, ...], now: float) -> Move:
    """Close the current procedure (said nothing: cancel means quiet)."""
    return Move(_touch(open_[:-1], now), ())


def push(open_: tuple[Procedure, ...], procedure: Procedure) -> tuple[Procedure, ...]:
    """Open ``procedure`` on top of the others (the same one again replaces its old place)."""
    kept = tuple(p for p in open_ if (p.title, p.source) != (procedure.title, procedure.source))
    return (*kept, procedure)[-MAX_OPEN:]


def expire(open_: tuple[Procedure, ...], now: float, idle_s: float) -> tuple[Procedure, ...]:
    """Procedures not moved for ``idle_s`` seconds are closed."""
    return tuple(p for p in open_ if now - p.touched_at <= idle_s)


def _touch(open_: tuple[Procedure, ...], now: float) -> tuple[Procedure, ...]:
    return (*open_[:-1], replace(open_[-1], touched_at=now)) if open_ else ()


def _resume(open_: tuple[Procedure, ...]) -> tuple[str, ...]:
    if not open_:
        return ()
    outer = open_[-1]
    return (f"Back to the {_lower(outer.title)}, step {outer.at + 1}.",)


def _lower(title: str) -> str:
    # "Lockout/tagout procedure" -> "lockout/tagout procedure"; "HPU filter" keeps its capitals.
    first, _, rest = title.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()
