"""Side by side with Pipecat: the same spoken questions, the same models, turns alternating.

Pipecat 1.14 runs in its own virtualenv (``out/pipecat-venv``, made here on first use from PyPI:
``pipecat-ai[whisper,piper,silero]`` and ``llama-cpp-python[server]``) as the pipeline in
``bench/_pipecat_runner.py``: Silero VAD, Whisper tiny.en (edge's model folder), smart-turn v3.2
(its default turn strategy), SmolLM2-135M through llama.cpp's OpenAI-compatible server (edge's
GGUF), and Piper with edge's en_US-joe-medium voice. edge runs its live path on a simulated room
(open mic: its VAD and end-of-turn model decide when the turn is over). Each question is asked of
one, then the other, the order swapping every round, first on an idle machine, then under a
fixed background load (``EDGE_BENCH_LOAD`` busy processes, default 2: one per core here).

Measured from the true end of speech (read off the audio): first answer audio, and the LLM's
first token, compared on the questions where edge asks its LLM too (Pipecat asks it every turn;
edge for free replies and arguments the words leave open). Printed: p50s and the ratios
edge / Pipecat. Targets (issue 15): edge's
first answer audio at most 0.3x Pipecat's; its LLM first token under load at most 1.0x.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import numpy as np

from bench.common import ms, percentile, table
from edge.assistant import Assistant, load_assistant
from edge.audio.pcm import write_wav
from edge.audio.sim import Script
from edge.config import Config, load_config
from edge.models import ModelStore
from edge.scenario import run_scenario
from edge.voices import speak

REPO = Path(__file__).resolve().parents[1]
PIPECAT: Final = ("pipecat-ai[whisper,piper,silero]==1.14.0", "llama-cpp-python[server]==0.3.36")
QUESTIONS: Final = (
    "What torque do the M24 yaw brake caliper bolts need?",
    "What does fault code E-117 mean?",
    "How much grease goes into the main bearing?",
    "Gearbox oil sump temperature is 92 degrees.",
    "Log a high severity incident: oil leak at the gearbox.",
    "Hello, can you hear me?",
    "Who are you?",
    "Thanks, that's all for now.",
    "Tell me something about the weather up here.",
    "Log an incident: smoke coming out of the converter cabinet.",
)
"""Manuals questions, a reading, incidents, small talk and a free reply. edge asks its LLM only
for the last two (a reply; an incident whose severity was not said); Pipecat asks it every turn."""
ROUNDS: Final = int(os.environ.get("EDGE_BENCH_ROUNDS", "2"))
LOAD: Final = int(os.environ.get("EDGE_BENCH_LOAD", "2"))
_EDGE_WAIT_S: Final = 120.0
"""Longest an edge turn may take (the scenario's limit)."""
_PIPECAT_WAIT_S: Final = 30.0
"""How long the runner waits for an answer (bench/_pipecat_runner.py)."""
_LEVEL: Final = 500
"""Sample magnitude that counts as speech when finding where it ends."""


def run(out_dir: Path) -> dict[str, Any]:
    """Both assistants on the same questions, idle then loaded; returns the figures and ratios."""
    work = out_dir / "pipecat"
    python = _pipecat_venv(REPO / "out" / "pipecat-venv")
    state = out_dir / "latency-state"
    config = load_config(env={}, overrides={"device.state_dir": str(state)})
    from bench.common import ingest_manuals

    ingest_manuals(config)
    wavs = _questions(work / "questions")
    store = ModelStore(state / "models")
    with _llama_server(python, store) as url, _pipecat(python, url, store) as pipecat:
        return asyncio.run(_compare(config, wavs, pipecat))


async def _compare(
    config: Config, wavs: list[tuple[str, Path, float]], pipecat: subprocess.Popen[str]
) -> dict[str, Any]:
    from edge.report.service import ReportingService
    from edge.toolset import default_tools

    reporter = ReportingService(config, status=False).reporter
    assistant = await load_assistant(config, lambda a: default_tools(a, reporter))
    open_mic = replace(config, listen=replace(config.listen, triggers=("vad",)))
    records: list[dict[str, Any]] = []
    try:
        for phase in ("idle", "loaded"):
            with _background_load(LOAD if phase == "loaded" else 0):
                for n in range(ROUNDS):
                    for text, wav, end in wavs:
                        order = ("edge", "pipecat") if n % 2 else ("pipecat", "edge")
                        for who in order:
                            if who == "pipecat":
                                got = _ask_pipecat(pipecat, wav, end)
                            else:
                                got = await _ask_edge(open_mic, assistant, wav, end)
                            records.append({"phase": phase, "who": who, "question": text, **got})
                            print(f"{phase} {who:7s} {text[:40]:40s} {got}", flush=True)
    finally:
        assistant.close()
    return _report(records)


async def _ask_edge(
    config: Config, assistant: Assistant, wav: Path, speech_end_s: float
) -> dict[str, float | None]:
    assistant.start_afresh()
    assistant.notices.clear()
    script = Script()
    script.silence(0.5)
    span = script.say(wav)
    script.silence(8.0)
    try:
        run = await run_scenario(config, assistant, script, limit_s=_EDGE_WAIT_S)
    except TimeoutError:  # counted as the limit (a lower bound), like Pipecat's
        return {"first_audio_s": _EDGE_WAIT_S, "first_token_s": None}
    assert run.path is not None
    end = run.path.listener.source.clock_at(span.start + speech_end_s)
    first_audio = token = None
    for turn in run.turns:
        if first_audio is None and "first_answer_audio" in turn.marks:
            first_audio = turn.marks["first_answer_audio"] - end
        if token is None and "llm_first_token" in turn.marks:
            token = turn.marks["llm_first_token"] - end
    return {"first_audio_s": first_audio, "first_token_s": token}


def _ask_pipecat(
    pipecat: subprocess.Popen[str], wav: Path, speech_end_s: float
) -> dict[str, float | None]:
    assert pipecat.stdin is not None and pipecat.stdout is not None
    pipecat.stdin.write(json.dumps({"wav": str(wav), "speech_end_s": speech_end_s}) + "\n")
    pipecat.stdin.flush()
    reply = json.loads(_json_line(pipecat))
    # No answer within the runner's 30 s counts as 30 s (a lower bound), not as a missing turn:
    # leaving it out would make a struggling Pipecat look faster.
    audio = reply["first_audio_s"] if reply["first_audio_s"] is not None else _PIPECAT_WAIT_S
    return {"first_audio_s": audio, "first_token_s": reply["first_token_s"]}


def _report(records: list[dict[str, Any]]) -> dict[str, Any]:
    def values(phase: str, who: str, key: str, questions: set[str] | None = None) -> list[float]:
        return [
            r[key]
            for r in records
            if r["phase"] == phase
            and r["who"] == who
            and r[key] is not None
            and (questions is None or r["question"] in questions)
        ]

    lines = []
    ratios: dict[str, float | None] = {}
    p50: dict[str, float | None] = {}
    for phase in ("idle", "loaded"):
        # The LLM is compared on the questions where edge asked it as well.
        llm_asked = {r["question"] for r in records if r["who"] == "edge" and r["first_token_s"]}
        for key, questions in (("first_audio_s", None), ("first_token_s", llm_asked)):
            edge = percentile(values(phase, "edge", key, questions), 50)
            pipe = percentile(values(phase, "pipecat", key, questions), 50)
            ratio = edge / pipe if edge is not None and pipe else None
            ratios[f"{phase}/{key}"] = ratio
            p50[f"{phase}/edge/{key}"], p50[f"{phase}/pipecat/{key}"] = edge, pipe
            shown = "-" if ratio is None else f"{ratio:.2f}"
            n = len(values(phase, "edge", key, questions))
            lines.append((phase, key, ms(edge), ms(pipe), shown, n))
    print(table(lines, ("machine", "from end of speech", "edge p50", "Pipecat p50", "ratio", "n")))
    targets = {
        "first_answer_audio_at_most_0.3x": _at_most(ratios.get("idle/first_audio_s"), 0.3),
        "llm_first_token_loaded_at_most_1.0x": _at_most(ratios.get("loaded/first_token_s"), 1.0),
    }
    print("targets:", ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items()))
    return {
        "p50_s": p50,
        "ratios": ratios,
        "targets": targets,
        "turns": records,
        "background_load_processes": LOAD,
        "load_average": os.getloadavg(),
    }


