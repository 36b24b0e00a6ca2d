"""Deciding what to say: semantic cache, intent, tool or reply; yields the answer piece by piece.

The request is embedded once; the vector serves the semantic cache, the router and the manuals
search. Tool answers arrive as whole sentences (structured data first, quoted from the manuals);
replies arrive as LLM text that the turn splits into sentences.

A side-effecting tool (incident report, reading check) is durable from the moment the router
picks it: argument extraction, checks and the work itself run in a task set the turn does not
own, so a barge-in, a new push-to-talk press or a shutdown never cancels it. Its spoken outcome is
posted as a :class:`~edge.dialogue.notices.Notice`; a turn cut before it was heard leaves the
notice due, and the next answer starts with it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

from edge.aio import EngineThread, TaskSet
from edge.conversation import Conversation
from edge.dialogue.notices import Notice, Notices
from edge.engines.base import Embedder
from edge.errors import ToolError
from edge.events import ToolResult, TurnId
from edge.hearing.bias import Heard
from edge.llm_roles import LlmRoles
from edge.metrics import Metrics, TurnTimer
from edge.router import REPEAT, SemanticRouter
from edge.tools.base import Tool, Toolbox, ToolRequest

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the answer."""

    text: str
    kind: Literal["sentence", "stream", "filler"] = "sentence"
    """``sentence``: speak as is; ``stream``: LLM text to split; ``filler``: a pre-made filler."""
    urgent: bool = False
    """A safety warning: it goes before anything queued."""
    notice: int | None = None
    """The :class:`~edge.dialogue.notices.Notice` this sentence delivers, if any."""


@dataclass(frozen=True, slots=True)
class _Acted:
    """What came of using a tool."""

    result: ToolResult
    component_id: str | None
    notice: Notice | None


