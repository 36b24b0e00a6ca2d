"""Incident turns cut at random points: none may be lost.

The real assistant (sample manuals, the default engines, the outbox on disk, no broker) answers
100 requests that raise an incident: 50 spoken incident reports and 50 out-of-range readings.
Each turn is cut (cancelled, as a barge-in, a new push-to-talk press or SIGTERM cuts it) at a
random moment within the time an uncut turn takes here (measured first): before routing, while
the arguments are read, while the incident is written, while the answer is made. Then the side
effects still running are awaited, as the daemon's shutdown does. Reported: incidents stored
against requests made (lost must be 0), and how many turns had ended before their cut.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path
from typing import Any

from bench.common import ingest_manuals, summary, table
from edge.assistant import Assistant, load_assistant
from edge.config import load_config
from edge.events import TurnId
from edge.metrics import TurnTimer
from edge.report.outbox import Outbox
from edge.report.service import ReportingService, outbox_path

TURNS = 100
SEED = 15


def run(out_dir: Path) -> dict[str, Any]:
    """Cut 100 incident turns at random points and count what was stored."""
    return asyncio.run(_bench(out_dir))


async def _bench(out_dir: Path) -> dict[str, Any]:
    state = out_dir / "interrupted-state"
    config = load_config(env={}, overrides={"device.state_dir": str(state)})
    ingest_manuals(config, strict=False)
    from edge.toolset import default_tools

    reporter = ReportingService(config, status=False).reporter
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    try:
        # An uncut turn of each kind (not counted): how long a turn takes on this machine.
        whole = [await _timed(assistant, _request(n), 1000 + n) for n in (1, 2)]
        within = max(whole)
        before = _pending(config)
        chance = random.Random(SEED)
        cuts = [chance.uniform(0.0, within) for _ in range(TURNS)]
        said_in_full = 0
        for number, cut_s in enumerate(cuts, start=1):
            if await _cut_turn(assistant, _request(number), number, cut_s):
                said_in_full += 1
        responder = assistant.responder
        assert responder is not None
        finished = await responder.shielded.wait(limit_s=300.0)
    finally:
        await assistant.toolbox.close()
        assistant.close()
    stored = _pending(config) - before
    result = {
        "turns": TURNS,
        "uncut_turn_s": whole,
        "cut_s": summary(cuts),
        "stored": stored,
        "lost": TURNS - stored,
        "side_effects_finished": finished,
        "answered_before_the_cut": said_in_full,
        "load_average": os.getloadavg(),
    }
    print(
        table(
            [[TURNS, stored, TURNS - stored, said_in_full]],
            ["cut turns", "stored", "lost", "answered before the cut"],
        )
    )
    return result


def _request(number: int) -> str:
    if number % 2:
        return f"Log a medium severity incident: cable tray {number} in the tower is loose."
    return f"Gearbox oil sump temperature is {86 + number % 40} degrees."


async def _timed(assistant: Assistant, text: str, number: int) -> float:
    started = time.perf_counter()
    await _cut_turn(assistant, text, number, 600.0)
    return time.perf_counter() - started


async def _cut_turn(assistant: Assistant, text: str, number: int, cut_s: float) -> bool:
    """Answer ``text`` and cut the turn after ``cut_s``; True when it ended first."""
    responder = assistant.responder
    assert responder is not None
    assistant.conversation.clear()
    turn = TurnId(number)

    async def consume() -> None:
        async for _ in responder.respond(text, turn, TurnTimer(turn)):
            pass

    task = asyncio.ensure_future(consume())
    done, _ = await asyncio.wait([task], timeout=cut_s)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return bool(done)


def _pending(config: Any) -> int:
    outbox = Outbox(outbox_path(config))
    try:
        return outbox.counts().pending
    finally:
        outbox.close()
