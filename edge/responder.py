"""Deciding what to say: semantic cache, intent, tool or reply; yields the answer piece by piece.

The request is embedded once; the vector serves the semantic cache, the router and the manuals
search. Tool answers arrive as whole sentences (structured data first, quoted from the manuals);
replies arrive as LLM text that the turn splits into sentences. Side-effecting tools (incident
reports) run in a task set the turn does not own, so a barge-in never cancels them.
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
from edge.engines.base import Embedder
from edge.errors import ToolError
from edge.events import ToolResult, TurnId
from edge.llm_roles import LlmRoles
from edge.metrics import Metrics, TurnTimer
from edge.router import REPEAT, SemanticRouter
from edge.tools.base import Toolbox, ToolRequest

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the answer."""

    text: str
    kind: Literal["sentence", "stream", "filler"] = "sentence"
    """``sentence``: speak as is; ``stream``: LLM text to split; ``filler``: a pre-made filler."""
    urgent: bool = False
    """A safety warning: it goes before anything queued."""


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
        self.shielded = TaskSet("side-effects")
        """Side-effecting tool runs; they finish even when their turn is interrupted."""
        self.component_id: str | None = None
        """Component the last answer was about (for the conversation)."""
        self.intent: str = ""
        """Intent of the last request."""

    async def respond(
        self, transcript: str, turn_id: TurnId, timer: TurnTimer
    ) -> AsyncIterator[Part]:
        """Yield the answer to ``transcript``."""
        self.component_id = None
        vector = (await self._embed_thread.run(self._embedder.embed, [transcript]))[0]
        if self._cache:
            # With the words, codes and numbers must match too ("M24" and "M30" questions embed
            # alike); with the conversation's component, a follow-up is not answered for another.
            lookup = functools.partial(
                self._knowledge.cache_lookup,
                question=transcript,
                component_id=self._conversation.component_id,
            )
            hit: ToolResult | None = await self._embed_thread.run(lookup, vector)
            if hit is not None:
                timer.mark("routed")
                self.intent = "cache"
                self._metrics.count("cache_hits")
                self.component_id = hit.data.get("component_id")
                for sentence in hit.speech:
                    yield Part(sentence, urgent=hit.urgent)
                return
        request = ToolRequest(
            turn_id,
            transcript,
            component_id=self._conversation.component_id,
            history=self._conversation.requests(),
        )
        arguments: dict[str, Any] | None = None
        reply_stream: AsyncIterator[str] | None = None
        if self._router is not None:
            intent = self._router.route(vector, transcript).intent
        else:
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
        if arguments is None:
            arguments = (
                await self._roles.extract(spec, request.transcript, timer) if spec.llm_fills else {}
            )
        try:
            prepared = tool.prepare(arguments, request)
        except ToolError as err:
            _LOGGER.info("Tool %s refused %r: %s", name, arguments, err.message)
            yield Part(err.message)
            return
        timer.mark("tool_start")
        if spec.side_effect:
            task = self.shielded.spawn(
                tool.run(prepared, request), name=f"{name}:{request.turn_id}"
            )
            result = await asyncio.shield(task)
        else:
            result = await tool.run(prepared, request)
        timer.mark("tool_end")
        self.component_id = prepared.get("component_id") or result.data.get("component_id")
        for sentence in result.speech:
            yield Part(sentence, urgent=result.urgent)
        if self._cache and result.cacheable and result.ok:
            store = functools.partial(
                self._knowledge.cache_store, component_id=request.component_id
            )
            await self._embed_thread.run(store, request.transcript, vector, result)
