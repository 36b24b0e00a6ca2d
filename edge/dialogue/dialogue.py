"""The dialogue: control words, procedures, follow-ups, the topic and read-backs, over one state.

The responder asks it, before any routing, whether a turn is a control word ("stop", "next",
"repeat", "yes") or a follow-up on the last answer ("and the M20?", "in foot-pounds?"), and tells
it every answer given, which it presents for the ear (:mod:`edge.dialogue.present`) and remembers.
Every decision takes the time as an argument; the state is saved after each change and survives
a restart (:mod:`edge.dialogue.state`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Final

from edge.dialogue import procedure as steps
from edge.dialogue.control import ALWAYS, CONFIRM, PROCEDURE, Command, Control, parse
from edge.dialogue.followup import converted, other_row, say_other_row, target_unit
from edge.dialogue.present import CitationMode, Presented, Value, present, spoken_citation
from edge.dialogue.state import (
    DialogueState,
    Expiry,
    LastAnswer,
    Machine,
    Pending,
    StateFile,
    Topic,
)
from edge.dialogue.state import expire as expired
from edge.events import ToolResult
from edge.knowledge.units import spoken_unit

_YES: Final = frozenset({Command.YES})

_LOGGER = logging.getLogger(__name__)

NOTHING_SAID: Final = "I have not said anything yet."
ASK_AGAIN: Final = "Okay, say it again."
"""Said on "no" to a read-back."""
NOTHING_MORE: Final = "That is all the manual says."
NO_SOURCE: Final = "That did not come from the manuals."
NO_VALUE: Final = "The last answer had no value to convert."
REST_WORDS: Final = 3
"""Words a request after a leading stop needs to be answered ("Stop. M2, M9." is just a stop)."""


@dataclass(frozen=True, slots=True)
class DialogueSettings:
    """How the dialogue behaves (from ``[dialogue]`` in the config)."""

    citation: CitationMode = "off"
    """How an answer's source is said ("source?" always says all of it)."""
    expiry: Expiry = Expiry()
    """How long each part of the state lives unused."""
    topic_turns: int = 3
    """Requests the conversation's component stays a hint for."""
    checkback: bool = True
    """Read doubtful readings and incidents back before acting."""
    earcon: bool = True
    """A short tick acknowledges "stop" and "cancel" (otherwise silence)."""
    slower_pace: float = 0.75
    """Speaking rate for "slower", relative to normal."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the dialogue says for a control word or a follow-up."""

    speech: tuple[str, ...] = ()
    pace: float = 1.0
    """Speaking rate relative to normal."""
    earcon: bool = False
    """Play the acknowledgement tick (and nothing else)."""
    rest: str = ""
    """A request that followed the control word, to answer now."""


