"""Scripted conversations with what must (and must not) be heard, played through the live path.

A conversation (``samples/conversations.toml``) is a list of turns spoken by one voice (piper or
an espeak-ng voice), by push-to-talk or open mic, some barging in on the answer before them. Each
turn says what the answer must contain and must not, whether it is silent ("stop"), where the
procedure must be afterwards, and whether the warning came first; the conversation says how many
incidents it stores. :func:`rehearse` plays it into the daemon's voice path on a simulated room
(:mod:`edge.scenario`) and checks every expectation. The test suite and ``bench/dialogue.py``
both run them. Speech is made once by :func:`edge.voices.speak` and cached.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from edge.assistant import Assistant
from edge.audio.sim import EchoPath, Script
from edge.config import Config
from edge.dialogue.dialogue import Dialogue
from edge.dialogue.state import StateFile
from edge.events import TurnEnded
from edge.scenario import ScenarioRun, run_scenario
from edge.voices import speak

Mode = Literal["ptt", "open"]
SPEED: Final = 6.0
"""The simulated room runs this much faster than real time (the waits keep it right)."""
LEAD_S: Final = 0.5
"""Silence before the first turn (s)."""


@dataclass(frozen=True, slots=True)
class TurnSpec:
    """One scripted turn and what must come of it."""

    say: str
    """What the technician says."""
    heard: tuple[str, ...] = ()
    """Phrases the answer must contain (case and punctuation ignored); "a | b": either."""
    not_heard: tuple[str, ...] = ()
    """Phrases it must not contain."""
    silent: bool = False
    """Nothing at all may be said (the acknowledgement tick at most)."""
    during: float | None = None
    """Said this many seconds into the previous answer (a barge-in); None: after it."""
    by: Literal["voice", "press"] | None = None
    """How a barge-in starts: by voice, or by pressing push-to-talk (default: the mode's way)."""
    over: Literal["speaking", "filler"] = "speaking"
    """What ``during`` barges in on: the answer, or the filler played while it is prepared."""
    step: int | None = None
    """The procedure step afterwards (1-based); 0: no procedure open; None: not checked."""
    warning_first: bool = False
    """The first audio of the answer is the answer itself (no filler before a warning)."""


@dataclass(frozen=True, slots=True)
class ConversationSpec:
    """A scripted conversation."""

    name: str
    about: str
    mode: Mode
    voice: str
    turns: tuple[TurnSpec, ...]
    incidents: int = 0
    """Incidents the conversation stores."""
    echo: bool = False
    """The loudspeaker leaks into the microphone (edge's echo canceller must cope)."""
    restart_after: int | None = None
    """The daemon restarts after this many turns: the dialogue state is loaded from its file."""
    told_once: tuple[str, ...] = ()
    """Phrases heard exactly once in the whole conversation, whenever (an outcome told later)."""


@dataclass
class Outcome:
    """How a conversation went."""

    spec: ConversationSpec
    failures: list[str] = field(default_factory=list)
    turns: list[TurnEnded] = field(default_factory=list)
    """Spoken turns, in order (answers that were notices alone are folded into the turn before)."""
    heard: list[str] = field(default_factory=list)
    """What was heard after each scripted turn."""
    wall_s: float = 0.0

    @property
    def passed(self) -> bool:
        """Every expectation held."""
        return not self.failures


def load(path: Path) -> list[ConversationSpec]:
    """The conversations in a TOML file.

    Raises:
        ValueError: a conversation is malformed (the message names it).
    """
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = []
    for item in raw.get("conversation", []):
        name = str(item.get("name", "?"))
        try:
            turns = tuple(_turn(t) for t in item["turn"])
            mode = item.get("mode", "ptt")
            if mode not in ("ptt", "open"):
                raise ValueError(f"mode {mode!r} is not 'ptt' or 'open'")
            specs.append(
                ConversationSpec(
                    name=name,
                    about=str(item.get("about", "")),
                    mode=mode,
                    voice=str(item.get("voice", "piper")),
                    turns=turns,
                    incidents=int(item.get("incidents", 0)),
                    echo=bool(item.get("echo", False)),
                    restart_after=item.get("restart_after"),
                    told_once=tuple(item.get("told_once", ())),
                )
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"conversation {name!r}: {err}") from None
    return specs


def _turn(raw: dict[str, Any]) -> TurnSpec:
    known = set(TurnSpec.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"unknown turn keys {sorted(unknown)}")
    return TurnSpec(
        say=str(raw["say"]),
        heard=tuple(raw.get("heard", ())),
        not_heard=tuple(raw.get("not_heard", ())),
        silent=bool(raw.get("silent", False)),
        during=raw.get("during"),
        by=raw.get("by"),
        over=raw.get("over", "speaking"),
        step=raw.get("step"),
        warning_first=bool(raw.get("warning_first", False)),
    )


def script_for(spec: ConversationSpec, turns: tuple[TurnSpec, ...]) -> Script:
    """The microphone track of ``turns``: speech, presses and waits on the assistant."""
    script = Script()
    script.silence(LEAD_S)
    for number, turn in enumerate(turns):
        if number:
            if turn.during is not None:
                script.wait(turn.over, turn.during)
            else:
                script.wait("idle", 0.3)
        audio = speak(turn.say, spec.voice)
        by = turn.by or ("press" if spec.mode == "ptt" else "voice")
        if by == "press":
            script.press()
            script.say(audio, label=turn.say)
            script.silence(0.25)
            script.release()
        else:
            script.say(audio, label=turn.say)
            script.silence(0.3)
    script.wait("idle", 0.5)
    return script


def config_for(config: Config, spec: ConversationSpec) -> Config:
    """The settings a conversation runs under: its triggers, fewer interim decodes."""
    trigger: Literal["ptt", "vad"] = "ptt" if spec.mode == "ptt" else "vad"
    listen = replace(config.listen, triggers=(trigger,), echo_cancel="software")
    # Interim transcripts change nothing here and cost CPU the final decode needs.
    stt = replace(config.stt, interim_ms=5000)
    return replace(config, listen=listen, stt=stt)


async def rehearse(
    config: Config,
    assistant: Assistant,
    spec: ConversationSpec,
    *,
    incidents: Callable[[], int],
    speed: float = SPEED,
) -> Outcome:
    """Play ``spec`` through the live path and check it; ``incidents`` counts stored ones."""
    assert assistant.responder is not None
    started = time.perf_counter()
    assistant.start_afresh()
    before = incidents()
    outcome = Outcome(spec)
    cut = spec.restart_after or len(spec.turns)
    parts = [spec.turns[:cut], spec.turns[cut:]] if cut < len(spec.turns) else [spec.turns]
    steps: list[int] = []
    for index, turns in enumerate(parts):
        if index:
            _restart(config, assistant)
        run = await _play(config, assistant, spec, turns, speed, steps)
        _collect(outcome, run, turns)
    _check(outcome, steps, incidents() - before)
    outcome.wall_s = time.perf_counter() - started
    return outcome


def _restart(config: Config, assistant: Assistant) -> None:
    """The dialogue as a restarted daemon finds it: loaded from its state file."""
    assert assistant.responder is not None
    old = assistant.responder.dialogue
    fresh = Dialogue(old.settings, StateFile(config.dialogue_state), now=time.time())
    assistant.responder.dialogue = fresh
    assistant.conversation.clear()  # the history is in memory only; the dialogue was saved


async def _play(
    config: Config,
    assistant: Assistant,
    spec: ConversationSpec,
    turns: tuple[TurnSpec, ...],
    speed: float,
    steps: list[int],
) -> ScenarioRun:
    assert assistant.responder is not None
    responder = assistant.responder

    def observe(event: object) -> None:
        if isinstance(event, TurnEnded) and event.transcript:
            procedure = responder.dialogue.state.procedure
            steps.append(procedure.at + 1 if procedure is not None else 0)

    echo = EchoPath(gain_db=-12) if spec.echo else None
    return await run_scenario(
        config_for(config, spec),
        assistant,
        script_for(spec, turns),
        echo=echo,
        noise_dbfs=-70 if spec.echo else None,
        speed=speed,
        limit_s=600.0 + 60.0 * len(turns),
        observe=observe,
    )


def _collect(outcome: Outcome, run: ScenarioRun, turns: tuple[TurnSpec, ...]) -> None:
    for event in run.turns:
        if event.transcript:
            outcome.turns.append(event)
            outcome.heard.append(event.heard)
        elif outcome.heard:
            outcome.heard[-1] = f"{outcome.heard[-1]} {event.heard}".strip()  # a notice's turn


def _check(outcome: Outcome, steps: list[int], stored: int) -> None:
    spec = outcome.spec
    failures = outcome.failures
    if len(outcome.turns) != len(spec.turns):
        said = [t.transcript for t in outcome.turns]
        failures.append(f"{len(spec.turns)} turns scripted, {len(said)} heard: {said}")
    for number, (turn, event) in enumerate(zip(spec.turns, outcome.turns, strict=False), 1):
        heard = plain(outcome.heard[number - 1])
        where = f"turn {number} ({turn.say!r}, heard as {event.transcript!r})"
        for phrase in turn.heard:
            if not any(plain(either) in heard for either in phrase.split(" | ")):
                failures.append(f"{where}: {phrase!r} not in {outcome.heard[number - 1]!r}")
        for phrase in turn.not_heard:
            if plain(phrase) in heard:
                failures.append(f"{where}: {phrase!r} said: {outcome.heard[number - 1]!r}")
        if turn.silent and (event.heard or event.dropped):
            failures.append(f"{where}: should be silent, said {event.heard or event.dropped!r}")
        if turn.step is not None and number <= len(steps) and steps[number - 1] != turn.step:
            failures.append(f"{where}: procedure at step {steps[number - 1]}, not {turn.step}")
        if turn.warning_first:
            first = event.timings.get("endpoint_to_first_audio")
            answer = event.timings.get("endpoint_to_first_answer_audio")
            if first is None or answer is None or abs(first - answer) > 1e-6:
                failures.append(f"{where}: something played before the warning")
    everything = [plain(h) for h in outcome.heard]
    for phrase in spec.told_once:
        times = sum(h.count(plain(phrase)) for h in everything)
        if times != 1:
            failures.append(f"{phrase!r} told {times} times, not once")
    if stored != spec.incidents:
        failures.append(f"{stored} incidents stored, {spec.incidents} expected")


def incidents_stored(config: Config) -> int:
    """Incidents in the device's outbox, pending or sent (what a conversation stored adds to it)."""
    from edge.report.outbox import Outbox
    from edge.report.service import outbox_path

    outbox = Outbox(outbox_path(config))
    try:
        counts = outbox.counts()
        return counts.pending + counts.sent
    finally:
        outbox.close()


def plain(text: str) -> str:
    """Lower case, words and numbers only, single spaces ("Lockout/tagout" -> "lockout tagout")."""
    return " ".join(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower()))
