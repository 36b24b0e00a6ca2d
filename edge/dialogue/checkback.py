"""Check-back: a reading or an incident is read back for a yes before doubtful words are acted on.

A reading raises a warning and an incident; an incident goes to the fleet. When the words behind
one are doubtful (recognition was unsure or had to correct a code or number, the component was not
said and had to be guessed, the unit was not said and the manual's was assumed), the technician
hears what would be acted on ("Gearbox oil sump temperature, 92 degrees Celsius?") and a "yes"
acts; "no" asks again. Clear readings act at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from edge.dialogue.dialogue import Dialogue
from edge.dialogue.state import Pending
from edge.events import ToolResult
from edge.hearing.bias import Heard
from edge.knowledge.records import Limit
from edge.knowledge.units import spoken_unit
from edge.tools.base import ToolRequest
from edge.tools.incident import NAME as INCIDENT
from edge.tools.readings import NAME as READING

_LOGGER = logging.getLogger(__name__)

NOTHING_PENDING: Final = "There is nothing to confirm."


def doubts(
    intent: str,
    prepared: Mapping[str, Any],
    heard: Heard | None,
) -> tuple[str, ...]:
    """Why the prepared side effect should be read back first (empty: act at once).

    Args:
        intent: the tool about to run.
        prepared: its checked arguments (``Tool.prepare``).
        heard: how recognition heard the words (confidence, corrections), when known.
    """
    reasons: list[str] = []
    if heard is not None and heard.doubtful:
        if heard.confidence is not None:
            reasons.append(f"recognition confidence {heard.confidence:.2f}")
        reasons += [f"corrected {c.heard!r} to {c.restored!r}" for c in heard.corrections]
        reasons += [f"{code!r} could be several codes" for code in heard.ambiguous]
    if intent == READING:
        # Words that pick one limit name its part ("compressor pulling 245 amps"); a part taken
        # from the conversation, or the only limit in that unit, is a guess.
        if prepared.get("component_guessed"):
            reasons.append("component not said")
        if prepared.get("unit_assumed"):
            reasons.append("unit not said")
    return tuple(reasons)


def readback(intent: str, prepared: Mapping[str, Any], component: str | None) -> str:
    """What to ask, e.g. "Gearbox oil sump temperature, 92 degrees Celsius?"."""
    if intent == READING:
        unit = spoken_unit(str(prepared.get("unit") or ""))
        name = f"{component} " if component else ""
        what = f"{name}{str(prepared.get('parameter') or 'reading').lower()}"
        said = f"{what}, {prepared.get('value_text')} {unit}".strip()
        return said[:1].upper() + said[1:] + "?"
    if intent == INCIDENT:
        severity = str(prepared.get("severity") or "").strip()
        description = str(prepared.get("description") or "").strip().rstrip(".")
        return f"Log a {severity} severity incident: {description}?"
    return "Should I go ahead?"


class CheckBack:
    """Decides, before a side effect runs, whether to read it back first (and keeps it pending).

    Args:
        dialogue: where the pending side effect waits for yes or no.
        knowledge: the manuals (``edge.knowledge.Knowledge``), to tell whether a component was
            said and what it is called; None without manuals.
        clock: wall-clock time (s since the epoch).
    """

    def __init__(self, dialogue: Dialogue, knowledge: Any, clock: Callable[[], float]) -> None:
        self._dialogue = dialogue
        self._knowledge = knowledge
        self._clock = clock

    def __call__(
        self,
        intent: str,
        arguments: Mapping[str, Any],
        prepared: Mapping[str, Any],
        request: ToolRequest,
    ) -> ToolResult | None:
        """The read-back to say instead of acting, or None to act at once."""
        if not self._dialogue.settings.checkback:
            return None
        knowledge = self._knowledge
        reasons = doubts(intent, prepared, request.heard)
        if not reasons:
            return None
        component = prepared.get("component_id")
        limit = prepared.get("limit")
        document = limit.source.document if isinstance(limit, Limit) and limit.source else None
        name = (
            knowledge.component_name(component, document)
            if knowledge is not None and component
            else None
        )
        question = readback(intent, prepared, name)
        now = self._clock()
        kept = {k: v for k, v in arguments.items() if _plain(v)}
        self._dialogue.hold(Pending(intent, request.transcript, kept, question, now), now)
        _LOGGER.info("Reading %s back before acting: %s", intent, "; ".join(reasons))
        return ToolResult((question,), data={"checkback": list(reasons)})


def _plain(value: Any) -> bool:
    """Whether ``value`` can be kept in the state file."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