class Dialogue:
    """The conversation's state and the decisions made on it."""

    def __init__(
        self, settings: DialogueSettings, file: StateFile | None = None, *, now: float
    ) -> None:
        """Load the saved state (``file``), dropping what expired by ``now``."""
        self.settings = settings
        self._file = file
        loaded = file.load() if file is not None else DialogueState()
        self._state = expired(loaded, now, settings.expiry)
        if self._state.procedures:
            p = self._state.procedure
            assert p is not None
            _LOGGER.info("Dialogue resumed: %s at step %d of %d", p.title, p.at + 1, p.count)

    @property
    def state(self) -> DialogueState:
        """The current state."""
        return self._state

    @property
    def hushed(self) -> bool:
        """The technician said stop: nothing is said until their next request."""
        return self._state.hushed

    def clear(self, now: float, *, machine: str | None = None) -> None:
        """Forget the whole conversation.

        ``machine``: the manual of the machine the technician is at, when known without asking
        (an evaluation's manual).
        """
        self._set(DialogueState(machine=Machine(machine, now) if machine else None), now)

    # -- control words ------------------------------------------------------------------------

    def control(self, text: str, now: float) -> Control | None:
        """The control word ``text`` is, among those that mean something now."""
        self._set(expired(self._state, now, self.settings.expiry), now, save=False)
        possible = set(ALWAYS)
        if self._state.procedures:
            possible |= PROCEDURE
        if self._state.pending is not None:
            possible |= CONFIRM
        found = parse(text, possible)
        for closed, commands in ((self._state.procedures, PROCEDURE), (self._state.pending, _YES)):
            if found is None and not closed:
                # "Next." with no procedure open is still "next", not a question for the manuals;
                # "yes" with nothing to confirm is told so, not handed to the LLM to agree with.
                found = parse(text, commands)
                found = found if found is not None and found.exact and not found.rest else None
        if found is not None and found.rest and len(found.rest.split()) < REST_WORDS:
            found = replace(found, rest="")
        return found

    def handle(self, control: Control, now: float, *, readback_heard: bool = True) -> Reply:
        """Carry out ``control`` (all but a yes to a read-back, which the responder runs).

        ``readback_heard``: the pending read-back, if any, was heard in full. "Cancel" drops
        only a read-back that was heard: one cut before it was heard is asked again.
        """
        command = control.command
        state = self._state
        last = state.last
        if command in (Command.STOP, Command.CANCEL):
            if control.rest:
                return Reply(rest=control.rest)  # the stop was the barge-in; answer the request
            if command == Command.CANCEL:
                pending = None if readback_heard else state.pending
                state = replace(state, pending=pending, procedures=state.procedures[:-1])
            self._set(replace(state, hushed=True), now)
            return Reply(earcon=self.settings.earcon)
        if command == Command.NO:
            self._set(replace(state, pending=None), now)
            if control.rest:
                return Reply(rest=control.rest)  # "No, it reads 180 bar": the new reading
            return Reply((ASK_AGAIN,))
        if command in (Command.REPEAT, Command.SLOWER):
            said = last.speech if last else (NOTHING_SAID,)
            pace = self.settings.slower_pace if command == Command.SLOWER else 1.0
            return Reply(said, pace=pace)
        if command == Command.MORE:
            more = last.more if last else ()
            if last is not None and more:
                self._remember(replace(last, speech=more, more=(), at=now), now)
            return Reply(more or (NOTHING_MORE if last else NOTHING_SAID,))
        if command == Command.WHY:
            return Reply(last.why if last and last.why else (NOTHING_MORE,))
        if command == Command.SOURCE:
            cite = last.citation if last else None
            return Reply((cite.full(),) if cite else (NO_SOURCE,))
        return self._procedure(control, now)

    def _procedure(self, control: Control, now: float) -> Reply:
        open_ = self._state.procedures
        if not open_:
            return Reply(("No procedure is open.",))
        command = control.command
        if command == Command.NEXT:
            move = steps.next_step(open_, now)
        elif command == Command.BACK:
            move = steps.previous_step(open_, now)
        elif command == Command.GOTO and control.step is not None:
            move = steps.go_to(open_, control.step, now)
        elif command == Command.WHERE:
            move = steps.where(open_, now)
        elif command == Command.LEFT:
            move = steps.left(open_, now)
        elif command == Command.READ_ALL:
            move = steps.read_all(open_, now)
        else:
            return Reply(("Say next, back, or a step number.",))
        state = replace(self._state, procedures=move.open)
        last = state.last
        self._set(state, now)
        if command == Command.LEFT:
            return Reply(move.speech)  # "repeat" after it still says the step
        self._remember(
            LastAnswer(
                move.speech,
                more=last.more if last else (),
                why=last.why if last else (),
                citation=move.open[-1].source if move.open else None,
                at=now,
            ),
            now,
        )
        return Reply(move.speech)

    # -- read-backs ---------------------------------------------------------------------------

    def hold(self, pending: Pending, now: float) -> None:
        """Keep ``pending`` until the technician says yes or no."""
        self._set(replace(self._state, pending=pending), now)

    def take_pending(self, now: float) -> Pending | None:
        """The read-back waiting for an answer (and forget it), if it has not expired."""
        state = expired(self._state, now, self.settings.expiry)
        self._set(replace(state, pending=None), now)
        return state.pending

    # -- answers ------------------------------------------------------------------------------

    def asked(self, now: float, *, request: bool = True) -> None:
        """The technician asked something: notices may be said again; a request ages the topic."""
        state = expired(self._state, now, self.settings.expiry)
        topic = state.topic
        if topic is not None and request:
            topic = replace(topic, turns_left=topic.turns_left - 1)
        self._set(replace(state, topic=topic, hushed=False), now)

    def topic(self, now: float) -> str | None:
        """The component the conversation is about, while the hint lives."""
        topic = expired(self._state, now, self.settings.expiry).topic
        return topic.component_id if topic is not None else None

    def machine(self, now: float) -> str | None:
        """The manual of the machine being worked on, while it is fresh."""
        machine = expired(self._state, now, self.settings.expiry).machine
        return machine.title if machine is not None else None

    def follow_up(self, question: str, now: float, *, names_other: bool) -> Reply | None:
        """The answer to a follow-up on the last answer, or None for a question of its own.

        Args:
            question: the technician's words.
            now: wall-clock time.
            names_other: the question names a component other than the last answer's.
        """
        last = expired(self._state, now, self.settings.expiry).last
        unit = target_unit(question)
        if unit is not None:
            if last is None or last.value is None:
                return Reply((NO_VALUE,))
            said = converted(last.value, unit)
            if said is None:
                said = (
                    f"That was in {spoken_unit(last.value.unit)}; "
                    f"it does not convert to {spoken_unit(unit)}."
                )
            self._remember(replace(last, speech=(said,), at=now), now)
            return Reply((said,))
        index = self._other_row(question, last, names_other=names_other)
        if last is None or last.table is None or index is None:
            return None
        row = say_other_row(question, last.table, index)
        speech = (row.sentence, *spoken_citation(last.citation, self.settings.citation))
        value = last.value
        if row.value is not None and row.value.unit:
            value = Value(row.value.text, row.value.unit, row.value.label)
        table = replace(last.table, row=index)
        more = (*row.details, *((last.citation.full(),) if last.citation else ()))
        moved = replace(last, speech=speech, more=more, table=table, value=value, at=now)
        self._remember(moved, now)
        return Reply(speech)

    def follows_up(self, question: str, now: float, *, names_other: bool) -> bool:
        """Whether :meth:`follow_up` would answer ``question`` (nothing is changed)."""
        last = expired(self._state, now, self.settings.expiry).last
        other = self._other_row(question, last, names_other=names_other)
        return target_unit(question) is not None or other is not None

    @staticmethod
    def _other_row(question: str, last: LastAnswer | None, *, names_other: bool) -> int | None:
        """The row of the last answer's table ``question`` asks about instead, if any."""
        if last is None or last.table is None or names_other:
            return None
        index = other_row(question, last.table)
        return None if index == last.table.row else index

    def preview(
        self, question: str, result: ToolResult, *, named_component: bool
    ) -> tuple[str, ...]:
        """What :meth:`answered` would say for ``result``, remembering nothing."""
        presented = present(
            result, question, citation=self.settings.citation, named_component=named_component
        )
        return presented.speech

    def answered(
        self,
        question: str,
        result: ToolResult,
        now: float,
        *,
        component_id: str | None,
        named_component: bool,
    ) -> Presented:
        """Present ``result`` for the ear, and remember it (procedure, table, value, topic)."""
        presented = present(
            result,
            question,
            citation=self.settings.citation,
            now=now,
            named_component=named_component,
        )
        state = self._state
        if presented.procedure is not None:
            state = replace(state, procedures=steps.push(state.procedures, presented.procedure))
        found = result.ok and result.data.get("found", True)
        if component_id and found:
            state = replace(state, topic=Topic(component_id, now, self.settings.topic_turns))
        if presented.citation is not None and found:
            # The manual that answered is the machine being worked on, until another answers.
            state = replace(state, machine=Machine(presented.citation.document, now))
        self._set(state, now)
        self._remember(
            LastAnswer(
                presented.speech,
                more=presented.more,
                why=presented.why,
                citation=presented.citation,
                value=presented.value,
                table=presented.table,
                component_id=component_id,
                at=now,
            ),
            now,
        )
        return presented

    def replied(self, speech: tuple[str, ...], now: float) -> None:
        """An answer not from a tool (a short reply): "repeat" says it again."""
        if speech:
            self._remember(LastAnswer(speech, at=now), now)

    # -- state --------------------------------------------------------------------------------

    def _remember(self, last: LastAnswer, now: float) -> None:
        self._set(replace(self._state, last=last), now)

    def _set(self, state: DialogueState, now: float, *, save: bool = True) -> None:
        changed = state != self._state
        self._state = replace(state, updated_at=now) if changed else state
        if changed and save and self._file is not None:
            self._file.save(self._state)
