"""One turn from a file or typed text: the spine of edge (``edge ask QUESTION.wav``, ``--text``).

VAD trims the speech, STT transcribes it, the responder decides (tools, manuals, LLM), TTS speaks
the answer sentence by sentence into the output. Each stage is timed; the conversation carries over
between questions of the same run, so follow-up questions work. A typed question skips the audio
stages and goes through the same responder (router, cache, tools, conversation).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from edge.assistant import Assistant
from edge.audio.pcm import load_audio, write_wav
from edge.audio.playback import PlaybackQueue
from edge.audio.sinks import RecordingDevice
from edge.dialogue.conversation import Exchange
from edge.errors import NoSpeechError
from edge.events import Int16Array, SourceRef, ToolResult, TurnId
from edge.hearing.bias import Heard
from edge.hearing.denoise import denoise_all
from edge.metrics import TurnTimer
from edge.turn import Turn

_PAD_S = 0.3
"""Audio kept around the detected speech."""


@dataclass
class AskResult:
    """What happened to one question file."""

    transcript: str
    answer: str
    reply: Int16Array
    rate: int
    intent: str
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: vad, stt, llm_first_token, llm_done, tts_first_audio, total."""
    heard: Heard | None = None
    """How the words were heard: raw transcript, confidence, corrections (``edge.hearing``)."""
    citation: str = ""
    """The whole source of a manuals answer (the speech says at most "Section 3.3.")."""


def speech_span(assistant: Assistant, audio: Int16Array) -> tuple[int, int] | None:
    """First and last sample of speech in ``audio`` (with padding), or None when silent."""
    vad = assistant.vad
    vad.reset()
    frame = vad.frame_samples
    voiced = [
        i
        for i in range(0, len(audio) - frame + 1, frame)
        if vad.speech_probability(audio[i : i + frame].astype(np.float32) / 32768.0) >= 0.5
    ]
    vad.reset()
    if len(voiced) < 3:  # under ~0.1 s of speech is a click, not a question
        return None
    pad = int(_PAD_S * vad.rate)
    return max(0, voiced[0] - pad), min(len(audio), voiced[-1] + frame + pad)


async def ask_file(assistant: Assistant, path: Path, turn_id: TurnId) -> AskResult:
    """Answer the question spoken in ``path``.

    Raises:
        AudioError: the file is not usable audio.
        NoSpeechError: the file holds no speech ("no speech heard").
    """
    timer = TurnTimer(int(turn_id), "file")
    started = time.perf_counter()
    audio = load_audio(path, assistant.vad.rate)
    if len(audio) == 0:
        raise NoSpeechError("no speech heard: the file holds no audio")
    if assistant.denoise is not None:
        audio = await assistant.threads["vad"].run(denoise_all, assistant.denoise, audio)
    span = await assistant.threads["vad"].run(speech_span, assistant, audio)
    vad_s = time.perf_counter() - started
    if span is None:
        raise NoSpeechError()
    timer.mark("endpoint")
    transcriber = assistant.transcriber(turn_id, interims=False)  # the whole utterance is here
    speech = audio[span[0] : span[1]]
    transcriber.push(speech, voiced=True)
    transcript = await transcriber.final()
    timer.mark("stt_final")
    await transcriber.close()
    if not transcript:
        raise NoSpeechError()
    assert assistant.responder is not None
    queue = PlaybackQueue(assistant.tts.rate)
    turn = Turn(
        turn_id,
        tts=assistant.tts,
        tts_thread=assistant.threads["tts"],
        playback=queue,
        fillers=None,  # a file has no silence to fill: fillers would only lengthen the reply
        timer=timer,
        memo=assistant.speech_memo,
        notices=assistant.notices,
        min_sentence_chars=assistant.config.tts.min_sentence_chars,
        earcon=assistant.earcon,
    )
    async with RecordingDevice(queue) as device:
        heard = transcriber.heard
        await turn.speak(assistant.responder.respond(transcript, turn_id, timer, heard=heard))
        reply = device.take()
    outcome = turn.outcome(interrupted=False)
    assistant.conversation.add(
        Exchange(transcript, outcome.heard, component_id=assistant.responder.component_id)
    )
    stages = assistant.metrics.record(timer)
    timings = {"vad": vad_s, "stt": stages.get("stt_final", 0.0)}
    for stage in ("llm_first_token", "llm_done", "tts_first_audio"):
        if stage in stages:
            timings[stage] = stages[stage]
    if "endpoint_to_first_audio" in stages:
        timings["first_audio"] = vad_s + stages["endpoint_to_first_audio"]
    timings["total"] = time.perf_counter() - started
    presented = assistant.responder.presented
    cite = presented.citation.full() if presented and presented.citation else ""
    return AskResult(
        transcript,
        outcome.heard,
        reply,
        assistant.tts.rate,
        assistant.responder.intent,
        timings,
        heard,
        citation=cite,
    )


def save_reply(result: AskResult, out: Path) -> Path:
    """Write the spoken answer to ``out`` as a WAV file."""
    write_wav(out, result.reply, result.rate)
    return out


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """What the responder made of one typed question."""

    question: str
    answer: str
    """Everything the technician would hear, fillers excluded."""
    intent: str
    """Tool name, ``reply``, ``repeat`` or ``cache``."""
    result: ToolResult | None
    """The tool's (or cache's) result; None for replies and repeats."""
    seconds: float

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        """Manual passages the answer quotes."""
        return self.result.sources if self.result is not None else ()


async def ask_text(assistant: Assistant, question: str, turn_id: TurnId) -> TextAnswer:
    """Answer a typed ``question`` as if it were the final transcript of a spoken one."""
    started = time.perf_counter()
    responder = assistant.responder
    assert responder is not None
    text = " ".join(question.split())
    timer = TurnTimer(int(turn_id), "text")
    pieces: list[str] = []
    stream: list[str] = []  # LLM tokens of the reply being written
    notices: dict[int, int] = {}  # notice -> sentences of it printed
    async for part in responder.respond(text, turn_id, timer):
        if part.notice is not None:
            notices[part.notice] = notices.get(part.notice, 0) + 1
        if part.kind == "stream":
            stream.append(part.text)
            continue
        if stream:
            pieces.append("".join(stream))
            stream = []
        if part.kind == "sentence":
            pieces.append(part.text)
    pieces.append("".join(stream))
    for notice_id, sentences in notices.items():  # printed in full: nothing is cut in text
        assistant.notices.delivered(notice_id, sentences)
    answer = " ".join(" ".join(piece.split()) for piece in pieces if piece.strip())
    assistant.conversation.add(Exchange(text, answer, component_id=responder.component_id))
    assistant.metrics.record(timer)
    return TextAnswer(
        text, answer, responder.intent, responder.result, time.perf_counter() - started
    )
