"""``check_reading``: compare a measured value with the manuals' operating limits.

A value outside its range is announced first ("Warning: gearbox oil sump temperature 92 degrees
Celsius is above the 85 degrees Celsius limit."), marked urgent, and raised as an incident through
the :class:`~edge.report.base.IncidentReporter`. Results are never cached (they hold live values).

Everything comes from what the technician said (:mod:`edge.tools.reading_values`): the number
(digits or spelled out, never one in a code or a model name), the unit said after it, and the
words that name the limit among every limit of every manual on the device
(:mod:`edge.knowledge.limit_match`: parameter, component by name, ID, part of the name or a
synonym, and the unit's dimension). A value proposed by a larger LLM routing natively counts only
when it was said. Two limits that fit equally well are a question back that names them; a
warning says the value, the limit and its unit first, then the manual's action, then the incident.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from edge.aio import EngineThread, TaskSet
from edge.errors import EdgeError, ToolError
from edge.events import ToolExample, ToolResult, ToolSpec
from edge.knowledge.components import in_sentence, spoken_name
from edge.knowledge.limit_match import (
    DEVIATION,
    TIE,
    Candidate,
    Described,
    Said,
    best,
    decades_off,
    normal_code,
    rank,
    said,
    with_unit,
    without_value,
)
from edge.knowledge.limits import Assessment, assess
from edge.knowledge.machines import machine_name
from edge.knowledge.numbers import reading_numbers
from edge.knowledge.records import Limit
from edge.knowledge.units import dimension, format_number, speakable, spoken_unit, units_of
from edge.report.base import (
    Citation,
    IncidentDraft,
    IncidentReceipt,
    IncidentReporter,
    Reading,
    Severity,
)
from edge.tools.base import ToolRequest
from edge.tools.reading_values import (
    SpokenValue,
    candidates,
    choose_value,
    said_unit,
    states_a_value,
    value_text,
)

__all__ = ["SPEC", "ReadingsTool", "choose_value", "reading_numbers", "said_unit"]

if TYPE_CHECKING:
    from edge.knowledge import Knowledge

_LOGGER = logging.getLogger(__name__)

NAME: Final = "check_reading"
REPORT_WAIT_S: Final = 2.0
"""Longest wait for the incident to be stored before the warning is spoken anyway."""

_EXAMPLES: Final = (
    ToolExample(
        "Gearbox oil sump temperature is 92 degrees.",
        {"parameter": "oil sump temperature", "value": 92, "unit": "degrees"},
    ),
    ToolExample(
        "The pitch system pressure reads 150 bar.",
        {"parameter": "system pressure", "value": 150, "unit": "bar"},
    ),
    ToolExample(
        "Generator speed is 1800 rpm, is that okay?",
        {"parameter": "speed", "value": 1800, "unit": "rpm"},
    ),
    ToolExample(
        "Check this reading: main bearing outer ring at 78 degrees Celsius.",
        {"parameter": "outer ring temperature", "value": 78, "unit": "degrees Celsius"},
    ),
    ToolExample(
        "Accumulator precharge measured 82 bar.",
        {"parameter": "accumulator precharge", "value": 82, "unit": "bar"},
    ),
    ToolExample(
        "Yaw brake pad lining is down to 4 millimetres.",
        {"parameter": "brake pad lining thickness", "value": 4, "unit": "mm"},
    ),
    ToolExample(
        "Gearbox housing vibration is 6.5 millimetres per second.",
        {"parameter": "housing vibration", "value": 6.5, "unit": "mm/s"},
    ),
    ToolExample(
        "Converter coolant pressure reads 1.1 bar with the pump stopped.",
        {"parameter": "coolant pressure", "value": 1.1, "unit": "bar"},
    ),
    ToolExample(
        "Stator winding temperature is one hundred and fifty degrees.",
        {"parameter": "stator winding temperature", "value": 150, "unit": "degrees"},
    ),
    ToolExample(
        "Hydraulic power unit oil is at 55 C.",
        {"parameter": "oil temperature", "value": 55, "unit": "C"},
    ),
    ToolExample(
        "Is 5.8 bar oil pressure on the gearbox within limits?",
        {"parameter": "oil pressure", "value": 5.8, "unit": "bar"},
    ),
    ToolExample(
        "Coolant level is at 55 percent.",
        {"parameter": "coolant level", "value": 55, "unit": "percent"},
    ),
)

SPEC: Final = ToolSpec(
    name=NAME,
    description=(
        "Check a measured value (temperature, pressure, speed, thickness ...) against the "
        "operating limits in the manuals. Use when the technician reads out a measurement."
    ),
    parameters={
        "type": "object",
        "properties": {
            "parameter": {
                "type": "string",
                "description": "What was measured, e.g. 'oil sump temperature'.",
            },
            "value": {"type": "number", "description": "The number the technician said."},
            "unit": {"type": "string", "description": "Unit as said: degrees, bar, rpm, mm ..."},
            "component_id": {"type": "string", "description": "Component ID such as GBX."},
        },
        "required": ["parameter", "value"],
        "additionalProperties": False,
    },
    side_effect=True,  # an out-of-range value raises an incident
    slow=False,  # a warning must never wait behind a filler
    filler=None,
    examples=_EXAMPLES,
    # Nothing for the LLM to fill: value, unit, parameter and component all come from the
    # transcript (see prepare), and a warning must not wait a second for a 135M model's guess.
    llm_fills=(),
    needs_number=True,
    urgent=True,  # an out-of-range value is warned about before anything else is said
    statement=states_a_value,
)


class ReadingsTool:
    """The ``check_reading`` tool: limits from ``knowledge``, incidents through ``reporter``."""

    spec: ToolSpec = SPEC

    def __init__(
        self,
        knowledge: Knowledge,
        thread: EngineThread,
        reporter: IncidentReporter,
        *,
        report_wait_s: float = REPORT_WAIT_S,
    ) -> None:
        self._knowledge = knowledge
        self._thread = thread
        self._reporter = reporter
        self._report_wait_s = report_wait_s
        self._reports = TaskSet("check_reading")

    def prepare(self, arguments: Mapping[str, Any], request: ToolRequest) -> dict[str, Any]:
        """The limit meant, and the value and unit as the technician said them.

        Raises:
            ToolError: with a question fit to be spoken (which value, which of two limits ...).
        """
        args = arguments if isinstance(arguments, Mapping) else {}
        transcript = " ".join(str(request.transcript or "").split())
        described = self._knowledge.described_limits()
        if not described:
            raise ToolError("reading-no-limits", "The manuals here give no operating limits.")
        prefer = self._preferred(args, request)
        named = self._knowledge.resolve_component(transcript)
        reading = replace(
            said(
                self._knowledge.spell_out(transcript),
                self._knowledge.component_names(request.machine),
                named,
            ),
            machines=self._knowledge.machines_named(transcript),
            machine=request.machine,
        )
        scoped = at_the_machine(described, reading)
        only = request.machine if len(scoped) < len(described) else None
        best_choice: tuple[float, SpokenValue, list[Candidate]] | None = None
        for value in _not_the_tag(candidates(args.get("value"), transcript), transcript, named):
            # A bare "degrees" still keeps only temperature limits; its scale is settled below.
            words = without_value(reading, value.words)
            if value.deviation:
                # "455 with the mean at 395": a deviation, judged by a deviation band.
                words = replace(words, words=words.words | {DEVIATION})
            ranked = rank(
                with_unit(words, value.unit),
                scoped,
                value.unit,
                prefer=prefer,
                value=value.mention.value,
            )
            score = ranked[0].score if ranked else float("-inf")
            if best_choice is None or score > best_choice[0] + TIE:
                best_choice = (score, value, ranked)
        assert best_choice is not None
        _, value, ranked = best_choice
        limit, lone = self._choose(ranked, value, machine=request.machine, only=only)
        # The words did not pick the part: the only limit in that unit, or the conversation's.
        topic = request.component_id if prefer == request.component_id else None
        guessed = lone or (named is None and topic is not None and limit.component_id == topic)
        unit = _unit_against(value, limit)
        judged = value.against(limit)
        return {
            "component_id": limit.component_id or None,
            "parameter": limit.parameter,
            "value": judged,
            # A shortfall is said signed, as it is judged ("minus 8 ... below the minus 5").
            "value_text": value_text(value.mention)
            if judged == value.mention.value
            else format_number(judged),
            "unit": unit or limit.unit,
            # A pH or a count has no unit to say; a temperature without one is a guess, which
            # matters only when another scale would judge the value otherwise, and not when it
            # was read off the limit's own instrument ("TE-706 shows 112": its display's unit).
            "unit_assumed": unit is None
            and not value.deviation  # both figures off one display, in the limit's unit
            and not _instrument_said(limit, reading)
            and _scale_matters(limit, judged),
            "component_guessed": guessed,
            "limit": limit,
            "transcript": transcript,
        }

    def _preferred(self, args: Mapping[str, Any], request: ToolRequest) -> str | None:
        given = args.get("component_id")
        if isinstance(given, str) and given.strip():
            found = self._knowledge.component(given)
            if found is None:
                raise ToolError(
                    "reading-unknown-component", f"I do not know a component called {given}."
                )
            return found.id
        if request.component_id and self._knowledge.component(request.component_id):
            return request.component_id
        return None

    def _choose(
        self,
        ranked: list[Candidate],
        value: SpokenValue,
        *,
        machine: str | None = None,
        only: str | None = None,
    ) -> tuple[Limit, bool]:
        """The limit the words pick, and whether it is only the one limit in the unit said.

        ``machine``: the manual of the machine being worked on, which settles a tie between
        machines; ``only``: that manual, when only its limits were ranked.
        """
        tied = best(ranked)
        by_words = best(ranked, by_words=True)
        if len(tied) == 1 and not _one_part(by_words):
            tied = by_words  # the scale alone would pick between parts: ask which one
        if not tied:
            manuals = f"The {machine_name(only)} manual gives" if only else "The manuals give"
            raise ToolError(
                "reading-which-parameter",
                f"{manuals} no limit measured in that unit. What was measured?",
            )
        # A percentage is of anything (slip, imbalance, a level): the one limit in per cent
        # says nothing of what was read.
        of_anything = dimension(value.unit or "") == "fraction"
        if tied[0].score <= 0:
            if len(tied) == 1 and not of_anything and not tied[0].off_scale:
                # The only limit measured in that unit, and the value on its scale: "108 feet
                # a minute" of the steps is no vibration velocity of 4.5 mm/s.
                return tied[0].limit, True
            raise ToolError(
                "reading-which-parameter",
                "Which reading is that? Say what you measured.",
                needs="which",
            )
        told = len(tied[0].matched) > (1 if tied[0].off_scale >= FAR_OFF_SCALE else 0)
        if not told and (len(ranked) > 1 or of_anything or tied[0].off_scale):
            # No word of the reading names its part or parameter: the manuals' limit for it may
            # be missing, and a look-alike in the same unit would warn about the wrong thing.
            # A value tens of times past the limit needs more than one word in common with it
            # ("the steps measured 0.63 metres per second" on the drive unit is no vibration).
            raise ToolError(
                "reading-which-parameter",
                "Which reading is that? Say what you measured.",
                needs="which",
            )
        if len(tied) == 1:
            return tied[0].limit, False
        machines = list(dict.fromkeys(_document(c.limit) for c in tied[:3]))
        if len(machines) > 1 and machine in machines:
            tied = [c for c in tied if _document(c.limit) == machine]
            machines = [machine]
        if len(tied) == 1:
            return tied[0].limit, False
        if len(machines) > 1:
            # Two manuals' limits: the technician knows which machine they stand at.
            names = " or ".join(f"the {machine_name(m)}" for m in machines)
            raise ToolError("reading-which-machine", f"Which machine: {names}?", needs="which")
        verdicts = _verdicts(tied[:3], value)
        if verdicts == {"within"}:
            # Within every limit it could be (the relay's alarm point and the dial's): whichever
            # was meant, the answer is the same, and nothing is logged against a part.
            return tied[0].limit, False
        owners = list(dict.fromkeys(c.limit.component_id for c in tied[:3]))
        if len(owners) > 1 and len({c.limit.parameter.lower() for c in tied}) == 1:
            if sum(1 for o in owners if o) == 1:
                # The gearbox oil temperature in the limits table (TT1, max. 95 °C) and in a
                # sentence that names no tag ("must not be started with the gearbox oil below
                # −15 °C"): one quantity, its bounds printed apart.
                return _broken_first(tied[:3], value).limit, False
            first = {c.limit.component_id: c.limit for c in reversed(tied[:3])}
            names = " or ".join(f"the {self._name(o, first[o]) or 'general'}" for o in owners)
            raise ToolError("reading-which-component", f"Which component: {names}?", needs="which")
        if len(verdicts) == 1 and None not in verdicts:
            # Past every limit it could be, on one side ("pH 6.7": the analyser's alarm band and
            # the water-treatment limit; "Room temperature below +1 °C" and "Ambient temperature
            # +1 to +45 °C"): which one was meant changes nothing, and the warning comes now.
            return tied[0].limit, False
        labels = list(dict.fromkeys(self._label(c.limit) for c in tied[:3]))
        if len({self._quantity(c.limit) for c in tied[:3]}) == 1:
            # One part's one parameter with its bounds printed apart ("F51 Mains voltage below
            # 195 V", "F52 Mains voltage above 253 V"; "Lube oil pressure at engine inlet
            # (PT-101) | 4.0–5.0 bar" and "..., min. .... 3.5 bar"): the value is out of range
            # if it breaks either, and "mains voltage or mains voltage?" would ask nothing.
            return _broken_first(tied[:3], value).limit, False
        named = " or ".join(labels)
        code = "reading-parameter-unclear" if len(owners) == 1 else "reading-which-component"
        raise ToolError(code, f"Which one: {named}?", needs="which")

    def _quantity(self, limit: Limit) -> str:
        """What ``limit`` measures, without the bound or the measuring point its name prints.

        "Lube oil pressure at engine inlet (PT-101)" and "Lube oil pressure at engine inlet,
        min." are one quantity; "Motor current (AM-60S)" and "(AM-60H)" are two models' (a
        model is no part the manual lists).
        """
        label = _BOUND.sub(" ", self._label(limit))
        for code in limit.codes:
            if self._knowledge is not None and self._knowledge.component(code) is not None:
                label = re.sub(rf"\(\s*{re.escape(code)}\s*\)", " ", label, flags=re.IGNORECASE)
        return " ".join(label.split()).strip(" ,").lower()

    def _label(self, limit: Limit) -> str:
        return subject(self._name(limit.component_id, limit), limit)

    def preview(self, request: ToolRequest) -> str | None:
        """The first sentence :meth:`run` would say, from the words alone, with no incident.

        For a speculative answer while the technician pauses: None when the words do not settle
        the reading.
        """
        judged = self._judged(request)
        if judged is None:
            return None
        component, prepared, result = judged
        if result.verdict == "within":
            return speakable(_within(component, prepared, result))
        return speakable(_warning(component, prepared, result))

    def warning(self, request: ToolRequest) -> str | None:
        """The warning :meth:`run` would say first for an out-of-range reading in the words.

        None when the words state none (in range, or not settled). No incident is raised.
        """
        judged = self._judged(request)
        if judged is None or judged[2].verdict == "within":
            return None
        return speakable(_warning(*judged))

    def _judged(self, request: ToolRequest) -> tuple[str, dict[str, Any], Assessment] | None:
        """The part's name, the prepared reading and its verdict, from the words alone."""
        try:
            prepared = self.prepare({}, request)
        except EdgeError:
            return None
        result = assess(prepared["limit"], prepared["value"], prepared["unit"])
        if result is None:
            return None
        return self._name(prepared["component_id"], prepared["limit"]), prepared, result

    async def run(self, arguments: Mapping[str, Any], request: ToolRequest) -> ToolResult:
        """Compare, warn first when out of range, and raise an incident for it."""
        try:
            await self._thread.run(self._knowledge.refresh)
            ready = isinstance(arguments.get("limit"), Limit)
            prepared = dict(arguments) if ready else self.prepare(arguments, request)
        except ToolError as err:
            return ToolResult(speech=(err.message,), ok=False, data={"error": err.code})
        except EdgeError as err:
            _LOGGER.error("Limits unavailable: %s", err)
            return ToolResult(speech=("I cannot read the limits right now.",), ok=False)
        limit: Limit = prepared["limit"]
        result = assess(limit, prepared["value"], prepared["unit"])
        if result is None:
            said = spoken_unit(prepared["unit"])
            return ToolResult(
                speech=(f"The {in_sentence(limit.parameter)} limit is not in {said}.",),
                ok=False,
                data={"error": "reading-unit-mismatch"},
            )
        component = self._name(prepared["component_id"], prepared["limit"])
        data = _data(prepared, result)
        citation = _citation(limit)
        if result.verdict == "within":
            speech = (speakable(_within(component, prepared, result)), citation)
            return ToolResult(speech=speech, cacheable=False, sources=_sources(limit), data=data)
        written = _warning(component, prepared, result)
        action = (speakable(limit.action),) if limit.action else ()
        # The warning (and what to do) is said at once; "Logged ..." and the citation follow once
        # the incident is stored (the tool's task set owns that work: a barge-in never loses it).
        logged = self._reports.spawn(
            self._logged(written.removeprefix("Warning: "), prepared, request, data, citation),
            name=f"logged:{request.turn_id}",
        )
        return ToolResult(
            speech=(speakable(written), *action),
            cacheable=False,
            sources=_sources(limit),
            data=data,
            urgent=True,
            more=logged,
        )

    async def close(self) -> None:
        """Wait for incident reports still being stored."""
        await self._reports.wait()

    def _name(self, component_id: str | None, limit: Limit) -> str:
        """The part as the limit's own manual names it."""
        if not component_id:
            return ""
        document = limit.source.document if limit.source else None
        found = self._knowledge.component_name(component_id, document)
        return spoken_name(found) if found else component_id

    async def _logged(
        self,
        description: str,
        prepared: Mapping[str, Any],
        request: ToolRequest,
        data: dict[str, Any],
        citation: str,
    ) -> ToolResult:
        said = await self._raise_incident(description, prepared, request, data)
        return ToolResult(speech=(said, citation), cacheable=False, data=data, urgent=True)

    async def _raise_incident(
        self,
        description: str,
        prepared: Mapping[str, Any],
        request: ToolRequest,
        data: dict[str, Any],
    ) -> str:
        limit: Limit = prepared["limit"]
        draft = IncidentDraft(
            severity=Severity.HIGH,
            description=description,
            transcript=prepared["transcript"],
            component_id=prepared["component_id"],
            readings=(
                Reading(
                    component_id=prepared["component_id"] or "",
                    # A parameter read from a sentence can be long; the incident schema holds 64.
                    parameter=limit.parameter[:64],
                    value=prepared["value"],
                    unit=prepared["unit"],
                    minimum=limit.minimum,
                    maximum=limit.maximum,
                ),
            ),
            turn_id=request.turn_id,
            source="device",
            citation=_incident_citation(limit),
            component_name=self._name(prepared["component_id"], prepared["limit"]),
        )
        task = self._reports.spawn(self._reporter.report(draft), name=f"report:{request.turn_id}")
        # The report keeps going if slow (the set owns it); the warning does not wait for it.
        done, _ = await asyncio.wait({task}, timeout=self._report_wait_s)
        if not done:
            data["incident"] = "pending"
            return "I am still logging an incident for this."
        try:
            receipt: IncidentReceipt = task.result()
        except EdgeError as err:
            _LOGGER.error("Out-of-range reading not logged: %s", err)
            data["incident"] = "failed"
            return "I could not log an incident. Report it by radio."
        data["incident"] = receipt.incident_id
        return f"Logged a {receipt.severity.value} severity incident."


