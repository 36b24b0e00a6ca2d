"""Pipecat's side of ``bench/vs_pipecat.py``: runs in Pipecat's own virtualenv, never imports edge.

A Pipecat 1.14 pipeline built the way its docs build a local voice agent: Silero VAD, Whisper
(faster-whisper, segmented on the VAD), the user aggregator with its default turn strategy
(smart-turn v3.2), an OpenAI-compatible LLM (llama.cpp's server running the same SmolLM2 GGUF as
edge), and Piper with the same voice. Audio is fed in real time, 20 ms at a time, from the same
WAV files edge hears; no output transport, so the first ``TTSAudioRawFrame`` is the first answer
audio (a transport would only add its own buffer).

Protocol: one JSON request per stdin line, ``{"wav": path, "speech_end_s": s}``; one JSON line
per answer on stdout: seconds from the end of speech to the first LLM token and to the first
answer audio, and the words.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import wave
from pathlib import Path

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSStoppedFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.runner import PipelineRunner
from pipecat.pipeline.task import PipelineParams, PipelineTask
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.services.piper.tts import PiperTTSService
from pipecat.services.whisper.stt import WhisperSTTService

RATE = 16_000
CHUNK = 320  # 20 ms
SYSTEM = (
    "You are Edge, the offline voice assistant of a wind turbine technician working at height. "
    "Answer in one short, plain sentence."
)


class Clock(FrameProcessor):
    """Notes when the first LLM token and the first answer audio of a turn pass."""

    def __init__(self) -> None:
        super().__init__()
        self.first_token: float | None = None
        self.first_audio: float | None = None
        self.text: list[str] = []
        self.done = asyncio.Event()
        self.not_before = 0.0
        """Answers to a part of the question (Pipecat may end a turn at a comma) do not count."""

    def reset(self, not_before: float) -> None:
        self.first_token = self.first_audio = None
        self.text = []
        self.done.clear()
        self.not_before = not_before

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        now = time.monotonic()
        if now < self.not_before:
            pass
        elif isinstance(frame, LLMTextFrame):
            self.first_token = self.first_token or now
            self.text.append(frame.text)
        elif isinstance(frame, TTSAudioRawFrame):
            self.first_audio = self.first_audio or now
        elif isinstance(frame, TTSStoppedFrame) and self.first_audio is not None:
            self.done.set()
        await self.push_frame(frame, direction)


def since(start: float, t: float | None) -> float | None:
    return None if t is None else round(t - start, 4)


def read_wav(path: str) -> bytes:
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.readframes(w.getnframes())


async def main(llm_url: str, whisper_dir: str, voice_dir: str, voice: str) -> None:
    tokens, clock = Clock(), Clock()  # after the LLM (TTS consumes its text), after the TTS
    stt = WhisperSTTService(
        device="cpu",
        compute_type="int8",
        settings=WhisperSTTService.Settings(model=whisper_dir, language="en"),
    )
    llm = OpenAILLMService(
        api_key="none", base_url=llm_url, settings=OpenAILLMService.Settings(model="smollm2")
    )
    tts = PiperTTSService(
        download_dir=Path(voice_dir), settings=PiperTTSService.Settings(voice=voice)
    )
    context = LLMContext([{"role": "system", "content": SYSTEM}])
    pair = LLMContextAggregatorPair(context)
    vad = VADProcessor(vad_analyzer=SileroVADAnalyzer(params=VADParams(stop_secs=0.2)))
    pipeline = Pipeline([vad, stt, pair.user(), llm, tokens, tts, clock, pair.assistant()])
    task = PipelineTask(pipeline, params=PipelineParams(audio_in_sample_rate=RATE))
    runner = asyncio.create_task(PipelineRunner(handle_sigint=False).run(task))
    loop = asyncio.get_running_loop()
    silence = bytes(CHUNK * 2)

    async def feed(pcm: bytes, started: float, offset: int) -> None:
        for i in range(0, len(pcm), CHUNK * 2):
            chunk = pcm[i : i + CHUNK * 2].ljust(CHUNK * 2, b"\0")
            await task.queue_frame(InputAudioRawFrame(chunk, RATE, 1))
            due = started + (offset + i // 2 + CHUNK) / RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    await feed(silence * 50, time.monotonic(), 0)  # 1 s: the pipeline starts
    print(json.dumps({"ready": True}), flush=True)
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        request = json.loads(line)
        pcm = read_wav(request["wav"])
        started = time.monotonic()
        speech_end = started + float(request["speech_end_s"])
        clock.reset(speech_end)
        tokens.reset(speech_end)
        await feed(pcm, started, 0)
        offset = len(pcm) // 2
        deadline = time.monotonic() + 30.0
        while not clock.done.is_set() and time.monotonic() < deadline:
            await feed(silence * 5, started, offset)  # keep the microphone open, 100 ms at a time
            offset += 5 * CHUNK
        for _ in range(50):  # 1 s of silence between turns
            await feed(silence, started, offset)
            offset += CHUNK

        reply = {
            "first_token_s": since(speech_end, tokens.first_token),
            "first_audio_s": since(speech_end, clock.first_audio),
            "text": "".join(tokens.text).strip(),
        }
        print(json.dumps(reply), flush=True)
    await task.cancel()
    runner.cancel()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
