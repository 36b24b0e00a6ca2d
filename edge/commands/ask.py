"""``edge ask``: answer spoken questions from WAV files, or typed ones (``--text``).

Typed questions go through the same responder as transcripts (router, semantic cache, tools,
conversation carried from one question to the next); an installer checks a newly ingested manual
with them, and the knowledge benchmark uses the same path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from edge.errors import AudioError, NoSpeechError
from edge.events import TurnId

_STAGES = (
    ("vad", "VAD"),
    ("stt", "STT final"),
    ("llm_first_token", "LLM first token"),
    ("llm_done", "LLM done"),
    ("tts_first_audio", "TTS first audio"),
    ("first_audio", "first audio"),
    ("total", "total"),
)


def register(sub: Any) -> None:
    """Add ``edge ask`` to the CLI."""
    parser = sub.add_parser("ask", help="answer spoken (WAV) or typed questions")
    parser.add_argument("questions", nargs="*", type=Path, help="WAV files, asked in order")
    parser.add_argument(
        "--text",
        action="append",
        default=[],
        metavar="QUESTION",
        help="a typed question (repeat for several, asked in order); no audio is made",
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--out", type=Path, help="reply WAV (one question only)")
    out.add_argument("--out-dir", type=Path, help="folder for <question>.reply.wav files")
    parser.add_argument("--json", action="store_true", help="one JSON object per question")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    if bool(args.questions) == bool(args.text):
        print("error: give WAV files or --text questions (one kind per run)", file=sys.stderr)
        return 2
    if args.text:
        if args.out is not None or args.out_dir is not None:
            print("error: --out and --out-dir are for WAV questions", file=sys.stderr)
            return 2
        if not all(q.strip() for q in args.text):
            print("error: --text needs a question", file=sys.stderr)
            return 2
        return asyncio.run(_ask_typed(args))
    if args.out is not None and len(args.questions) != 1:
        print("error: --out takes one question; use --out-dir for several", file=sys.stderr)
        return 2
    return asyncio.run(_ask_all(args))


async def _ask_all(args: argparse.Namespace) -> int:
    from edge.assistant import load_assistant
    from edge.cli import config_from_args
    from edge.oneshot import ask_file, save_reply
    from edge.report.service import open_reporting
    from edge.toolset import default_tools

    config = config_from_args(args)
    # Incidents asked for here go to the durable outbox; the daemon delivers them.
    _, reporter = open_reporting(config, status=False)
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    if not args.json:
        print(f"models loaded in {assistant.load_seconds['total']:.2f} s")
    failures = 0
    try:
        for number, path in enumerate(args.questions, start=1):
            try:
                result = await ask_file(assistant, path, TurnId(number))
            except (AudioError, NoSpeechError) as err:
                failures += 1
                _report_failure(path, err, args.json)
                continue
            out = args.out or (args.out_dir or path.parent) / f"{path.stem}.reply.wav"
            save_reply(result, out)
            _report(path, out, result, args.json)
    finally:
        await assistant.toolbox.close()  # e.g. an out-of-range reading's incident being stored
        assistant.close()
    return 1 if failures else 0


async def _ask_typed(args: argparse.Namespace) -> int:
    from edge.assistant import load_assistant
    from edge.cli import config_from_args
    from edge.oneshot import ask_text
    from edge.report.service import open_reporting
    from edge.toolset import default_tools

    config = config_from_args(args)
    _, reporter = open_reporting(config, status=False)
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    if assistant.knowledge is None and not args.json:
        print("no manuals are ingested yet: run `edge ingest PATH` first", file=sys.stderr)
    try:
        for number, question in enumerate(args.text, start=1):
            answer = await ask_text(assistant, question, TurnId(number))
            if args.json:
                print(json.dumps(typed_row(answer), default=str), flush=True)
            else:
                print(f"\nQ: {answer.question}\nA: {answer.answer}", flush=True)
                for line in citations(answer.sources):
                    print(f"   {line}")
    finally:
        await assistant.toolbox.close()
        assistant.close()
    return 0


def citations(sources: Any) -> list[str]:
    """One line per source: document, section and page."""
    lines = []
    for source in sources:
        line = f"source: {source.document}"
        line += f", {source.section}" if source.section else ""
        lines.append(line + (f", page {source.page}" if source.page else ""))
    return lines


def typed_row(answer: Any) -> dict[str, Any]:
    """The JSON object printed for a typed question."""
    result = answer.result
    return {
        "question": answer.question,
        "answer": answer.answer,
        "intent": answer.intent,
        "ok": result.ok if result is not None else None,
        "urgent": result.urgent if result is not None else False,
        "sources": [
            {"document": s.document, "section": s.section, "page": s.page} for s in answer.sources
        ],
        "data": dict(result.data) if result is not None else {},
        "seconds": round(answer.seconds, 3),
    }


def _report(path: Path, out: Path, result: Any, as_json: bool) -> None:
    if as_json:
        row = {
            "question": str(path),
            "reply": str(out),
            "transcript": result.transcript,
            "answer": result.answer,
            "intent": result.intent,
            "citation": result.citation,
            "timings_s": result.timings,
        }
        print(json.dumps(row), flush=True)
        return
    print(f"\n{path.name}")
    print(f"  heard:  {result.transcript}")
    print(f"  answer: {result.answer}")
    if result.citation:
        print(f"  source: {result.citation.removeprefix('Source: ')}")
    print(f"  reply:  {out} ({len(result.reply) / result.rate:.1f} s of speech)")
    shown = [
        f"{label} {result.timings[key] * 1000:.0f} ms"
        for key, label in _STAGES
        if key in result.timings
    ]
    if "llm_first_token" not in result.timings:
        shown.insert(2, "LLM not needed")
    print(f"  times:  {', '.join(shown)}", flush=True)


def _report_failure(path: Path, err: AudioError | NoSpeechError, as_json: bool) -> None:
    if as_json:
        row = {"question": str(path), "error": err.code, "message": err.message, "fix": err.fix}
        print(json.dumps(row), flush=True)
    else:
        print(f"\n{path.name}\n  {err.message}" + (f" (fix: {err.fix})" if err.fix else ""))