def _in_unit(value_text: str, unit: str) -> str:
    return f"{value_text} {unit}".strip()


def subject(component: str, limit: Limit) -> str:
    """What was measured, as spoken: "main drive motor current at full load"."""
    # Codes keep their capitals: "49S" lower-cased would be said "49 seconds".
    parameter = in_sentence(limit.parameter)
    if not component or component.lower() in parameter.lower():
        return parameter
    return f"{component} {parameter}"


def _warning(component: str, prepared: Mapping[str, Any], result: Assessment) -> str:
    limit = result.limit
    said = _in_unit(prepared["value_text"], prepared["unit"])
    if prepared["unit"] != limit.unit:
        said += f", that is {_in_unit(format_number(result.value_in_limit_unit), limit.unit)},"
    what = subject(component, limit)
    passed = result.passed
    if passed is not None:
        # Past the machine's own alarm or shutdown point: that is the news, not the normal band.
        point = _in_unit(passed.text, limit.unit)
        return f"Warning: {what} {said} is {passed.side} the {point} {passed.name} point."
    if result.verdict == "above":
        bound = _in_unit(limit.maximum_text, limit.unit)
        return f"Warning: {what} {said} is above the {bound} limit."
    bound = _in_unit(limit.minimum_text, limit.unit)
    return f"Warning: {what} {said} is below the {bound} minimum."


