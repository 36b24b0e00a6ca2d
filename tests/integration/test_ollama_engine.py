"""The ``ollama`` LLM engine against a loopback server that speaks ollama's ``/api/chat`` stream.

The real server cannot be installed on the build machines; :mod:`tests.fake_ollama` answers the
way it does (NDJSON chunks, a final ``done`` chunk with eval counts, native tool calls, its error
bodies). The last tests run whole voice turns with ``llm.engine = "ollama"`` and the real VAD,
STT, TTS and embedder.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edge.assistant import Assistant, load_assistant
from edge.audio.pcm import dbfs
from edge.config import load_config
from edge.engines import registry
from edge.engines.base import EngineContext, LlmEngine, TextDelta, ToolCallDelta
from edge.engines.ollama import Ollama
from edge.errors import ConfigError, EngineError
from edge.events import Message, ToolCall, TurnId
from edge.llm_roles import REPLY_EXAMPLES, REPLY_SYSTEM, ROUTER_SYSTEM
from edge.models import ModelStore
from edge.oneshot import ask_file
from edge.tools.incident import SPEC as INCIDENT
from edge.voices import speak_to_file
from tests.fake_ollama import DEFAULT_MODEL, FakeOllama, Reply, free_port, text, tool_call

pytestmark = pytest.mark.integration

LEAK = {"severity": "high", "description": "oil leak at the gearbox"}


@pytest.fixture
def context(tmp_path: Path) -> EngineContext:
    """An engine context; ollama needs no model files of its own."""
    return EngineContext(ModelStore(tmp_path / "models"))


def engine(context: EngineContext, host: str, **options: Any) -> Ollama:
    """The engine as the registry builds it from ``[llm.options]``."""
    built = registry.load_engine("llm", "ollama", {"host": host, **options}, context)
    assert isinstance(built, Ollama)
    return built


def fails(llm: Ollama, **chat: Any) -> tuple[list[Any], EngineError]:
    """The deltas that came before the engine raised, and its error."""
    got: list[Any] = []
    with pytest.raises(EngineError) as err:
        for delta in llm.chat([Message("user", "What's the torque?")], **chat):
            got.append(delta)
    return got, err.value


# -- the protocol ---------------------------------------------------------------------------------


def test_text_streams_piece_by_piece(context: EngineContext) -> None:
    release = threading.Event()
    reply = Reply(content=("The yaw", " brake", " is on."), hold=release)
    with FakeOllama(respond=lambda body: reply) as server:
        llm = engine(context, server.url)
        assert isinstance(llm, LlmEngine)
        stream = llm.chat([Message("user", "Is the yaw brake on?")])
        # The server holds back everything after its first chunk: the first piece must arrive
        # anyway, or the engine is buffering the reply and the voice would start late.
        assert next(stream) == TextDelta("The yaw")
        release.set()
        assert list(stream) == [TextDelta(" brake"), TextDelta(" is on.")]


def test_request_carries_model_messages_options_and_keep_alive(context: EngineContext) -> None:
    history = [
        Message("system", "Be brief."),
        Message("user", "Check the pitch motor."),
        Message("assistant", "Checked"),
        Message("tool", "Pitch motor current 4 A, within limits.", tool_name="check_reading"),
        Message("user", "And the yaw?"),
    ]
    with FakeOllama() as server:
        llm = engine(context, server.url, keep_alive="5m")
        list(llm.chat(history, max_tokens=60, temperature=0.2))
    [sent] = server.requests
    assert sent["model"] == DEFAULT_MODEL == llm.model_name
    assert sent["stream"] is True
    assert sent["keep_alive"] == "5m"
    assert sent["options"] == {"temperature": 0.2, "num_predict": 60}
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Check the pitch motor."},
        {"role": "assistant", "content": "Checked"},
        {
            "role": "tool",
            "content": "Pitch motor current 4 A, within limits.",
            "tool_name": "check_reading",
        },
        {"role": "user", "content": "And the yaw?"},
    ]
    assert not sent.get("tools") and "format" not in sent


def test_a_request_with_tools_gets_a_native_tool_call(context: EngineContext) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        return tool_call(INCIDENT.name, LEAK) if body.get("tools") else text("No tools?")

    with FakeOllama(respond=respond) as server:
        llm = engine(context, server.url)
        deltas = list(llm.chat([Message("user", "Log it: oil leak.")], tools=[INCIDENT]))
    assert deltas == [ToolCallDelta(ToolCall(INCIDENT.name, LEAK))]
    [sent] = server.requests
    [tool] = sent["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == INCIDENT.name
    assert tool["function"]["description"] == INCIDENT.description
    # ollama's tool schema holds type, required and per-property type/description/enum only;
    # the client drops the rest (minLength, additionalProperties), so the tool still checks them.
    properties = INCIDENT.parameters["properties"]
    assert tool["function"]["parameters"] == {
        "type": "object",
        "required": list(INCIDENT.parameters["required"]),
        "properties": {
            name: {k: v for k, v in prop.items() if k in ("type", "description", "enum")}
            for name, prop in properties.items()
        },
    }


def test_text_before_a_tool_call_comes_out_in_order(context: EngineContext) -> None:
    with FakeOllama(respond=lambda body: tool_call("repeat", {}, preamble="Sure.")) as server:
        deltas = list(engine(context, server.url).chat([Message("user", "Again?")]))
    assert deltas == [TextDelta("Sure."), ToolCallDelta(ToolCall("repeat", {}))]


def test_json_schema_is_sent_as_format(context: EngineContext) -> None:
    schema = {"type": "object", "properties": {"severity": {"type": "string"}}}
    with FakeOllama(respond=lambda body: text('{"severity"', ': "low"}')) as server:
        got = engine(context, server.url).chat([Message("user", "x")], json_schema=schema)
        assert list(got) == [TextDelta('{"severity"'), TextDelta(': "low"}')]
    assert server.requests[0]["format"] == schema


def test_warm_asks_for_one_token(context: EngineContext) -> None:
    with FakeOllama() as server:
        engine(context, server.url).warm([Message("system", REPLY_SYSTEM)])
    [sent] = server.requests
    assert sent["options"]["num_predict"] == 1
    assert sent["messages"] == [{"role": "system", "content": REPLY_SYSTEM}]


def test_closing_the_stream_early_hangs_up(context: EngineContext) -> None:
    # Barge-in closes the generator: the server must see the client go, so it stops generating.
    reply = Reply(content=tuple(f"word{i} " for i in range(40)), pace_s=0.02)
    with FakeOllama(respond=lambda body: reply) as server:
        stream = engine(context, server.url).chat([Message("user", "Tell me a long story.")])
        assert isinstance(stream, Generator)
        next(stream)
        stream.close()
        assert server.hung_up.wait(timeout=5)


def test_a_proxy_in_the_environment_is_not_used(
    context: EngineContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with FakeOllama(respond=lambda body: text("Direct.")) as server:
        assert list(engine(context, server.url).chat([Message("user", "hi")])) == [
            TextDelta("Direct.")
        ]


# -- failures -------------------------------------------------------------------------------------


def test_server_down_says_to_start_it(context: EngineContext) -> None:
    host = f"http://127.0.0.1:{free_port()}"
    got, err = fails(engine(context, host))
    assert got == []
    assert err.code == "llm-unreachable"
    assert host in err.message
    assert "start ollama" in (err.fix or "") and "llm.options.host" in (err.fix or "")


def test_model_not_pulled_says_which_to_pull(context: EngineContext) -> None:
    with FakeOllama() as server:
        _, err = fails(engine(context, server.url, model="llama3.1:8b"))
    assert err.code == "llm-model-missing"
    assert "model 'llama3.1:8b' not found" in err.message
    assert "ollama pull llama3.1:8b" in (err.fix or "")


def test_model_without_tool_support_points_at_the_router(context: EngineContext) -> None:
    error = f"registry.ollama.ai/library/{DEFAULT_MODEL} does not support tools"
    with FakeOllama(respond=lambda body: Reply(status=400, error=error)) as server:
        _, err = fails(engine(context, server.url), tools=[INCIDENT])
    assert err.code == "llm-no-tools"
    assert 'llm.router = "semantic"' in (err.fix or "")


def test_connection_dropped_mid_reply(context: EngineContext) -> None:
    reply = Reply(content=("The gearbox", " oil", " level"), drop_after=2)
    with FakeOllama(respond=lambda body: reply) as server:
        got, err = fails(engine(context, server.url))
    assert got == [TextDelta("The gearbox"), TextDelta(" oil")]
    assert err.code == "llm-stream-broken"
    assert "journalctl -u ollama" in (err.fix or "")


def test_stream_that_ends_without_its_final_chunk_is_broken(context: EngineContext) -> None:
    with FakeOllama(respond=lambda body: Reply(content=("Torque is",), omit_done=True)) as server:
        got, err = fails(engine(context, server.url))
    assert got == [TextDelta("Torque is")]
    assert err.code == "llm-stream-broken"


def test_error_line_mid_stream(context: EngineContext) -> None:
    reply = Reply(content=("Checking",), error="llama runner process has terminated")
    with FakeOllama(respond=lambda body: reply) as server:
        got, err = fails(engine(context, server.url))
    assert got == [TextDelta("Checking")]
    assert err.code == "llm-failed"
    assert "llama runner process has terminated" in err.message


def test_server_error_status(context: EngineContext) -> None:
    with FakeOllama(respond=lambda body: Reply(status=500, error="out of memory")) as server:
        _, err = fails(engine(context, server.url))
    assert err.code == "llm-failed"
    assert "500" in err.message and "out of memory" in err.message


def test_slow_server_times_out(context: EngineContext) -> None:
    with FakeOllama(respond=lambda body: Reply(content=("late",), delay_s=1.5)) as server:
        _, err = fails(engine(context, server.url, timeout_s=0.5))
    assert err.code == "llm-timeout"
    assert "llm.options.timeout_s" in (err.fix or "")


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"host": "127.0.0.1:11434"}, "host"),
        ({"model": " "}, "model"),
        ({"timeout_s": 0}, "timeout_s"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(env={}, overrides={"llm.engine": "ollama", "llm.options": options})
    assert f"llm.options.{key}" in str(err.value)


# -- whole turns with the real VAD, STT, TTS and embedder -----------------------------------------


def _fleet_model(body: dict[str, Any]) -> Reply:
    """A bigger model on the server: calls the incident tool when offered it and asked to."""
    request = body["messages"][-1]["content"].lower()
    offered = {t["function"]["name"] for t in body.get("tools") or ()}
    if INCIDENT.name in offered and "incident" in request:
        return tool_call(INCIDENT.name, LEAK)
    if "format" in body:
        return text('{"severity": "high", "description": "oil leak at the gearbox"}')
    return text("Yes, I hear you", " loud and clear. ", "Ask me about any component.")


@pytest.fixture(scope="module")
def fleet_server() -> Iterator[FakeOllama]:
    """One fake server for the module's assistants."""
    with FakeOllama(respond=_fleet_model) as server:
        yield server


