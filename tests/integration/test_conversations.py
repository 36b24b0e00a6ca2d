"""The conversation suite: scripted talks through the live voice path, checked turn by turn.

Every conversation in ``samples/conversations.toml`` (procedures with next, back and questions in
between; stop in every state; follow-ups and topic changes; readings read back; incidents) is
spoken by piper or an espeak-ng voice, by push-to-talk or open mic, into the daemon's voice path
on a simulated room, with the real models. Each asserts what was said and not said, the
procedure's step after each turn, and the incidents stored. The room runs faster than real time;
the script waits on the assistant instead of fixed pauses, so a loaded machine only runs slower.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from edge.assistant import Assistant
from edge.config import Config
from edge.dialogue.rehearsal import ConversationSpec, incidents_stored, load, rehearse

pytestmark = pytest.mark.integration

CONVERSATIONS = load(Path(__file__).resolve().parents[2] / "samples" / "conversations.toml")


def test_the_suite_is_big_and_varied_enough() -> None:
    assert len(CONVERSATIONS) >= 30
    assert all(4 <= len(c.turns) <= 12 for c in CONVERSATIONS), [
        (c.name, len(c.turns)) for c in CONVERSATIONS if not 4 <= len(c.turns) <= 12
    ]
    assert {c.mode for c in CONVERSATIONS} == {"ptt", "open"}
    voices = {c.voice.split(":")[0] for c in CONVERSATIONS}
    assert voices == {"piper", "espeak"}


@pytest.mark.parametrize("spec", CONVERSATIONS, ids=[c.name for c in CONVERSATIONS])
def test_conversation(config: Config, assistant: Assistant, spec: ConversationSpec) -> None:
    outcome = asyncio.run(
        rehearse(config, assistant, spec, incidents=lambda: incidents_stored(config))
    )
    said = [
        f"{t.transcript!r} -> {h!r}" for t, h in zip(outcome.turns, outcome.heard, strict=False)
    ]
    assert outcome.passed, "\n".join([*outcome.failures, "--- the conversation:", *said])