def _within(component: str, prepared: Mapping[str, Any], result: Assessment) -> str:
    limit = result.limit
    said = _in_unit(prepared["value_text"], prepared["unit"])
    if limit.minimum is not None and limit.maximum is not None:
        bounds = _in_unit(f"{limit.minimum_text} to {limit.maximum_text}", limit.unit)
        tail = f"within the limits of {bounds}"
    elif limit.maximum is not None:
        side = "at" if math.isclose(result.value_in_limit_unit, limit.maximum) else "below"
        tail = f"{side} the {_in_unit(limit.maximum_text, limit.unit)} limit"
    else:
        assert limit.minimum is not None
        side = "at" if math.isclose(result.value_in_limit_unit, limit.minimum) else "above"
        tail = f"{side} the {_in_unit(limit.minimum_text, limit.unit)} minimum"
    assumed = " I assumed the manual's unit." if prepared.get("unit_assumed") else ""
    what = subject(component, limit)
    return f"{what[:1].upper()}{what[1:]} {said} is {tail}.{assumed}"


def _citation(limit: Limit) -> str:
    source = limit.source
    if source is None:
        return "Source: the manuals' operating limits."
    leaf = source.section.split(" > ")[-1] if source.section else ""
    text = f"Source: {source.document}" + (f", section {leaf}" if leaf else "")
    return text + (f", page {source.page}." if source.page else ".")


