"""What the LLM does in a turn: fill tool arguments, write short replies, and (bigger models) route.

The default model is tiny, so it never supplies facts: arguments it extracts are checked by the
tool against the transcript, and free-text replies that state numbers are dropped (values come
from the manuals only). Every prompt starts with a fixed prefix (system prompt and few-shot
examples) that :meth:`LlmRoles.warm` evaluates at start-up, so a turn only pays for its own words.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from edge.aio import EngineThread
from edge.engines.base import LlmEngine, TextDelta, ToolCallDelta
from edge.events import Message, ToolSpec
from edge.metrics import TurnTimer
from edge.router import REPLY

_LOGGER = logging.getLogger(__name__)

REPLY_SYSTEM: Final = (
    "You are Edge, the offline voice assistant of a wind turbine technician working at height. "
    "Answer in one short, plain sentence. You know no technical values, limits or procedures: "
    "for those the technician asks about a component and you look it up in the manual."
)
"""System prompt for free-text replies (greetings, thanks, small talk)."""

REPLY_EXAMPLES: Final = (
    ("Hello, can you hear me?", "Yes, I hear you. Ask me about any component."),
    ("Thanks, that's all for now.", "You're welcome. Stay safe up there."),
    ("Who are you?", "I'm Edge, your offline maintenance assistant."),
    ("What can you do?", "I look things up in the manuals, check readings and log incidents."),
    ("Okay, got it.", "Good. I'm here if you need me."),
)
"""Few-shot replies: a 135M model copies their length and tone far better than it follows rules."""

SMALL_TALK: Final = {
    "Hello.": "Hello. Ask me about any component.",
    "Good morning.": "Good morning. Ask me about any component.",
    "Hi there, are you listening?": "Yes, I'm listening.",
    "Hello, can you hear me?": "Yes, I hear you. Ask me about any component.",
    "Can you hear me?": "Yes, I hear you.",
    "Thanks, that's all for now.": "You're welcome. Stay safe up there.",
    "Thank you.": "You're welcome.",
    "Great, cheers.": "Cheers.",
    "Who are you?": "I'm Edge, your offline maintenance assistant.",
    "What can you do?": "I look things up in the manuals, check readings and log incidents.",
    "Okay, got it.": "Good. I'm here if you need me.",
    "Never mind.": "Okay.",
    "How are you today?": "Ready to help. What do you need?",
}
"""Replies to requests that are plainly one of these (by meaning): said at once, without the LLM,
which on a busy device takes seconds to say the same thing. The LLM answers everything else."""

ROUTER_SYSTEM: Final = (
    "You are Edge, the offline voice assistant of a wind turbine technician. Call a tool for "
    "every request about the machine, a reading or an incident; quote values only from tool "
    "results. Otherwise answer in one short sentence."
)
"""System prompt when the LLM itself routes (bigger models, ``llm.router = "llm"``)."""

NO_REPLY: Final = "I don't have that in the manuals on this device."
"""Said when the reply would be empty (e.g. it only stated numbers, which are never invented)."""
_MAX_EXAMPLES: Final = 6
_EXTRACT_MAX_TOKENS: Final = 64
"""Arguments are a few words each; a model that loops on one stops here (the tool falls back)."""
_DIGITS = re.compile(r"\d")
_REPLY_SENTENCES: Final = 2
"""A reply is small talk: one short sentence is asked for, two are allowed."""


@dataclass(frozen=True, slots=True)
class LlmRoute:
    """The LLM's routing decision: a tool call, or the start of a plain reply."""

    intent: str
    arguments: Mapping[str, Any]


