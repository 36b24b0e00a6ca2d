"""Where capture audio comes from: the protocol every microphone stand-in implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from edge.events import AudioFrame


class AudioSource(Protocol):
    """A continuous stream of mono int16 frames at ``rate``."""

    rate: int
    """Sample rate of the frames (Hz)."""

    def frames(self) -> AsyncIterator[AudioFrame]:
        """Yield frames in order until the source ends or is closed."""
        ...

    def clock_at(self, stream_time: float) -> float:
        """Monotonic clock time at which ``stream_time`` of this stream was captured."""
        ...
