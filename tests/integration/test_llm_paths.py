"""The LLM is asked only when the words cannot settle the answer, and its prompts stay evaluated.

With the real engines and the sample manuals: a reading that names its value and unit, an incident
whose severity is said, and plain small talk are answered without the tiny LLM (which takes
seconds on a busy device); a request the words leave open still asks it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from edge.assistant import Assistant
from edge.events import Message, TurnId
from edge.metrics import TurnTimer
from edge.responder import Part

pytestmark = pytest.mark.integration


@pytest.fixture
def llm_calls(fresh: Assistant, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request the LLM was asked to fill arguments for, or to reply to."""
    roles = fresh.roles
    assert roles is not None
    calls: list[str] = []
    extract, reply = roles.extract, roles.reply

    async def spy_extract(spec: Any, request: str, timer: TurnTimer) -> dict[str, Any]:
        calls.append(request)
        return await extract(spec, request, timer)

    def spy_reply(request: str, history: Any, timer: TurnTimer) -> Any:
        calls.append(request)
        return reply(request, history, timer)

    monkeypatch.setattr(roles, "extract", spy_extract)
    monkeypatch.setattr(roles, "reply", spy_reply)
    return calls


def parts(assistant: Assistant, text: str, turn: int) -> tuple[list[Part], TurnTimer]:
    assert assistant.responder is not None
    timer = TurnTimer(turn)

    async def go() -> list[Part]:
        return [p async for p in assistant.responder.respond(text, TurnId(turn), timer)]

    return asyncio.run(go()), timer


def answer(assistant: Assistant, text: str, turn: int) -> tuple[list[str], TurnTimer]:
    said, timer = parts(assistant, text, turn)
    return [p.text for p in said if p.text and p.kind != "filler"], timer


def fillers(said: list[Part]) -> list[str]:
    return [p.text for p in said if p.kind == "filler"]


def test_a_reading_the_words_settle_warns_without_the_llm(
    fresh: Assistant, llm_calls: list[str]
) -> None:
    said, timer = answer(fresh, "Gearbox oil sump temperature is 92 degrees.", 31)
    assert said[0].startswith("Warning: gearbox oil sump temperature 92 degrees"), said
    assert said[1] == "Logged a high severity incident.", said
    assert llm_calls == [] and "llm_skipped" in timer.marks


def test_an_incident_with_its_severity_said_is_logged_without_the_llm(
    fresh: Assistant, llm_calls: list[str]
) -> None:
    said, _ = parts(fresh, "Log a low severity incident: a cable tray cover is loose.", 32)
    assert said[-1].text.startswith("Logged a low severity incident"), said
    assert llm_calls == []
    # Stored and confirmed in milliseconds: "Logging that." would only delay the confirmation.
    assert fillers(said) == []


def test_small_talk_is_answered_without_the_llm(fresh: Assistant, llm_calls: list[str]) -> None:
    said, _ = answer(fresh, "Thank you.", 33)
    assert said == ["You're welcome."] and llm_calls == []


def test_the_llm_still_fills_what_the_words_leave_open(
    fresh: Assistant, llm_calls: list[str]
) -> None:
    # No severity said: the LLM judges it (danger words only back it up).
    said, _ = parts(fresh, "Log an incident: smoke coming out of the converter cabinet.", 34)
    assert llm_calls == ["Log an incident: smoke coming out of the converter cabinet."]
    assert said[-1].text.startswith("Logged a"), said
    assert fillers(said) == ["Logging that."]  # the LLM takes its time: the filler covers it


def test_the_prompt_prefixes_stay_evaluated_across_turns(fresh: Assistant) -> None:
    # llama-cpp-python's own cache saved every completion and evicted the oldest: after a few
    # turns the warmed system prompts were gone. The pinned cache keeps exactly those.
    llm: Any = fresh.llm
    cache = llm._llm.cache
    pinned = set(cache.cache_state)
    assert len(pinned) == 2  # replies and log_incident_report (readings never ask the LLM)
    roles = fresh.roles
    assert roles is not None

    async def chat() -> None:
        for text in ("Hello there, how is the weather?", "Tell me a joke.", "What's up?"):
            stream = roles.reply(text, [Message("user", "hi")], TurnTimer(0))
            async for _ in stream:
                pass

    asyncio.run(chat())
    assert set(cache.cache_state) == pinned
