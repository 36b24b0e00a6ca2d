"""``check_reading``: compare a measured value with the manuals' operating limits.

A value outside its range is announced first ("Warning: gearbox oil sump temperature 92 degrees
Celsius is above the 85 degrees Celsius limit."), marked urgent, and raised as an incident through
the :class:`~edge.report.base.IncidentReporter`. Results are never cached (they hold live values).

The value must come from what the technician said. The LLM's value is used only if the
transcript contains it; otherwise the number is read from the transcript itself (digits or
spelled out), preferring the one followed by a unit. Units said out loud win over the LLM's.
Which limit is meant comes from the words of the parameter and the unit's dimension.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from edge.aio import EngineThread, TaskSet
from edge.errors import EdgeError, ToolError
from edge.events import ToolExample, ToolResult, ToolSpec
from edge.knowledge.limits import Assessment, assess, match_parameter
from edge.knowledge.numbers import NumberMention, find_numbers
from edge.knowledge.records import Limit
from edge.knowledge.units import format_number, normalize_unit, speakable, spoken_unit
from edge.report.base import (
    Citation,
    IncidentDraft,
    IncidentReceipt,
    IncidentReporter,
    Reading,
    Severity,
)
from edge.tools.base import ToolRequest

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
    llm_fills=("parameter", "value", "unit"),
    needs_number=True,
)

_CODE_DIGITS: Final = re.compile(r"[A-Za-z][\-]?$")


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
        """Component, the limit meant, and the value and unit as the technician said them.

        Raises:
            ToolError: with a question fit to be spoken (which component, which value ...).
        """
        args = arguments if isinstance(arguments, Mapping) else {}
        transcript = " ".join(str(request.transcript or "").split())
        component = self._component(args, request, transcript)
        limits = self._knowledge.limits(component)
        name = self._name(component)
        if not limits:
            raise ToolError("reading-no-limits", f"The manuals give no limits for the {name}.")
        mention = choose_value(args.get("value"), transcript)
        unit = said_unit(transcript, mention, args.get("unit"))
        spoken = str(args.get("parameter") or "").strip() or transcript
        limit = _choose_limit(spoken, transcript, unit, limits, name)
        return {
            "component_id": component,
            "parameter": limit.parameter,
            "value": mention.value,
            "value_text": _value_text(mention),
            "unit": unit or limit.unit,
            "unit_assumed": unit is None,
            "limit": limit,
            "transcript": transcript,
        }

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
                speech=(f"The {limit.parameter.lower()} limit is not in {said}.",),
                ok=False,
                data={"error": "reading-unit-mismatch"},
            )
        component = self._name(prepared["component_id"])
        data = _data(prepared, result)
        citation = _citation(limit)
        if result.verdict == "within":
            speech = (speakable(_within(component, prepared, result)), citation)
            return ToolResult(speech=speech, cacheable=False, sources=_sources(limit), data=data)
        written = _warning(component, prepared, result)
        warning = speakable(written)
        logged = await self._raise_incident(
            written.removeprefix("Warning: "), prepared, request, data
        )
        return ToolResult(
            speech=(warning, logged, citation),
            cacheable=False,
            sources=_sources(limit),
            data=data,
            urgent=True,
        )

    async def close(self) -> None:
        """Wait for incident reports still being stored."""
        await self._reports.wait()

    def _component(self, args: Mapping[str, Any], request: ToolRequest, transcript: str) -> str:
        named = self._knowledge.resolve_component(transcript)
        if named:
            return named
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
        parameter = str(args.get("parameter") or "")
        owners = {lim.component_id for lim in self._knowledge.limits() if _same(lim, parameter)}
        if len(owners) == 1:
            return owners.pop()  # "stator winding temperature" belongs to the generator alone
        raise ToolError("reading-which-component", "Which component is that reading from?")

    def _name(self, component_id: str) -> str:
        found = self._knowledge.component(component_id)
        return found.name.lower() if found else component_id

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
                    component_id=prepared["component_id"],
                    parameter=limit.parameter,
                    value=prepared["value"],
                    unit=prepared["unit"],
                    minimum=limit.minimum,
                    maximum=limit.maximum,
                ),
            ),
            turn_id=request.turn_id,
            source="device",
            citation=_incident_citation(limit),
            component_name=self._name(prepared["component_id"]),
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


def choose_value(given: object, transcript: str) -> NumberMention:
    """The reading's number, as the technician said it.

    The LLM's ``given`` value counts only when the transcript holds it; otherwise the number
    followed by a unit, else the only number.

    Raises:
        ToolError: no number, or several and none clearly the reading.
    """
    numbers = reading_numbers(transcript)
    if not numbers:
        raise ToolError(
            "reading-no-value", "I did not catch the value. Say it again with its unit."
        )
    value = _as_float(given)
    if value is not None:
        for mention in numbers:
            if abs(mention.value - value) < 1e-9:
                return mention
        _LOGGER.info(
            "LLM value %r is not in the transcript %r; reading it myself", given, transcript
        )
    with_unit = [m for m in numbers if _unit_after(transcript, m) is not None]
    if len(with_unit) == 1:
        return with_unit[0]
    if len(numbers) == 1:
        return numbers[0]
    heard = ", ".join(format_number(m.value) for m in numbers)
    raise ToolError("reading-value-unclear", f"I heard {heard}. Which one is the reading?")


def reading_numbers(transcript: str) -> list[NumberMention]:
    """Numbers in ``transcript`` that are not part of a code (``M24``, ``E-117``, ``GBX 2``)."""
    return [m for m in find_numbers(transcript) if not _CODE_DIGITS.search(transcript[: m.start])]


def said_unit(transcript: str, mention: NumberMention, given: object) -> str | None:
    """The unit spoken after the value; else the LLM's, if the transcript says it anywhere."""
    after = _unit_after(transcript, mention)
    if after is not None:
        return after
    llm_unit = normalize_unit(str(given)) if isinstance(given, str) else None
    if llm_unit is None:
        return None
    words = re.findall(r"[^\s,;]+", transcript)
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if normalize_unit(" ".join(words[i : i + size])) == llm_unit:
                return llm_unit
    return None


