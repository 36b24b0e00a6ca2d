"""In-process llama.cpp (llama-cpp-python) running a GGUF chat model; SmolLM2-135M by default."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.engines.base import EngineContext, LlmDelta, TextDelta
from edge.events import Message, ToolSpec

_LOGGER = logging.getLogger(__name__)

_MODELS = {"smollm2-135m-instruct": ("smollm2-135m-instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")}


class LlamaCpp:
    """A GGUF model run by llama.cpp, with JSON-schema grammars and a prompt-state cache."""

    requires = (("llama_cpp", "llama-cpp-python"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """llama.cpp settings."""

        model: str = "smollm2-135m-instruct"
        """Manifest model name, or a path to a ``.gguf`` file."""
        n_ctx: int = 2048
        """Context window (tokens)."""
        threads: int = 2
        """CPU threads."""
        batch: int = 256
        """Prompt evaluation batch (tokens)."""
        cache_mb: int = 64
        """Memory for the fixed prompt prefixes' saved states (each ~5 MB), evaluated once at
        start-up and restored on every turn; 0 turns the cache off."""

        def __post_init__(self) -> None:
            if not 256 <= self.n_ctx <= 32768:
                raise ValueError("llm.options.n_ctx must be 256..32768")
            if not 1 <= self.threads <= 64:
                raise ValueError("llm.options.threads must be 1..64")
            if not 0 <= self.cache_mb <= 8192:
                raise ValueError("llm.options.cache_mb must be 0..8192")

    def __init__(self, options: Options, context: EngineContext) -> None:
        from llama_cpp import Llama

        from edge.engines.llama_log import quiet_llama

        quiet_llama()  # verbose=False below must not point the process's fd 2 at /dev/null

        if options.model in _MODELS:
            name, filename = _MODELS[options.model]
            path = context.models.path(name, filename)
        else:
            path = Path(options.model).expanduser()
            if not path.is_file():
                from edge.errors import ModelError

                raise ModelError(
                    "model-missing", f"GGUF model {path} not found", fix="check llm.options.model"
                )
        self.model_name = path.stem
        self._llm: Any = Llama(
            model_path=str(path),
            n_ctx=options.n_ctx,
            n_threads=options.threads,
            n_batch=options.batch,
            verbose=False,
        )
        self._prefixes = _pinned_prefix_cache(options.cache_mb << 20) if options.cache_mb else None
        if self._prefixes is not None:
            self._llm.set_cache(self._prefixes)
        self._grammars: dict[str, Any] = {}

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
    ) -> Iterator[LlmDelta]:
        """Stream the next assistant message; ``tools`` are described by the caller's prompt."""
        if self._prefixes is not None:
            self._prefixes.arm()
        stream = self._llm.create_chat_completion(
            messages=[_as_chat(m) for m in messages],
            stream=True,
            max_tokens=max_tokens,
            temperature=temperature,
            grammar=self._grammar(json_schema),
        )
        for chunk in stream:
            text = chunk["choices"][0]["delta"].get("content")
            if text:
                yield TextDelta(text)

    def warm(
        self, messages: Sequence[Message], *, json_schema: Mapping[str, Any] | None = None
    ) -> None:
        """Evaluate ``messages`` once and keep that state for every later turn (pinned)."""
        if self._prefixes is not None:
            self._prefixes.pinning = True
        try:
            for _ in self.chat(messages, json_schema=json_schema, max_tokens=1):
                pass
        finally:
            if self._prefixes is not None:
                self._prefixes.pinning = False

    def _grammar(self, schema: Mapping[str, Any] | None) -> Any:
        if schema is None:
            return None
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from llama_cpp.llama_grammar import LlamaGrammar

            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]


def _as_chat(message: Message) -> dict[str, str]:
    # Small chat templates know only system/user/assistant; tool results go in as user text.
    if message.role == "tool":
        return {"role": "user", "content": f"Result of {message.tool_name}: {message.content}"}
    return {"role": message.role, "content": message.content}


def _pinned_prefix_cache(capacity_bytes: int) -> Any:
    """A llama.cpp prompt cache that keeps only the fixed prefixes :meth:`LlamaCpp.warm` pins.

    llama-cpp-python's own RAM cache saves the state after *every* completion (a copy of the
    KV cache and of the logits, ~45 MB for SmolLM2 with a 200-token prompt) and evicts the oldest
    when full, so after a few turns the warmed system prompts and few-shot examples were gone and
    the next reading or incident paid to evaluate them again (seconds on a busy device). This
    cache stores a state only while pinning, never evicts it, keeps just the last row of logits
    (the prompt always continues past a prefix, and numpy broadcasting refills the rows on load),
    and skips the save after each completion entirely: llama-cpp-python only touches a cache
    that is truthy, and this one is truthy from :meth:`arm` (before a completion) until it has
    been looked up.
    """
    from llama_cpp.llama import LlamaState
    from llama_cpp.llama_cache import LlamaRAMCache

    class PinnedPrefixCache(LlamaRAMCache):
        def __init__(self) -> None:
            super().__init__(capacity_bytes)
            self.pinning = False
            self._armed = False

        def arm(self) -> None:
            self._armed = True

        def __bool__(self) -> bool:
            return self._armed or self.pinning

        def __getitem__(self, key: Any) -> Any:
            self._armed = False
            return super().__getitem__(key)

        def __setitem__(self, key: Any, value: Any) -> None:
            if not self.pinning:
                return
            if self.cache_size + value.llama_state_size > self.capacity_bytes:
                _LOGGER.warning("LLM prefix cache full (llm.options.cache_mb): prefix not kept")
                return
            slim = LlamaState(
                input_ids=value.input_ids,
                scores=value.scores[-1:].copy(),
                n_tokens=value.n_tokens,
                llama_state=value.llama_state,
                llama_state_size=value.llama_state_size,
                seed=value.seed,
            )
            self.cache_state[tuple(key)] = slim

    return PinnedPrefixCache()
