"""An ollama server (``ollama`` Python client), for devices that run a bigger model there.

The server is a separate install (it is not on PyPI or Debian); this engine is verified against a
local HTTP server in the tests that speaks ollama's streaming ``/api/chat`` protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edge.engines.base import EngineContext, LlmDelta, TextDelta, ToolCallDelta
from edge.errors import EngineError
from edge.events import Message, ToolCall, ToolSpec

_LOGGER = logging.getLogger(__name__)


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
            if not self.model.strip():
                raise ValueError("llm.options.model must name a model tag, e.g. qwen2.5:1.5b")
            if not self.host.startswith(("http://", "https://")):
                raise ValueError("llm.options.host must start with http:// or https://")
            if not 0.5 <= self.timeout_s <= 600:
                raise ValueError("llm.options.timeout_s must be 0.5..600")

    def __init__(self, options: Options, context: EngineContext) -> None:
        import ollama

        self.options = options
        self.model_name = options.model
        # trust_env=False: an HTTP(S)_PROXY set for the fleet link must not capture the local
        # server's traffic (httpx would proxy even 127.0.0.1 unless NO_PROXY lists it).
        self._client: Any = ollama.Client(
            host=options.host, timeout=options.timeout_s, trust_env=False
        )

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
    ) -> Iterator[LlmDelta]:
        """Stream the server's reply; native tool calls come out as :class:`ToolCallDelta`.

        Raises:
            EngineError: ``llm-unreachable``, ``llm-model-missing``, ``llm-no-tools``,
                ``llm-timeout``, ``llm-stream-broken`` or ``llm-failed``, each with its fix.
        """
        import httpx
        import ollama

        stream = self._client.chat(
            model=self.options.model,
            messages=[_as_chat(m) for m in messages],
            tools=[_as_tool(t) for t in tools] or None,
            format=dict(json_schema) if json_schema is not None else None,
            stream=True,
            options={"temperature": temperature, "num_predict": max_tokens},
            keep_alive=self.options.keep_alive,
        )
        try:
            done = False
            for chunk in stream:
                message = chunk.message
                if message.content:
                    yield TextDelta(message.content)
                for call in message.tool_calls or ():
                    yield ToolCallDelta(ToolCall(call.function.name, dict(call.function.arguments)))
                if chunk.done:
                    done = True
                    _LOGGER.debug(
                        "ollama %s: %s prompt + %s generated tokens in %.2f s (%s)",
                        self.options.model,
                        chunk.prompt_eval_count,
                        chunk.eval_count,
                        (chunk.total_duration or 0) / 1e9,
                        chunk.done_reason,
                    )
            if not done:
                # A proxy or a crashed runner can end the body cleanly but early: without the
                # final chunk the reply may be cut mid-sentence, so it must not pass as whole.
                raise self._broken("the stream ended without its final chunk")
        except ollama.ResponseError as err:
            raise self._response_error(err) from err
        except (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError) as err:
            # The client turns connection failures into ConnectionError only for non-streamed
            # calls; a stream raises httpx's own errors, so both are caught here.
            raise EngineError(
                "llm-unreachable",
                f"the ollama server at {self.options.host} is not reachable: {err}",
                fix="start ollama (systemctl start ollama) or check llm.options.host",
            ) from err
        except httpx.TimeoutException as err:
            raise EngineError(
                "llm-timeout",
                f"the ollama server at {self.options.host} did not answer within "
                f"{self.options.timeout_s:g} s",
                fix="check the server's load (ollama ps) or raise llm.options.timeout_s",
            ) from err
        except (httpx.TransportError, ValueError) as err:
            # A dropped connection, or a line that is not a chat chunk (bad JSON fails
            # pydantic's or json's ValueError).
            raise self._broken(str(err) or type(err).__name__) from err
        finally:
            # Closing early (barge-in, or a tool call was all the caller wanted) hangs up at
            # once, which makes the server stop generating.
            stream.close()

    def _broken(self, detail: str) -> EngineError:
        return EngineError(
            "llm-stream-broken",
            f"the ollama server broke off its reply: {detail}",
            fix="check the server's log (journalctl -u ollama); it may be out of memory",
        )

    def _response_error(self, err: Any) -> EngineError:
        """Map the server's ``{"error": ...}`` answers to errors that say what to do."""
        model = self.options.model
        if err.status_code == 404:
            return EngineError(
                "llm-model-missing",
                f"the ollama server at {self.options.host} has no model {model!r}: {err.error}",
                fix=f"run `ollama pull {model}` on it, or set llm.options.model to one "
                "that `ollama list` shows",
            )
        if "does not support tools" in str(err.error):
            return EngineError(
                "llm-no-tools",
                f"ollama model {model!r} cannot call tools",
                fix='set llm.router = "semantic", or pick a model with tool support',
            )
        where = "mid-reply" if err.status_code == -1 else f"with status {err.status_code}"
        return EngineError(
            "llm-failed",
            f"the ollama server failed {where}: {err.error}",
            fix="check the server's log (journalctl -u ollama)",
        )

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
