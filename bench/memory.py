"""Memory: peak resident set size of each engine alone, and of the whole assistant with defaults.

Each measurement runs in a fresh Python process (``ru_maxrss`` only grows): the engine is loaded
from the manifest's models and used once (a decode, a completion, a sentence...), so the figure
holds what it allocates while working, not only its weights. ``python`` is the interpreter with
numpy and edge imported, the floor every row includes. ``assistant`` loads everything the daemon
loads with the default settings (the manuals, the router, warmed prompts, fillers) and answers a
manuals question, an out-of-range reading and a greeting: the daemon's working set. Target
(issue 15): at most 900 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from bench.common import table

TARGET_MB: Final = 900
_SPOKEN: Final = "What torque do the yaw brake caliper bolts need?"
_KINDS: Final = ("python", "vad", "turn", "wake", "stt", "llm", "tts", "embed", "assistant")

_PROBE: Final = r"""
import asyncio, json, resource, sys
import numpy as np
kind, state = sys.argv[1], sys.argv[2]
from edge.config import load_config
config = load_config(env={}, overrides={"device.state_dir": state})

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def use(kind, engine):
    from edge.events import Message
    from edge.voices import speak
    audio = speak(sys.argv[3]).astype(np.float32) / 32768
    if kind == "vad":
        for i in range(0, len(audio) - 512, 512):
            engine.speech_probability(audio[i : i + 512])
    elif kind == "turn":
        engine.end_probability(audio)
    elif kind == "wake":
        pcm = (audio * 32768).astype(np.int16)
        for i in range(0, len(pcm) - 1280, 1280):
            engine.scores(pcm[i : i + 1280])
    elif kind == "stt":
        engine.transcribe(audio)
    elif kind == "llm":
        list(engine.chat([Message("user", "Hello, can you hear me?")], max_tokens=16))
    elif kind == "tts":
        engine.synthesize("Caliper to yaw ring: torque 900 newton metres.")
    elif kind == "embed":
        engine.embed(["What torque do the yaw brake caliper bolts need?"] * 8)

if kind == "python":
    import edge.assistant  # noqa: F401
    from edge.voices import speak
    speak(sys.argv[3])
elif kind == "assistant":
    from edge.assistant import load_assistant
    from edge.events import TurnId
    from edge.metrics import TurnTimer
    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    async def main():
        reporter = ReportingService(config, status=False).reporter
        assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
        questions = (
            "What torque do the yaw brake caliper bolts need?",
            "Gearbox oil sump temperature is 92 degrees.",
            "Hello, can you hear me?",
        )
        for n, text in enumerate(questions):
            parts = assistant.responder.respond(text, TurnId(n + 1), TurnTimer(n + 1))
            async for part in parts:
                if part.kind != "filler":
                    await assistant.threads["tts"].run(assistant.tts.synthesize, part.text)
        await assistant.responder.shielded.wait(30)
        assistant.close()

    asyncio.run(main())
else:
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.models import ModelStore
    choice = getattr(config, kind)
    context = EngineContext(ModelStore(config.device.state_dir / "models"))
    engine = load_engine(kind, choice.engine, choice.options, context)
    use(kind, engine)
print(json.dumps({"peak_mb": peak_mb()}))
"""


def run(out_dir: Path) -> dict[str, Any]:
    """Measure every engine and the whole assistant, each in its own process."""
    from bench.common import ingest_manuals
    from edge.config import load_config

    state = out_dir / "latency-state"  # shares the latency benchmark's manuals
    ingest_manuals(load_config(env={}, overrides={"device.state_dir": str(state)}))
    from edge.voices import speak

    speak(_SPOKEN)  # rendered (with piper) here, so that each probe only reads the WAV
    peaks: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text(_PROBE, encoding="utf-8")
        for kind in _KINDS:
            done = subprocess.run(
                [sys.executable, str(probe), kind, str(state), _SPOKEN],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
            peaks[kind] = json.loads(lines[-1])["peak_mb"] if lines else None
            if not lines:
                print(f"{kind}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
    floor = peaks["python"] or 0.0
    rows = [
        (kind, _mb(mb), _mb(mb - floor if mb is not None and kind != "python" else None))
        for kind, mb in peaks.items()
    ]
    print(table(rows, ("process", "peak RSS", "above python")))
    whole = peaks["assistant"]
    met = whole is not None and whole <= TARGET_MB
    print(f"assistant peak RSS <= {TARGET_MB} MB: {'met' if met else 'MISSED'}")
    return {"peak_rss_mb": peaks, "target_mb": TARGET_MB, "assistant_under_target": met}


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"
