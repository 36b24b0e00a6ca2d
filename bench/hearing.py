"""Hearing through machinery noise, in voices edge was never tuned on (``edge.hearing.testset``).

For each suppressor (none, webrtc, rnnoise, deepfilternet) and STT model (tiny.en, base), the
test set's renderings are heard clean and at 20/10/5/0 dB speech-weighted SNR, through the real
path of ``edge ask`` minus the reply's speech: suppressor -> VAD span -> streaming transcriber's
final (the manuals' glossary as prompt) -> recognition bias -> responder (router, tools, manuals).
Figures per side of the split: the *held-out* side (voices and noises never tuned on) is the
result; the *dev* side is what tuning looked at.

- WER: ``tests.text.word_error_rate`` of the raw transcript against what was said;
- answer accuracy: the answer holds the expected values (manual questions, codes, readings); a
  question the manuals cannot answer is declined; an incident is logged with the right severity,
  a description keeping the technician's words and never the command; a control word is taken by
  the dialogue as the command that was said (words it has no command for: heard word for word).
  Every utterance stands alone (no earlier turn's topic or question), and a procedure is scored
  on all its steps (the technician hears them with "next"). Scored with the bias on and off;
- per suppressor: CPU seconds per second of audio (one thread), latency added in the stream
  (frame + the engine's own lag, checked by cross-correlation on speech), VAD detection rate.

``python -m bench.hearing`` runs a quick subset (about a minute); ``--full`` the whole set
(tens of minutes on 2 cores: run it niced). Transcripts are cached in ``out_dir/hearing/``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import table, write_result

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.text import word_error_rate, words  # noqa: E402

CONDITIONS = ("clean", "20", "10", "5", "0")
SUPPRESSORS = ("none", "webrtc", "rnnoise", "deepfilternet")
COMMAND_WORDS = ("log a", "log an", "report a", "report an", "severity incident")


@dataclass(frozen=True)
class Plan:
    """Which renderings to hear under which suppressor and model."""

    name: str
    runs: tuple[tuple[str, str, str, tuple[str, ...], int, bool], ...]
    """(model, suppressor, side, conditions, every n-th utterance, score the answers); a model
    ``name:greedy`` decodes its final transcripts with a beam of 1 instead of the default."""


QUICK = Plan(
    "quick",
    (
        ("tiny.en", "none", "held_out", ("clean", "10", "5"), 13, True),
        ("tiny.en", "webrtc", "held_out", ("clean", "10", "5"), 13, True),
        ("base", "none", "held_out", ("clean", "10"), 29, True),
    ),
)
FULL = Plan(
    "full",
    (
        ("tiny.en", "none", "held_out", ("clean", "10", "5"), 1, True),
        ("tiny.en", "none", "held_out", ("20", "0"), 3, True),
        ("tiny.en", "webrtc", "held_out", ("clean", "10", "5", "0"), 5, True),
        ("tiny.en", "rnnoise", "held_out", ("clean", "10", "5", "0"), 5, True),
        ("tiny.en", "deepfilternet", "held_out", ("clean", "10", "5", "0"), 5, True),
        ("tiny.en", "none", "dev", ("clean", "10", "5"), 3, True),
        ("base", "none", "held_out", ("clean", "10", "5"), 6, True),
    ),
)
"""Every held-out utterance clean and at 10 and 5 dB without suppression (the targets), every
third at 20 and 0 dB; every fifth with each suppressor; dev every third (what tuning looked
at); base every sixth. About 2,300 turns: two to three hours on 2 shared cores."""

SAMPLED = Plan(
    "sampled",
    (
        ("tiny.en", "none", "held_out", ("clean", "10", "5"), 6, True),
        ("tiny.en", "none", "held_out", ("20", "0"), 29, True),
        ("tiny.en", "webrtc", "held_out", ("10", "0"), 29, False),
        ("tiny.en", "rnnoise", "held_out", ("10", "0"), 29, False),
        ("tiny.en", "deepfilternet", "held_out", ("10", "0"), 29, False),
        ("tiny.en", "none", "dev", ("clean", "10"), 29, True),
        ("tiny.en:greedy", "none", "held_out", ("clean", "10", "5"), 6, True),
        ("base", "none", "held_out", ("clean", "10", "5"), 6, True),
        ("tiny.en", "webrtc", "held_out", ("clean", "10", "5"), 6, True),
        ("base", "webrtc", "held_out", ("clean", "10", "5"), 6, True),
    ),
)
"""The full plan thinned for cores shared with other work (about 900 turns): the targets on every
sixth held-out utterance (51, every voice and noise), with greedy decoding (the default before
beam search), with base, and with WebRTC NS in front of each, on the same turns; the rest on
every 29th (11), without answers for the suppressor comparisons (WER, VAD). Strides are prime to
the 5 voices per side, so every voice and noise keeps its share."""


EVERYTHING = Plan(
    "everything",
    tuple(
        (model, suppressor, side, CONDITIONS, 1, True)
        for model in ("tiny.en", "base")
        for suppressor in SUPPRESSORS
        for side in ("held_out", "dev")
    ),
)
"""Every combination: only sensible with ``--cached-only``, to gather what runs heard."""

PLANS = {"quick": QUICK, "sampled": SAMPLED, "full": FULL, "everything": EVERYTHING}


def run(
    out_dir: Path,
    *,
    full: bool = False,
    plan: str | None = None,
    runs: str = "",
    cached_only: bool = False,
) -> dict[str, Any]:
    """Run the benchmark (quick subset unless ``full`` or another ``plan``); tables printed.

    ``runs`` ("0,2") keeps only those runs of the plan: several processes can share a plan's
    work (transcripts and answers are cached in ``out_dir``), and a last one over every run
    finds everything cached and writes the figures. ``cached_only`` decodes and answers nothing:
    the figures cover what earlier (interrupted) runs heard and answered, with their counts.
    """
    chosen = PLANS[plan or ("full" if full else "quick")]
    if runs:
        keep = {int(i) for i in runs.split(",")}
        chosen = Plan(chosen.name, tuple(r for i, r in enumerate(chosen.runs) if i in keep))
    _CACHED_ONLY[:] = [cached_only]
    return asyncio.run(_run(out_dir, chosen))


_CACHED_ONLY: list[bool] = [False]


async def _run(out_dir: Path, plan: Plan) -> dict[str, Any]:
    from edge.hearing.testset import build

    work = out_dir / "hearing"
    work.mkdir(parents=True, exist_ok=True)
    test = build(REPO / "samples" / "questions")
    state = await _prepare_state(work)
    cache = _Cache(work / "transcripts.jsonl")
    # Answers depend on the code and the manuals, transcripts only on the audio and the model:
    # answers are kept per version of both, so a changed responder is never scored on old words.
    _load_answers(work / f"answers-{_answering_version()}.jsonl")
    # Measured once per output folder (minutes on a loaded machine); delete the file to redo.
    fixed = work / "suppressors.json"
    if fixed.is_file():
        known = json.loads(fixed.read_text(encoding="utf-8"))
        suppressors, wake = known["suppressors"], known["wake"]
    else:
        suppressors = {name: _suppressor_figures(name, test) for name in SUPPRESSORS}
        wake = {name: _wake_figures(name, test) for name in SUPPRESSORS}
        fixed.write_text(json.dumps({"suppressors": suppressors, "wake": wake}), encoding="utf-8")
    rows: list[dict[str, Any]] = []
    for model in dict.fromkeys(r[0] for r in plan.runs):
        assistant = await _load(state, model)
        try:
            for run_model, suppressor, side, conditions, every, scored in plan.runs:
                if run_model != model:
                    continue
                engine = _denoiser(suppressor)
                items = _every(test.select(side), every)
                print(
                    f"  {model} / {suppressor} / {side}: {len(items)} items x {conditions}",
                    flush=True,
                )
                for item in items:
                    for condition in conditions:
                        heard = await _hear(assistant, cache, item, condition, suppressor, engine)
                        if heard is None:
                            continue
                        row = {
                            "model": model,
                            "suppressor": suppressor,
                            "side": side,
                            "condition": condition,
                            "item": item.key,
                            "kind": item.utterance.kind,
                            "voice": item.voice.name,
                            "noise": item.noise if condition != "clean" else "",
                            "room": bool(item.room) and condition != "clean",
                            **heard,
                        }
                        for bias in (False, True):
                            row[f"correct_bias_{'on' if bias else 'off'}"] = (
                                await _score_or_none(assistant, item.utterance, heard, bias)
                                if scored
                                else None
                            )
                        answered = _answered(assistant, heard) if scored else None
                        row["command_in_description"] = _command_leak(answered)
                        row["checked_back"] = answered is not None and answered.checked_back
                        rows.append(row)
        finally:
            await assistant.toolbox.close()
            assistant.close()
    cache.close()
    (work / f"rows-{plan.name}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    result = _summarize(rows, suppressors, plan)
    result["wake"] = wake
    _print(result)
    return result


# -- setting up ------------------------------------------------------------------------------------


async def _prepare_state(work: Path) -> Path:
    """A state folder with the sample manuals ingested (kept between runs)."""
    from edge.config import load_config
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.knowledge import Knowledge
    from edge.models import ModelStore

    state = work / "state"
    config = load_config(env={}, overrides={"device.state_dir": str(state)})
    ModelStore(state / "models").assemble("whisper-base")
    stamp = _forget_stale_store(state, config.knowledge_db)
    if not config.knowledge_db.is_file():
        context = EngineContext(ModelStore(state / "models"))
        embedder = load_engine("embed", config.embed.engine, config.embed.options, context)
        knowledge = Knowledge.open(config.knowledge_db, embedder)
        knowledge.ingest(sorted((REPO / "samples" / "manuals").iterdir()))
        knowledge.close()
        stamp.write_text(_answering_version(), encoding="utf-8")
    return state


def _forget_stale_store(state: Path, database: Path) -> Path:
    """Delete the manuals' store if another version of edge made it; returns its stamp file.

    The store is kept between runs, but a changed reader must read the manuals again: an
    unchanged file is otherwise skipped on ingest.
    """
    stamp = state / "answering.version"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") != _answering_version():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    return stamp


async def _load(state: Path, model: str) -> Any:
    from edge.assistant import load_assistant
    from edge.config import load_config
    from edge.toolset import default_tools

    name, _, decoding = model.partition(":")
    overrides = {
        "device.state_dir": str(state),
        "stt.options.model": name,
        "denoise.engine": "none",  # the benchmark applies each suppressor itself
        "knowledge.cache": False,  # every transcript answered afresh
    }
    if decoding == "greedy":
        overrides["stt.options.beam_size"] = 1
    config = load_config(env={}, overrides=overrides)
    recorder = _Recorder()
    assistant = await load_assistant(config, lambda a: default_tools(a, recorder))
    assistant.recorder = recorder  # type: ignore[attr-defined]
    assistant.label = model  # type: ignore[attr-defined]
    return assistant


class _Recorder:
    """Keeps the incidents the tool files (the outbox is not what is measured here)."""

    def __init__(self) -> None:
        self.drafts: list[Any] = []

    async def report(self, draft: Any) -> Any:
        from edge.report.base import IncidentReceipt
        from edge.report.text import summarize

        self.drafts.append(draft)
        return IncidentReceipt(
            f"bench-{len(self.drafts)}", draft.severity, summarize(draft.description)
        )


def _denoiser(name: str) -> Any:
    if name == "none":
        return None
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.models import ModelStore

    return load_engine("denoise", name, {}, EngineContext(ModelStore(Path("/nonexistent"))))


def _every(items: list[Any], n: int) -> list[Any]:
    return items[::n]


# -- hearing ---------------------------------------------------------------------------------------


class _Cache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, dict[str, Any]] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                self.rows[row["key"]] = row
        self._file = path.open("a", encoding="utf-8")

    def get(self, key: str) -> dict[str, Any] | None:
        return self.rows.get(key)

    def put(self, row: dict[str, Any]) -> None:
        self.rows[row["key"]] = row
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


async def _hear(
    assistant: Any, cache: _Cache, item: Any, condition: str, suppressor: str, engine: Any
) -> dict[str, Any] | None:
    from edge.events import TurnId
    from edge.hearing.denoise import denoise_all
    from edge.hearing.testset import render
    from edge.oneshot import speech_span

    key = f"{item.key}|{condition}|{suppressor}|{assistant.label}"
    found = cache.get(key)
    if found is not None:
        return {k: found[k] for k in ("raw", "confidence", "vad", "stt_s")}
    if _CACHED_ONLY[0]:
        return None
    audio = render(item, None if condition == "clean" else float(condition))
    if engine is not None:
        audio = denoise_all(engine, audio)
    span = speech_span(assistant, audio)
    raw, confidence, stt_s = "", None, 0.0
    if span is not None:
        transcriber = assistant.transcriber(TurnId(1), interims=False)
        transcriber._bias = None  # the raw words; the bias is applied when scoring
        transcriber.push(audio[span[0] : span[1]], voiced=True)
        started = time.perf_counter()
        raw = await transcriber.final()
        stt_s = time.perf_counter() - started
        confidence = transcriber.heard.confidence if transcriber.heard else None
        await transcriber.close()
    row = {
        "key": key,
        "raw": raw,
        "confidence": confidence,
        "vad": span is not None,
        "stt_s": round(stt_s, 4),
    }
    cache.put(row)
    return {k: row[k] for k in ("raw", "confidence", "vad", "stt_s")}


# -- scoring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    severity: str
    description: str


@dataclass(frozen=True)
class _Answer:
    text: str
    intent: str
    draft: _Draft | None
    checked_back: bool = False
    """edge read the words back before acting ("Pitch system pressure, 175 bar?")."""


_ANSWERS: dict[str, _Answer] = {}
_ANSWER_FILE: list[Any] = []


def _answering_version() -> str:
    """A digest of what decides an answer.

    That is edge's code, the sample manuals and questions, and how this benchmark asks them.
    """
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for root in ("edge", "samples/manuals", "samples/questions"):
        for path in sorted((REPO / root).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _load_answers(path: Path) -> None:
    """Answers of earlier runs (same words, same answer: the manuals and tools do not change)."""
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            draft = _Draft(**row["draft"]) if row["draft"] else None
            _ANSWERS[row["key"]] = _Answer(
                row["answer"], row["intent"], draft, row.get("checked_back", False)
            )
    _ANSWER_FILE.append(path.open("a", encoding="utf-8"))


def _answer_key(heard: Any) -> str:
    """Same words, same doubt: same answer (doubtful words are read back first)."""
    return f"{heard.text}|{'doubtful' if heard.doubtful else 'sure'}"


async def _answer(assistant: Any, heard: Any) -> _Answer:
    """The answer to ``heard`` (memoised), with the incident it filed, if any."""
    from edge.events import TurnId
    from edge.metrics import TurnTimer

    key = _answer_key(heard)
    if key in _ANSWERS:
        return _ANSWERS[key]
    if _CACHED_ONLY[0]:
        raise _NotAnswered
    # Every utterance stands alone: an earlier turn's notices, pending question or open
    # procedure would otherwise answer for this one.
    assistant.start_afresh()
    recorder = assistant.recorder
    before = len(recorder.drafts)
    text = heard.text
    responder = assistant.responder
    timer = TurnTimer(1, "file")
    parts = [p.text async for p in responder.respond(text, TurnId(1), timer, heard=heard)]
    intent = responder.intent
    if responder.dialogue.state.procedures:
        # edge reads a procedure step by step; the technician hears the rest by asking for it.
        # What they would hear is scored, so "read all" follows (a question's values may sit in
        # any step of the procedure it opened).
        timer = TurnTimer(2, "file")
        parts += [p.text async for p in responder.respond("read all", TurnId(2), timer)]
    pending = responder.dialogue.state.pending
    checked_back = pending is not None and pending.needs is None
    if checked_back:
        # Doubtful words are read back before a reading is judged or an incident filed; the
        # technician who said them confirms (a wrong read-back confirmed still scores wrong).
        timer = TurnTimer(3, "file")
        parts += [p.text async for p in responder.respond("yes", TurnId(3), timer)]
    await responder.shielded.close()
    filed = recorder.drafts[-1] if len(recorder.drafts) > before else None
    draft = _Draft(filed.severity.value, filed.description) if filed is not None else None
    found = _Answer(" ".join(parts), intent, draft, checked_back)
    _ANSWERS[key] = found
    if _ANSWER_FILE:
        row = {
            "key": key,
            "text": text,
            "answer": found.text,
            "intent": found.intent,
            "draft": draft.__dict__ if draft else None,
            "checked_back": checked_back,
        }
        _ANSWER_FILE[0].write(json.dumps(row) + "\n")
        _ANSWER_FILE[0].flush()
    return found


class _NotAnswered(Exception):
    """A cached-only run met words nobody answered yet."""


async def _score(assistant: Any, utterance: Any, heard: dict[str, Any], bias: bool) -> bool | None:
    if utterance.kind == "demo":
        return None
    understood = _understood(assistant, heard, bias)
    text = understood.text
    if utterance.kind == "control":
        return _control_understood(text, utterance.text, utterance.control or "")
    if not text:
        return False
    answered = await _answer(assistant, understood)
    answer, intent, draft = answered.text, answered.intent, answered.draft
    low = answer.lower()
    if utterance.kind == "no-answer":
        return intent != "query_technical_manuals" or "nothing" in low
    if utterance.kind == "incident":
        if draft is None or intent != "log_incident_report":
            return False
        description = draft.description.lower()
        kept = all(k.lower() in description for k in utterance.keep)
        clean = not any(c in description for c in COMMAND_WORDS)
        return kept and clean and draft.severity == utterance.severity
    if utterance.values:
        return all(v.lower() in low for v in utterance.values)
    return intent == "query_technical_manuals" and "nothing" not in low


async def _score_or_none(
    assistant: Any, utterance: Any, heard: dict[str, Any], bias: bool
) -> bool | None:
    try:
        return await _score(assistant, utterance, heard, bias)
    except _NotAnswered:
        return None


def _control_understood(heard: str, said: str, expected: str) -> bool:
    """Whether the dialogue takes ``heard`` as the command ``said`` is.

    "Dorky, stop." is "Okay, stop."; words the dialogue knows no command for must be heard word
    for word (``expected``).
    """
    from edge.dialogue.control import Command, parse

    meant = parse(said, tuple(Command))
    if meant is None:
        return words(heard) == words(expected)
    taken = parse(heard, tuple(Command))
    return taken is not None and (taken.command, taken.step) == (meant.command, meant.step)


def _understood(assistant: Any, heard: dict[str, Any], bias: bool) -> Any:
    """The :class:`~edge.hearing.bias.Heard` record the responder gets for a transcript."""
    from edge.hearing.bias import Heard

    raw, confidence = heard["raw"], heard["confidence"]
    return assistant.hear(raw, confidence) if bias and raw else Heard(raw, raw, confidence)


def _answered(assistant: Any, heard: dict[str, Any]) -> _Answer | None:
    """What edge answered to the transcript with the bias on, once scoring asked it."""
    return _ANSWERS.get(_answer_key(_understood(assistant, heard, True)))


def _command_leak(answered: _Answer | None) -> bool:
    """True when an incident was filed whose description holds the command words."""
    draft = answered.draft if answered else None
    return draft is not None and any(c in draft.description.lower() for c in COMMAND_WORDS)


# -- suppressor cost -------------------------------------------------------------------------------


def _suppressor_figures(name: str, test: Any) -> dict[str, Any]:
    """CPU per second of audio, streaming latency, and the engine's lag checked on speech."""
    from edge.hearing.denoise import DenoiseStream
    from edge.hearing.testset import render

    engine = _denoiser(name)
    if engine is None:
        return {"cpu_per_audio_s": 0.0, "latency_ms": 0.0, "lag_ok": True}
    item = test.select("held_out", ("manual",))[0]
    audio = np.concatenate([render(i, 5.0) for i in test.select("held_out", ("manual",))[:8]])
    stream = DenoiseStream(engine)
    block = 512
    started = time.process_time()
    for i in range(0, len(audio) - block + 1, block):
        stream.process(audio[i : i + block])
    cpu = time.process_time() - started
    clean = render(item, None)
    engine.reset()
    frame = engine.frame_samples
    out = np.concatenate(
        [engine.process(clean[i : i + frame]) for i in range(0, len(clean) - frame + 1, frame)]
    ).astype(float)
    x = clean[: len(out)].astype(float)
    lag = max(range(0, 1600), key=lambda d: float(np.dot(x[: len(x) - d], out[d:])))
    return {
        "cpu_per_audio_s": round(cpu / (len(audio) / 16_000), 4),
        "latency_ms": round(stream.delay_samples / 16, 1),
        "declared_lag": int(engine.delay_samples),
        "measured_lag": int(lag),
        "lag_ok": abs(lag - engine.delay_samples) <= 16,
    }


