"""An incident is durable the moment its intent is decided, and the technician always hears of it.

The fault probe's cases, with the real engines and the sample manuals: the turn is cut while the
LLM is still filling the incident's arguments (a new push-to-talk press, a barge-in, SIGTERM), and
the incident must still be stored, and "Logged ..." said in the next turn or at the next idle
moment. The argument extraction is slowed where a test needs the cut to land inside it (a loaded
device takes seconds there); everything else is the real path.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edge.assistant import Assistant
from edge.audio.sim import Script
from edge.config import Config
from edge.events import TurnId
from edge.metrics import TurnTimer
from edge.report.outbox import Outbox
from edge.report.service import outbox_path
from edge.responder import Part
from edge.scenario import run_scenario
from edge.tools.incident import ASK_DESCRIPTION
from edge.voices import speak, speak_to_file
from tests.text import words

pytestmark = pytest.mark.integration

INCIDENT = "Log a high severity incident: oil leak at the gearbox."
HOT_BEARING = "Generator drive end bearing is at 104 degrees Celsius."
# The shared reporter stores a request repeated within one turn once (an LLM calling the tool
# twice): every test below asks in turns, or with words, of its own.


def pending(config: Config) -> int:
    outbox = Outbox(outbox_path(config))
    try:
        return outbox.counts().pending
    finally:
        outbox.close()


class SlowExtraction(list[str]):
    """The requests whose arguments the (slowed) LLM was asked to fill, in order."""

    started: asyncio.Event | None = None
    """Set when an extraction begins (made on the running loop by :func:`cut_during`)."""


@pytest.fixture
def slow_extraction(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> SlowExtraction:
    """The LLM takes 2 s more to fill arguments, as on a device under load.

    The words of these requests settle their arguments without the LLM; here they are taken not
    to, so that the cut lands while the LLM is filling them.
    """
    assert assistant.roles is not None
    monkeypatch.setattr("edge.tools.runner.from_words", lambda tool, request: None)
    extract = assistant.roles.extract
    calls = SlowExtraction()

    async def slow(spec: Any, request: str, timer: TurnTimer) -> dict[str, Any]:
        calls.append(request)
        if calls.started is not None:
            calls.started.set()
        await asyncio.sleep(2.0)
        return await extract(spec, request, timer)

    monkeypatch.setattr(assistant.roles, "extract", slow)
    return calls


async def consume(parts: AsyncIterator[Part], got: list[Part]) -> None:
    async for part in parts:
        got.append(part)


async def cut_after(parts: AsyncIterator[Part], seconds: float) -> list[Part]:
    """Consume an answer as a turn would, and cut it (cancel) after ``seconds``."""
    got: list[Part] = []
    task = asyncio.ensure_future(consume(parts, got))
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return got


async def cut_during(parts: AsyncIterator[Part], extraction: SlowExtraction) -> list[Part]:
    """Consume an answer and cut it the moment the LLM starts filling the arguments."""
    extraction.started = asyncio.Event()
    got: list[Part] = []
    task = asyncio.ensure_future(consume(parts, got))
    started = asyncio.ensure_future(extraction.started.wait())
    await asyncio.wait([task, started], return_when=asyncio.FIRST_COMPLETED)
    for waiting in (task, started):
        waiting.cancel()
    await asyncio.gather(task, started, return_exceptions=True)
    return got


async def answer(assistant: Assistant, text: str, turn: int) -> list[Part]:
    assert assistant.responder is not None
    timer = TurnTimer(turn)
    return [p async for p in assistant.responder.respond(text, TurnId(turn), timer)]


def test_turn_cut_while_the_llm_fills_arguments_still_stores_and_says_it_next_turn(
    config: Config, fresh: Assistant, slow_extraction: SlowExtraction
) -> None:
    responder = fresh.responder
    assert responder is not None
    before = pending(config)

    async def scenario() -> tuple[list[Part], list[Part]]:
        cut = await cut_during(
            responder.respond(INCIDENT, TurnId(11), TurnTimer(11)), slow_extraction
        )
        assert slow_extraction == [INCIDENT]  # the cut landed during the extraction
        assert await responder.shielded.wait(limit_s=120.0)  # what SIGTERM's shutdown waits on
        return cut, await answer(fresh, "What is the yaw brake pressure?", 13)

    cut, next_turn = asyncio.run(scenario())
    assert not any(p.notice for p in cut)
    assert pending(config) == before + 1
    said = [p.text for p in next_turn if p.kind == "sentence"]
    assert said[0].startswith("Logged a high severity incident"), said
    assert next_turn[0].notice is not None
    assert len(fresh.notices) == 1  # due until a turn has played it to the end


def test_reading_cut_while_its_incident_is_stored_still_stores_and_says_it_next_turn(
    config: Config, fresh: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading needs no LLM: the cut lands while its incident is being written (slowed)."""
    responder = fresh.responder
    tool = fresh.toolbox.get("check_reading")
    assert responder is not None and tool is not None
    reporter = tool._reporter  # type: ignore[attr-defined]
    storing = asyncio.Event()

    class SlowReporter:
        async def report(self, draft: Any) -> Any:
            storing.set()
            await asyncio.sleep(1.0)
            return await reporter.report(draft)

    monkeypatch.setattr(tool, "_reporter", SlowReporter())
    before = pending(config)

    async def scenario() -> tuple[list[Part], list[Part]]:
        got: list[Part] = []
        task = asyncio.ensure_future(
            consume(responder.respond(HOT_BEARING, TurnId(12), TurnTimer(12)), got)
        )
        waiting = asyncio.ensure_future(storing.wait())
        await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
        assert storing.is_set(), got  # the cut lands while the incident is being stored
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert await responder.shielded.wait(limit_s=120.0)
        return got, await answer(fresh, "What is the yaw brake pressure?", 14)

    cut, next_turn = asyncio.run(scenario())
    assert pending(config) == before + 1
    said = [p.text for p in next_turn if p.kind == "sentence"]
    heard = [p.text for p in cut if p.kind == "sentence"]
    # The warning was due at once; whatever of it this cut turn did not play to the end is said
    # again, and "Logged ..." follows once the incident is stored.
    assert any(s.startswith("Logged a high severity incident") for s in said), said
    assert any("104" in s for s in heard + said), (heard, said)


