"""Streaming speech-to-text on top of a whole-utterance engine.

While the technician speaks, the growing utterance is re-decoded every ``interim_s``; the words two
decodes agree on are *stable*. When a pause begins the caller asks for a preflight decode; if no
voiced audio follows before the turn ends, that decode *is* the final transcript and costs nothing
more. In a long utterance, every preflight at a pause commits the audio before the pause: later
decodes cover only what came after (with the committed words as context), so the final decode never
re-reads a long utterance from the start.

What a full decode covers is fixed by the audio alone, never by when the decode thread got to it:
a preflight covers what was captured when it was asked for, and a pause that comes while another
decode runs waits its turn with that span. On a loaded machine the transcript comes later, never
different (otherwise a slow decode would commit, or reuse, a span that ends mid-word, and
"hydraulic oil leak" becomes "hydraulic torque, to leak").
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from edge.aio import EngineThread, TaskSet
from edge.engines.base import SttEngine, SttResult
from edge.events import Int16Array

if TYPE_CHECKING:
    from edge.hearing.bias import Heard

_LOGGER = logging.getLogger(__name__)

_MIN_DECODE_S: Final = 0.3
"""Shorter audio is not worth decoding."""
_TAIL_S: Final = 0.25
"""Audio kept after the last voiced frame when decoding the final transcript."""
_NO_SPEECH: Final = 0.6
"""Above this no-speech probability a short transcript is taken as a hallucination."""
_MIN_WORD_S: Final = 0.25
"""Less voiced audio than this after a commit is no word: a breath, a click, the VAD's last
frames of the committed phrase. Decoded alone it gives Whisper's inventions ("I'm not.")."""

Interim = Callable[[str, int], None]
"""Receives an interim transcript and the length of its stable prefix (chars)."""


@dataclass(frozen=True, slots=True)
class _Decode:
    start: int
    """First sample decoded (the commit point at the time)."""
    end: int
    """Sample after the last one decoded."""
    text: str
    seconds: float
    """Wall time the decode took."""
    draft: bool
    """A quick interim decode: never reused as the final transcript."""
    confidence: float | None = None
    """The recognizer's confidence in ``text`` (0..1), when it gives one."""