def _at_most(ratio: float | None, limit: float) -> bool:
    return ratio is not None and ratio <= limit


# -- set-up ---------------------------------------------------------------------------------------


def _pipecat_venv(venv: Path) -> Path:
    """Pipecat's own virtualenv (made once; pip's cache makes a rebuild quick)."""
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    if not stamp.is_file() or stamp.read_text() != " ".join(PIPECAT):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PIPECAT], check=True)
        stamp.write_text(" ".join(PIPECAT))
    return python


def _questions(folder: Path) -> list[tuple[str, Path, float]]:
    """Each question as a WAV, with where its speech ends (s)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, text in enumerate(QUESTIONS):
        samples = speak(text)
        path = folder / f"{n:02d}.wav"
        write_wav(path, samples, 16_000)
        loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _LEVEL)
        out.append((text, path, (float(loud[-1]) + 1) / 16_000 if len(loud) else 0.0))
    return out


@contextlib.contextmanager
def _llama_server(python: Path, store: ModelStore) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a free loopback port, with edge's GGUF."""
    gguf = store.path("smollm2-135m-instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["--model", str(gguf), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--n_ctx", "2048", "--n_threads", "2", "--model_alias", "smollm2"]
    server = subprocess.Popen([str(python), "-m", "llama_cpp.server", *args])
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("llama.cpp's server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@contextlib.contextmanager
def _pipecat(python: Path, url: str, store: ModelStore) -> Iterator[subprocess.Popen[str]]:
    whisper = store.directory("whisper-tiny.en")
    voice = store.path("piper-en_US-joe-medium", "en_US-joe-medium.onnx")
    runner = REPO / "bench" / "_pipecat_runner.py"
    args = [str(python), str(runner), url, str(whisper), str(voice.parent), voice.stem]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        _json_line(proc)  # ready
        yield proc
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _json_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    while line := proc.stdout.readline():
        if line.startswith("{"):
            return line
    raise RuntimeError(f"Pipecat's runner ended (exit {proc.wait()})")


@contextlib.contextmanager
def _background_load(processes: int) -> Iterator[None]:
    """``processes`` busy loops (the device's other work: wake word, ingest, the OS)."""
    stop = multiprocessing.Event()
    workers = [multiprocessing.Process(target=_burn, args=(stop,)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join(5)


def _burn(stop: Any) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1
