"""``query_technical_manuals``: answer from the manuals on the device, quoted, with the source.

The LLM fills nothing: the question is the transcript and the component is the one the
transcript names ("yaw brake" -> ``YAW-BRK``) or, for a follow-up, the conversation's. The answer
is composed from the manuals without the LLM (see :mod:`edge.knowledge.answer`): values, limits
and steps exactly as printed, then a short explanation, then document, section and page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from edge.aio import EngineThread
from edge.errors import EdgeError, ToolError
from edge.events import ToolExample, ToolResult, ToolSpec
from edge.tools.base import ToolRequest

if TYPE_CHECKING:
    from edge.knowledge import Knowledge

_LOGGER = logging.getLogger(__name__)

NAME: Final = "query_technical_manuals"
MAX_QUESTION: Final = 500
"""Characters of a question kept (a transcript longer than this is not one question)."""

_EXAMPLES: Final = tuple(
    ToolExample(utterance)
    for utterance in (
        "What torque do the M24 yaw brake caliper bolts need?",
        "What does fault code E-117 mean?",
        "Walk me through the lockout tagout procedure.",
        "How much oil goes into the gearbox?",
        "What's the maximum gearbox oil temperature?",
        "How do I check the accumulator precharge on the pitch system?",
        "What grease do I use on the main bearing?",
        "How often do the tower flange bolts get checked?",
        "What's the minimum thickness for a yaw brake pad?",
        "The controller shows E 101, what should I check?",
        "How long do I wait after opening Q1 before I open the converter cabinet?",
        "What's the tensioner pressure for the blade root bolts?",
        "How do I lock the rotor before going into the hub?",
        "What's the allowed speed range of the generator?",
        "What pressure do I set on the torque wrench pump for 3210 newton metres?",
        "What do I do if the service lift shows L-03?",
        "Which hydraulic oil goes in the pitch system?",
        "What is the insulation resistance limit for the generator?",
        "And the torque for the M30 bolts?",
        "Where are the emergency stop buttons?",
    )
)

SPEC: Final = ToolSpec(
    name=NAME,
    description=(
        "Look up the equipment manuals on the device: torque values, limits, fault codes, "
        "procedures, lubricants, intervals. Answers quote the manual and cite document, section "
        "and page."
    ),
    parameters={
        "type": "object",
        "properties": {
            "question": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_QUESTION,
                "description": "The technician's question (the device uses the transcript).",
            },
            "component_id": {
                "type": "string",
                "description": "Component ID such as GBX or YAW-BRK, when one is meant.",
            },
        },
        "additionalProperties": False,
    },
    side_effect=False,
    slow=False,  # embedding + search + composition take tens of ms: a filler would only delay
    filler="Checking the manual.",
    examples=_EXAMPLES,
    llm_fills=(),
)

UNAVAILABLE: Final = "I cannot read the manuals on this device right now."
EMPTY: Final = "What should I look up in the manuals?"


class ManualsTool:
    """The ``query_technical_manuals`` tool over a :class:`~edge.knowledge.Knowledge`.

    ``thread`` is the worker thread the knowledge store lives on (all its blocking calls run
    there, one at a time).
    """

    spec: ToolSpec = SPEC

    def __init__(self, knowledge: Knowledge, thread: EngineThread) -> None:
        self._knowledge = knowledge
        self._thread = thread

    def prepare(self, arguments: Mapping[str, Any], request: ToolRequest) -> dict[str, Any]:
        """The question (the transcript) and the component it is about.

        Raises:
            ToolError: ``manuals-empty-question`` or ``manuals-unknown-component``, speakable.
        """
        args = arguments if isinstance(arguments, Mapping) else {}
        question = " ".join(str(request.transcript or args.get("question") or "").split())
        question = question[:MAX_QUESTION]
        if not question:
            raise ToolError("manuals-empty-question", EMPTY)
        named = self._knowledge.resolve_component(question)
        component = named
        given = args.get("component_id")
        if component is None and isinstance(given, str) and given.strip():
            found = self._knowledge.component(given)
            if found is None:
                raise ToolError(
                    "manuals-unknown-component",
                    f"I do not know a component called {given.strip()}. {_known(self._knowledge)}",
                )
            component = found.id
        if component is None and request.component_id:
            # A follow-up ("and the M30?") is about the conversation's component.
            known = self._knowledge.component(request.component_id)
            component = known.id if known else None
        return {"question": question, "component_id": component, "named": named is not None}

    async def run(self, arguments: Mapping[str, Any], request: ToolRequest) -> ToolResult:
        """Answer from the manuals (on the knowledge thread)."""
        try:
            # The responder hands over what prepare() returned; anything else is prepared here.
            ready = {"question", "component_id", "named"} <= set(arguments)
            prepared = dict(arguments) if ready else self.prepare(arguments, request)
        except ToolError as err:
            return ToolResult(speech=(err.message,), ok=False, data={"error": err.code})
        answer = functools.partial(
            self._knowledge.answer,
            prepared["question"],
            component_id=prepared["component_id"],
            machine=request.machine,
        )
        try:
            return await self._thread.run(answer)
        except EdgeError as err:
            _LOGGER.error("Manual query failed: %s", err)
            return ToolResult(speech=(UNAVAILABLE,), ok=False, data={"error": err.code})


def _known(knowledge: Knowledge) -> str:
    names = [c.name.lower() for c in knowledge.components()][:6]
    return f"I know the {', '.join(names)}." if names else "No manuals are loaded."