def _unit_after(transcript: str, mention: NumberMention) -> str | None:
    words = re.findall(r"[^\s,;.?!]+|%", transcript[mention.end :])[:3]
    for size in (3, 2, 1):
        if len(words) >= size:
            unit = normalize_unit(" ".join(words[:size]))
            if unit is not None:
                return unit
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        found = find_numbers(value)
        return found[0].value if len(found) == 1 else None
    return None


def _same(limit: Limit, parameter: str) -> bool:
    return bool(parameter) and limit.parameter.lower() == parameter.strip().lower()


def _choose_limit(
    spoken: str, transcript: str, unit: str | None, limits: list[Limit], component: str
) -> Limit:
    matches = [m for m in match_parameter(f"{spoken} {transcript}", unit, limits) if m.words > 0]
    if not matches:
        fitting = match_parameter("", unit, limits) if unit else []
        if len(fitting) == 1:
            return fitting[0].limit  # the only limit measured in that unit
        names = ", ".join(lim.parameter.lower() for lim in limits)
        raise ToolError(
            "reading-which-parameter", f"Which reading is that? For the {component} I know {names}."
        )
    best = [m for m in matches if m.words == matches[0].words]
    if len({m.limit.parameter for m in best}) > 1:
        names = " or ".join(m.limit.parameter.lower() for m in best[:3])
        raise ToolError("reading-parameter-unclear", f"Which one: {names}?")
    return best[0].limit


def _value_text(mention: NumberMention) -> str:
    text = mention.text.replace(",", "")
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else format_number(mention.value)


def _in_unit(value_text: str, unit: str) -> str:
    return f"{value_text} {unit}"


def _warning(component: str, prepared: Mapping[str, Any], result: Assessment) -> str:
    limit = result.limit
    said = _in_unit(prepared["value_text"], prepared["unit"])
    if prepared["unit"] != limit.unit:
        said += f", that is {format_number(result.value_in_limit_unit)} {limit.unit},"
    if result.verdict == "above":
        bound = _in_unit(limit.maximum_text, limit.unit)
        return f"Warning: {component} {limit.parameter.lower()} {said} is above the {bound} limit."
    bound = _in_unit(limit.minimum_text, limit.unit)
    return f"Warning: {component} {limit.parameter.lower()} {said} is below the {bound} minimum."


def _within(component: str, prepared: Mapping[str, Any], result: Assessment) -> str:
    limit = result.limit
    said = _in_unit(prepared["value_text"], prepared["unit"])
    if limit.minimum is not None and limit.maximum is not None:
        bounds = f"{limit.minimum_text} to {limit.maximum_text} {limit.unit}"
        tail = f"within the limits of {bounds}"
    elif limit.maximum is not None:
        tail = f"below the {limit.maximum_text} {limit.unit} limit"
    else:
        tail = f"above the {limit.minimum_text} {limit.unit} minimum"
    assumed = " I assumed the manual's unit." if prepared.get("unit_assumed") else ""
    return f"{component.capitalize()} {limit.parameter.lower()} {said} is {tail}.{assumed}"


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
        "verdict": result.verdict,
    }
