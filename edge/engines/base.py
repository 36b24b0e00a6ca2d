"""One Protocol per engine kind. Engines are synchronous and blocking; edge runs them off the loop.

Every engine class also has a nested frozen ``Options`` dataclass (validated from the config's
``[<kind>.options]`` table) and is constructed as ``Engine(options, context)``. Heavy libraries are
imported inside ``__init__`` so that choosing another engine never needs them installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from edge.events import Float32Array, Int16Array, Message, ToolCall, ToolSpec
from edge.models import ModelStore


@dataclass(frozen=True, slots=True)
class EngineContext:
    """What every engine may use while loading."""

    models: ModelStore
    """Resolves model files from the manifest."""


@runtime_checkable
class VadEngine(Protocol):
    """Voice activity detection on fixed-size frames."""

    rate: int
    """Sample rate it expects (Hz)."""
    frame_samples: int
    """Samples per call."""

    def speech_probability(self, frame: Float32Array) -> float:
        """Probability 0..1 that ``frame`` (``frame_samples`` floats in -1..1) holds speech."""
        ...

    def reset(self) -> None:
        """Forget the recurrent state (start of a new stream)."""
        ...


@runtime_checkable
class TurnEngine(Protocol):
    """End-of-turn detection: has the speaker finished, judged from the utterance's audio?

    Called at a pause (the VAD says silence) with the utterance so far; words and prosody tell a
    finished request from a breath mid-sentence better than the length of the silence can.
    """

    rate: int
    """Sample rate it expects (Hz)."""
    max_seconds: float
    """Only this much of the end of the utterance is read (s)."""

    def end_probability(self, audio: Float32Array) -> float:
        """Probability 0..1 that the turn is over, given the utterance up to now (mono, -1..1)."""
        ...


@runtime_checkable
class WakeEngine(Protocol):
    """Wake word detection on fixed-size chunks."""

    chunk_samples: int
    """Samples per call, at 16 kHz."""
    names: tuple[str, ...]
    """Wake words it listens for."""

    def scores(self, chunk: Int16Array) -> Mapping[str, float]:
        """Score 0..1 per wake word for the newest ``chunk``."""
        ...

    def reset(self) -> None:
        """Forget buffered audio (after a detection or a pause)."""
        ...


@dataclass(frozen=True, slots=True)
class SttResult:
    """A transcription."""

    text: str
    """Recognised words, trimmed."""
    audio_seconds: float
    """Length of the audio transcribed (s)."""
    no_speech_prob: float = 0.0
    """Model's probability that the audio held no speech."""
    confidence: float | None = None
    """How sure the model is of ``text``, 0..1 (mean token probability); None when unknown."""


@runtime_checkable
class SttEngine(Protocol):
    """Speech to text over a whole utterance (streaming is built on top, in ``edge.stt_stream``)."""

    rate: int
    """Sample rate it expects (Hz)."""

    def transcribe(
        self, audio: Float32Array, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        """Transcribe mono float audio.

        Args:
            audio: the utterance at :attr:`rate`.
            prompt: vocabulary or preceding text to bias recognition.
            draft: an interim transcript: trade accuracy for speed.
        """
        ...


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of generated text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A complete tool call produced by the model."""

    call: ToolCall


LlmDelta = TextDelta | ToolCallDelta


@runtime_checkable
class LlmEngine(Protocol):
    """A chat model that streams text, optionally constrained to JSON or calling tools."""

    model_name: str
    """What model it runs (for reports)."""

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
    ) -> Iterator[LlmDelta]:
        """Generate the assistant's next message, yielding deltas as they are produced.

        With ``json_schema`` the text is constrained to JSON matching it. With ``tools`` an engine
        that supports native tool calling may yield :class:`ToolCallDelta`.
        """
        ...

    def warm(
        self, messages: Sequence[Message], *, json_schema: Mapping[str, Any] | None = None
    ) -> None:
        """Evaluate a fixed prompt prefix now, so later calls that start with it answer fast."""
        ...


@runtime_checkable
class TtsEngine(Protocol):
    """Text to speech, one sentence at a time."""

    rate: int
    """Sample rate of the audio it produces (Hz)."""

    def synthesize(self, text: str) -> Int16Array:
        """Speak ``text`` into mono int16 samples at ``rate``."""
        ...


@runtime_checkable
class PacedTts(Protocol):
    """A synthesizer that can also speak faster or slower than its configured rate."""

    def synthesize_paced(self, text: str, pace: float) -> Int16Array:
        """Speak ``text`` at ``pace`` times the configured rate (below 1 is slower)."""
        ...


CLAUSE_GAP_S = 0.25
"""Pause added after each clause when an engine cannot slow down itself, at half pace (s)."""


def synthesize_at(tts: TtsEngine, text: str, pace: float = 1.0) -> Int16Array:
    """``text`` at ``pace`` times the normal rate ("slower": below 1).

    An engine that cannot change its rate speaks each clause at its own, with a pause after it.
    """
    if pace == 1.0:
        return tts.synthesize(text)
    if isinstance(tts, PacedTts):
        return tts.synthesize_paced(text, pace)
    gap = np.zeros(int(tts.rate * CLAUSE_GAP_S * max(0.0, 1.0 / pace - 1.0) * 2), np.int16)
    pieces = [p for p in re.split(r"(?<=[,;:.])\s+", text) if p.strip()]
    out: list[Int16Array] = []
    for piece in pieces:
        out += [tts.synthesize(piece), gap]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


@runtime_checkable
class Embedder(Protocol):
    """Sentence embeddings for retrieval, routing and the semantic cache."""

    dim: int
    """Vector length."""
    model_name: str
    """Model identity; stored vectors from another model are not comparable."""

    def embed(self, texts: Sequence[str]) -> Float32Array:
        """Return L2-normalised vectors, one row per text."""
        ...


@runtime_checkable
class DenoiseEngine(Protocol):
    """Noise suppression on fixed-size frames of capture audio, before VAD, wake word and STT."""

    rate: int
    """Sample rate of the audio it takes and returns (Hz): the capture rate."""
    frame_samples: int
    """Samples per call."""
    delay_samples: int
    """How far its output lags its input, beyond the frame itself (samples at ``rate``)."""

    def process(self, frame: Int16Array) -> Int16Array:
        """Suppress noise in ``frame`` (``frame_samples`` int16); returns as many samples."""
        ...

    def reset(self) -> None:
        """Forget the noise estimate and buffered audio (start of a new stream)."""
        ...