def test_notice_is_delivered_only_once_played_to_the_end(
    config: Config, fresh: Assistant, slow_extraction: SlowExtraction
) -> None:
    from edge.audio.playback import PlaybackQueue
    from edge.audio.sinks import RecordingDevice
    from edge.turn import Turn

    responder = fresh.responder
    assert responder is not None

    def turn(turn_id: int, playback: PlaybackQueue) -> Turn:
        return Turn(
            TurnId(turn_id),
            tts=fresh.tts,
            tts_thread=fresh.threads["tts"],
            playback=playback,
            fillers=None,
            timer=TurnTimer(turn_id),
            notices=fresh.notices,
        )

    async def scenario() -> None:
        await cut_during(responder.respond(INCIDENT, TurnId(21), TurnTimer(21)), slow_extraction)
        assert await responder.shielded.wait(limit_s=120.0)
        assert len(fresh.notices) == 1
        # A turn cut before anything played: still due.
        quiet = PlaybackQueue(fresh.tts.rate)
        cut = turn(2, quiet)
        speaking = asyncio.ensure_future(cut.speak(responder.notices_due()))
        await asyncio.sleep(1.0)
        speaking.cancel()
        await asyncio.gather(speaking, return_exceptions=True)
        quiet.clear()
        cut.outcome(interrupted=True)
        assert len(fresh.notices) == 1
        # A turn that plays it to the end: delivered.
        queue = PlaybackQueue(fresh.tts.rate)
        whole = turn(3, queue)
        async with RecordingDevice(queue):
            await whole.speak(responder.notices_due())
        whole.outcome(interrupted=False)
        assert len(fresh.notices) == 0

    asyncio.run(scenario())


