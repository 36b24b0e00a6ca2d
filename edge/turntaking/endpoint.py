"""End of turn: when has the technician finished speaking? Pure logic; time is an argument.

Three witnesses are heard, fastest first:

- the *end-of-turn model* (``turn`` engine, e.g. smart-turn) judges the voice: a falling "...bolts
  need?" against a drawn-out "the torque for the...". When it says finished, and the transcript of
  everything said does not end mid-sentence, a ``turn_pause_s`` pause (150 ms) ends the turn;
- the *transcript*: one that reads finished ("...need?") ends the turn after ``short_pause_s``
  (400 ms), even when the model hesitates; one that ends on "and", "the" or "..." waits, and one
  that ends on a comma after a word a request can end on ("...gearbox oil quantity,") ends only
  when the model is sure (``turn_sure_threshold``): Whisper writes that comma where the voice did
  not fall, and copies it from its prompt's comma list, so it says little either way;
- the *silence*: ``long_pause_s`` (1 s) ends the turn whatever the others say.

When a pause begins the caller is told to *preflight*: decode what it has now and ask the model,
so that both verdicts, and the final transcript, are usually ready ~200 ms into the pause. Waiting
for the transcript before ending costs nothing: the answer cannot start before it anyway.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final


class Words(enum.Enum):
    """What the transcript of the utterance so far says about its end."""

    UNKNOWN = "unknown"
    """No transcript covers the latest speech yet."""
    COMPLETE = "complete"
    """It reads like a finished request ("...need?")."""
    INCOMPLETE = "incomplete"
    """It stops mid-sentence: "...", a colon or a word like "and", "the", "for"."""
    TRAILING = "trailing"
    """It ends on a comma after a word a request can end on ("Yaw drive gearbox oil quantity,"):
    weak evidence either way, left to a sure end-of-turn model."""
    UNCLEAR = "unclear"
    """It covers the speech but says neither (no final punctuation)."""


class Decision(enum.Enum):
    """What the listener should do after a frame."""

    CONTINUE = "continue"
    """Keep capturing."""
    PREFLIGHT = "preflight"
    """A pause began: decode the utterance now, speculatively."""
    END = "end"
    """The turn is over."""
    ABANDON = "abandon"
    """Nothing was said: drop the turn."""


@dataclass(frozen=True, slots=True)
class EndpointSettings:
    """Timing of end-of-turn decisions (seconds) and VAD thresholds."""

    min_speech_s: float = 0.096
    """Speech needed before the turn counts as started."""
    turn_pause_s: float = 0.15
    """Pause that ends a turn the end-of-turn model calls finished (transcript not against)."""
    turn_threshold: float = 0.5
    """End-of-turn model probability that counts as finished."""
    sure_threshold: float = 0.9
    """End-of-turn model probability that ends a turn whose transcript trails off on a comma."""
    short_pause_s: float = 0.4
    """Pause that ends a turn whose transcript looks complete."""
    long_pause_s: float = 1.0
    """Pause that always ends the turn."""
    preflight_s: float = 0.032
    """Pause after which a speculative decode (and the end-of-turn model) starts."""
    max_utterance_s: float = 30.0
    """Longest turn."""
    no_speech_timeout_s: float = 6.0
    """Give up when nothing is said for this long after the trigger."""
    threshold: float = 0.5
    """Speech probability that starts speech."""
    negative_threshold: float = 0.35
    """Speech probability below which speech stops (hysteresis against flicker)."""


class Endpointer:
    """Tracks one utterance frame by frame and decides when it is over."""

    def __init__(
        self, settings: EndpointSettings, started_at: float, *, speaking: bool = False
    ) -> None:
        """Start tracking at stream time ``started_at``.

        Args:
            settings: thresholds and pauses.
            started_at: stream time the capture began.
            speaking: True when speech is already under way (barge-in, pre-roll with voice).
        """
        self.settings = settings
        self.started_at = started_at
        self.speech_started = speaking
        """True once ``min_speech_s`` of speech was heard."""
        self.voiced = speaking
        """Current VAD state (with hysteresis)."""
        self.last_voice_at: float | None = started_at if speaking else None
        """Stream time speech was last heard."""
        self.first_voice_at: float | None = started_at if speaking else None
        """Stream time speech was first heard."""
        self.end_reason = ""
        """Why the turn ended: ``turn``, ``complete``, ``long-pause``, ``max-length``,
        ``no-speech``."""
        self._run = 0.0
        self._preflighted = False
        self._now = started_at

    @property
    def pause_s(self) -> float:
        """Length of the current pause (0 while speaking or before speech)."""
        return 0.0 if self.last_voice_at is None or self.voiced else self._now - self.last_voice_at

    def update(
        self,
        now: float,
        duration: float,
        speech_prob: float,
        *,
        words: Words = Words.UNKNOWN,
        turn: float | None = None,
    ) -> Decision:
        """Account for one frame ending at stream time ``now``.

        Args:
            now: stream time at the end of the frame.
            duration: frame length (s).
            speech_prob: VAD probability for the frame.
            words: the verdict of the transcript covering all speech so far (see
                :func:`judge_words`).
            turn: the end-of-turn model's probability for the current pause (None: not known,
                or no model).
        """
        s = self.settings
        self._now = now
        if speech_prob >= s.threshold or (self.voiced and speech_prob >= s.negative_threshold):
            self.voiced = True
            self._run += duration
            self.last_voice_at = now
            if self.first_voice_at is None:
                self.first_voice_at = now - duration
            if self._run >= s.min_speech_s:
                self.speech_started = True
            self._preflighted = False
            return self._check_length(now)
        self.voiced = False
        self._run = 0.0
        if not self.speech_started:
            if now - self.started_at >= s.no_speech_timeout_s:
                self.end_reason = "no-speech"
                return Decision.ABANDON
            return Decision.CONTINUE
        pause = now - (self.last_voice_at or now)
        if pause >= s.long_pause_s:
            self.end_reason = "long-pause"
            return Decision.END
        if pause >= s.short_pause_s and words is Words.COMPLETE:
            self.end_reason = "complete"
            return Decision.END
        if pause >= s.turn_pause_s and turn is not None and self._finished(words, turn):
            self.end_reason = "turn"
            return Decision.END
        if pause >= s.preflight_s and not self._preflighted:
            self._preflighted = True
            return Decision.PREFLIGHT
        return self._check_length(now)

    def _finished(self, words: Words, turn: float) -> bool:
        """Whether the end-of-turn model's ``turn`` ends the turn, given the words' verdict."""
        if words is Words.TRAILING:
            return turn >= self.settings.sure_threshold
        return turn >= self.settings.turn_threshold and words in (Words.COMPLETE, Words.UNCLEAR)

    def _check_length(self, now: float) -> Decision:
        if (
            self.first_voice_at is not None
            and now - self.first_voice_at >= self.settings.max_utterance_s
        ):
            self.end_reason = "max-length"
            return Decision.END
        return Decision.CONTINUE


_CONTINUATIONS: Final = frozenset(
    [
        "and",
        "or",
        "but",
        "so",
        "because",
        "then",
        "the",
        "a",
        "an",
        "to",
        "for",
        "of",
        "with",
        "at",
        "on",
        "in",
        "is",
        "are",
        "was",
        "were",
        "my",
        "your",
        "our",
        "their",
        "this",
        "that",
        "these",
        "those",
        "from",
        "by",
        "about",
        "into",
        "as",
        "if",
        "when",
        "while",
        "um",
        "uh",
        "er",
        "like",
        "which",
        "what",
        "how",
        "where",
        "who",
        "whose",
        "can",
        "could",
        "should",
        "would",
        "will",
        "please",
    ]
)
_FINAL_PUNCT = re.compile(r"[.?!][\"')\]]*$")


def judge_words(text: str | None) -> Words:
    """The verdict of a transcript that covers all speech so far (None: there is none yet)."""
    if text is None:
        return Words.UNKNOWN
    if looks_complete(text):
        return Words.COMPLETE
    if looks_incomplete(text):
        return Words.INCOMPLETE
    return Words.TRAILING if text.rstrip().endswith(",") else Words.UNCLEAR


def looks_incomplete(text: str) -> bool:
    """True when ``text`` stops mid-sentence: "...", a colon, or a conjunction, article, etc.

    A comma alone is not enough (see :attr:`Words.TRAILING`).
    """
    text = text.strip()
    if not text:
        return False
    if text.endswith(("...", "…", ";", ":", "-")):
        return True
    words = re.findall(r"[\w'-]+", text.lower())
    return bool(words) and words[-1] in _CONTINUATIONS


def looks_complete(text: str) -> bool:
    """True when ``text`` reads like a finished request, not one cut off mid-sentence.

    Whisper punctuates: a transcript ending in ``.``, ``?`` or ``!`` whose last word is not a
    conjunction, article or preposition is taken as complete; a trailing "..." is not.
    """
    text = text.strip()
    if not text or text.endswith(("...", "…", ",")) or not _FINAL_PUNCT.search(text):
        return False
    words = re.findall(r"[\w'-]+", text.lower())
    return bool(words) and words[-1] not in _CONTINUATIONS
