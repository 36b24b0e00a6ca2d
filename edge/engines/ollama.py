"""An ollama server (``ollama`` Python client), for devices that run a bigger model there.

The server is a separate install (it is not on PyPI or Debian); this engine is verified against a
local HTTP server in the tests that speaks ollama's streaming ``/api/chat`` protocol.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edge.engines.base import EngineContext, LlmDelta, TextDelta, ToolCallDelta
from edge.events import Message, ToolCall, ToolSpec


class Ollama:
    """Chat with a model on an ollama server, streaming text and native tool calls."""

    requires = (("ollama", "ollama"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """ollama settings."""

        model: str = "qwen2.5:1.5b"
        """Model tag on the server."""
        host: str = "http://127.0.0.1:11434"
        """Server address (keep it on loopback: the API has no authentication)."""
        timeout_s: float = 30.0
        """Longest wait for the server to answer (s)."""
        keep_alive: str = "30m"
        """How long the server keeps the model loaded between requests."""

        def __post_init__(self) -> None:
            if not self.host.startswith(("http://", "https://")):
                raise ValueError("llm.options.host must start with http:// or https://")
            if not 0.5 <= self.timeout_s <= 600:
                raise ValueError("llm.options.timeout_s must be 0.5..600")

    def __init__(self, options: Options, context: EngineContext) -> None:
        import ollama

        self.options = options
        self.model_name = options.model
        self._client: Any = ollama.Client(host=options.host, timeout=options.timeout_s)

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
    ) -> Iterator[LlmDelta]:
        """Stream the server's reply; native tool calls come out as :class:`ToolCallDelta`."""
        from edge.errors import EngineError

        try:
            stream = self._client.chat(
                model=self.options.model,
                messages=[_as_chat(m) for m in messages],
                tools=[_as_tool(t) for t in tools] or None,
                format=dict(json_schema) if json_schema is not None else None,
                stream=True,
                options={"temperature": temperature, "num_predict": max_tokens},
                keep_alive=self.options.keep_alive,
            )
            for chunk in stream:
                message = chunk.message
                if message.content:
                    yield TextDelta(message.content)
                for call in message.tool_calls or ():
                    yield ToolCallDelta(ToolCall(call.function.name, dict(call.function.arguments)))
        except (ConnectionError, OSError) as err:
            raise EngineError(
                "llm-unreachable",
                f"the ollama server at {self.options.host} is not reachable: {err}",
                fix="start it (systemctl start ollama) or set llm.options.host",
            ) from err
        except Exception as err:
            if type(err).__name__ in ("ResponseError", "RequestError", "ConnectError"):
                raise EngineError("llm-failed", f"ollama: {err}") from err
            raise

    def warm(
        self, messages: Sequence[Message], *, json_schema: Mapping[str, Any] | None = None
    ) -> None:
        """Load the model on the server and let it cache the prompt prefix."""
        for _ in self.chat(messages, json_schema=json_schema, max_tokens=1):
            pass


def _as_chat(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "content": message.content, "tool_name": message.tool_name or ""}
    return {"role": message.role, "content": message.content}


def _as_tool(spec: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": spec.description,
            "parameters": dict(spec.parameters),
        },
    }