def test_no_incident_is_lost_whenever_the_turn_is_cut(config: Config, fresh: Assistant) -> None:
    """Cut points spread over the whole turn (routing, extraction, storing, speaking)."""
    responder = fresh.responder
    assert responder is not None
    before = pending(config)
    cuts = [0.0, *sorted(random.Random(7).uniform(0.0, 1.5) for _ in range(9))]

    async def scenario() -> None:
        for number, seconds in enumerate(cuts, start=1):
            text = f"Log a medium severity incident: cable tray {number} in the tower is loose."
            await cut_after(responder.respond(text, TurnId(number), TurnTimer(number)), seconds)
        assert await responder.shielded.wait(limit_s=120.0)

    asyncio.run(scenario())
    assert pending(config) == before + len(cuts)
    # No turn played them: the next answer starts with every one of them.
    parts = asyncio.run(answer(fresh, "What is the yaw brake pressure?", 99))
    logged = [p.text for p in parts if p.notice is not None]
    assert len(logged) == len(cuts), logged
    assert all(t.startswith("Logged a medium severity incident") for t in logged), logged


def test_push_to_talk_two_seconds_later_keeps_the_incident_and_says_logged(
    config: Config, fresh: Assistant, slow_extraction: SlowExtraction
) -> None:
    """The probe: the technician presses again about 2 s after asking for an incident."""
    before = pending(config)
    script = Script()
    script.silence(0.5)
    script.press()
    script.say(speak("Log a high severity incident: oil leak at the yaw drive."), label="incident")
    script.silence(0.25)
    script.release()
    script.silence(1.5)
    script.press()
    script.say(speak("What is the yaw brake pressure?"), label="question")
    script.silence(0.25)
    script.release()
    script.silence(12.0)
    ptt_only = replace(config, listen=replace(config.listen, triggers=("ptt",)))
    run = asyncio.run(run_scenario(ptt_only, fresh, script, limit_s=90))
    assert slow_extraction, "the incident was not routed to the incident tool"
    assert pending(config) == before + 1, [(t.transcript, t.heard) for t in run.turns]
    first, *later = run.turns
    assert first.interrupted and "Logged" not in first.heard
    # Said as soon as it is known: before the next answer, after it (stored meanwhile), or in a
    # turn of its own once the assistant is idle; and said once.
    told = [t.heard for t in later if "Logged a high severity incident" in t.heard]
    assert len(told) == 1, [t.heard for t in later]
    assert "pressure" in words(later[0].transcript)
    assert len(fresh.notices) == 0


def test_notice_left_by_an_empty_press_is_said_when_idle(
    config: Config, fresh: Assistant, slow_extraction: SlowExtraction
) -> None:
    """The new press says nothing: the assistant tells the outcome once it is idle."""
    script = Script()
    script.silence(0.5)
    script.press()
    script.say(speak("Log a high severity incident: grease leak at the main bearing."))
    script.silence(0.25)
    script.release()
    script.silence(1.0)
    script.press()
    script.silence(0.6)
    script.release()
    script.silence(12.0)
    ptt_only = replace(config, listen=replace(config.listen, triggers=("ptt",)))
    run = asyncio.run(run_scenario(ptt_only, fresh, script, limit_s=90))
    said = [t.heard for t in run.turns]
    assert said[1] == "Sorry, I didn't catch that."
    assert said[2].startswith("Logged a high severity incident"), said
    assert run.turns[2].transcript == ""  # a turn of its own, asked by nobody
    assert len(fresh.notices) == 0


@pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc")
def test_sigterm_just_after_the_request_was_heard_still_stores_it(tmp_path: Path) -> None:
    """The probe: `edge run` is stopped 0.2 s after it heard an incident request."""
    from tests.integration.knowledge_env import database_copy

    state = tmp_path / "state"
    database_copy("markdown", state / "manuals.db")
    wav = speak_to_file(INCIDENT, tmp_path / "incident.wav")
    env = {
        **os.environ,
        "EDGE_DEVICE__STATE_DIR": str(state),
        "EDGE_REPORT__ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "edge", "run", "--source", str(wav), "--keep-open", "--speed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 180
    for line in proc.stdout:
        lines.append(line)
        if "heard:" in line or time.monotonic() > deadline:
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, "".join(lines) + out
    outbox = Outbox(state / "outbox.db")
    try:
        rows = outbox.rows("pending")
    finally:
        outbox.close()
    assert len(rows) == 1, "".join(lines) + out
    assert rows[0].severity == "high" and "gearbox" in rows[0].summary.lower()


def test_a_read_back_nobody_heard_survives_never_mind_and_is_asked_again(
    config: Config, fresh: Assistant
) -> None:
    """Doubtful words hold an incident for a yes; "never mind" over the question keeps it."""
    from edge.hearing.bias import Heard

    responder = fresh.responder
    assert responder is not None
    fresh.start_afresh()
    before = pending(config)
    text = "Log a high severity incident: grease on the yaw ring walkway."
    unsure = Heard(text, text, confidence=0.3)

    async def scenario() -> tuple[list[str], list[str]]:
        parts = [p async for p in responder.respond(text, TurnId(41), TurnTimer(41), heard=unsure)]
        asked = [p.text for p in parts if p.kind == "sentence"]
        assert asked == ["Log a high severity incident: grease on the yaw ring walkway?"], asked
        # No turn played it to the end: "never mind" cut it unheard.
        quiet = await answer(fresh, "Never mind.", 42)
        assert not [p for p in quiet if p.text], quiet  # an earcon at most
        again = await answer(fresh, "What is the yaw brake pressure?", 43)
        confirmed = await answer(fresh, "Yes.", 44)
        return [p.text for p in again if p.kind == "sentence"], [
            p.text for p in confirmed if p.kind == "sentence"
        ]

    again, confirmed = asyncio.run(scenario())
    assert again[0] == "Log a high severity incident: grease on the yaw ring walkway?", again
    assert any("bar" in s for s in again[1:]), again  # then the answer asked for
    assert confirmed[0].startswith("Logged a high severity incident"), confirmed
    assert pending(config) == before + 1


def test_the_command_alone_starts_nothing_so_the_words_that_follow_may_join_it(
    config: Config, fresh: Assistant
) -> None:
    # "Log a high severity incident." then a pause: nothing can be filed without what happened,
    # so the turn may be taken back when the technician goes on ("... oil leak at the gearbox").
    responder = fresh.responder
    assert responder is not None
    before = pending(config)
    command = "Log a high severity incident."

    async def scenario() -> tuple[list[Part], bool, bool]:
        alone = await answer(fresh, command, 21)
        alone_acts = responder.may_act(TurnId(21))
        await answer(fresh, f"{command} Oil leak at the gearbox.", 22)
        return alone, alone_acts, responder.may_act(TurnId(22))

    alone, alone_acts, whole_acts = asyncio.run(scenario())
    assert [p.text for p in alone if p.kind == "sentence"] == [ASK_DESCRIPTION]
    assert not any(p.kind == "filler" for p in alone)  # "Logging that." would be untrue
    assert not alone_acts and whole_acts
    assert pending(config) == before + 1  # the joined request, once


def test_what_happened_when_asked_completes_the_incident(config: Config, fresh: Assistant) -> None:
    fresh.start_afresh()
    before = pending(config)

    async def scenario() -> list[list[str]]:
        said = []
        for turn, text in enumerate(
            (
                "Log a high severity incident.",
                "Oil leak at the gearbox.",  # the answer to "What happened, and where?"
                "Log an incident.",
                "What is the yaw brake pressure?",  # a question: answered, nothing filed ...
                "Gearbox oil sump temperature is 60 degrees.",  # ... and the incident dropped
                "Log a low severity incident.",
                "Never mind.",
                "Loose cable tray at the tower base.",  # dropped above: not an incident now
            ),
            start=51,
        ):
            parts = await answer(fresh, text, turn)
            said.append([p.text for p in parts if p.kind == "sentence"])
            for notice in {p.notice for p in parts if p.notice is not None}:
                fresh.notices.delivered(notice, 99)  # played to the end: not said again
        return said

    said = asyncio.run(scenario())
    assert said[0] == [ASK_DESCRIPTION]
    assert said[1][0].startswith("Logged a high severity incident: oil leak at the gearbox"), said
    assert said[2] == [ASK_DESCRIPTION] and any("bar" in s for s in said[3]), said
    assert not any("Logged" in s for s in said[3] + said[4] + said[6] + said[7]), said
    assert pending(config) == before + 1
    outbox = Outbox(outbox_path(config))
    try:
        newest = outbox.rows("pending", limit=1)[0]
    finally:
        outbox.close()
    assert json.loads(newest.payload)["description"] == "Oil leak at the gearbox"
