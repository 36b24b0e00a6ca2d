"""Cut text into bounded pieces: at sentence ends, else between words, else inside a word.

Manuals are written in sentences, and a chunk boundary between sentences keeps each chunk
readable. Input that is not (a 20 MB line without a full stop, a run of characters without a
space) must still end up in chunks the encoder and the database can take, so a sentence longer
than the limits is cut between words, and a "word" longer than :data:`WORD_CHARS` is cut into
pieces of that length. No text is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

CHUNK_WORDS: Final = 110
"""Target words in a text chunk; MiniLM reads 256 word pieces, so chunks stay well below."""
CHUNK_CHARS: Final = 2_000
"""Most characters in a text chunk (110 ordinary words are about 700)."""
WORD_CHARS: Final = 60
"""Longest run without a space kept whole (part numbers and URLs are shorter)."""

_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text``, each cut to at most ``CHUNK_WORDS`` words / ``CHUNK_CHARS``."""
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        if len(words) <= CHUNK_WORDS and len(sentence) <= CHUNK_CHARS:
            yield sentence
        else:
            yield from _word_runs(words)


def _word_runs(words: list[str]) -> Iterator[str]:
    run: list[str] = []
    chars = 0
    for word in words:
        for piece in (
            [word[i : i + WORD_CHARS] for i in range(0, len(word), WORD_CHARS)]
            if len(word) > WORD_CHARS
            else [word]
        ):
            if run and (len(run) >= CHUNK_WORDS or chars + len(piece) + 1 > CHUNK_CHARS):
                yield " ".join(run)
                run, chars = [], 0
            run.append(piece)
            chars += len(piece) + 1
    if run:
        yield " ".join(run)


def pieces(text: str) -> list[str]:
    """``text`` as consecutive pieces of whole sentences within the chunk limits."""
    parts: list[str] = []
    current: list[str] = []
    words = chars = 0
    for sentence in sentences(text):
        n, c = len(sentence.split()), len(sentence) + 1
        if current and (words + n > CHUNK_WORDS or chars + c > CHUNK_CHARS):
            parts.append(" ".join(current))
            current, words, chars = [], 0, 0
        current.append(sentence)
        words += n
        chars += c
    if current:
        parts.append(" ".join(current))
    return parts


def fits(text: str) -> bool:
    """True when ``text`` is within the limits of one text chunk."""
    return len(text) <= CHUNK_CHARS and len(text.split()) <= CHUNK_WORDS


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for titles, never for content)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