class StreamingTranscriber:
    """Collects one utterance and keeps a transcript of it up to date."""

    def __init__(
        self,
        engine: SttEngine,
        thread: EngineThread,
        *,
        interim_s: float | None = 0.7,
        prompt: str | None = None,
        on_interim: Interim | None = None,
        commit_min_s: float = 3.0,
        bias: Callable[[str, float | None], Heard] | None = None,
        on_settled: Callable[[str], None] | None = None,
    ) -> None:
        """Create a transcriber for one utterance.

        Args:
            engine: the STT engine (blocking), run on ``thread``.
            thread: the STT engine's worker thread.
            interim_s: re-decode after this much new audio (None: no interim transcripts).
            prompt: domain vocabulary to bias recognition (the manuals' glossary).
            on_interim: called on the event loop with each interim transcript.
            commit_min_s: only commit at a pause when at least this much audio is uncommitted.
            bias: turns the final transcript and its confidence into what the assistant acts on
                (the manuals' codes, units and command words restored; ``edge.hearing.bias``).
            on_settled: called on the event loop with the transcript, corrected by ``bias``,
                whenever a preflight decode covers every voiced sample (it is the final
                transcript if no speech follows).
        """
        self._engine = engine
        self._thread = thread
        self._rate = engine.rate
        self._interim_samples = int(interim_s * self._rate) if interim_s is not None else None
        self._commit_min = int(commit_min_s * self._rate)
        self._prompt = prompt
        self._on_interim = on_interim
        self._on_settled = on_settled
        self._chunks: list[Int16Array] = []
        self._audio = np.zeros(0, dtype=np.int16)
        self._length = 0
        self._last_voiced = 0
        self._voiced: list[tuple[int, int]] = []
        """The voiced stretches of the utterance (first sample, sample after the last)."""
        self._commit_at = 0
        self._committed: list[str] = []
        self._committed_confidence: list[float] = []
        self._bias = bias
        self.heard: Heard | None = None
        """The final transcript as heard and corrected, once :meth:`final` returned."""
        self._latest: _Decode | None = None
        """The newest decode since the commit point, drafts included (what is shown)."""
        self._settled: _Decode | None = None
        """The newest full (non-draft) decode since the commit point: the final's candidate."""
        self._previous_text = ""
        self._running: asyncio.Task[_Decode | None] | None = None
        self._tasks = TaskSet("stt")
        self._corrections: dict[tuple[str, float | None], asyncio.Task[Heard]] = {}
        """The bias's work per transcript: a settled one is corrected before the turn ends."""
        self._pauses: deque[tuple[int, int]] = deque()
        """(last voiced sample, end) of each pause whose preflight waits for a running decode."""
        self.decodes = 0
        """Decodes run so far (interim, preflight and final)."""
        self.final_decode_s: float | None = None
        """Wall time the final decode cost (0 when a preflight result was reused)."""

    # -- input ------------------------------------------------------------------------------------

    def push(self, samples: Int16Array, voiced: bool) -> None:
        """Append captured audio; ``voiced`` is the VAD's verdict for it."""
        self._chunks.append(samples)
        start, self._length = self._length, self._length + len(samples)
        if voiced:
            self._last_voiced = self._length
            if self._voiced and self._voiced[-1][1] == start:
                start = self._voiced.pop()[0]
            self._voiced.append((start, self._length))
        if self._interim_samples is None:
            return
        due = self._length - (self._latest.end if self._latest else self._commit_at)
        # Not on an unvoiced chunk: a pause may be beginning, and its preflight would have to
        # wait for the draft (100-170 ms) before it could start.
        if due >= self._interim_samples and self._running is None and voiced:
            self._start_decode(self._last_voiced, self._length, kind="interim")

    def preflight(self) -> None:
        """A pause began: decode everything up to it, speculatively.

        Now, or after the decode that is running: a pause never waits in vain for its decode.
        """
        # Everything captured so far (the pause too): a voiced blip later in the pause does not
        # undo what this decode covers.
        pause = (self._last_voiced, self._length)
        if self._running is None:
            self._start_decode(*pause, kind="preflight")
        else:
            self._pauses.append(pause)

    def _voiced_end(self) -> int:
        """The end of what the final decode covers: the voiced audio and a short tail."""
        return min(self._length, self._last_voiced + int(_TAIL_S * self._rate))

    @property
    def seconds(self) -> float:
        """Audio collected (s)."""
        return self._length / self._rate

    # -- output -----------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """Best transcript so far."""
        return self._join(self._latest.text if self._latest else "")

    @property
    def settled_text(self) -> str | None:
        """The transcript when a decode already covers every voiced sample, else None."""
        if self._covers_voice(self._settled):
            return self._join(self._settled.text if self._settled else "")
        if self._settled is None and self._committed and self._last_voiced <= self._commit_at:
            return self.text
        return None

    def _covers_voice(self, decode: _Decode | None) -> bool:
        return (
            decode is not None
            and not decode.draft
            and decode.start == self._commit_at
            and decode.end >= self._last_voiced
        )

    async def final(self) -> str:
        """The final transcript: reuses a decode that already covers every voiced sample.

        With a ``bias`` it is the corrected transcript; :attr:`heard` then holds the record.
        """
        text, confidence = await self._final()
        self.heard = await self._corrected(text, confidence)
        return self.heard.text

    async def _corrected(self, text: str, confidence: float | None) -> Heard:
        """``text`` as heard and corrected by the bias, worked out once per transcript."""
        key = (text, confidence)
        task = self._corrections.get(key)
        if task is None:
            task = self._tasks.spawn(self._correct(text, confidence), name="bias")
            self._corrections[key] = task
        return await asyncio.shield(task)

    async def _correct(self, text: str, confidence: float | None) -> Heard:
        if self._bias is None or not text:
            from edge.hearing.bias import Heard

            return Heard(text, text, confidence)
        # On the STT thread: restoring a code by sound compares it with every known code (tens
        # of milliseconds), which the event loop must not wait on.
        return await self._thread.run(self._bias, text, confidence)

    async def _settle(self, text: str, confidence: float | None) -> None:
        """Correct a transcript that may be the final one now, and hand it on.

        The answer prepared on it is then the answer to what the turn will act on ("What is he
        124?" is asked as "What is E-124?"), and :meth:`final` finds the correction made.
        """
        heard = await self._corrected(text, confidence)
        if self._on_settled is not None:
            self._on_settled(heard.text)

    async def _final(self) -> tuple[str, float | None]:
        started = time.perf_counter()
        # Every pause's preflight first, in order, as an idle machine would have run them.
        while self._running is not None or self._pauses:
            if self._running is None:
                self._start_decode(*self._pauses.popleft(), kind="preflight")
            else:
                await asyncio.shield(self._running)
        settled = self._settled
        if settled is not None and self._covers_voice(settled):
            self.final_decode_s = 0.0
            return self._join(settled.text), self._confidence(settled)
        end = self._voiced_end()
        short = end - self._commit_at < int(_MIN_DECODE_S * self._rate)
        if short or (self._committed and self._voiced_since_commit() < _MIN_WORD_S * self._rate):
            self.final_decode_s = time.perf_counter() - started
            return self._join(settled.text if settled else ""), self._confidence(settled)
        result = await self._decode(self._commit_at, end)
        self.final_decode_s = time.perf_counter() - started
        return self._join(result.text if result else ""), self._confidence(result)

    def _voiced_since_commit(self) -> int:
        return sum(max(0, end - max(start, self._commit_at)) for start, end in self._voiced)

    def _confidence(self, tail: _Decode | None) -> float | None:
        """The least confident of the committed pieces and the tail."""
        known = [*self._committed_confidence]
        if tail is not None and tail.text and tail.confidence is not None:
            known.append(tail.confidence)
        return min(known) if known else None

    async def close(self) -> None:
        """Stop any decode in flight (its thread finishes in the background)."""
        await self._tasks.close()

    # -- decoding ---------------------------------------------------------------------------------

    def _start_decode(self, voiced: int, end: int, kind: str) -> None:
        start = self._commit_at
        if end - start < int(_MIN_DECODE_S * self._rate):
            return
        if voiced <= start:
            # Nothing voiced since the commit: Whisper would only invent words for the silence
            # ("... caliper bolts, I'm"), and they would join the final transcript.
            return
        self._running = self._tasks.spawn(self._decode(start, end, kind=kind), name=kind)

    async def _decode(self, start: int, end: int, kind: str = "final") -> _Decode | None:
        audio = self._samples(start, end).astype(np.float32) / 32768.0
        prompt = " ".join(p for p in (self._prompt, *self._committed) if p) or None
        began = time.perf_counter()
        try:
            # Interims only show progress: cheap drafts. Preflights may become the final.
            draft = kind == "interim"
            transcribe = functools.partial(self._engine.transcribe, prompt=prompt, draft=draft)
            result: SttResult = await self._thread.run(transcribe, audio)
        finally:
            self.decodes += 1
            if self._running is asyncio.current_task():
                self._running = None
        text = "" if _hallucinated(result) or _echoes(self._committed, result.text) else result.text
        decode = _Decode(start, end, text, time.perf_counter() - began, draft, result.confidence)
        _LOGGER.debug(
            "STT %s %.2f-%.2f s in %.0f ms: %r",
            kind,
            start / self._rate,
            end / self._rate,
            decode.seconds * 1000,
            text,
        )
        if start != self._commit_at:
            return decode  # a commit happened meanwhile; this decode is stale
        self._latest = decode
        if not draft:
            self._settled = decode
        if kind == "preflight":
            self._maybe_commit(decode)
            settled = self.settled_text
            if settled:
                confidence = self._confidence(self._settled)  # as final() will have it
                self._tasks.spawn(self._settle(settled, confidence), name="settle")
        elif self._on_interim is not None and text:
            stable = _common_prefix(self._previous_text, text)
            self._on_interim(self.text, len(self._join(stable)) if stable else 0)
        self._previous_text = text
        if self._pauses and self._running is None:
            self._start_decode(*self._pauses.popleft(), kind="preflight")
        return decode

    def _maybe_commit(self, decode: _Decode) -> None:
        """Commit the audio before a mid-utterance pause once enough has built up."""
        if decode.text and decode.end - decode.start >= self._commit_min:
            self._committed.append(decode.text)
            if decode.confidence is not None:
                self._committed_confidence.append(decode.confidence)
            self._commit_at = decode.end
            self._latest = None
            self._settled = None
            self._previous_text = ""

    def _samples(self, start: int, end: int) -> Int16Array:
        if len(self._audio) != self._length:
            self._audio = np.concatenate(self._chunks) if self._chunks else self._audio
            self._chunks = [self._audio]
        return self._audio[start:end]

    def _join(self, tail: str) -> str:
        return " ".join(t for t in (*self._committed, tail) if t).strip()


def _hallucinated(result: SttResult) -> bool:
    # Whisper invents "Thank you." or "you" for noise; trust the no-speech estimate for short text.
    return result.no_speech_prob > _NO_SPEECH and len(result.text.split()) <= 3


def _echoes(committed: list[str], text: str) -> bool:
    """True when ``text`` only repeats the end of the committed words.

    Those words are Whisper's prompt, and on a tail of near-silence after a commit Whisper copies
    its prompt ("What is the torque ...? What is the torque ...?").
    """
    heard = _words(text)
    return bool(heard) and _words(" ".join(committed))[-len(heard) :] == heard


def _words(text: str) -> list[str]:
    return [w.strip(".,?!").lower() for w in text.split()]


def _common_prefix(a: str, b: str) -> str:
    common = []
    for x, y, said in zip(_words(a), _words(b), b.split(), strict=False):
        if x != y:
            break
        common.append(said)
    return " ".join(common)