class Responder:
    """Turns a final transcript into the parts of an answer."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        embed_thread: EngineThread,
        toolbox: Toolbox,
        router: SemanticRouter | None,
        roles: LlmRoles,
        conversation: Conversation,
        metrics: Metrics,
        knowledge: Any = None,
        cache: bool = True,
        notices: Notices | None = None,
    ) -> None:
        """Create the responder.

        Args:
            embedder: sentence encoder (run on ``embed_thread``).
            embed_thread: worker thread for the encoder and the manuals database.
            toolbox: available tools.
            router: semantic intent router; None lets the LLM route (bigger models).
            roles: the LLM's jobs.
            conversation: history of this run.
            metrics: counters (cache hits).
            knowledge: the manuals (``edge.knowledge.Knowledge``) for the semantic cache, if any.
            cache: use the semantic cache.
            notices: outcomes still to be heard (a new set when None).
        """
        self._embedder = embedder
        self._embed_thread = embed_thread
        self._toolbox = toolbox
        self._router = router
        self._roles = roles
        self._conversation = conversation
        self._metrics = metrics
        self._knowledge = knowledge
        self._cache = cache and knowledge is not None
        self.notices = notices if notices is not None else Notices()
        """Outcomes of side-effecting tools not yet heard in full."""
        self.shielded = TaskSet("side-effects")
        """Side-effecting tool runs; they finish even when their turn is interrupted."""
        self.component_id: str | None = None
        """Component the last answer was about (for the conversation)."""
        self.intent: str = ""
        """Intent of the last request."""
        self.result: ToolResult | None = None
        """What the last request's tool (or the cache) produced; None for replies and repeats."""

    async def respond(
        self, transcript: str, turn_id: TurnId, timer: TurnTimer, *, heard: Heard | None = None
    ) -> AsyncIterator[Part]:
        """Yield the answer to ``transcript``, after (and before) any notice still to be heard.

        ``heard`` tells the tools how the words were heard (confidence, corrections).
        """
        said: set[int] = set()
        async for part in self._due_notices(said):
            yield part
        async for part in self._answer(transcript, turn_id, timer, heard):
            if part.notice is not None:
                said.add(part.notice)
            yield part
        # An earlier turn's incident that was stored while this one was being answered.
        async for part in self._due_notices(said):
            yield part

    def notices_due(self) -> AsyncIterator[Part]:
        """The notices still to be heard, as parts of an answer of their own."""
        return self._due_notices(set())

    async def _due_notices(self, said: set[int]) -> AsyncIterator[Part]:
        for notice in self.notices.due():
            if notice.notice_id not in said:
                said.add(notice.notice_id)
                for sentence in notice.speech:
                    yield Part(sentence, notice=notice.notice_id)

    async def _answer(
        self, transcript: str, turn_id: TurnId, timer: TurnTimer, heard: Heard | None
    ) -> AsyncIterator[Part]:
        self.component_id = None
        self.result = None
        request = ToolRequest(
            turn_id,
            transcript,
            component_id=self._conversation.component_id,
            history=self._conversation.requests(),
            heard=heard,
        )
        # Understanding the request is shielded too: a turn cut in the few milliseconds before
        # its intent is known still carries out the side effect it asked for.
        understanding = self.shielded.spawn(
            self._understand(transcript), name=f"understand:{turn_id}"
        )
        try:
            vector, intent = await asyncio.shield(understanding)
        except asyncio.CancelledError:
            understanding.add_done_callback(functools.partial(self._carry_on, request, timer))
            raise
        if not self._side_effect(intent):
            # With the words, codes and numbers must match too ("M24" and "M30" questions embed
            # alike); with the conversation's component, a follow-up is not answered for another.
            hit = await self._cached(transcript, vector)
            if hit is not None:
                timer.mark("routed")
                self.intent = "cache"
                self._metrics.count("cache_hits")
                self.component_id = hit.data.get("component_id")
                self.result = hit
                for sentence in hit.speech:
                    yield Part(sentence, urgent=hit.urgent)
                return
        arguments: dict[str, Any] | None = None
        reply_stream: AsyncIterator[str] | None = None
        if intent is None:
            route, reply_stream = await self._roles.route(
                transcript, self._toolbox.specs(), self._conversation.messages(), timer
            )
            intent, arguments = route.intent, dict(route.arguments)
        timer.mark("routed")
        self.intent = intent
        _LOGGER.info("Turn %d: intent %s for %r", turn_id, intent, transcript)
        if intent == REPEAT:
            yield Part(self._conversation.last_heard or "I have not said anything yet.")
        elif intent in self._toolbox:
            async for part in self._use_tool(intent, arguments, request, vector, timer):
                yield part
        else:
            stream = reply_stream or self._roles.reply(
                transcript, self._conversation.messages(), timer
            )
            async for text in stream:
                yield Part(text, kind="stream")

    async def _understand(self, transcript: str) -> tuple[Any, str | None]:
        """The request's vector and, with the semantic router, its intent (else None)."""
        vector = (await self._embed_thread.run(self._embedder.embed, [transcript]))[0]
        if self._router is None:
            return vector, None  # the LLM routes, later, with the conversation
        return vector, self._router.route(vector, transcript).intent

    def _side_effect(self, intent: str | None) -> bool:
        tool = self._toolbox.get(intent) if intent else None
        return tool is not None and tool.spec.side_effect

    async def _cached(self, transcript: str, vector: Any) -> ToolResult | None:
        if not self._cache:
            return None
        lookup = functools.partial(
            self._knowledge.cache_lookup,
            question=transcript,
            component_id=self._conversation.component_id,
        )
        hit: ToolResult | None = await self._embed_thread.run(lookup, vector)
        return hit

    def _carry_on(
        self, request: ToolRequest, timer: TurnTimer, understanding: asyncio.Task[Any]
    ) -> None:
        """The turn was cut while its request was being understood: do what it asked anyway."""
        if understanding.cancelled() or understanding.exception() is not None:
            return
        _, intent = understanding.result()
        if not self._side_effect(intent):
            return  # a question nobody waits for any more
        tool = self._toolbox.get(intent)
        assert tool is not None
        _LOGGER.info("Turn %d was cut before %s ran; carrying it out", request.turn_id, intent)
        name = f"{intent}:{request.turn_id}"
        self.shielded.spawn(self._act(tool, None, request, timer), name=name)

    async def _use_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        request: ToolRequest,
        vector: Any,
        timer: TurnTimer,
    ) -> AsyncIterator[Part]:
        tool = self._toolbox.get(name)
        assert tool is not None
        spec = tool.spec
        if spec.slow and spec.filler:
            yield Part(spec.filler, kind="filler")
        if spec.side_effect:
            # Durable from the moment the intent is decided: the turn may be cut (barge-in, a new
            # press, SIGTERM) while the LLM is still filling the arguments; the work goes on.
            task = self.shielded.spawn(
                self._act(tool, arguments, request, timer), name=f"{name}:{request.turn_id}"
            )
            acted = await asyncio.shield(task)
        else:
            acted = await self._act(tool, arguments, request, timer)
        result = acted.result
        self.component_id = acted.component_id
        notice = acted.notice.notice_id if acted.notice is not None else None
        self.result = result
        for sentence in result.speech:
            yield Part(sentence, urgent=result.urgent, notice=notice)
        if self._cache and result.cacheable and result.ok:
            store = functools.partial(
                self._knowledge.cache_store, component_id=request.component_id
            )
            await self._embed_thread.run(store, request.transcript, vector, result)

    async def _act(
        self, tool: Tool, arguments: dict[str, Any] | None, request: ToolRequest, timer: TurnTimer
    ) -> _Acted:
        """Fill the arguments, check them and run ``tool``; a side effect's outcome is posted."""
        spec = tool.spec
        if arguments is None:
            arguments = await self._extract(tool, request, timer)
        try:
            prepared = tool.prepare(arguments, request)
        except ToolError as err:
            _LOGGER.info("Tool %s refused %r: %s", spec.name, arguments, err.message)
            refusal = ToolResult((err.message,), ok=False, data={"error": err.code})
            return _Acted(refusal, None, None)
        timer.mark("tool_start")
        result = await tool.run(prepared, request)
        timer.mark("tool_end")
        notice = self.notices.post(result.speech, request.turn_id) if spec.side_effect else None
        component = prepared.get("component_id") or result.data.get("component_id")
        return _Acted(result, component, notice)

    async def _extract(self, tool: Tool, request: ToolRequest, timer: TurnTimer) -> dict[str, Any]:
        spec = tool.spec
        if not spec.llm_fills:
            return {}
        try:
            return await self._roles.extract(spec, request.transcript, timer)
        except Exception as err:  # noqa: BLE001 - the tool reads what it needs from the words
            # An incident must not be lost to a model failure: the tool falls back on the
            # transcript (said severity, danger words) or asks one clear question.
            _LOGGER.error("LLM could not fill %s's arguments: %s", spec.name, err)
            return {}
