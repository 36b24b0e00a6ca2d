"""Speak a question list (TOML) into WAV files: the demo's and the benchmarks' microphone input.

Usage: ``python scripts/speak_questions.py [QUESTIONS.toml] [-o OUT_DIR] [--voice piper]``

Each ``[[question]]`` needs ``text`` and may give ``name`` (the WAV's stem; default: its number).
The speech is made on this machine by piper (or ``espeak:<voice>`` with espeak-ng), never
downloaded, at 16 kHz mono like a microphone.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge.voices import speak_to_file  # noqa: E402

DEFAULT_QUESTIONS = ROOT / "samples" / "questions" / "demo.toml"
DEFAULT_OUT = ROOT / "out" / "demo" / "questions"


def main(argv: list[str] | None = None) -> int:
    """Write one WAV per question; print each path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--voice", default="piper", help="piper or espeak:<voice>")
    args = parser.parse_args(argv)
    try:
        questions = tomllib.loads(args.questions.read_text())["question"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as err:
        print(f"error: cannot read questions from {args.questions}: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for number, question in enumerate(questions, start=1):
        stem = _safe_stem(str(question.get("name") or f"{number:02d}"))
        path = speak_to_file(question["text"], args.out / f"{stem}.wav", args.voice)
        print(f"{path}: {question['text']}")
    return 0


def _safe_stem(name: str) -> str:
    # Names become file names: keep them to one harmless path component.
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-") or "question"


if __name__ == "__main__":
    sys.exit(main())
