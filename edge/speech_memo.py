"""Recently synthesized sentences, kept by text so a repeated answer starts speaking at once.

A semantic-cache hit or "say that again" repeats sentences spoken minutes ago; synthesizing them
again costs piper a few hundred ms before the first sample (on a 2-core machine: 365 ms of the
400 ms from final transcript to first audio on a cache hit). Bounded by seconds of audio held.
Used only from the event loop.
"""

from __future__ import annotations

import asyncio
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
        self._coming: dict[str, asyncio.Task[Int16Array]] = {}

    def coming(self, text: str, synthesis: asyncio.Task[Int16Array]) -> None:
        """``text`` is being synthesized ahead of need (a speculative answer).

        A turn that needs it meanwhile :meth:`wait`s for it instead of synthesizing it again.
        """
        self._coming[text] = synthesis

        def done(task: asyncio.Task[Int16Array]) -> None:
            if self._coming.get(text) is task:
                del self._coming[text]
            if not task.cancelled() and task.exception() is None:
                self.put(text, task.result())

        synthesis.add_done_callback(done)

    async def wait(self, text: str) -> Int16Array | None:
        """The samples for ``text``: held, or being synthesized ahead (awaited); else None."""
        samples = self.get(text)
        if samples is not None:
            return samples
        synthesis = self._coming.get(text)
        if synthesis is None:
            return None
        try:
            samples = await asyncio.shield(synthesis)
        except Exception:  # noqa: BLE001 - the turn synthesizes it itself
            return None
        self.hits += 1
        return samples

    def __contains__(self, text: object) -> bool:
        return text in self._items or text in self._coming

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
