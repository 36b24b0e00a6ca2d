"""Running a tool: fill its arguments, check them, read doubtful side effects back, do the work.

A side-effecting tool (incident report, reading check) is durable from the moment the router
picks it: argument extraction, checks and the work itself run in a task set the turn does not
own, so a barge-in, a new push-to-talk press or a shutdown never cancels it. Its spoken outcome is
posted as a :class:`~edge.dialogue.notices.Notice`; a turn cut before it was heard leaves the
notice due, and the next answer starts with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from edge.aio import TaskSet
from edge.dialogue.notices import Notice, Notices
from edge.errors import ToolError
from edge.events import ToolResult
from edge.llm_roles import LlmRoles
from edge.metrics import TurnTimer
from edge.tools.base import Tool, Toolbox, ToolRequest, from_words, lacks

_LOGGER = logging.getLogger(__name__)

CheckBack = Callable[[str, Mapping[str, Any], Mapping[str, Any], ToolRequest], ToolResult | None]
"""Given the intent, the arguments, the prepared arguments and the request: the read-back to say
instead of acting (the words are doubtful), or None to act at once."""
Spoken = Callable[[ToolResult], tuple[str, ...]]
"""The sentences said for a result (its notice must be the same sentences as the answer)."""


@dataclass(frozen=True, slots=True)
class Acted:
    """What came of using a tool."""

    result: ToolResult
    component_id: str | None
    notice: Notice | None
    rest: asyncio.Task[Acted] | None = None
    """The rest of the answer (``ToolResult.more``), its notice posted when it is in."""


class ToolRunner:
    """Uses the tools of a toolbox; side effects run shielded and always finish."""

    def __init__(
        self,
        toolbox: Toolbox,
        roles: LlmRoles,
        notices: Notices,
        check_back: CheckBack | None = None,
        spoken: Spoken | None = None,
    ) -> None:
        self._toolbox = toolbox
        self._roles = roles
        self._notices = notices
        self._spoken = spoken
        self.check_back = check_back
        """Asked before a side effect runs; set by the responder."""
        self.shielded = TaskSet("side-effects")
        """Side-effecting tool runs; they finish even when their turn is interrupted."""
        self.acted_for: int | None = None
        """The latest turn that started a side effect (its request cannot be taken back)."""

    @staticmethod
    def asks_llm(tool: Tool, arguments: dict[str, Any] | None, request: ToolRequest) -> bool:
        """Whether using ``tool`` for ``request`` will ask the LLM to fill its arguments."""
        return arguments is None and _words_first(tool, request) is None

    def side_effect(self, intent: str | None) -> bool:
        """Whether ``intent`` names a tool that changes the world."""
        tool = self._toolbox.get(intent) if intent else None
        return tool is not None and tool.spec.side_effect

    def would_act(self, intent: str | None, request: ToolRequest) -> bool:
        """Whether ``intent``'s tool would change the world on ``request``'s words.

        A side-effecting tool whose words lack what it needs (an incident with no description)
        only asks for it: nothing starts, nothing needs shielding.
        """
        tool = self._toolbox.get(intent) if intent else None
        return tool is not None and tool.spec.side_effect and lacks(tool, request) is None

    async def use(
        self,
        tool: Tool,
        arguments: dict[str, Any] | None,
        request: ToolRequest,
        timer: TurnTimer,
    ) -> Acted:
        """Run ``tool`` for ``request``; a side effect is shielded from the turn's cancellation."""
        if not self.would_act(tool.spec.name, request):
            return await self._act(tool, arguments, request, timer)
        # Durable from the moment the intent is decided: the turn may be cut (barge-in, a new
        # press, SIGTERM) while the LLM is still filling the arguments; the work goes on.
        self.acted_for = request.turn_id
        name = f"{tool.spec.name}:{request.turn_id}"
        task = self.shielded.spawn(self._act(tool, arguments, request, timer), name=name)
        return await asyncio.shield(task)

    def carry_on(
        self, request: ToolRequest, timer: TurnTimer, understanding: asyncio.Task[Any]
    ) -> None:
        """The turn was cut while its request was being understood: do what it asked anyway."""
        if understanding.cancelled() or understanding.exception() is not None:
            return
        intent = understanding.result()[1]
        if not self.would_act(intent, request):
            return  # a question nobody waits for any more, or a command with nothing to do
        tool = self._toolbox.get(intent)
        assert tool is not None
        _LOGGER.info("Turn %d was cut before %s ran; carrying it out", request.turn_id, intent)
        self.acted_for = request.turn_id
        name = f"{intent}:{request.turn_id}"
        self.shielded.spawn(self._act(tool, None, request, timer), name=name)

    async def _act(
        self, tool: Tool, arguments: dict[str, Any] | None, request: ToolRequest, timer: TurnTimer
    ) -> Acted:
        """Fill the arguments, check them and run ``tool``; a side effect's outcome is posted."""
        spec = tool.spec
        if arguments is None:
            arguments = _words_first(tool, request)  # read once: the words first
            timer.mark("llm_skipped" if arguments is not None else "llm_needed")
        if arguments is None:
            arguments = await self._extract(tool, request, timer)
        try:
            prepared = tool.prepare(arguments, request)
        except ToolError as err:
            _LOGGER.info("Tool %s refused %r: %s", spec.name, arguments, err.message)
            data = {"error": err.code} | ({"needs": err.needs} if err.needs else {})
            refusal = ToolResult((err.message,), ok=False, data=data)
            return Acted(refusal, None, None)
        if spec.side_effect and not request.confirmed and self.check_back is not None:
            question = self.check_back(spec.name, arguments, prepared, request)
            if question is not None:
                # Said like an outcome: a turn cut before it was heard says it with the next
                # answer, and "never mind" does not drop a question nobody heard.
                return Acted(question, None, self._post(question, request))
        timer.mark("tool_start")
        result = await tool.run(prepared, request)
        timer.mark("tool_end")
        notice = self._post(result, request) if spec.side_effect else None
        component = prepared.get("component_id") or result.data.get("component_id")
        rest = None
        if result.more is not None:
            # Owned by the shielded set: its notice is posted even when the turn is cut.
            name = f"{spec.name}:{request.turn_id}:rest"
            rest = self.shielded.spawn(self._rest(result.more, spec.side_effect, request), name)
        return Acted(result, component, notice, rest)

    async def _rest(self, more: Any, side_effect: bool, request: ToolRequest) -> Acted:
        result: ToolResult = await more
        return Acted(result, None, self._post(result, request) if side_effect else None)

    def _post(self, result: ToolResult, request: ToolRequest) -> Notice:
        speech = self._spoken(result) if self._spoken is not None else result.speech
        return self._notices.post(speech, request.turn_id)

    async def _extract(self, tool: Tool, request: ToolRequest, timer: TurnTimer) -> dict[str, Any]:
        spec = tool.spec
        try:
            return await self._roles.extract(spec, request.transcript, timer)
        except Exception as err:  # noqa: BLE001 - the tool reads what it needs from the words
            # An incident must not be lost to a model failure: the tool falls back on the
            # transcript (said severity, danger words) or asks one clear question.
            _LOGGER.error("LLM could not fill %s's arguments: %s", spec.name, err)
            return {}


def _words_first(tool: Tool, request: ToolRequest) -> dict[str, Any] | None:
    """``tool``'s arguments without the LLM, or None when the LLM must fill them.

    Nothing to fill, or words that lack what the tool needs (it only asks for it): no arguments.
    Otherwise the words, when they settle the arguments (see :func:`from_words`).
    """
    if not tool.spec.llm_fills or lacks(tool, request) is not None:
        return {}
    return from_words(tool, request)
