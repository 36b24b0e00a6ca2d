"""How whisper hears control words ("stop", "next", "never mind" ...) in the repo's voices.

Usage: ``python scripts/measure_controls.py [--state DIR] [-o out/controls.json]``

Each phrase is spoken by every voice (piper and espeak-ng accents, faster and slower), padded with
silence as a push-to-talk capture would be, and transcribed by the configured STT engine with the
manuals' glossary prompt, as the live path does. Voices are split: the *dev* voices' spellings are
what ``edge/dialogue/control.py`` lists as mishearings; the *held-out* voices are only ever
measured, and their figures are the result. Short requests that are not control words are measured
too: taking one of them for a command is a false alarm.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Final

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge.dialogue.control import Command, parse  # noqa: E402

PHRASES: Final[tuple[tuple[str, Command | None], ...]] = (
    ("Stop.", Command.STOP),
    ("Stop talking.", Command.STOP),
    ("Quiet.", Command.STOP),
    ("Stop, stop.", Command.STOP),
    ("Cancel.", Command.CANCEL),
    ("Never mind.", Command.CANCEL),
    ("Repeat.", Command.REPEAT),
    ("Say that again.", Command.REPEAT),
    ("Slower.", Command.SLOWER),
    ("Next.", Command.NEXT),
    ("Next step.", Command.NEXT),
    ("OK, done.", Command.NEXT),
    ("What is the next step?", Command.NEXT),
    ("Back.", Command.BACK),
    ("Go back.", Command.BACK),
    ("Go to step five.", Command.GOTO),
    ("Step three.", Command.GOTO),
    ("What step am I on?", Command.WHERE),
    ("How many left?", Command.LEFT),
    ("Read all.", Command.READ_ALL),
    ("More.", Command.MORE),
    ("Details.", Command.MORE),
    ("Why?", Command.WHY),
    ("Source?", Command.SOURCE),
    ("Yes.", Command.YES),
    ("Yes, correct.", Command.YES),
    ("No.", Command.NO),
    ("No, that's wrong.", Command.NO),
    # requests that are no control word
    ("Hello.", None),
    ("Thank you.", None),
    ("Gearbox.", None),
    ("Stop the turbine.", None),
    ("What about the M20?", None),
    ("In foot-pounds?", None),
    ("Oil level?", None),
    ("Yaw brake pressure.", None),
    ("Why is the brake slipping?", None),
    ("Next to the hatch?", None),
)
VOICES: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "dev": (
        ("piper", 1.0),
        ("piper", 1.25),
        ("espeak:en-us", 1.0),
        ("espeak:en-gb", 1.0),
        ("espeak:en-us+f3", 1.1),
    ),
    "held-out": (
        ("piper", 0.85),
        ("espeak:en-gb-scotland", 1.0),
        ("espeak:en-029", 1.0),
        ("espeak:en-gb-x-rp+m3", 0.9),
        ("espeak:en-us+f2", 1.3),
    ),
}


def measure(state: Path | None) -> list[dict[str, Any]]:
    """Speak and transcribe every phrase in every voice; one row per rendering."""
    from edge.config import load_config
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.models import ModelStore
    from edge.voices import speak

    overrides = {"device.state_dir": str(state)} if state else {}
    config = load_config(overrides=overrides)
    stt = load_engine(
        "stt",
        config.stt.engine,
        config.stt.options,
        EngineContext(ModelStore(config.device.state_dir / "models")),
    )
    prompt = _glossary(config)
    rows: list[dict[str, Any]] = []
    for split, voices in VOICES.items():
        for voice, speed in voices:
            for text, command in PHRASES:
                audio = speak(text, voice, speed=speed).astype(np.float32) / 32768.0
                pad = np.zeros(8000, dtype=np.float32)  # 0.5 s of pre-roll, as after a press
                heard = stt.transcribe(np.concatenate([pad, audio, pad[:4000]]), prompt=prompt)
                rows.append(
                    {
                        "split": split,
                        "voice": f"{voice}@{speed:g}",
                        "said": text,
                        "command": command.value if command else None,
                        "heard": heard.text,
                    }
                )
                print(f"{split:8} {voice}@{speed:g}: {text!r} -> {heard.text!r}", flush=True)
    return rows


def _glossary(config: Any) -> str | None:
    if not config.knowledge_db.is_file():
        print("no manuals database: measuring without the glossary prompt", file=sys.stderr)
        return None
    from edge.knowledge import Knowledge
    from edge.knowledge.embedding import configured_embedder

    embedder = configured_embedder(config, config.device.state_dir / "models")
    knowledge = Knowledge.open(config.knowledge_db, embedder)
    try:
        return knowledge.glossary()
    finally:
        knowledge.close()


def evaluate(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per split: controls heard as what was meant, heard verbatim, missed, false alarms."""
    out: dict[str, dict[str, Any]] = {}
    for split in VOICES:
        mine = [r for r in rows if r["split"] == split]
        controls = [r for r in mine if r["command"]]
        others = [r for r in mine if not r["command"]]
        right = [r for r in controls if _parsed(r["heard"]) == r["command"]]
        verbatim = [r for r in controls if _plain(r["heard"]) == _plain(r["said"])]
        alarms = [r for r in others if _parsed(r["heard"]) is not None]
        missed = Counter(
            f"{r['said']} -> {r['heard']}" for r in controls if _parsed(r["heard"]) != r["command"]
        )
        out[split] = {
            "controls": len(controls),
            "recognised": len(right),
            "recognised_rate": round(len(right) / max(1, len(controls)), 3),
            "transcribed_verbatim": len(verbatim),
            "requests": len(others),
            "false_alarms": len(alarms),
            "false_alarm_examples": [f"{r['said']} -> {r['heard']}" for r in alarms],
            "missed": dict(missed.most_common()),
        }
    return out


def _parsed(heard: str) -> str | None:
    control = parse(heard, set(Command))
    return control.command.value if control and not control.rest else None


def _plain(text: str) -> str:
    from edge.dialogue.control import normalize

    return normalize(text)


def main(argv: list[str] | None = None) -> int:
    """Measure (or re-evaluate ``--rows``) and print the figures per split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, help="state folder with the manuals database")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "out" / "controls.json")
    parser.add_argument("--rows", type=Path, help="evaluate these measured rows again")
    args = parser.parse_args(argv)
    rows = json.loads(args.rows.read_text())["rows"] if args.rows else measure(args.state)
    figures = evaluate(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "figures": figures}, indent=1))
    for split, f in figures.items():
        print(
            f"\n{split}: {f['recognised']}/{f['controls']} control words recognised "
            f"({f['transcribed_verbatim']} transcribed verbatim), "
            f"{f['false_alarms']}/{f['requests']} requests taken for a control word"
        )
        for miss, n in f["missed"].items():
            print(f"  missed x{n}: {miss}")
        for alarm in f["false_alarm_examples"]:
            print(f"  false alarm: {alarm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
