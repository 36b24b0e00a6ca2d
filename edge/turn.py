"""One assistant turn: answer parts -> sentences -> TTS -> playback, and what was actually heard.

Each sentence is synthesized as soon as it is complete and queued for playback at once, so audio
plays while later sentences are still being written and synthesized. When the turn is cancelled
(barge-in), whatever the playback queue had not played is dropped and the heard text is computed
from the samples the device actually pulled, down to the word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from edge.aio import EngineThread, cancel_and_wait
from edge.audio.playback import Playback, PlaybackQueue
from edge.dialogue.notices import Notices
from edge.engines.base import TtsEngine, synthesize_at
from edge.events import Speech, TurnId
from edge.metrics import TurnTimer
from edge.responder import Part
from edge.sentences import SentenceSplitter, lead_clause
from edge.speech_memo import SpeechMemo

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    """What came of a turn."""

    heard: str
    """Answer text the technician heard (fillers excluded; a cut sentence ends with '...')."""
    dropped: str
    """Answer text prepared but never played."""
    interrupted: bool
    sentences: tuple[str, ...]
    """Every answer sentence produced, in order."""


class Turn:
    """Speaks the answer to one request through a playback queue."""

    def __init__(
        self,
        turn_id: TurnId,
        *,
        tts: TtsEngine,
        tts_thread: EngineThread,
        playback: PlaybackQueue,
        fillers: Mapping[str, Speech] | None,
        timer: TurnTimer,
        min_sentence_chars: int = 12,
        thinking: Speech | None = None,
        thinking_after_s: float = 0.7,
        on_audio: Callable[[], None] | None = None,
        memo: SpeechMemo | None = None,
        notices: Notices | None = None,
        earcon: Speech | None = None,
    ) -> None:
        """Create a turn.

        Args:
            turn_id: generation counter of this turn.
            tts: speech synthesizer, run on ``tts_thread``.
            tts_thread: the synthesizer's worker thread.
            playback: where audio is queued.
            fillers: pre-synthesized fillers by text; None turns fillers off.
            timer: stage timings of this turn.
            min_sentence_chars: shorter sentences wait to be joined to the next one.
            thinking: filler for when nothing has been said ``thinking_after_s`` into the turn.
            thinking_after_s: see ``thinking``.
            on_audio: called once when the turn queues its first audio.
            memo: sentences synthesized in earlier turns, reused instead of synthesizing again.
            notices: told which notices this turn played in full (see :meth:`outcome`).
            earcon: the acknowledgement tick ("stop"); None plays nothing for it.
        """
        self.turn_id = turn_id
        self._tts = tts
        self._tts_thread = tts_thread
        self._playback = playback
        self._fillers = fillers
        self._memo = memo
        self._timer = timer
        self._min_chars = min_sentence_chars
        self._items: list[Playback] = []
        self._notices = notices
        self._notice_items: dict[int, list[Playback]] = {}
        self._notice_parts: dict[int, int] = {}
        self._sentences: list[str] = []
        self._thinking = thinking
        self._thinking_after_s = thinking_after_s
        self._on_audio = on_audio
        self._earcon = earcon
        self._hold = False
        self.speaking = False
        """True once the first audio of this turn was queued."""

    async def speak(self, parts: AsyncIterator[Part]) -> None:
        """Synthesize and queue every part, then wait until it has all been played."""
        watcher = asyncio.get_running_loop().create_task(
            self._fill_silence(), name=f"turn:{self.turn_id}:thinking"
        )
        try:
            await self._speak(parts)
        finally:
            await cancel_and_wait(watcher)

    async def _fill_silence(self) -> None:
        # Masks latency we cannot remove (a slow tool, a cold model) with a short filler; never
        # before a possible warning, which must be the first thing heard.
        await asyncio.sleep(self._thinking_after_s)
        if not self.speaking and not self._hold and self._thinking is not None:
            self._queue(self._thinking, filler=True)

    async def _speak(self, parts: AsyncIterator[Part]) -> None:
        splitter = SentenceSplitter(min_chars=self._min_chars)
        async for part in parts:
            if part.kind == "hold":
                self._hold = True
            elif part.kind == "earcon":
                if self._earcon is not None:
                    self._queue(self._earcon, filler=True)
            elif part.kind == "filler":
                if not self._hold:
                    self._play_filler(part.text)
            elif part.kind == "stream":
                for sentence in splitter.feed(part.text):
                    await self._say(sentence)
            else:
                for sentence in splitter.flush():
                    await self._say(sentence)
                queued = len(self._items)
                await self._say(part.text, urgent=part.urgent, pace=part.pace)
                if part.notice is not None:
                    items = self._notice_items.setdefault(part.notice, [])
                    items += self._items[queued:]
                    self._notice_parts[part.notice] = self._notice_parts.get(part.notice, 0) + 1
        for sentence in splitter.flush():
            await self._say(sentence)
        await self._playback.drain()
        self._timer.mark("done")

    def _play_filler(self, text: str) -> None:
        if self._fillers is None:
            return
        speech = self._fillers.get(text)
        if speech is None:
            _LOGGER.warning("Filler %r was not synthesized at start-up; skipped", text)
            return
        self._queue(speech, filler=True)

    async def _say(self, sentence: str, *, urgent: bool = False, pace: float = 1.0) -> None:
        sentence = sentence.strip()
        if not sentence:
            return
        if not self.speaking:
            # Silence so far: speak the first clause as soon as it is synthesized.
            for piece in first_pieces(sentence):
                await self._synthesize(piece, urgent=urgent, pace=pace)
            return
        await self._synthesize(sentence, urgent=urgent, pace=pace)

    async def _synthesize(self, sentence: str, *, urgent: bool, pace: float = 1.0) -> None:
        self._sentences.append(sentence)
        if urgent:
            # A safety warning must not wait behind a filler that is still playing.
            self._drop_unplayed_fillers()
        self._timer.mark("tts_start")
        key = sentence if pace == 1.0 else f"{pace:.2f}|{sentence}"
        samples = await self._memo.wait(key) if self._memo is not None else None
        if samples is None:
            samples = await self._tts_thread.run(synthesize_at, self._tts, sentence, pace)
            if self._memo is not None:
                self._memo.put(key, samples)
        self._timer.mark("tts_first_audio")
        self._queue(Speech(sentence, samples, self._tts.rate))

    def _queue(self, speech: Speech, *, filler: bool = False) -> None:
        self._items.append(self._playback.enqueue(speech, filler=filler))
        if not self.speaking:
            self.speaking = True
            if self._on_audio is not None:
                self._on_audio()

    def _drop_unplayed_fillers(self) -> None:
        if any(i.filler and not i.complete for i in self._items):
            self._playback.clear()

    def outcome(self, *, interrupted: bool) -> TurnOutcome:
        """Heard and dropped text, from the samples actually played; also marks first audio.

        Notices whose every sentence played to the end are marked delivered; the others stay due.
        """
        if self._notices is not None:
            for notice_id, items in self._notice_items.items():
                if items and all(item.complete for item in items):
                    self._notices.delivered(notice_id, self._notice_parts[notice_id])
        for item in self._items:
            if item.first_heard_at is not None:
                self._timer.mark("first_audio", item.first_heard_at)
                if not item.filler:
                    self._timer.mark("first_answer_audio", item.first_heard_at)
        heard: list[str] = []
        dropped: list[str] = []
        answers = [i for i in self._items if not i.filler]
        for item in answers:
            said, unsaid = _split_words(item.text, item.heard_fraction)
            heard += [said] if said else []
            dropped += [unsaid] if unsaid else []
        dropped += self._sentences[len(answers) :]  # written but never synthesized
        return TurnOutcome(
            heard=" ".join(heard),
            dropped=" ".join(dropped),
            interrupted=interrupted,
            sentences=tuple(self._sentences),
        )


def first_pieces(sentence: str) -> list[str]:
    """How the first sentence of an answer is cut for synthesis (the memo's keys for it)."""
    return lead_clause(sentence.strip())


def _split_words(text: str, fraction: float) -> tuple[str, str]:
    """Split ``text`` into the words heard when ``fraction`` of its audio played, and the rest.

    Piper gives no word timings, so words are assumed evenly spread; a cut sentence ends in "...".
    """
    if fraction >= 1.0:
        return text, ""
    words = text.split()
    n = int(len(words) * fraction)
    return (" ".join(words[:n]) + "...") if n else "", " ".join(words[n:])
