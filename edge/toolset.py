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

    return [IncidentTool(reporter)]
