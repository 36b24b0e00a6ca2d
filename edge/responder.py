"""Deciding what to say: control word, follow-up, semantic cache, intent, tool or reply.

The dialogue (:mod:`edge.dialogue`) is asked first: a control word ("stop", "next", "repeat",
"yes") or a follow-up on the last answer ("and the M20?", "in foot-pounds?") is answered from
the conversation's state, without routing. Otherwise the request is embedded once; the vector
serves the semantic cache, the router and the manuals search. Tool answers are presented for the
ear by the dialogue (value first, the rest on "more"); replies arrive as LLM text that the turn
splits into sentences.

A tool that may warn (an out-of-range reading) answers before anything else: no filler and no
pending notice is said before its warning.

Side-effecting tools run durably (:mod:`edge.tools.runner`); their spoken outcome is posted as a
:class:`~edge.dialogue.notices.Notice`; a turn cut before it was heard leaves the notice due, and
the next answer starts with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from edge.aio import EngineThread, TaskSet
from edge.dialogue.checkback import NOTHING_PENDING, CheckBack
from edge.dialogue.control import Command, Control
from edge.dialogue.conversation import Conversation
from edge.dialogue.dialogue import Dialogue, DialogueSettings, Reply
from edge.dialogue.notices import Notices
from edge.dialogue.present import CitationMode, Presented, present
from edge.dialogue.state import Pending
from edge.engines.base import Embedder
from edge.events import ToolResult, TurnId
from edge.hearing.bias import Heard
from edge.knowledge.numbers import reading_numbers
from edge.llm_roles import LlmRoles
from edge.metrics import Metrics, TurnTimer
from edge.router import REPEAT, SemanticRouter
from edge.tools.base import Tool, Toolbox, ToolRequest, from_words, lacks, supplied
from edge.tools.runner import Acted, ToolRunner

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the answer."""

    text: str
    kind: Literal["sentence", "stream", "filler", "earcon", "hold", "routed"] = "sentence"
    """``sentence``: speak as is; ``stream``: LLM text to split; ``filler``: a pre-made filler;
    ``earcon``: the acknowledgement tick; ``hold``: a warning may come, so no filler may play
    first; ``routed``: (inside the responder) the intent is known."""
    urgent: bool = False
    """A safety warning: it goes before anything queued."""
    notice: int | None = None
    """The :class:`~edge.dialogue.notices.Notice` this sentence delivers, if any."""
    pace: float = 1.0
    """Speaking rate relative to normal ("slower" asks for less than 1)."""


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
        dialogue: Dialogue | None = None,
        clock: Callable[[], float] = time.time,
        small_talk_score: float = 0.8,
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
            dialogue: the conversation's state (a fresh one, not saved, when None).
            clock: wall-clock time for the dialogue's decisions (s since the epoch).
            small_talk_score: similarity to a small-talk example above which its ready reply is
                said instead of asking the LLM.
        """
        self._small_talk_score = small_talk_score
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
        self.component_id: str | None = None
        """Component the last answer was about (for the conversation)."""
        self.intent: str = ""
        """Intent of the last request."""
        self._clock = clock
        self._dialogue = dialogue or Dialogue(DialogueSettings(), now=clock())
        spoken = functools.partial(_spoken, citation=self._dialogue.settings.citation)
        self._runner = ToolRunner(toolbox, roles, self.notices, spoken=spoken)
        self.dialogue = self._dialogue
        self.presented: Presented | None = None
        """How the last tool answer was presented (its full citation is logged and in JSON)."""
        self.result: ToolResult | None = None
        """What the last request's tool (or the cache) produced; None for replies and repeats."""
        self._understood: tuple[str, asyncio.Task[tuple[Any, str | None, str]]] | None = None
        self._prepared: tuple[tuple[Any, ...], asyncio.Task[Acted]] | None = None
        self._preparing: tuple[str, asyncio.Task[tuple[str, ...]]] | None = None
        self._readback: int | None = None
        """The notice of the read-back pending (due until heard in full)."""
        self._understanding: (
            tuple[ToolRequest, asyncio.Task[tuple[Any, str | None, str]]] | None
        ) = None
        """The latest turn's request being understood (its intent decides side effects)."""

    async def respond(
        self,
        transcript: str,
        turn_id: TurnId,
        timer: TurnTimer,
        *,
        heard: Heard | None = None,
    ) -> AsyncIterator[Part]:
        """Yield the answer to ``transcript``, after (and before) any notice still to be heard.

        "Stop" (and "cancel", "never mind") says nothing at all, not even a pending notice: it
        waits for the technician's next request. A warning goes before any notice. ``heard``
        tells how the words were heard (confidence, corrections): doubtful words behind a
        side effect are read back first.
        """
        self.component_id = None
        self.presented = None
        self.result = None
        # Turn ids start again with each session (a benchmark's scenarios share one responder).
        self._runner.acted_for = None
        self._understanding = None
        now = self._clock()
        control = self.dialogue.control(transcript, now)
        answered = control is not None and control.command in (Command.YES, Command.NO)
        if answered or self.dialogue.state.pending is None:
            self._withdraw_readback()  # answered or expired: it need not be asked again
        if control is not None and control.command in (Command.STOP, Command.CANCEL):
            asked = not self.notices.is_due(self._readback)
            reply = self.dialogue.handle(control, now, readback_heard=asked)
            if not reply.rest:
                self.intent = control.command.value
                timer.mark("routed")
                _LOGGER.info("Turn %d: %s (%r): quiet", turn_id, self.intent, transcript)
                if reply.earcon:
                    yield Part("", kind="earcon")
                return
            transcript, control = reply.rest, None  # "Stop. What is ...?": the question counts
        self.dialogue.asked(now, request=control is None)
        said: set[int] = set()
        urgent = False
        if control is None and self._may_warn(transcript):
            # Before the request is even understood (embedding alone can outlast the thinking
            # filler's delay on a loaded device): a warning may come, so no filler may go first.
            yield Part("", kind="hold")
        async for part in self._answer(transcript, control, turn_id, timer, heard, now):
            if part.kind == "routed":
                urgent = part.urgent
                if urgent:
                    yield Part("", kind="hold")  # the warning is the first thing heard
                else:
                    async for notice in self._due_notices(said):
                        yield notice
                continue
            if part.notice is not None:
                said.add(part.notice)
            yield part
        # Notices held back for a warning, or stored while this turn was being answered.
        async for part in self._due_notices(said):
            yield part

    def may_act(self, turn_id: TurnId) -> bool:
        """Whether turn ``turn_id``'s request started a side effect, or would if cut now.

        A request still being understood counts: cut now, its side effect is carried out anyway
        (:meth:`ToolRunner.carry_on`).
        """
        if self._runner.acted_for == turn_id:
            return True
        understanding = self._understanding
        if understanding is None or understanding[0].turn_id != turn_id:
            return False
        request, task = understanding
        if not task.done():
            return True
        if task.cancelled() or task.exception() is not None:
            return False
        return self._runner.would_act(task.result()[1], request)

    def _withdraw_readback(self) -> None:
        if self._readback is not None:
            self.notices.withdraw(self._readback)
            self._readback = None

    @property
    def dialogue(self) -> Dialogue:
        """Control words, procedures, follow-ups, topic and read-backs."""
        return self._dialogue

    @dialogue.setter
    def dialogue(self, dialogue: Dialogue) -> None:
        # A daemon that restarts loads a new one from the state file (tests do the same).
        self._dialogue = dialogue
        self._runner.check_back = CheckBack(dialogue, self._knowledge, self._clock)

    @property
    def shielded(self) -> TaskSet:
        """Side-effecting tool runs; they finish even when their turn is interrupted."""
        return self._runner.shielded

    def notices_due(self) -> AsyncIterator[Part]:
        """The notices still to be heard, as parts of an answer of their own."""
        return self._due_notices(set())

    async def _due_notices(self, said: set[int]) -> AsyncIterator[Part]:
        for notice in self.notices.due():
            if notice.notice_id not in said:
                said.add(notice.notice_id)
                for sentence in notice.speech:
                    yield Part(sentence, notice=notice.notice_id)

    async def prepare(self, transcript: str) -> tuple[str, ...]:
        """The sentence the answer to ``transcript`` would start with, worked out now.

        A turn for the same transcript that starts meanwhile waits for this instead of doing the
        same work beside it (see :meth:`_ready`).
        """
        task = self.shielded.spawn(self._prepare(transcript), name="prepare")
        self._preparing = (transcript, task)
        return await asyncio.shield(task)

    async def _prepare(self, transcript: str) -> tuple[str, ...]:
        """See :meth:`prepare`.

        Speculative (the technician may go on talking) and free of side effects: the request is
        understood and, for a question the manuals, the cache or a ready reply answer, the answer
        is made; a reading's verdict is previewed without raising its incident. The work is kept
        for the turn that asks the same thing. Returns () when the start is not known yet, and
        for what the dialogue answers by itself (a control word, a follow-up).
        """
        if self.notices.due():
            return ()  # the turn starts with those
        now = self._clock()
        other = self._names_other(transcript)
        if self.dialogue.control(transcript, now) is not None or self.dialogue.follows_up(
            transcript, now, names_other=other
        ):
            return ()  # the dialogue answers these itself
        vector, intent, example = await self._understand_once(transcript)
        tool = self._toolbox.get(intent) if intent else None
        if intent is None or intent == REPEAT:
            return ()
        if tool is None:
            ready = self._roles.small_talk(example)
            return (ready,) if ready else ()
        request = self._tool_request(transcript, TurnId(0), None, now)
        if not tool.spec.side_effect:
            hit = await self._cached(request, vector)
            if hit is not None:
                return self._preview(transcript, hit)
        if tool.spec.side_effect or (tool.spec.slow and tool.spec.filler):
            preview = getattr(tool, "preview", None)
            first = preview(request) if preview is not None else None
            return (first,) if first else ()
        if tool.spec.llm_fills and from_words(tool, request) is None:
            return ()  # the LLM would be needed: not for a guess
        task = self.shielded.spawn(
            self._runner.use(tool, None, request, TurnTimer(0)), name="prepare"
        )
        self._prepared = (self._key(request), task)
        return self._preview(transcript, (await asyncio.shield(task)).result)

    async def _ready(
        self, arguments: dict[str, Any] | None, request: ToolRequest
    ) -> asyncio.Task[Acted] | None:
        """The answer :meth:`prepare` made (or is making) for this very request, if any."""
        preparing = self._preparing
        if arguments is None and preparing is not None and preparing[0] == request.transcript:
            with contextlib.suppress(Exception):
                await asyncio.shield(preparing[1])  # it is about to have the answer in hand
        prepared = self._prepared
        if arguments is not None or prepared is None or prepared[0] != self._key(request):
            return None
        task = prepared[1]
        if task.done() and (task.cancelled() or task.exception() is not None):
            return None
        return task

    def _preview(self, question: str, result: ToolResult) -> tuple[str, ...]:
        """The first sentence ``result`` will be said with (nothing is remembered)."""
        named = self._named(question) is not None
        return self.dialogue.preview(question, result, named_component=named)[:1]

    def _names_other(self, transcript: str) -> bool:
        """``transcript`` names a component other than the last answer's (no follow-up, then)."""
        named = self._named(transcript)
        last = self.dialogue.state.last
        return named is not None and last is not None and named != last.component_id

    def _tool_request(
        self, transcript: str, turn_id: TurnId, heard: Heard | None, now: float
    ) -> ToolRequest:
        return ToolRequest(
            turn_id,
            transcript,
            component_id=self.dialogue.topic(now),
            machine=self.dialogue.machine(now),
            history=self._conversation.requests(),
            heard=heard,
        )

    @staticmethod
    def _key(request: ToolRequest) -> tuple[Any, ...]:
        return (request.transcript, request.component_id, request.machine, request.history)

    def _understand_once(self, transcript: str) -> asyncio.Task[tuple[Any, str | None, str]]:
        """Understanding ``transcript`` (shared by a speculative :meth:`prepare` and the turn)."""
        if self._understood is not None and self._understood[0] == transcript:
            task = self._understood[1]
            if not task.done() or (not task.cancelled() and task.exception() is None):
                return task
        task = self.shielded.spawn(self._understand(transcript), name="understand")
        self._understood = (transcript, task)
        return task

    async def _answer(
        self,
        transcript: str,
        control: Control | None,
        turn_id: TurnId,
        timer: TurnTimer,
        heard: Heard | None,
        now: float,
    ) -> AsyncIterator[Part]:
        """The answer's parts, after one ``routed`` marker saying whether it may be a warning."""
        if control is not None and control.command == Command.YES:
            async for part in self._confirmed(turn_id, timer, now):
                yield part
            return
        if control is not None:
            reply = self.dialogue.handle(control, now)
            self.intent = control.command.value
            timer.mark("routed")
            yield Part("", kind="routed")
            async for part in self._reply(reply):
                yield part
            if not reply.rest:
                return
            transcript = reply.rest  # "No, it was 82 degrees": the reading said again
        lacking = self.dialogue.state.pending  # not expired: control() just dropped that
        if lacking is not None and lacking.needs:
            self.dialogue.take_pending(now)
            tool = self._toolbox.get(lacking.intent)
            if tool is not None and not transcript.rstrip().endswith("?"):
                # The answer to "What happened, and where?" (a question: they have moved on).
                supply = self._supplied(tool, lacking, transcript, turn_id, timer, heard, now)
                async for part in supply:
                    yield part
                return
        last = self.dialogue.state.last
        follow = self.dialogue.follow_up(transcript, now, names_other=self._names_other(transcript))
        if follow is not None:
            self.intent = "follow_up"
            self.component_id = last.component_id if last else None
            timer.mark("routed")
            yield Part("", kind="routed")
            async for part in self._reply(follow):
                yield part
            return
        async for part in self._request(transcript, turn_id, timer, heard, now):
            yield part

    async def _request(
        self,
        transcript: str,
        turn_id: TurnId,
        timer: TurnTimer,
        heard: Heard | None,
        now: float,
    ) -> AsyncIterator[Part]:
        request = self._tool_request(transcript, turn_id, heard, now)
        # Understanding the request is shielded too: a turn cut in the few milliseconds before
        # its intent is known still carries out the side effect it asked for. A speculative
        # prepare() may have understood it already.
        understanding = self._understand_once(transcript)
        self._understanding = (request, understanding)
        try:
            vector, intent, example = await asyncio.shield(understanding)
        except asyncio.CancelledError:
            carry_on = functools.partial(self._runner.carry_on, request, timer)
            understanding.add_done_callback(carry_on)
            raise
        if not self._runner.side_effect(intent):
            # With the words, codes and numbers must match too ("M24" and "M30" questions embed
            # alike); with the conversation's component and machine, a follow-up is not answered
            # for another.
            hit = await self._cached(request, vector)
            if hit is not None:
                timer.mark("routed")
                self.intent = "cache"
                self._metrics.count("cache_hits")
                yield Part("", kind="routed", urgent=hit.urgent)
                for part in self._presented(transcript, hit, hit.data.get("component_id"), now):
                    yield part
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
        tool = self._toolbox.get(intent)
        yield Part("", kind="routed", urgent=tool is not None and tool.spec.urgent)
        if intent == REPEAT:
            async for part in self._reply(self.dialogue.handle(Control(Command.REPEAT), now)):
                yield part
        elif tool is not None:
            async for part in self._use_tool(intent, arguments, request, vector, timer, now):
                yield part
        elif reply_stream is None and (ready := self._roles.small_talk(example)) is not None:
            timer.mark("llm_skipped")
            self.dialogue.replied((ready,), now)  # "repeat" says it again
            yield Part(ready)
        else:
            stream = reply_stream or self._roles.reply(
                transcript, self._conversation.messages(), timer
            )
            text: list[str] = []
            async for chunk in stream:
                text.append(chunk)
                yield Part(chunk, kind="stream")
            self.dialogue.replied((" ".join("".join(text).split()),), now)

    async def _confirmed(
        self, turn_id: TurnId, timer: TurnTimer, now: float
    ) -> AsyncIterator[Part]:
        """A yes to a read-back: do what was read back, as if it had been clear at once."""
        pending = self.dialogue.take_pending(now)
        tool = self._toolbox.get(pending.intent) if pending is not None else None
        timer.mark("routed")
        yield Part("", kind="routed", urgent=tool is not None and tool.spec.urgent)
        if pending is None or tool is None:
            self.intent = "yes"
            yield Part(NOTHING_PENDING)
            return
        self.intent = pending.intent
        _LOGGER.info("Turn %d: confirmed %s for %r", turn_id, pending.intent, pending.transcript)
        request = ToolRequest(
            turn_id,
            pending.transcript,
            component_id=self.dialogue.topic(now),
            machine=self.dialogue.machine(now),
            history=self._conversation.requests(),
            confirmed=True,
        )
        async for part in self._use_tool(
            pending.intent, dict(pending.arguments), request, None, timer, now
        ):
            yield part

    async def _supplied(
        self,
        tool: Tool,
        pending: Pending,
        words: str,
        turn_id: TurnId,
        timer: TurnTimer,
        heard: Heard | None,
        now: float,
    ) -> AsyncIterator[Part]:
        """Words that supply what the pending request lacked: the request, completed, runs."""
        transcript = supplied(tool, pending.transcript, words)
        _LOGGER.info("Turn %d: %r completes %s: %r", turn_id, words, pending.intent, transcript)
        self.intent = pending.intent
        timer.mark("routed")
        yield Part("", kind="routed", urgent=tool.spec.urgent)
        request = self._tool_request(transcript, turn_id, heard, now)
        async for part in self._use_tool(pending.intent, None, request, None, timer, now):
            yield part

    async def _reply(self, reply: Reply) -> AsyncIterator[Part]:
        if reply.earcon:
            yield Part("", kind="earcon")
        for sentence in reply.speech:
            yield Part(sentence, pace=reply.pace)

    def _may_warn(self, transcript: str) -> bool:
        """Whether a tool that may answer with a warning could be asked for by ``transcript``."""
        return any(
            spec.urgent and (not spec.needs_number or reading_numbers(transcript))
            for spec in self._toolbox.specs()
        )

    def _named(self, text: str) -> str | None:
        """The component ``text`` names, if the manuals know one."""
        if self._knowledge is None:
            return None
        named: str | None = self._knowledge.resolve_component(text)
        return named

    def _presented(
        self, question: str, result: ToolResult, component_id: str | None, now: float
    ) -> list[Part]:
        """``result`` as said: presented by the dialogue, which remembers it."""
        self.component_id = component_id
        self.result = result
        presented = self.dialogue.answered(
            question,
            result,
            now,
            component_id=component_id,
            named_component=self._named(question) is not None,
        )
        self.presented = presented
        if presented.citation is not None:
            _LOGGER.info("Answer source: %s", presented.citation.full())
        return [Part(s, urgent=result.urgent) for s in presented.speech]

    async def _understand(self, transcript: str) -> tuple[Any, str | None, str]:
        """The request's vector and, with the semantic router, its intent (else None).

        The third item is the example utterance the request is plainly one of (small talk
        answered without the LLM), or "".
        """
        vector = (await self._embed_thread.run(self._embedder.embed, [transcript]))[0]
        if self._router is None:
            return vector, None, ""  # the LLM routes, later, with the conversation
        route = self._router.route(vector, transcript)
        plain = route.score >= self._small_talk_score
        return vector, route.intent, route.example if plain else ""

    async def _cached(self, request: ToolRequest, vector: Any) -> ToolResult | None:
        if not self._cache:
            return None
        lookup = functools.partial(
            self._knowledge.cache_lookup,
            question=request.transcript,
            component_id=request.component_id,
            machine=request.machine,
        )
        hit: ToolResult | None = await self._embed_thread.run(lookup, vector)
        return hit

    async def _use_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        request: ToolRequest,
        vector: Any,
        timer: TurnTimer,
        now: float,
    ) -> AsyncIterator[Part]:
        tool = self._toolbox.get(name)
        assert tool is not None
        spec = tool.spec
        if spec.slow and spec.filler and self._runner.asks_llm(tool, arguments, request):
            # Only what the LLM must fill is slow: an incident whose words settle it is stored
            # and confirmed in milliseconds, and its filler would only delay the confirmation.
            yield Part(spec.filler, kind="filler")
        ready = None if spec.side_effect else await self._ready(arguments, request)
        self._prepared = None
        if ready is not None:
            acted = await asyncio.shield(ready)  # made while the technician paused (prepare)
            timer.mark("prepared")
        else:
            acted = await self._runner.use(tool, arguments, request, timer)
        result = acted.result
        missing = lacks(tool, request) if spec.side_effect and not result.ok else None
        if missing is None and not result.ok:
            missing = result.data.get("needs")  # "Which one: ...?": the answer completes it
        if missing is not None:
            # It asked for what it lacks: the next words are taken as the answer.
            asked = result.speech[0] if result.speech else ""
            self.dialogue.hold(Pending(name, request.transcript, {}, asked, now, missing), now)
        notice = acted.notice.notice_id if acted.notice is not None else None
        if result.data.get("checkback"):
            self._withdraw_readback()  # a new read-back replaces the one pending
            self._readback = notice
        parts = self._presented(request.transcript, result, acted.component_id, now)
        for part in parts:
            yield Part(part.text, urgent=part.urgent, notice=notice)
        if acted.rest is not None:
            # The rest of the answer ('Logged a high severity incident.') once it is in.
            rest = await asyncio.shield(acted.rest)
            notice = rest.notice.notice_id if rest.notice is not None else None
            for sentence in rest.notice.speech if rest.notice is not None else rest.result.speech:
                yield Part(sentence, urgent=rest.result.urgent, notice=notice)
        if self._cache and result.cacheable and result.ok and vector is not None:
            store = functools.partial(
                self._knowledge.cache_store,
                component_id=request.component_id,
                machine=request.machine,
            )
            await self._embed_thread.run(store, request.transcript, vector, result)


def _spoken(result: ToolResult, *, citation: CitationMode) -> tuple[str, ...]:
    """A side effect's outcome as said (and as its notice is said, if its turn is cut)."""
    return present(result, "", citation=citation).speech