def _incident_citation(limit: Limit) -> Citation | None:
    source = limit.source
    if source is None:
        return None
    return Citation(source.document, source.section or None, source.page)


def _one_part(candidates: list[Candidate]) -> bool:
    """All ``candidates`` are limits of one part of one machine.

    Between them the value's scale may choose: 391 V line to line is no 27.6 V battery charge
    of the same generator. Between parts it may not: a failing brake reads 5 bar as surely as a
    healthy gearbox does, so the technician is asked which part.
    """
    return len({(c.limit.component_id, _document(c.limit)) for c in candidates}) <= 1


_TOKEN: Final = re.compile(r"[\w-]+")


def _not_the_tag(
    values: Sequence[SpokenValue], transcript: str, named: str | None
) -> Sequence[SpokenValue]:
    """The values said, less the figure of the ID the reading names, if any other is left.

    "64F is reading 12 kilohms" reads 12 kΩ off relay 64F, not 64 °F.
    """
    if named is None:
        return values
    tag = normal_code(named)
    tokens = [(m.start(), m.end(), normal_code(m.group())) for m in _TOKEN.finditer(transcript)]
    rest = [
        v
        for v in values
        if not any(a <= v.mention.start < b and code == tag for a, b, code in tokens)
    ]
    return rest or values


