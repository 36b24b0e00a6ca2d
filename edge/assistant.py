"""The assistant's engines, tools and memory, loaded once and shared by ``edge ask`` and the daemon.

Engines load in parallel, each on the worker thread that will run it. Start-up also does the work
no turn should pay for: the LLM's fixed prompt prefixes are evaluated, fillers are synthesized, the
router's example utterances are embedded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from edge.aio import EngineThread
from edge.audio.earcon import tick
from edge.config import NO_TURN_ENGINE, Config
from edge.dialogue.conversation import Conversation
from edge.dialogue.dialogue import Dialogue, DialogueSettings
from edge.dialogue.notices import Notices
from edge.dialogue.state import Expiry, StateFile
from edge.engines.base import (
    DenoiseEngine,
    Embedder,
    EngineContext,
    LlmEngine,
    SttEngine,
    TtsEngine,
    TurnEngine,
    VadEngine,
)
from edge.engines.registry import load_engine
from edge.events import Speech, TurnId
from edge.hearing.bias import Heard, Lexicon, hear
from edge.hearing.denoise import load_denoiser
from edge.hearing.lexicon import lexicon_from
from edge.llm_roles import LlmRoles
from edge.metrics import Metrics
from edge.models import ModelStore
from edge.responder import Responder
from edge.router import REPLY, SemanticRouter
from edge.speech_memo import SpeechMemo
from edge.stt_stream import Interim, StreamingTranscriber
from edge.tools.base import Tool, Toolbox
from edge.turntaking.end_of_turn import TurnJudge

_LOGGER = logging.getLogger(__name__)

ToolFactory = Callable[["Assistant"], list[Tool]]
"""Builds the tools once the engines are loaded (they may need the embedder, the manuals...)."""


@dataclass
class Assistant:
    """Everything a turn needs, loaded."""

    config: Config
    vad: VadEngine
    stt: SttEngine
    llm: LlmEngine
    tts: TtsEngine
    embedder: Embedder
    threads: dict[str, EngineThread]
    turn: TurnEngine | None = None
    """The end-of-turn model; None when off, or when no trigger ends turns by listening."""
    knowledge: Any = None
    """``edge.knowledge.Knowledge`` when a manuals database exists, else None."""
    denoise: DenoiseEngine | None = None
    """Noise suppressor of the capture path (``denoise.engine``), None when off."""
    toolbox: Toolbox = field(default_factory=Toolbox)
    responder: Responder | None = None
    roles: LlmRoles | None = None
    fillers: dict[str, Speech] = field(default_factory=dict)
    speech_memo: SpeechMemo | None = None
    """Sentences synthesized in earlier turns (repeats and cache hits speak at once)."""
    conversation: Conversation = field(default_factory=Conversation)
    notices: Notices = field(default_factory=Notices)
    """Outcomes (incidents logged or not) the technician has not heard in full yet."""
    earcon: Speech | None = None
    """The acknowledgement tick for "stop" (None: silence)."""
    metrics: Metrics = field(default_factory=Metrics)
    load_seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each start-up step (s)."""
    _lexicon_cache: Lexicon | None = None

    def start_afresh(self, *, machine: str | None = None) -> None:
        """Forget the conversation: history, notices, dialogue (topic, last answer, read-backs).

        For evaluations and benchmarks, whose every request stands alone. ``machine``: the title
        of the manual of the machine the technician is at, when the evaluation knows it.
        """
        self.conversation.clear()
        self.notices.clear()
        if self.responder is not None:
            self.responder.dialogue.clear(time.time(), machine=machine)

    @property
    def glossary(self) -> str | None:
        """Domain words that bias speech recognition (from the manuals)."""
        return self.knowledge.glossary() if self.knowledge is not None else None

    def transcriber(
        self,
        turn_id: TurnId,
        on_interim: Interim | None = None,
        *,
        interims: bool = True,
        on_settled: Callable[[str], None] | None = None,
    ) -> StreamingTranscriber:
        """A streaming transcriber for a new utterance (``interims=False``: the final only)."""
        return StreamingTranscriber(
            self.stt,
            self.threads["stt"],
            interim_s=self.config.stt.interim_ms / 1000 if interims else None,
            prompt=self.glossary,
            on_interim=on_interim,
            bias=self.hear if self.config.stt.bias else None,
            on_settled=on_settled,
        )

    def hear(self, text: str, confidence: float | None = None) -> Heard:
        """``text`` with the manuals' bias applied (codes, units, numbers, command words)."""
        lexicon = self._lexicon()
        component = self.knowledge.resolve_component(text) if self.knowledge is not None else None
        return hear(text, lexicon, confidence=confidence, component=component)

    def _lexicon(self) -> Lexicon:
        if self.knowledge is None:
            return Lexicon()
        codes = self.knowledge.codes()
        if self._lexicon_cache is None or self._lexicon_cache.codes != codes:
            self._lexicon_cache = lexicon_from(self.knowledge)
        return self._lexicon_cache

    def turn_judge(self) -> TurnJudge | None:
        """A judge of pauses with the end-of-turn model, when there is one."""
        if self.turn is None:
            return None
        return TurnJudge(self.turn, self.threads["turn"])

    def close(self) -> None:
        """Release engines' threads and the manuals database."""
        if self.knowledge is not None:
            self.knowledge.close()
        for thread in self.threads.values():
            thread.shutdown()


