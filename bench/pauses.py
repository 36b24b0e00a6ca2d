"""Open-mic end of turn alone: mid-sentence pauses and hesitations cut, against the reply speed.

The two sides of one trade-off, taken from ``bench.latency`` (same scenarios, same helpers) so a
change to the endpoint can be tried in ~4 minutes instead of the full latency run: how many of the
paused and hesitant requests became two turns (target: at most 2 %), and the open-mic end of
speech to first answer audio p50 (target: at most 350 ms). For every paused scenario it prints
how each capture ended (the endpoint's reason), the end-of-turn model's verdict at each pause and
the transcripts, so a cut can be traced to the witness that ended the turn.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path
from typing import Any

from bench.common import ingest_manuals, ms, summary
from bench.latency import HESITANT, OPEN_MIC, PAUSED, PAUSES_S, _open_mic_turn, _paused_turn
from edge.assistant import load_assistant
from edge.config import load_config
from edge.events import CaptureEnded

_VERDICT = re.compile(r"End of turn (\d+): p=([\d.]+)")


class _Verdicts(logging.Handler):
    """Collects the end-of-turn model's verdicts (its debug log) for the scenario under way."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = _VERDICT.match(record.getMessage())
        if found:
            self.seen.append(f"{found[1]}:{float(found[2]):.2f}")


def run(out_dir: Path) -> dict[str, Any]:
    """Run the paused, hesitant and open-mic scenarios; return the figures."""
    return asyncio.run(_bench(out_dir))


async def _bench(out_dir: Path) -> dict[str, Any]:
    config = load_config(env={}, overrides={"device.state_dir": str(out_dir / "latency-state")})
    ingest_manuals(config)
    from dataclasses import replace

    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    reporter = ReportingService(config, status=False).reporter
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
    vad = replace(config, listen=replace(config.listen, triggers=("vad",)))
    verdicts = _Verdicts()
    judge_log = logging.getLogger("edge.turntaking.end_of_turn")
    judge_log.addHandler(verdicts)
    judge_log.setLevel(logging.DEBUG)
    rows: dict[str, list[float]] = {}
    scenarios: list[dict[str, Any]] = []
    try:
        requests = [(a, b, p) for a, b in PAUSED for p in PAUSES_S] + [
            (text, "", 0.0) for text in HESITANT
        ]
        for first, second, pause in requests:
            verdicts.seen.clear()
            result = await _paused_turn(vad, assistant, first, second, pause, rows)
            said = f"{first} ... {second}" if second else first
            seen = {
                "said": said,
                "pause_s": pause,
                "cut": bool(rows["mid_sentence_cut"][-1]),
                "ends": [e.reason for e in result.events if isinstance(e, CaptureEnded)],
                "turn_model": list(verdicts.seen),
                "transcripts": [t.transcript for t in result.turns if t.transcript],
                "taken_back_heard": [t.heard for t in result.turns if t.continued],
            }
            scenarios.append(seen)
            mark = "CUT" if seen["cut"] else "ok "
            print(
                f"{mark} {pause:.1f}s {said!r}: ends {seen['ends']} model {seen['turn_model']}"
                f" heard {seen['transcripts']} taken back {seen['taken_back_heard']}",
                flush=True,
            )
        for text in OPEN_MIC:
            await _open_mic_turn(vad, assistant, text, rows)
    finally:
        judge_log.removeHandler(verdicts)
        assistant.close()
    cuts = rows.get("mid_sentence_cut", [])
    open_mic = summary(rows.get("open_mic_speech_end_to_first_answer_audio", []))
    paused = summary(rows.get("paused:speech_end_to_first_answer_audio", []))
    taken_back = rows.get("mid_sentence_taken_back", [])
    print(f"mid-sentence pauses and hesitations cut: {int(sum(cuts))} of {len(cuts)}")
    print(f"... ended early but taken back (the technician went on): {int(sum(taken_back))}")
    print(f"open mic, end of speech -> first answer audio p50 {ms(open_mic['p50'])}")
    # Where the open-mic time goes: the VAD's hang-over (its end of speech to the endpoint) and
    # the endpoint to the first audio; the rest is the VAD hearing the speech end.
    hangover = summary(rows.get("vad_hangover", []))
    to_audio = summary(rows.get("endpoint_to_first_audio", []))
    print(
        f"... of which VAD hang-over p50 {ms(hangover['p50'])}, "
        f"endpoint -> first audio p50 {ms(to_audio['p50'])}"
    )
    print(f"paused requests, end of speech -> first answer audio p50 {ms(paused['p50'])}")
    return {
        "mid_sentence_cut": [int(sum(cuts)), len(cuts)],
        "mid_sentence_taken_back": int(sum(taken_back)),
        "open_mic_speech_end_to_first_answer_audio_s": open_mic,
        "open_mic_vad_hangover_s": hangover,
        "open_mic_endpoint_to_first_audio_s": to_audio,
        "paused_speech_end_to_first_answer_audio_s": paused,
        "scenarios": scenarios,
        "load_average": os.getloadavg(),
    }
