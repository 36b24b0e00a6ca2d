"""Replies from the LLM never state numbers, and are never empty."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from edge.aio import EngineThread
from edge.engines.base import TextDelta
from edge.llm_roles import NO_REPLY, LlmRoles
from edge.metrics import TurnTimer


class ScriptedLlm:
    """Says the given pieces of text, whatever it is asked."""

    def __init__(self, *pieces: str) -> None:
        self.pieces = pieces

    def chat(self, messages: Any, **_: Any) -> Iterator[TextDelta]:
        for piece in self.pieces:
            yield TextDelta(piece)


def reply(*pieces: str) -> str:
    async def run() -> str:
        roles = LlmRoles(ScriptedLlm(*pieces), EngineThread("llm"))  # type: ignore[arg-type]
        return "".join([t async for t in roles.reply("torque?", [], TurnTimer(1, "test"))])

    return asyncio.run(run())


def test_sentences_with_numbers_are_withheld() -> None:
    said = reply("Sure. ", "Use 450 N·m on those. ", "Check the manual first.")
    assert "450" not in said and "Sure." in said and "Check the manual first." in said


def test_a_reply_that_only_stated_numbers_becomes_a_plain_no() -> None:
    assert reply("It is 900 N·m.") == NO_REPLY
    assert reply("") == NO_REPLY


def test_a_looping_reply_is_said_once_and_cut_at_two_sentences() -> None:
    # SmolLM2-135M answered the demo's greeting with "I'm sorry, I'm not here." and then
    # "I'm not here." until its token limit.
    assert reply("I'm sorry. ", "I'm not here. ", "I'm not here. ", "I'm not here.") == (
        "I'm sorry. I'm not here. "
    )
    assert reply("Hello. ", "hello. ", "Yes, I hear you.") == "Hello. Yes, I hear you."
    assert reply("One. ", "Two. ", "Three. ", "Four.") == "One. Two. "
