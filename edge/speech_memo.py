"""Recently synthesized sentences, kept by text so a repeated answer starts speaking at once.

A semantic-cache hit or "say that again" repeats sentences spoken minutes ago; synthesizing them
again costs piper a few hundred ms before the first sample (on a 2-core machine: 365 ms of the
400 ms from final transcript to first audio on a cache hit). Bounded by seconds of audio held.
Used only from the event loop.
"""

from __future__ import annotations

from collections import OrderedDict

from edge.events import Int16Array


class SpeechMemo:
    """A least-recently-used map of sentence text to its synthesized samples."""

    def __init__(self, rate: int, max_seconds: float = 120.0) -> None:
        """Hold at most ``max_seconds`` of audio at ``rate`` (about 5 MB at 22 kHz)."""
        self.rate = rate
        self._limit = int(max_seconds * rate)
        self._held = 0
        self._items: OrderedDict[str, Int16Array] = OrderedDict()
        self.hits = 0
        """Sentences served from memory so far."""

    def get(self, text: str) -> Int16Array | None:
        """The samples spoken for ``text`` before, if still held."""
        samples = self._items.get(text)
        if samples is not None:
            self._items.move_to_end(text)
            self.hits += 1
        return samples

    def put(self, text: str, samples: Int16Array) -> None:
        """Remember ``samples`` for ``text``; the least recently used go beyond the bound."""
        if len(samples) > self._limit:
            return
        old = self._items.pop(text, None)
        self._held -= len(old) if old is not None else 0
        self._items[text] = samples
        self._held += len(samples)
        while self._held > self._limit:
            _, dropped = self._items.popitem(last=False)
            self._held -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)
