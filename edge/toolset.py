"""The tools a default edge runs with, built from the loaded assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.report.base import IncidentReporter
from edge.tools.base import Tool

if TYPE_CHECKING:
    from edge.assistant import Assistant


def default_tools(assistant: Assistant, reporter: IncidentReporter) -> list[Tool]:
    """Incident reports always; manual queries and reading checks when manuals are loaded."""
    from edge.tools.incident import IncidentTool

    knowledge = assistant.knowledge
    if knowledge is None:
        return [IncidentTool(reporter)]
    from edge.tools.manuals import ManualsTool
    from edge.tools.readings import ReadingsTool

    # Retrieval embeds the question: it runs on the embedder's thread, never the event loop.
    thread = assistant.threads["embed"]
    readings = ReadingsTool(knowledge, thread, reporter)
    # A reading said in an incident command is judged too ("log an incident, sump at 92 degrees").
    incident = IncidentTool(reporter, knowledge.resolve_component, judge=readings.warning)
    return [incident, ManualsTool(knowledge, thread), readings]
