"""Where the conversation stands, as one value that survives a daemon restart.

The open procedures, the last answer (for "repeat", "more", "why", "source?" and follow-ups), the
conversation's component (a hint with a short life) and a read-back waiting for yes or no. It is
written to ``<state_dir>/dialogue.json`` after every change (atomically: a crash leaves the old
file or the new one) and read back at start-up; what has been idle too long is dropped then.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from edge.dialogue.present import TableView, Value
from edge.dialogue.procedure import Citation, Procedure

_LOGGER = logging.getLogger(__name__)

VERSION: Final = 1
"""Format of the state file; a file of another version is ignored."""


@dataclass(frozen=True, slots=True)
class LastAnswer:
    """The last answer given (not a control word's reply)."""

    speech: tuple[str, ...]
    """What was said (all of it, even if it was cut)."""
    more: tuple[str, ...] = ()
    """What "more" says."""
    why: tuple[str, ...] = ()
    """What "why" says."""
    citation: Citation | None = None
    """Its source."""
    value: Value | None = None
    """The value it said first."""
    table: TableView | None = None
    """The table it came from."""
    component_id: str | None = None
    """The component it was about."""
    at: float = 0.0
    """When it was given (s since the epoch)."""


@dataclass(frozen=True, slots=True)
class Topic:
    """The component the conversation is about: a hint for the next few questions."""

    component_id: str
    at: float
    """When it was last confirmed by an answer (s since the epoch)."""
    turns_left: int
    """Requests it still applies to."""


@dataclass(frozen=True, slots=True)
class Machine:
    """The machine the technician is at: the manual their last answer came from."""

    title: str
    """The manual's title, as its citations name it."""
    at: float
    """When an answer last came from it (s since the epoch)."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A side effect waiting for the technician: their yes to a read-back, or the words it lacks."""

    intent: str
    """The tool to run."""
    transcript: str
    """The request as heard."""
    arguments: dict[str, Any]
    """Arguments the LLM filled (plain JSON data)."""
    readback: str
    """What was asked ("Gearbox oil sump temperature, 92 degrees Celsius?")."""
    at: float
    """When it was asked (s since the epoch)."""
    needs: str | None = None
    """What the request lacked ("description"): the next words supply it, not a yes."""


@dataclass(frozen=True, slots=True)
class DialogueState:
    """The whole state of the conversation."""

    procedures: tuple[Procedure, ...] = ()
    """Open procedures, innermost last."""
    last: LastAnswer | None = None
    topic: Topic | None = None
    pending: Pending | None = None
    machine: Machine | None = None
    """The machine being worked on: it settles what the words leave open between manuals."""
    hushed: bool = False
    """The technician said stop: notices wait for their next request."""
    updated_at: float = 0.0
    """Last change (s since the epoch)."""

    @property
    def procedure(self) -> Procedure | None:
        """The procedure being worked through, if any."""
        return self.procedures[-1] if self.procedures else None


@dataclass(frozen=True, slots=True)
class Expiry:
    """How long each part of the state lives without being used (s)."""

    idle_s: float = 1800.0
    """Procedures, the last answer and the machine being worked on."""
    topic_s: float = 300.0
    """The conversation's component."""
    pending_s: float = 60.0
    """A read-back waiting for yes or no."""


def expire(state: DialogueState, now: float, expiry: Expiry) -> DialogueState:
    """``state`` without what has been idle too long at ``now``."""
    procedures = tuple(p for p in state.procedures if now - p.touched_at <= expiry.idle_s)
    last = state.last if state.last and now - state.last.at <= expiry.idle_s else None
    topic = state.topic
    if topic is not None and (now - topic.at > expiry.topic_s or topic.turns_left <= 0):
        topic = None
    pending = state.pending
    if pending is not None and now - pending.at > expiry.pending_s:
        pending = None
    machine = state.machine if state.machine and now - state.machine.at <= expiry.idle_s else None
    if (procedures, last, topic, pending, machine) == (
        state.procedures,
        state.last,
        state.topic,
        state.pending,
        state.machine,
    ):
        return state
    return replace(
        state, procedures=procedures, last=last, topic=topic, pending=pending, machine=machine
    )


# -- the file --------------------------------------------------------------------------------------


class StateFile:
    """The state on disk (``dialogue.json`` in the state folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> DialogueState:
        """The saved state; an empty one when there is none or it cannot be read (logged)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return DialogueState()
        except (OSError, ValueError) as err:
            _LOGGER.warning("Dialogue state %s unreadable, starting afresh: %s", self.path, err)
            return DialogueState()
        try:
            if raw.get("version") != VERSION:
                raise ValueError(f"version {raw.get('version')!r}")
            return from_json(raw)
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Dialogue state %s not usable, starting afresh: %s", self.path, err)
            return DialogueState()

    def save(self, state: DialogueState) -> None:
        """Write ``state`` atomically; a failure is logged, never raised (the talk goes on)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(to_json(state), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as err:
            _LOGGER.error("Dialogue state not saved to %s: %s", self.path, err)


def to_json(state: DialogueState) -> dict[str, Any]:
    """Plain data for the state file."""
    last = state.last
    return {
        "version": VERSION,
        "updated_at": state.updated_at,
        "hushed": state.hushed,
        "procedures": [_procedure_json(p) for p in state.procedures],
        "last": None
        if last is None
        else {
            "speech": list(last.speech),
            "more": list(last.more),
            "why": list(last.why),
            "citation": last.citation.to_json() if last.citation else None,
            "value": _value_json(last.value),
            "table": _table_json(last.table),
            "component_id": last.component_id,
            "at": last.at,
        },
        "topic": None
        if state.topic is None
        else {
            "component_id": state.topic.component_id,
            "at": state.topic.at,
            "turns_left": state.topic.turns_left,
        },
        "pending": None
        if state.pending is None
        else {
            "intent": state.pending.intent,
            "transcript": state.pending.transcript,
            "arguments": state.pending.arguments,
            "readback": state.pending.readback,
            "at": state.pending.at,
            "needs": state.pending.needs,
        },
        "machine": None
        if state.machine is None
        else {"title": state.machine.title, "at": state.machine.at},
    }


def from_json(raw: dict[str, Any]) -> DialogueState:
    """Inverse of :func:`to_json`.

    Raises:
        KeyError, TypeError, ValueError: the data is not a state.
    """
    last = raw.get("last")
    topic = raw.get("topic")
    pending = raw.get("pending")
    machine = raw.get("machine")
    return DialogueState(
        procedures=tuple(_procedure(p) for p in raw.get("procedures") or ()),
        last=None
        if last is None
        else LastAnswer(
            speech=tuple(str(s) for s in last["speech"]),
            more=tuple(str(s) for s in last.get("more") or ()),
            why=tuple(str(s) for s in last.get("why") or ()),
            citation=Citation.from_json(last["citation"]) if last.get("citation") else None,
            value=Value(**last["value"]) if last.get("value") else None,
            table=_table(last.get("table")),
            component_id=last.get("component_id"),
            at=float(last["at"]),
        ),
        topic=None
        if topic is None
        else Topic(str(topic["component_id"]), float(topic["at"]), int(topic["turns_left"])),
        pending=None
        if pending is None
        else Pending(
            str(pending["intent"]),
            str(pending["transcript"]),
            dict(pending.get("arguments") or {}),
            str(pending["readback"]),
            float(pending["at"]),
            str(pending["needs"]) if pending.get("needs") else None,
        ),
        machine=None if machine is None else Machine(str(machine["title"]), float(machine["at"])),
        hushed=bool(raw.get("hushed")),
        updated_at=float(raw.get("updated_at") or 0.0),
    )


def _procedure_json(p: Procedure) -> dict[str, Any]:
    return {
        "title": p.title,
        "steps": list(p.steps),
        "warnings": list(p.warnings),
        "source": p.source.to_json() if p.source else None,
        "at": p.at,
        "touched_at": p.touched_at,
        "notes": list(p.notes),
    }


def _procedure(raw: dict[str, Any]) -> Procedure:
    return Procedure(
        title=str(raw["title"]),
        steps=tuple(str(s) for s in raw["steps"]),
        warnings=tuple(str(s) for s in raw.get("warnings") or ()),
        source=Citation.from_json(raw["source"]) if raw.get("source") else None,
        at=int(raw["at"]),
        touched_at=float(raw["touched_at"]),
        notes=tuple(str(s) for s in raw.get("notes") or ()),
    )


def _value_json(value: Value | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"text": value.text, "unit": value.unit, "label": value.label}


def _table_json(table: TableView | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {
        "header": list(table.header),
        "rows": [list(r) for r in table.rows],
        "column": table.column,
        "row": table.row,
    }


def _table(raw: dict[str, Any] | None) -> TableView | None:
    if raw is None:
        return None
    rows = tuple(tuple(str(c) for c in r) for r in raw["rows"])
    header = tuple(str(h) for h in raw["header"])
    return TableView(header, rows, int(raw["column"]), int(raw["row"]))