def at_the_machine(described: Sequence[Described], reading: Said) -> Sequence[Described]:
    """The limits a reading is judged against: at a machine, only its manual's.

    A gauge read at the mixer is the mixer's, however well a chiller's limit matches its words
    ("TT2 is showing 178 Fahrenheit" is the mixer's gearbox oil, not the chiller's entering water).
    All of them when no machine is known, when the reading names another machine, or a tag only
    another machine's manual defines, or when the machine's manual gives no limits at all. Naming
    the machine itself ("winding temperature on blower one" at the blowers) keeps to its manual.
    """
    if reading.machine is None or reading.machines - {reading.machine}:
        return described
    mine = [d for d in described if _document(d.limit) == reading.machine]
    if not mine:
        return described
    theirs = reading.codes and not any(reading.codes & d.document_codes for d in mine)
    if theirs and any(reading.codes & d.document_codes for d in described):
        return described
    return mine


def _document(limit: Limit) -> str:
    return limit.source.document if limit.source else ""


def _sources(limit: Limit) -> tuple[Any, ...]:
    return (limit.source,) if limit.source else ()


def _data(prepared: Mapping[str, Any], result: Assessment) -> dict[str, Any]:
    limit = result.limit
    return {
        "component_id": prepared["component_id"],
        "parameter": limit.parameter,
        "value": prepared["value"],
        "unit": prepared["unit"],
        "unit_assumed": bool(prepared.get("unit_assumed")),
        "value_in_limit_unit": result.value_in_limit_unit,
        "minimum": limit.minimum,
        "maximum": limit.maximum,
        "limit_unit": limit.unit,
        "limit_text": limit.text,
        "minimum_text": limit.minimum_text,
        "maximum_text": limit.maximum_text,
        "verdict": result.verdict,
        "passed": result.passed.name if result.passed else None,
        "passed_text": result.passed.text if result.passed else None,
    }