class LlmRoles:
    """Runs the LLM's jobs on its engine thread and records their timings."""

    def __init__(self, llm: LlmEngine, thread: EngineThread, *, reply_max_tokens: int = 60) -> None:
        self._llm = llm
        self._thread = thread
        self._reply_max_tokens = reply_max_tokens

    def warm(self, specs: Sequence[ToolSpec]) -> None:
        """Evaluate every fixed prompt prefix once (blocking; run on the LLM thread)."""
        self._llm.warm(_reply_prefix())
        for spec in specs:
            if spec.llm_fills:
                prefix, schema = self._extraction_prompt(spec)
                self._llm.warm(prefix, json_schema=schema)

    # -- replies ----------------------------------------------------------------------------------

    async def reply(
        self, request: str, history: Sequence[Message], timer: TurnTimer
    ) -> AsyncIterator[str]:
        """Stream a short reply to ``request``: at most two sentences, none stating a number.

        Sentences with digits are withheld, and so is a sentence already said (a 135M model
        can loop: "I'm not here. I'm not here. ..."). When nothing is left (or the model said
        nothing), :data:`NO_REPLY` is said: the technician always hears an answer.
        """
        messages = [*_reply_prefix(), *history, Message("user", request)]
        texts = self._text(messages, timer, max_tokens=self._reply_max_tokens)
        said: list[str] = []
        pending = ""
        try:
            async for text in texts:
                pending += text
                # Release text up to the last sentence end, once it is known to hold no digits.
                cut = max(pending.rfind(". "), pending.rfind("? "), pending.rfind("! "))
                if cut >= 0:
                    done, pending = pending[: cut + 2], pending[cut + 2 :]
                    if kept := _to_say(done, said):
                        yield kept
                    if len(said) >= _REPLY_SENTENCES:
                        return  # the rest is rambling; closing the stream stops the model
            if kept := _to_say(pending, said):
                yield kept
        finally:
            await texts.aclose()
        if not said:
            yield NO_REPLY

    @staticmethod
    def small_talk(example: str) -> str | None:
        """The ready reply to the small-talk ``example`` utterance, if there is one."""
        return SMALL_TALK.get(example)

    # -- arguments --------------------------------------------------------------------------------

    async def extract(self, spec: ToolSpec, request: str, timer: TurnTimer) -> dict[str, Any]:
        """Arguments for ``spec`` taken from ``request`` (``{}`` when the model's JSON is bad)."""
        prefix, schema = self._extraction_prompt(spec)
        messages = [*prefix, Message("user", request)]
        text = "".join([t async for t in self._text(messages, timer, _EXTRACT_MAX_TOKENS, schema)])
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            _LOGGER.warning("LLM gave invalid JSON for %s: %r", spec.name, text[:200])
            return {}
        return value if isinstance(value, dict) else {}

    @staticmethod
    def _extraction_prompt(spec: ToolSpec) -> tuple[list[Message], dict[str, Any]]:
        fills = list(spec.llm_fills)
        properties = dict(spec.parameters.get("properties", {}))
        schema = {
            "type": "object",
            "properties": {k: _for_grammar(properties.get(k, {"type": "string"})) for k in fills},
            "required": fills,
        }
        system = (
            f"Extract the arguments of {spec.name} from the technician's request as JSON with "
            f"the keys {', '.join(fills)}. {spec.description}"
        )
        prefix = [Message("system", system)]
        for example in spec.examples[:_MAX_EXAMPLES]:
            shown = {k: example.arguments[k] for k in fills if k in example.arguments}
            if len(shown) == len(fills):
                prefix += [
                    Message("user", example.utterance),
                    Message("assistant", json.dumps(shown)),
                ]
        return prefix, schema

    # -- routing (bigger models) ------------------------------------------------------------------

    async def route(
        self, request: str, specs: Sequence[ToolSpec], history: Sequence[Message], timer: TurnTimer
    ) -> tuple[LlmRoute, AsyncIterator[str] | None]:
        """Let the LLM call a tool natively, or start replying; returns the route and reply text."""
        messages = [Message("system", ROUTER_SYSTEM), *history, Message("user", request)]
        timer.mark("llm_start")
        stream = self._thread.stream(lambda: self._llm.chat(messages, tools=specs, max_tokens=160))
        first_text: list[str] = []
        async for delta in stream:
            timer.mark("llm_first_token")
            if isinstance(delta, ToolCallDelta):
                await stream.aclose()
                timer.mark("llm_done")
                return LlmRoute(delta.call.name, delta.call.arguments), None
            if isinstance(delta, TextDelta):
                first_text.append(delta.text)
                break

        async def rest() -> AsyncIterator[str]:
            for text in first_text:
                yield text
            async for delta in stream:
                if isinstance(delta, TextDelta):
                    yield delta.text
            timer.mark("llm_done")

        return LlmRoute(REPLY, {}), rest()

    # -- plumbing ---------------------------------------------------------------------------------

    async def _text(
        self,
        messages: list[Message],
        timer: TurnTimer,
        max_tokens: int,
        schema: Mapping[str, Any] | None = None,
    ) -> AsyncGenerator[str, None]:
        timer.mark("llm_start")
        stream = self._thread.stream(
            lambda: self._llm.chat(messages, json_schema=schema, max_tokens=max_tokens)
        )
        async for delta in stream:
            if isinstance(delta, TextDelta) and delta.text:
                timer.mark("llm_first_token")
                yield delta.text
        timer.mark("llm_done")


def _for_grammar(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A property's schema without length bounds, for the sampling grammar.

    llama.cpp spells ``maxLength: 2000`` as two thousand nested optional characters: sampling
    under that grammar took 100 s for 96 tokens on a Pi-class CPU. The tool's ``prepare`` checks
    the bounds anyway, so the grammar only needs the shape (type, enum).
    """
    return {k: v for k, v in schema.items() if k not in ("minLength", "maxLength", "pattern")}


def _reply_prefix() -> list[Message]:
    prefix = [Message("system", REPLY_SYSTEM)]
    for request, answer in REPLY_EXAMPLES:
        prefix += [Message("user", request), Message("assistant", answer)]
    return prefix


def _to_say(text: str, said: list[str]) -> str:
    """The sentences of ``text`` to speak; appends them to ``said``.

    Drops sentences that state numbers (a reply must not invent values), repeat one already
    said, or come after :data:`_REPLY_SENTENCES`.
    """
    kept: list[str] = []
    for sentence in (s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()):
        if _DIGITS.search(sentence):
            _LOGGER.info("Withheld a reply sentence with numbers: %r", sentence[:120])
        elif sentence.lower() not in {s.lower() for s in said} and len(said) < _REPLY_SENTENCES:
            said.append(sentence)
            kept.append(sentence)
    return " ".join(kept) + (" " if text.endswith(" ") and kept else "")