def _load(state_dir: Path, server: FakeOllama, router: str) -> Assistant:
    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    config = load_config(
        env={},
        overrides={
            "device.state_dir": str(state_dir),
            "llm.engine": "ollama",
            "llm.options": {"host": server.url},
            "llm.router": router,
        },
    )
    reporter = ReportingService(config, status=False).reporter
    return asyncio.run(load_assistant(config, lambda a: default_tools(a, reporter)))


@pytest.fixture(scope="module")
def ollama_assistant(
    tmp_path_factory: pytest.TempPathFactory, fleet_server: FakeOllama
) -> Iterator[Assistant]:
    """The real engines with the LLM on the fake server; the LLM routes (``llm.router``)."""
    loaded = _load(tmp_path_factory.mktemp("ollama-state"), fleet_server, "llm")
    yield loaded
    loaded.close()


def _ask(assistant: Assistant, question: str, folder: Path, turn: int) -> Any:
    wav = speak_to_file(question, folder / f"q{turn}.wav")
    return asyncio.run(ask_file(assistant, wav, TurnId(turn)))


def test_start_up_warms_the_prompt_prefixes_on_the_server(
    ollama_assistant: Assistant, fleet_server: FakeOllama
) -> None:
    warm = [r for r in fleet_server.requests if r["options"]["num_predict"] == 1]
    systems = [r["messages"][0]["content"] for r in warm]
    assert REPLY_SYSTEM in systems
    assert any(INCIDENT.name in s for s in systems), systems
    assert all(r["model"] == DEFAULT_MODEL and r["keep_alive"] == "30m" for r in warm)