def _unit_against(value: SpokenValue, limit: Limit) -> str | None:
    """The unit ``value`` is in when compared with ``limit`` (None: not said)."""
    if value.unit is not None and not value.scale_said and dimension(limit.unit) == "temperature":
        return limit.unit  # "degrees" alone: the manual's own scale
    return value.unit


FAR_OFF_SCALE: Final = 1.0
"""Decades beyond the scale slack (30 times the nearest bound) where one shared word is not
enough to take a reading for a limit's."""
_BOUND: Final = re.compile(r",?\s*\b(?:min|max)(?:imum)?\b\.?", re.IGNORECASE)


def _instrument_said(limit: Limit, reading: Said) -> bool:
    """Whether the reading names the measuring point ``limit`` is for, by its code."""
    points = {limit.component_id, *limit.codes} - {""}
    return bool({normal_code(p) for p in points} & reading.codes)


def _scale_matters(limit: Limit, value: float) -> bool:
    """Whether ``value``, said with no unit, is judged otherwise in another unit of its kind.

    "Top oil is minus 31" is below the -25 °C minimum whether the technician meant Celsius or
    Fahrenheit: the warning need not wait for a "yes". "Oil at the separator is 130" is within
    a limit in °F and far above it in °C: which was meant must be asked. A unit that would put
    the value decades away from the limit is not one the technician meant.
    """
    kind = dimension(limit.unit)
    if kind is None:
        return False
    verdicts = set()
    for unit in units_of(kind):
        if unit != limit.unit and decades_off(limit, value, unit) > 0:
            # "Barrel bore mics out at 55.31" against max. 55.25 mm: no bore is 55 inches or
            # 55 thou, so only millimetres are meant.
            continue
        result = assess(limit, value, unit)
        verdicts.add(result.verdict if result is not None else None)
    return len(verdicts) > 1


def _broken_first(candidates: list[Candidate], value: SpokenValue) -> Candidate:
    """The first candidate whose limit ``value`` is outside of, else the first."""
    return next((c for c in candidates if _verdict(c, value) in ("above", "below")), candidates[0])


def _verdicts(candidates: list[Candidate], value: SpokenValue) -> set[str | None]:
    """What each candidate's limit says of ``value`` ("above", "below", "within"; None: no unit)."""
    return {_verdict(c, value) for c in candidates}


def _verdict(candidate: Candidate, value: SpokenValue) -> str | None:
    """What ``candidate``'s limit says of ``value``, in the unit said (None: not comparable)."""
    limit = candidate.limit
    result = assess(limit, value.against(limit), _unit_against(value, limit) or limit.unit)
    return result.verdict if result is not None else None
