"""The latency budget of a voice turn, streaming against sequential, and barge-in reaction.

Every scenario is played into the live voice path in real time (a simulated room: the question as
a microphone track, the answer into a simulated loudspeaker). Reported, p50/p95:

- PTT release to first audio (any audio, fillers included) and to the first words of the answer;
- end of speech to first audio for open-mic turns, with the VAD hang-over shown separately;
- STT final latency (release or endpoint to final transcript), LLM first token, TTS first audio;
- barge-in reaction: from the technician's true speech onset (read off the script's audio) to the
  moment the loudspeaker fell silent (read off what it played), with echo and software AEC.

The same questions are then answered *sequentially* (full transcript, full answer, full synthesis,
then play) so the streaming gain is a ratio.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import ms, summary, table
from edge.assistant import Assistant, load_assistant
from edge.audio.sim import EchoPath, Script
from edge.config import Config, load_config
from edge.events import Int16Array, TurnId
from edge.metrics import TurnTimer
from edge.scenario import run_scenario
from edge.voices import speak

REPO = Path(__file__).resolve().parents[1]

SHORT = [
    "What torque do the M24 yaw brake caliper bolts need?",
    "What does fault code E-117 mean?",
    "What is the yaw brake pressure when the nacelle is parked?",
    "How much grease goes into the main bearing?",
    "What is the maximum gearbox oil temperature?",
    "Thanks, that's all for now.",
]
LONG = [
    "I am up in the nacelle now and the yaw system was making a grinding noise this morning, "
    "so before I start, what torque do the yaw brake caliper bolts need?",
    "The control room says the turbine tripped twice overnight with a converter fault, "
    "what does fault code E-117 mean and what should I check first?",
]
FOLLOW_UP = (
    "What is the torque for the gearbox torque arm bolts?",
    "And how often are they checked?",
)
INTERRUPT = "How do I lock out the turbine before work?"
INTERRUPT_AFTER_S = (2.5, 3.5, 4.5, 5.5, 6.5, 7.5)
BARGE_IN_WORDS = "Stop, what is the yaw brake pressure?"
OPEN_MIC = SHORT[:4]


def run(out_dir: Path) -> dict[str, Any]:
    """Run every scenario and return the figures."""
    return asyncio.run(_bench(out_dir))


async def _bench(out_dir: Path) -> dict[str, Any]:
    state = out_dir / "latency-state"
    config = load_config(env={}, overrides={"device.state_dir": str(state)})
    _ensure_manuals(config)
    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    reporter = ReportingService(config, status=False).reporter
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    ptt = replace(config, listen=replace(config.listen, triggers=("ptt",)))
    vad = replace(config, listen=replace(config.listen, triggers=("vad",)))
    rows: dict[str, list[float]] = {}
    try:
        for text in SHORT + LONG:
            await _ptt_turn(ptt, assistant, [text], rows)
        await _ptt_turn(ptt, assistant, list(FOLLOW_UP), rows)
        for text in OPEN_MIC:
            await _open_mic_turn(vad, assistant, text, rows)
        for after in INTERRUPT_AFTER_S:
            await _interruption(ptt, assistant, after, rows)
        sequential = [await _sequential(assistant, text) for text in SHORT + LONG]
    finally:
        assistant.close()
    rows["sequential_first_audio"] = sequential
    return _report(rows)


def _ensure_manuals(config: Config) -> None:
    if config.knowledge_db.is_file():
        return
    import subprocess
    import sys

    manuals = sorted((REPO / "samples" / "manuals").glob("*"))
    subprocess.run(
        [sys.executable, "-m", "edge", "ingest", *map(str, manuals)],
        check=True,
        env={**os.environ, "EDGE_DEVICE__STATE_DIR": str(config.device.state_dir)},
    )


def _record(rows: dict[str, list[float]], key: str, value: float | None) -> None:
    if value is not None:
        rows.setdefault(key, []).append(value)


async def _ptt_turn(
    config: Config, assistant: Assistant, texts: list[str], rows: dict[str, list[float]]
) -> None:
    assistant.conversation.clear()
    script = Script()
    script.silence(0.5)
    for text in texts:
        script.press()
        script.say(speak(text), label=text)
        script.silence(0.3)  # people let go of the button a moment after the last word
        script.release()
        script.silence(12.0)
    result = await run_scenario(config, assistant, script, limit_s=120)
    for turn in result.turns:
        t = turn.timings
        _record(rows, "ptt_release_to_first_audio", t.get("endpoint_to_first_audio"))
        _record(rows, "ptt_release_to_first_answer_audio", t.get("endpoint_to_first_answer_audio"))
        _record(rows, "stt_final", t.get("stt_final"))
        _record(rows, "llm_first_token", t.get("llm_first_token"))
        _record(rows, "tts_first_audio", t.get("tts_first_audio"))


async def _open_mic_turn(
    config: Config, assistant: Assistant, text: str, rows: dict[str, list[float]]
) -> None:
    assistant.conversation.clear()
    script = Script()
    script.silence(0.8)
    script.say(speak(text), label=text)
    script.silence(12.0)
    result = await run_scenario(config, assistant, script, limit_s=120)
    for turn in result.turns:
        _record(rows, "speech_end_to_first_audio", turn.timings.get("speech_end_to_first_audio"))
        _record(rows, "vad_hangover", turn.timings.get("vad_hangover"))
        _record(rows, "endpoint_to_first_audio", turn.timings.get("endpoint_to_first_audio"))


async def _interruption(
    config: Config, assistant: Assistant, after_s: float, rows: dict[str, list[float]]
) -> None:
    assistant.conversation.clear()
    script = Script()
    script.silence(0.5)
    script.press()
    script.say(speak(INTERRUPT))
    script.silence(0.3)
    script.release()
    script.silence(after_s)
    words = speak(BARGE_IN_WORDS)
    span = script.say(words)
    script.silence(8.0)
    result = await run_scenario(
        config, assistant, script, echo=EchoPath(gain_db=-6), noise_dbfs=-70
    )
    onset = span.start + _leading_silence(words, script.rate)
    assert result.played is not None
    stop = _silent_from(result.played, onset, script.rate)
    if result.barge_ins and stop is not None:
        _record(rows, "barge_in_reaction", stop - onset)
    rows.setdefault("barge_in_missed", []).append(0.0 if result.barge_ins else 1.0)


def _leading_silence(samples: Int16Array, rate: int, level: int = 500) -> float:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > level)
    return float(loud[0]) / rate if len(loud) else 0.0


def _silent_from(played: Int16Array, onset: float, rate: int, hold_s: float = 0.1) -> float | None:
    """Stream time after ``onset`` from which the loudspeaker stayed silent for ``hold_s``."""
    start = int(onset * rate)
    hop = int(0.004 * rate)
    quiet = 0
    for i in range(start, len(played) - hop, hop):
        if np.abs(played[i : i + hop].astype(np.int32)).max() < 100:
            quiet += hop
            if quiet >= hold_s * rate:
                return (i + hop - quiet) / rate
        else:
            quiet = 0
    return None


async def _sequential(assistant: Assistant, text: str) -> float:
    """Time to first audio without streaming: transcribe all, answer all, synthesize all."""
    assert assistant.responder is not None
    assistant.conversation.clear()
    audio = speak(text).astype(np.float32) / 32768.0
    started = time.perf_counter()
    transcript = (await assistant.threads["stt"].run(assistant.stt.transcribe, audio)).text
    timer = TurnTimer(0)
    parts = [p async for p in assistant.responder.respond(transcript, TurnId(0), timer)]
    answer = " ".join(p.text for p in parts if p.kind != "filler")
    from edge.sentences import SentenceSplitter

    splitter = SentenceSplitter()
    sentences = splitter.feed(answer) + splitter.flush()
    for sentence in sentences:
        await assistant.threads["tts"].run(assistant.tts.synthesize, sentence)
    return time.perf_counter() - started


def _report(rows: dict[str, list[float]]) -> dict[str, Any]:
    stats = {key: summary(values) for key, values in rows.items()}
    streaming = stats["ptt_release_to_first_audio"]["p50"]
    sequential = stats["sequential_first_audio"]["p50"]
    ratio = streaming / sequential if streaming and sequential else None
    missed = rows.get("barge_in_missed", [])
    header = ("stage", "p50", "p95", "n")
    order = [
        "ptt_release_to_first_audio",
        "ptt_release_to_first_answer_audio",
        "speech_end_to_first_audio",
        "vad_hangover",
        "endpoint_to_first_audio",
        "stt_final",
        "llm_first_token",
        "tts_first_audio",
        "barge_in_reaction",
        "sequential_first_audio",
    ]
    print(
        table(
            [
                (k, ms(stats[k]["p50"]), ms(stats[k]["p95"]), stats[k]["n"])
                for k in order
                if k in stats
            ],
            header,
        )
    )
    print(f"streaming / sequential time to first audio (p50): {ratio:.2f}" if ratio else "")
    print(f"barge-ins missed: {int(sum(missed))} of {len(missed)}")
    targets = {
        "ptt_release_to_first_audio_p50_under_350ms": bool(streaming and streaming < 0.35),
        "barge_in_reaction_p95_under_100ms": bool(
            stats.get("barge_in_reaction", {}).get("p95") is not None
            and stats["barge_in_reaction"]["p95"] < 0.1  # type: ignore[operator]
        ),
        "streaming_at_most_half_of_sequential": bool(ratio is not None and ratio <= 0.5),
    }
    print("targets:", ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items()))
    return {
        "stages_s": stats,
        "streaming_over_sequential": ratio,
        "targets": targets,
        "barge_ins_missed": int(sum(missed)),
        "question_sets": {"short": SHORT, "long": LONG},
    }