def _wake_figures(name: str, test: Any) -> dict[str, Any]:
    """Wake word recall with the suppressor in front, and the highest score on noise alone.

    "hey jarvis" in the held-out voices over the held-out noises; gate threshold 0.5, 2 chunks.
    """
    from bench.wakeword import _context, _detections, _scores
    from edge.engines.registry import load_engine
    from edge.hearing.denoise import denoise_all
    from edge.hearing.mix import mix
    from edge.hearing.noises import noise
    from edge.hearing.testset import load_split
    from edge.voices import speak

    wake = load_engine(
        "wake", "openwakeword", {"models": ["oww-hey_jarvis", "oww-alexa"]}, _context()
    )
    engine = _denoiser(name)
    split = load_split().held_out
    by_condition: dict[str, list[bool]] = defaultdict(list)
    noise_max = 0.0
    for v_index, voice in enumerate(split.voices):
        words = speak("hey jarvis", voice.voice, speed=voice.speed, pitch=voice.pitch)
        x = np.concatenate([np.zeros(16_000), words / 32768.0, np.zeros(16_000)])
        for n_index, noise_name in enumerate(split.noises):
            bed = noise(noise_name, len(x) / 16_000 + 0.01, seed=100 + 10 * v_index + n_index)
            for condition in ("clean", "10", "5", "0"):
                if condition == "clean" and n_index:
                    continue
                y = x if condition == "clean" else mix(x.astype(np.float32), bed, float(condition))
                audio = np.round(np.clip(y, -1, 1) * 32767).astype(np.int16)
                if engine is not None:
                    audio = denoise_all(engine, audio)
                by_condition[condition].append(
                    "hey_jarvis" in _detections(_scores(wake, audio), 0.5, 2)
                )
            alone = np.round(bed * 0.3 * 32767).astype(np.int16)
            if engine is not None:
                alone = denoise_all(engine, alone)
            noise_max = max(noise_max, float(_scores(wake, alone).max()))
    return {
        "recall": {c: round(float(np.mean(v)), 3) for c, v in by_condition.items()},
        "trials": sum(len(v) for v in by_condition.values()),
        "max_score_on_noise": round(noise_max, 3),
    }


