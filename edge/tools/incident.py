"""``log_incident_report``: the technician reports an incident; stored, then sent to the fleet.

With the semantic router the LLM fills only ``severity``: asked to copy the description,
SmolLM2-135M repeats it until its token budget runs out ("oil leak at the gearbox. oil leak at
the..."), so the description is the technician's own words without the command. A larger model
routing with native tool calls (``llm.router = "llm"``) fills both. The device fills the rest
(transcript, component, turn) and the reporter adds ids, site, versions and times. Arguments
from a small LLM are checked deterministically: a severity the technician said out loud wins
over the LLM's, spoken synonyms map to the four levels, an empty description falls back to the
transcript without the command, and any text is sanitised and bounded. What cannot be fixed
becomes one clear spoken question.

The component is the one the incident's own words name ("oil leak at the gearbox" -> GBX), or
none: never the conversation's, which may be about the previous question's part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from edge.errors import EdgeError, ToolError
from edge.events import ToolExample, ToolResult, ToolSpec
from edge.report.base import IncidentDraft, IncidentReceipt, IncidentReporter, Severity
from edge.report.text import (
    MAX_DESCRIPTION,
    MAX_TRANSCRIPT,
    carries_command,
    clean_text,
    hazard_severity,
    opens_with_command,
    parse_severity,
    spoken_summary,
    stated_severity,
    strip_command,
)
from edge.tools.base import ToolRequest

_LOGGER = logging.getLogger(__name__)

NAME: Final = "log_incident_report"

_EXAMPLES: Final = (
    ToolExample(
        "Log a high severity incident: oil leak at the gearbox.",
        {"severity": "high", "description": "oil leak at the gearbox"},
    ),
    ToolExample(
        "Report a critical incident, smoke coming out of the converter cabinet.",
        {"severity": "critical", "description": "smoke coming out of the converter cabinet"},
    ),
    ToolExample(
        "Log a low severity incident, paint is flaking off the nacelle cover.",
        {"severity": "low", "description": "paint is flaking off the nacelle cover"},
    ),
    ToolExample(
        "Please file an incident report: the ladder fall arrester is jammed, medium priority.",
        {"severity": "medium", "description": "the ladder fall arrester is jammed"},
    ),
    ToolExample(
        "Record an incident, cracked bolt on the blade two root, severity high.",
        {"severity": "high", "description": "cracked bolt on the blade two root"},
    ),
    ToolExample(
        "Log it as critical, my colleague was injured by the yaw drive.",
        {"severity": "critical", "description": "colleague injured by the yaw drive"},
    ),
    ToolExample(
        "Report a minor issue: the hub light in the spinner is out.",
        {"severity": "low", "description": "the hub light in the spinner is out"},
    ),
    ToolExample(
        "Open a medium incident, grease leaking from the main bearing seal.",
        {"severity": "medium", "description": "grease leaking from the main bearing seal"},
    ),
    ToolExample(
        "Log an urgent incident, the service lift brake is slipping.",
        {"severity": "high", "description": "the service lift brake is slipping"},
    ),
    ToolExample(
        "There's a burning smell from the generator slip rings, log it as critical.",
        {"severity": "critical", "description": "burning smell from the generator slip rings"},
    ),
    ToolExample(
        "Raise a high priority incident: pitch motor on blade three keeps tripping.",
        {"severity": "high", "description": "pitch motor on blade three keeps tripping"},
    ),
    ToolExample(
        "Log a low incident, one of the cable tray covers in the tower is loose.",
        {"severity": "low", "description": "a cable tray cover in the tower is loose"},
    ),
    ToolExample(
        "Create an incident report with medium severity, hydraulic pressure drops overnight.",
        {"severity": "medium", "description": "hydraulic pressure drops overnight"},
    ),
    ToolExample(
        "Report an emergency, the fire extinguisher in the nacelle is missing.",
        {"severity": "critical", "description": "the fire extinguisher in the nacelle is missing"},
    ),
)

SPEC: Final = ToolSpec(
    name=NAME,
    description=(
        "Log an incident report for the fleet managers: a fault, damage, leak, hazard or injury "
        "the technician reports. Use only when they ask to log, report or record an incident."
    ),
    parameters={
        "type": "object",
        "properties": {
            "severity": {
                "type": "string",
                "enum": [s.value for s in Severity],
                "description": "How urgent, as said; critical when people are in danger.",
            },
            "description": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_DESCRIPTION,
                "description": "What happened and where, in the technician's words, no command.",
            },
        },
        "required": ["severity", "description"],
        "additionalProperties": False,
    },
    side_effect=True,
    slow=True,
    filler="Logging that.",
    examples=_EXAMPLES,
    llm_fills=("severity",),
    cue_words=("incident", "incidents"),
    cue_verbs=("log", "report", "record", "file"),
    command=opens_with_command,
)

ASK_SEVERITY: Final = "Which severity should I log it as: low, medium, high or critical?"
ASK_DESCRIPTION: Final = "What happened, and where?"
"""Asked when the command came alone; the next words are taken as the answer (the responder)."""
NOT_STORED: Final = (
    "I could not store the incident on this device. Please write it down and report it by radio."
)


ComponentResolver = Callable[[str], str | None]
"""The ID of the component a text names, if any (``Knowledge.resolve_component``)."""


class IncidentTool:
    """The ``log_incident_report`` tool, storing through ``reporter``.

    ``components`` finds the component the incident's words name; without it (no manuals on the
    device) incidents carry no component.
    """

    spec: ToolSpec = SPEC

    def __init__(
        self,
        reporter: IncidentReporter,
        components: ComponentResolver | None = None,
        judge: Callable[[ToolRequest], str | None] | None = None,
    ) -> None:
        """Incidents stored through ``reporter``, their part found by ``components``.

        ``judge`` gives the warning for an out-of-range reading in the incident's words, None
        for any other, without raising an incident of its own (``ReadingsTool.warning``).
        """
        self._reporter = reporter
        self._components = components
        self._judge = judge

    def prepare(self, arguments: Mapping[str, Any], request: ToolRequest) -> dict[str, Any]:
        """Checked, completed arguments: severity, description, transcript, component, turn.

        Raises:
            ToolError: ``incident-severity-unclear`` or ``incident-description-empty``, with a
                question fit to be spoken.
        """
        args = arguments if isinstance(arguments, Mapping) else {}
        transcript = clean_text(request.transcript, MAX_TRANSCRIPT)
        # The LLM often repeats the command ("log an incident: ..."): keep only the content.
        given = clean_text(args.get("description"), MAX_DESCRIPTION)
        description = strip_command(given) or strip_command(transcript)
        if not description:
            raise ToolError("incident-description-empty", ASK_DESCRIPTION)
        severity = choose_severity(args.get("severity"), transcript, description)
        if severity is None:
            raise ToolError("incident-severity-unclear", ASK_SEVERITY)
        component = self._component(description, transcript)
        return {
            "severity": severity.value,
            "description": description,
            "transcript": transcript,
            "component_id": component,
            "turn_id": request.turn_id,
        }

    def from_words(self, request: ToolRequest) -> dict[str, Any] | None:
        """No arguments needed from the LLM when the severity was said and described.

        A severity said out loud wins over the LLM's anyway; danger words alone ("smoke") still
        let the LLM judge first.
        """
        transcript = clean_text(request.transcript, MAX_TRANSCRIPT)
        if stated_severity(transcript) is None or not strip_command(transcript):
            return None
        return {}

    def lacks(self, request: ToolRequest) -> str | None:
        """``description`` when the words are the command alone ("Log a high severity incident.").

        Nothing is filed then (:meth:`prepare` asks what happened), so a pause after the command
        does not make the words that follow a request of their own.
        """
        return None if strip_command(request.transcript) else "description"

    def supplied(self, request: str, words: str) -> str:
        """The command with what happened after it; words that are a whole command stand alone.

        "Log a high severity incident." + "Oil leak at the gearbox." is one incident; a
        technician who says the whole command again ("Log a high incident, oil leak ...") means
        it as said, and the first command must not end up in the description.
        """
        spoken = clean_text(words, MAX_TRANSCRIPT)
        return spoken if carries_command(spoken) else f"{request.rstrip()} {spoken}"

    def _component(self, description: str, transcript: str) -> str | None:
        if self._components is None:
            return None
        # The description first: "oil leak at the gearbox" names its part; the transcript may
        # add it ("gearbox: log a high incident, oil leak").
        return self._components(description) or self._components(transcript)

    async def run(self, arguments: Mapping[str, Any], request: ToolRequest) -> ToolResult:
        """Store the incident (durably, before answering) and read back severity and summary."""
        try:
            prepared = self.prepare(arguments, request)
        except ToolError as err:
            return ToolResult(speech=(err.message,), ok=False, data={"error": err.code})
        draft = IncidentDraft(
            severity=Severity(prepared["severity"]),
            description=prepared["description"],
            transcript=prepared["transcript"],
            component_id=prepared["component_id"],
            turn_id=prepared["turn_id"],
            source="technician",
        )
        try:
            receipt = await self._reporter.report(draft)
        except EdgeError as err:
            _LOGGER.error("Incident not stored: %s", err)
            return ToolResult(speech=(NOT_STORED,), ok=False, data={"error": err.code})
        warning = self._warning(request)
        return ToolResult(
            speech=(*warning, confirmation(receipt)),
            data={
                "incident_id": receipt.incident_id,
                "severity": receipt.severity.value,
                "summary": receipt.summary,
                "component_id": prepared["component_id"],
            },
            urgent=bool(warning),
        )

    def _warning(self, request: ToolRequest) -> tuple[str, ...]:
        """The warning for an out-of-range reading the incident's words state, said first.

        "Log a medium severity incident, the sump reads 92 degrees": the technician asked for
        the incident (filed as said), and the 85 degrees limit it broke must still be heard.
        """
        if self._judge is None:
            return ()
        try:
            verdict = self._judge(request)
        except Exception:  # the incident is stored; a failed check must not hide that
            _LOGGER.exception("Reading in an incident not checked")
            return ()
        return (verdict,) if verdict else ()


def choose_severity(given: object, transcript: str, description: str) -> Severity | None:
    """The severity to log: said out loud > the LLM's (synonyms mapped) > danger words > None."""
    stated = stated_severity(transcript)
    parsed = parse_severity(given)
    if stated is not None:
        if parsed is not None and parsed != stated:
            _LOGGER.info("LLM severity %s overridden by the transcript's %s", parsed, stated)
        return stated
    if parsed is not None:
        return parsed
    return hazard_severity(f"{description} {transcript}")


def confirmation(receipt: IncidentReceipt) -> str:
    """The read-back, e.g. "Logged a high severity incident: oil leak at the gearbox."."""
    summary = spoken_summary(receipt.summary)
    end = "" if summary.endswith(("…", ".", "!", "?")) else "."
    return f"Logged a {receipt.severity.value} severity incident: {summary}{end}"
