"""How long the assistant talks, and whether its conversations go as scripted.

Reply length: every sample question (``samples/questions/manual_qa.toml`` and ``demo.toml``) is
asked through the responder (router, tools, dialogue) as typed text, and its reply synthesized by
the configured voice: seconds of speech, median and max per kind of question, before (the manuals'
whole answer, as it was spoken until the dialogue presented it) and after (what is said now, and
the median if the short citation were spoken too, ``dialogue.citation = "short"``).
Targets: median <= 4 s for value questions, <= 8 s for the first step of a procedure, none over
20 s. The presentation was written against these samples, so the same is measured on the blind
test corpus (``samples/eval/test``, never tuned on), through the manuals and the presentation
only, with the share of answers that still say every expected value.

Conversation suite: every conversation of ``samples/conversations.toml`` played through the live
voice path (:mod:`edge.dialogue.rehearsal`); the pass rate and what failed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from bench.common import ingest_manuals, percentile, table
from edge.assistant import Assistant, load_assistant
from edge.config import Config, load_config
from edge.dialogue.present import present
from edge.dialogue.rehearsal import incidents_stored, plain, rehearse
from edge.dialogue.rehearsal import load as load_conversations
from edge.events import TurnId
from edge.knowledge.evaluate import Question, load_questions
from edge.metrics import TurnTimer

REPO: Final = Path(__file__).resolve().parents[1]
SAMPLES: Final = REPO / "samples"
HELD_OUT: Final = SAMPLES / "eval" / "test"
GROUPS: Final = {
    "torque": "value",
    "limits": "value",
    "limit": "value",
    "value-in-text": "value",
    "value": "value",
    "interval": "value",
    "quantity": "value",
    "part-number": "value",
    "procedure": "procedure (first step)",
    "fault-code": "fault code",
    "no-answer": "no answer",
}
"""Question kinds of the question sets -> the kinds reported."""
TARGETS: Final = {"value": 4.0, "procedure (first step)": 8.0}
LONGEST_S: Final = 20.0


def run(out_dir: Path) -> dict[str, Any]:
    """Measure reply lengths and run the conversation suite."""
    return asyncio.run(_bench(out_dir))


async def _bench(out_dir: Path) -> dict[str, Any]:
    config = load_config(env={}, overrides={"device.state_dir": str(out_dir / "dialogue-state")})
    ingest_manuals(config, strict=False)
    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    reporter = ReportingService(config, status=False).reporter
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    try:
        samples = await _sample_replies(assistant)
        suite = await _suite(config, assistant)
        held_out = await _held_out(assistant, out_dir)
    finally:
        await assistant.toolbox.close()
        assistant.close()
    result = {
        "reply_seconds": _by_kind(samples),
        "held_out_reply_seconds": _by_kind(held_out["rows"]) if held_out else None,
        "held_out_values_kept": held_out["values_kept"] if held_out else None,
        "conversations": suite,
        "samples": samples,
        "load_average": os.getloadavg(),
    }
    _print(result)
    return result


async def _sample_replies(assistant: Assistant) -> list[dict[str, Any]]:
    questions = load_questions(SAMPLES / "questions" / "manual_qa.toml")
    demo = load_questions(SAMPLES / "questions" / "demo.toml")
    rows = []
    for number, question in enumerate([*questions, *demo], start=1):
        kind = GROUPS.get(question.kind, question.kind or "demo")
        said, intent = await _ask(assistant, question.text, number)
        before = await _whole_answer(assistant, question)
        presented = assistant.responder.presented if assistant.responder else None
        short = presented.citation.short() if presented and presented.citation else ""
        rows.append(
            {
                "question": question.text,
                "kind": kind,
                "intent": intent,
                "said": said,
                "seconds": await _seconds(assistant, said),
                "before_seconds": await _seconds(assistant, before) if before else None,
                "short_citation_seconds": await _seconds(assistant, [short]) if short else 0.0,
                "values_said": all(v in " ".join(said) for v in question.values),
            }
        )
    return rows


async def _ask(assistant: Assistant, text: str, number: int) -> tuple[list[str], str]:
    """The reply to ``text`` in a fresh conversation, as the sentences said."""
    responder = assistant.responder
    assert responder is not None
    assistant.start_afresh()
    parts = [p async for p in responder.respond(text, TurnId(number), TurnTimer(number))]
    text_parts = [p.text for p in parts if p.kind in ("sentence", "stream") and p.text.strip()]
    await responder.shielded.wait(limit_s=30.0)
    return text_parts, responder.intent


async def _whole_answer(assistant: Assistant, question: Question) -> list[str]:
    """What the manuals tool says in full (the spoken answer before the dialogue presented it)."""
    if assistant.knowledge is None or question.kind in ("", "no-answer"):
        return []
    thread = assistant.threads["embed"]
    result = await thread.run(
        lambda: assistant.knowledge.answer(question.text, component_id=question.component)
    )
    return list(result.speech)


async def _seconds(assistant: Assistant, sentences: Sequence[str]) -> float:
    samples = 0
    for sentence in sentences:
        audio = await assistant.threads["tts"].run(assistant.tts.synthesize, sentence)
        samples += len(audio)
    return round(samples / assistant.tts.rate, 2)


async def _suite(config: Config, assistant: Assistant) -> dict[str, Any]:
    specs = load_conversations(SAMPLES / "conversations.toml")
    started = time.perf_counter()
    failed: dict[str, list[str]] = {}
    turns = 0
    for spec in specs:
        outcome = await rehearse(
            config, assistant, spec, incidents=lambda: incidents_stored(config)
        )
        turns += len(spec.turns)
        print(f"  {'pass' if outcome.passed else 'FAIL'} {spec.name} ({outcome.wall_s:.0f} s)")
        if not outcome.passed:
            failed[spec.name] = outcome.failures
    return {
        "conversations": len(specs),
        "turns": turns,
        "passed": len(specs) - len(failed),
        "pass_rate": round((len(specs) - len(failed)) / max(1, len(specs)), 3),
        "failed": failed,
        "wall_s": round(time.perf_counter() - started, 1),
    }


async def _held_out(assistant: Assistant, out_dir: Path) -> dict[str, Any] | None:
    """Reply lengths on the blind test corpus: its own manuals database, presentation only."""
    manuals = sorted(p for p in HELD_OUT.glob("*/*-manual.*") if p.suffix != ".src")
    if not manuals:
        return None
    config = load_config(env={}, overrides={"device.state_dir": str(out_dir / "dialogue-heldout")})
    ingest_manuals(config, manuals, strict=False)  # a manual no reader takes is left out
    from edge.knowledge import Knowledge

    thread = assistant.threads["embed"]
    knowledge = await thread.run(Knowledge.open, config.knowledge_db, assistant.embedder)
    rows = []
    kept = [0, 0]
    try:
        for path in sorted(HELD_OUT.glob("*/questions.toml")):
            for question in load_questions(path):
                result = await thread.run(lambda q=question: knowledge.answer(q.text))
                said = list(present(result, question.text).speech)
                kind = GROUPS.get(question.kind, question.kind)
                rows.append(
                    {
                        "question": question.text,
                        "kind": kind,
                        "said": said,
                        "seconds": await _seconds(assistant, said),
                    }
                )
                whole = plain(" ".join(result.speech))
                if question.values and all(plain(v) in whole for v in question.values):
                    kept[1] += 1
                    kept[0] += all(plain(v) in plain(" ".join(said)) for v in question.values)
    finally:
        await thread.run(knowledge.close)
    return {"rows": rows, "values_kept": {"kept": kept[0], "of": kept[1]}}


def _by_kind(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        kinds[row["kind"]].append(row)
    out = {}
    for kind, mine in sorted(kinds.items()):
        seconds = [r["seconds"] for r in mine]
        cited = [r["seconds"] + r.get("short_citation_seconds", 0.0) for r in mine]
        before = [r["before_seconds"] for r in mine if r.get("before_seconds")]
        out[kind] = {
            "n": len(mine),
            "median_s": percentile(seconds, 50),
            "max_s": max(seconds),
            "over_20_s": sum(1 for s in seconds if s > LONGEST_S),
            "median_with_short_citation_s": percentile(cited, 50),
            "before_median_s": percentile(before, 50),
            "before_max_s": max(before) if before else None,
            "target_median_s": TARGETS.get(kind),
        }
    return out


def _print(result: dict[str, Any]) -> None:
    for title, key in (
        ("sample questions", "reply_seconds"),
        ("held-out", "held_out_reply_seconds"),
    ):
        kinds = result.get(key)
        if not kinds:
            continue
        rows = [
            [
                kind,
                f["n"],
                f"{f['median_s']:.1f}",
                f"{f['max_s']:.1f}",
                f["over_20_s"],
                f"{f['median_with_short_citation_s']:.1f}",
                "-" if f["before_median_s"] is None else f"{f['before_median_s']:.1f}",
                "-" if f["before_max_s"] is None else f"{f['before_max_s']:.1f}",
                "-" if f["target_median_s"] is None else f"<= {f['target_median_s']:.0f}",
            ]
            for kind, f in kinds.items()
        ]
        header = [
            "kind",
            "n",
            "median s",
            "max s",
            "> 20 s",
            "+ 'Section N.'",
            "before med",
            "before max",
            "target",
        ]
        print(f"\nspoken reply, {title}\n" + table(rows, header))
    kept = result.get("held_out_values_kept")
    if kept:
        print(f"held-out answers still saying every expected value: {kept['kept']}/{kept['of']}")
    suite = result["conversations"]
    print(
        f"\nconversation suite: {suite['passed']}/{suite['conversations']} passed "
        f"({suite['turns']} turns, {suite['wall_s']:.0f} s)"
    )
    for name, failures in suite["failed"].items():
        print(f"  {name}: " + "; ".join(failures))
    print(f"load average during the run: {result['load_average']}")