# -- summary ---------------------------------------------------------------------------------------


def _summarize(
    rows: list[dict[str, Any]], suppressors: dict[str, Any], plan: Plan
) -> dict[str, Any]:
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["model"], row["suppressor"], row["side"], row["condition"])].append(row)
    cells = []
    for (model, suppressor, side, condition), group in sorted(groups.items()):
        scored_on = [r["correct_bias_on"] for r in group if r["correct_bias_on"] is not None]
        scored_off = [r["correct_bias_off"] for r in group if r["correct_bias_off"] is not None]
        wers = [word_error_rate(_said(r), r["raw"]) for r in group]
        cells.append(
            {
                "model": model,
                "suppressor": suppressor,
                "side": side,
                "condition": condition,
                "n": len(group),
                "wer": round(float(np.mean(wers)), 4),
                "accuracy": round(float(np.mean(scored_on)), 4) if scored_on else None,
                "accuracy_no_bias": round(float(np.mean(scored_off)), 4) if scored_off else None,
                "vad_detected": round(float(np.mean([r["vad"] for r in group])), 4),
                "checked_back": sum(bool(r.get("checked_back")) for r in group),
                "stt_s_p50": round(
                    float(np.median([r["stt_s"] for r in group if r["stt_s"]] or [0])), 3
                ),
            }
        )
    incidents = [r for r in rows if r["kind"] == "incident"]
    return {
        "plan": plan.name,
        "snr_definition": "active speech level (frames within 35 dB of the loudest, 20 ms) over "
        "mean noise power, both through a 200 Hz-4 kHz speech band weighting",
        "cells": cells,
        "suppressors": suppressors,
        "incident_rows": len(incidents),
        "command_in_description": sum(bool(r.get("command_in_description")) for r in rows),
        "per_kind": _per_kind(rows),
        "targets": _targets(cells, suppressors, rows),
    }