async def load_assistant(
    config: Config, tools: ToolFactory | None = None, *, metrics: Metrics | None = None
) -> Assistant:
    """Load every engine (in parallel), the manuals and the tools; warm what can be warmed."""
    context = EngineContext(ModelStore(config.device.state_dir / "models"))
    kinds = ["vad", "stt", "llm", "tts", "embed"]
    if _needs_turn_model(config):
        kinds.append("turn")
    threads = {kind: EngineThread(kind) for kind in kinds}
    timings: dict[str, float] = {}

    async def load(kind: str) -> Any:
        choice = getattr(config, kind)
        started = time.perf_counter()
        engine = await threads[kind].run(load_engine, kind, choice.engine, choice.options, context)
        timings[kind] = time.perf_counter() - started
        return engine

    started = time.perf_counter()
    # Every load runs to its end before a failure is raised: the error is reported once nothing
    # is half-loaded any more, and each failing engine is named, not only the first.
    results: list[Any] = await asyncio.gather(
        *(load(kind) for kind in kinds), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        for thread in threads.values():
            thread.shutdown()
        for extra in failures[1:]:
            _LOGGER.error("Another engine failed to load too: %s", extra)
        raise failures[0]
    vad, stt, llm, tts, embedder, *turn = results
    assistant = Assistant(
        config,
        vad,
        stt,
        llm,
        tts,
        embedder,
        threads,
        turn=turn[0] if turn else None,
        load_seconds=timings,
    )
    assistant.denoise = await threads["vad"].run(load_denoiser, config, context)
    assistant.metrics = metrics or Metrics()
    assistant.speech_memo = SpeechMemo(tts.rate)
    assistant.conversation = Conversation(config.llm.history_turns)
    assistant.knowledge = await threads["embed"].run(_open_knowledge, config, embedder)
    for tool in tools(assistant) if tools else []:
        assistant.toolbox.add(tool)
    assistant.roles = LlmRoles(llm, threads["llm"], reply_max_tokens=config.llm.reply_max_tokens)
    step = time.perf_counter()
    router = None
    if config.llm.router == "semantic":
        fallback = (
            "query_technical_manuals" if "query_technical_manuals" in assistant.toolbox else REPLY
        )
        specs = assistant.toolbox.specs()
        router = await threads["embed"].run(
            lambda: SemanticRouter(embedder, specs, fallback=fallback)
        )
    timings["router"] = time.perf_counter() - step
    step = time.perf_counter()
    warm = threads["llm"].run(assistant.roles.warm, assistant.toolbox.specs())
    assistant.fillers = await _synthesize_fillers(assistant)
    await warm
    timings["warm"] = time.perf_counter() - step
    if config.dialogue.earcon:
        assistant.earcon = Speech("", tick(tts.rate), tts.rate)
    dialogue = Dialogue(
        dialogue_settings(config), StateFile(config.dialogue_state), now=time.time()
    )
    assistant.responder = Responder(
        embedder=embedder,
        embed_thread=threads["embed"],
        toolbox=assistant.toolbox,
        router=router,
        roles=assistant.roles,
        conversation=assistant.conversation,
        metrics=assistant.metrics,
        knowledge=assistant.knowledge,
        cache=config.knowledge.cache,
        notices=assistant.notices,
        dialogue=dialogue,
    )
    timings["total"] = time.perf_counter() - started
    _LOGGER.info("Assistant loaded in %.2f s: %s", timings["total"], timings)
    return assistant


def dialogue_settings(config: Config) -> DialogueSettings:
    """The dialogue's settings from ``[dialogue]``."""
    d = config.dialogue
    return DialogueSettings(
        citation=d.citation,
        expiry=Expiry(idle_s=d.idle_expiry_s, topic_s=d.topic_s, pending_s=d.checkback_s),
        topic_turns=d.topic_turns,
        checkback=d.checkback,
        earcon=d.earcon,
        slower_pace=d.slower_pace,
    )


def _needs_turn_model(config: Config) -> bool:
    # Only turns that end on listening use it: push-to-talk alone never loads it.
    listening = {"wake", "vad"} & set(config.listen.triggers)
    return config.turn.engine != NO_TURN_ENGINE and bool(listening)


def _open_knowledge(config: Config, embedder: Embedder) -> Any:
    if not config.knowledge_db.is_file():
        _LOGGER.warning("No manuals database at %s: run `edge ingest`", config.knowledge_db)
        return None
    from edge.knowledge import Knowledge

    return Knowledge.open(
        config.knowledge_db,
        embedder,
        cache_threshold=config.knowledge.cache_threshold,
        cache=config.knowledge.cache,
    )


async def _synthesize_fillers(assistant: Assistant) -> dict[str, Speech]:
    texts = {spec.filler for spec in assistant.toolbox.specs() if spec.filler}
    if assistant.config.tts.thinking_filler:
        texts.add(assistant.config.tts.thinking_filler)
    fillers = {}
    for text in sorted(texts):
        samples = await assistant.threads["tts"].run(assistant.tts.synthesize, text)
        fillers[text] = Speech(text, samples, assistant.tts.rate)
    return fillers
