"""The conversation within one run: bounded history of what was said and actually heard.

It is the LLM's view of the talk. What the conversation is *about* (the topic, a procedure, the
last answer's table) is the dialogue state's (:mod:`edge.dialogue.state`), with a short life.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from edge.events import Message

ANSWER_CHARS = 200
"""Longest answer text kept in the LLM's view of the history (chars)."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the part of the answer the technician heard."""

    request: str
    """What the technician said."""
    heard: str
    """What the assistant said that was played (may be cut short)."""
    interrupted: bool = False
    """True when the technician talked over the answer."""
    component_id: str | None = None
    """Component the exchange was about, when known."""


class Conversation:
    """Recent exchanges, oldest first, at most ``max_exchanges`` of them."""

    def __init__(self, max_exchanges: int = 6) -> None:
        self._exchanges: collections.deque[Exchange] = collections.deque(
            maxlen=max(1, max_exchanges)
        )
        self._keep = max_exchanges

    def add(self, exchange: Exchange) -> None:
        """Remember a finished exchange (the oldest is forgotten when full)."""
        if self._keep > 0:
            self._exchanges.append(exchange)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """Remembered exchanges, oldest first."""
        return tuple(self._exchanges)

    @property
    def last_heard(self) -> str:
        """The last answer as the technician heard it ("" when none)."""
        return self._exchanges[-1].heard if self._exchanges else ""

    def requests(self) -> tuple[str, ...]:
        """Recent requests, oldest first."""
        return tuple(e.request for e in self._exchanges)

    def messages(self, max_answer_chars: int = ANSWER_CHARS) -> list[Message]:
        """The history as chat messages (interrupted answers marked as such).

        Long answers (a nine-step procedure read out) are cut to their start: the LLM needs the
        gist for a follow-up, and every token of history is prompt to evaluate before the first
        token of the next reply (2.7 s on a 2-core machine after a 35 s procedure).
        """
        out: list[Message] = []
        for exchange in self._exchanges:
            out.append(Message("user", exchange.request))
            if exchange.heard:
                heard = _shorten(exchange.heard, max_answer_chars)
                out.append(Message("assistant", heard, interrupted=exchange.interrupted))
        return out

    def clear(self) -> None:
        """Forget everything."""
        self._exchanges.clear()


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " ..."