def _targets(
    cells: list[dict[str, Any]], suppressors: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """The issue's targets on the held-out side (tiny.en, no suppression)."""
    held = {
        c["condition"]: c
        for c in cells
        if c["side"] == "held_out" and c["model"] == "tiny.en" and c["suppressor"] == "none"
    }

    def acc(condition: str) -> float | None:
        return held[condition]["accuracy"] if condition in held else None

    clean, at10, at5 = acc("clean"), acc("10"), acc("5")
    wer_clean = held.get("clean", {}).get("wer")
    wer_10 = held.get("10", {}).get("wer")
    return {
        "accuracy_clean": clean,
        "accuracy_clean_ok": clean is not None and clean >= 0.95,
        "gap_10db_points": None
        if clean is None or at10 is None
        else round(100 * (clean - at10), 1),
        "gap_10db_ok": clean is not None and at10 is not None and clean - at10 <= 0.05,
        "gap_5db_points": None if clean is None or at5 is None else round(100 * (clean - at5), 1),
        "gap_5db_ok": clean is not None and at5 is not None and clean - at5 <= 0.12,
        "wer_ratio_10db": None if not wer_clean or wer_10 is None else round(wer_10 / wer_clean, 2),
        "wer_ratio_10db_ok": bool(wer_clean) and wer_10 is not None and wer_10 <= 1.5 * wer_clean,
        "suppressors_within_cost": {
            name: f["cpu_per_audio_s"] <= 0.15 and f["latency_ms"] <= 20.0
            for name, f in suppressors.items()
            if name != "none"
        },
        "incidents_with_command_words": sum(bool(r.get("command_in_description")) for r in rows),
    }


_SAID: dict[str, str] = {}


def _said(row: dict[str, Any]) -> str:
    if not _SAID:
        from edge.hearing.testset import load_utterances

        for u in load_utterances(REPO / "samples" / "questions"):
            _SAID[u.uid] = u.text
    return _SAID[row["item"].split("@")[0]]


def _per_kind(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["model"] == "tiny.en" and r["suppressor"] == "none":
            groups[(r["side"], r["condition"], r["kind"])].append(r)
    out = []
    for (side, condition, kind), group in sorted(groups.items()):
        scored = [r["correct_bias_on"] for r in group if r["correct_bias_on"] is not None]
        off = [r["correct_bias_off"] for r in group if r["correct_bias_off"] is not None]
        out.append(
            {
                "side": side,
                "condition": condition,
                "kind": kind,
                "n": len(group),
                "accuracy": round(float(np.mean(scored)), 3) if scored else None,
                "accuracy_no_bias": round(float(np.mean(off)), 3) if off else None,
            }
        )
    return out


def _print(result: dict[str, Any]) -> None:
    print(
        table(
            [
                [
                    c["side"],
                    c["model"],
                    c["suppressor"],
                    c["condition"],
                    c["n"],
                    c["wer"],
                    c["accuracy"],
                    c["accuracy_no_bias"],
                    c["checked_back"],
                    c["vad_detected"],
                    c["stt_s_p50"],
                ]
                for c in result["cells"]
            ],
            [
                "side",
                "model",
                "suppressor",
                "SNR",
                "n",
                "WER",
                "acc",
                "acc no bias",
                "read back",
                "VAD",
                "STT p50 s",
            ],
        )
    )
    print(
        table(
            [
                [
                    name,
                    f["cpu_per_audio_s"],
                    f["latency_ms"],
                    f.get("measured_lag", "-"),
                    f["lag_ok"],
                ]
                for name, f in result["suppressors"].items()
            ],
            ["suppressor", "CPU s / audio s", "latency ms", "lag (samples)", "lag as declared"],
        )
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.hearing [--full] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the whole set (hours on 2 cores)")
    parser.add_argument("--plan", choices=sorted(PLANS), help="quick (default), sampled, full...")
    parser.add_argument("--runs", default="", help="only these runs of the plan, e.g. 0,2")
    parser.add_argument(
        "--cached-only", action="store_true", help="figures from what earlier runs heard only"
    )
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    plan = args.plan or ("full" if args.full else "quick")
    result = run(args.out, plan=plan, runs=args.runs, cached_only=args.cached_only)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    name = "hearing" if plan == "quick" else f"hearing-{plan}"
    if args.runs:
        name += "-runs-" + args.runs.replace(",", "-")
    if args.cached_only:
        name += "-cached"
    print(f"-> {write_result(args.out, name, result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
