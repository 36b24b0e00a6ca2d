"""Incremental sentence splitting for streaming TTS.

LLM tokens arrive a few characters at a time; each complete sentence goes to TTS while the model
writes the next. A full stop only ends a sentence when whitespace follows it and it is not part of
a number ("5.5 Nm"), an abbreviation ("approx.", "e.g.", "No."), an initial, or a list number
("1. Remove the cover"). A sentence longer than ``max_chars`` is cut at a comma or space so TTS
never waits for a run-on sentence to finish.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Final

ABBREVIATIONS: Final = frozenset(
    {
        "approx",
        "ca",
        "cf",
        "dr",
        "e.g",
        "eg",
        "etc",
        "fig",
        "figs",
        "i.e",
        "ie",
        "incl",
        "max",
        "min",
        "mr",
        "mrs",
        "ms",
        "no",
        "nos",
        "nr",
        "p",
        "pp",
        "para",
        "ref",
        "sec",
        "sect",
        "st",
        "vs",
        "vol",
        "op",
        "ch",
        "chap",
        "tab",
        "esp",
        "dept",
        "est",
        "temp",
        "rev",
        "pt",
        "pts",
        "qty",
        "std",
        "av",
        "avg",
    }
)
"""Words that end with a full stop without ending the sentence (lower case, no final dot)."""

_TERMINATORS: Final = ".!?"
_CLOSERS: Final = "\"')]»”’"
_WORD_BEFORE = re.compile(r"([\w.]+)$")


class SentenceSplitter:
    """Feed text pieces; get back complete sentences as soon as they are certain."""

    def __init__(self, *, min_chars: int = 12, max_chars: int = 220) -> None:
        """Create a splitter.

        Args:
            min_chars: a sentence shorter than this is held and joined to the next one.
            max_chars: a sentence longer than this is cut at the last comma or space.
        """
        if min_chars < 1 or max_chars < min_chars * 2:
            raise ValueError("need 1 <= min_chars and max_chars >= 2 * min_chars")
        self._min = min_chars
        self._max = max_chars
        self._buf = ""
        self._pending_short = ""
        """A sentence too short to send alone, waiting for the next one."""

    def feed(self, text: str) -> list[str]:
        """Add ``text``; return the sentences it completed."""
        self._buf += text
        out: list[str] = []
        while True:
            cut = self._find_boundary()
            if cut is None:
                break
            sentence, self._buf = self._buf[:cut].strip(), self._buf[cut:].lstrip()
            if sentence:
                out.append(sentence)
        return self._merge_short(out)

    def flush(self) -> list[str]:
        """Return whatever is left (the end of the stream)."""
        rest, self._buf = self._buf.strip(), ""
        pending = self._pending_short
        self._pending_short = ""
        joined = " ".join(p for p in (pending, rest) if p)
        return [joined] if joined else []

    def _merge_short(self, sentences: list[str]) -> list[str]:
        out: list[str] = []
        for sentence in sentences:
            if self._pending_short:
                sentence = f"{self._pending_short} {sentence}"
                self._pending_short = ""
            if len(sentence) < self._min:
                self._pending_short = sentence
            else:
                out.append(sentence)
        return out

    def _find_boundary(self) -> int | None:
        buf = self._buf
        for i, char in enumerate(buf):
            if char == "\n" and buf[:i].strip():
                return i + 1
            if char in _TERMINATORS:
                end = i + 1
                while end < len(buf) and buf[end] in _CLOSERS:
                    end += 1
                if end >= len(buf):
                    break  # cannot tell yet: the next piece may be "5 Nm" or more dots
                if buf[end].isspace() and self._ends_sentence(buf, i):
                    return end
        if len(buf) > self._max:
            return self._soft_cut(buf)
        return None

    @staticmethod
    def _ends_sentence(buf: str, dot: int) -> bool:
        if buf[dot] != ".":
            return True
        match = _WORD_BEFORE.search(buf[:dot])
        word = match.group(1) if match else ""
        if not word:
            return True
        bare = word.lower().rstrip(".")
        if bare in ABBREVIATIONS:
            return False
        start = dot - len(word)
        if len(bare) == 1 and bare.isalpha() and (start == 0 or buf[start - 1].isspace()):
            return False  # an initial ("J. Smith"), but not a unit ("85 °C.")
        # "1. Remove the cover": a list number, not the end of a sentence.
        return not (bare.isdigit() and _starts_item(buf, start))

    def _soft_cut(self, buf: str) -> int:
        window = buf[: self._max]
        for mark in (", ", "; ", " "):
            pos = window.rfind(mark)
            if pos >= self._min:
                return pos + len(mark)
        return self._max


_CLAUSE: Final = re.compile(r"[,:;](?= )")
"""A clause boundary: a comma, colon or semicolon followed by a space (not "1,000")."""


def lead_clause(
    sentence: str, *, min_head: int = 5, min_rest: int = 12, long_chars: int = 40
) -> list[str]:
    """Split a long sentence after its first clause, so the first audio of an answer comes sooner.

    TTS time grows with length, and nothing plays until the first piece is synthesized: speaking
    "Caliper to yaw ring:" (60 ms to synthesize, a second to say) while the rest is synthesized
    saves a few hundred ms of silence. Sentences under ``long_chars`` are left whole, and so are
    clauses that would leave a piece shorter than ``min_head`` or ``min_rest``.
    """
    if len(sentence) < long_chars:
        return [sentence]
    for match in _CLAUSE.finditer(sentence):
        cut = match.end()
        head, rest = sentence[:cut].strip(), sentence[cut:].strip()
        if len(head) >= min_head and len(rest) >= min_rest:
            return [head, rest]
    return [sentence]


def _starts_item(buf: str, word_start: int) -> bool:
    before = buf[:word_start].rstrip(" ")
    return not before or before.endswith(("\n", ":")) or before[-1] in _TERMINATORS


async def split_sentences(
    pieces: AsyncIterable[str], *, min_chars: int = 12, max_chars: int = 220
) -> AsyncIterator[str]:
    """Turn a stream of text pieces into a stream of sentences."""
    splitter = SentenceSplitter(min_chars=min_chars, max_chars=max_chars)
    async for piece in pieces:
        for sentence in splitter.feed(piece):
            yield sentence
    for sentence in splitter.flush():
        yield sentence