def test_a_spoken_greeting_is_answered_through_ollama(
    ollama_assistant: Assistant, fleet_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_assistant.conversation.clear()
    before = len(fleet_server.requests)
    result = _ask(ollama_assistant, "Hello, can you hear me?", tmp_path, 1)
    assert result.transcript.lower().startswith("hello")
    assert result.intent == "reply"
    assert "loud and clear" in result.answer and "component" in result.answer
    assert result.rate == ollama_assistant.tts.rate
    assert len(result.reply) / result.rate > 1.0 and dbfs(result.reply) > -35.0
    [sent] = fleet_server.requests[before:]
    assert sent["messages"][0] == {"role": "system", "content": ROUTER_SYSTEM}
    assert sent["messages"][-1] == {"role": "user", "content": result.transcript}
    assert [t["function"]["name"] for t in sent["tools"]] == [INCIDENT.name]


def test_a_spoken_incident_is_logged_through_a_native_tool_call(
    ollama_assistant: Assistant, fleet_server: FakeOllama, tmp_path: Path
) -> None:
    ollama_assistant.conversation.clear()
    _ask(ollama_assistant, "Hello, can you hear me?", tmp_path, 1)
    before = len(fleet_server.requests)
    result = _ask(
        ollama_assistant, "Log a high severity incident: oil leak at the gearbox.", tmp_path, 2
    )
    assert result.intent == INCIDENT.name
    assert result.answer.startswith("Logged a high severity incident"), result.answer
    assert "gearbox" in result.answer
    # The tool call carried the arguments: no second request to extract them.
    [sent] = fleet_server.requests[before:]
    assert "format" not in sent
    # The follow-up saw the first exchange.
    contents = [m["content"] for m in sent["messages"]]
    assert any("loud and clear" in c for c in contents), contents
    assert np.abs(result.reply).max() > 1000


def test_default_router_replies_with_the_few_shot_prompt(
    tmp_path_factory: pytest.TempPathFactory, fleet_server: FakeOllama, tmp_path: Path
) -> None:
    assistant = _load(tmp_path_factory.mktemp("semantic-state"), fleet_server, "semantic")
    try:
        before = len(fleet_server.requests)
        # Not a greeting with a ready reply ("Hello, can you hear me?" is answered at once).
        result = _ask(assistant, "Are you ready for the next job?", tmp_path, 1)
    finally:
        assistant.close()
    assert result.intent == "reply"
    assert "loud and clear" in result.answer
    [sent] = fleet_server.requests[before:]
    assert sent["messages"][0] == {"role": "system", "content": REPLY_SYSTEM}
    assert sent["messages"][1:3] == [
        {"role": "user", "content": REPLY_EXAMPLES[0][0]},
        {"role": "assistant", "content": REPLY_EXAMPLES[0][1]},
    ]
    assert sent["options"]["num_predict"] == assistant.config.llm.reply_max_tokens
    assert not sent.get("tools")
