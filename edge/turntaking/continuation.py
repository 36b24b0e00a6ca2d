"""A request resumed right after its turn ended is one request: the early end is taken back.

The endpoint ends a turn on witnesses that can all be wrong at once: a mid-sentence pause ("What
does fault code ... E-117 mean?") that the end-of-turn model hears as finished (a falling voice)
and that Whisper writes as a finished question ("What does fault code?"). No rule on the words or
the voice alone can tell that apart from a short request; what tells is the technician: they go
on talking. Speech that starts within ``window_s`` of the end of their own last word (the
answer has barely begun, too little of it heard to be reacted to) continues the request: the
turn under way is cancelled and the new capture holds both parts, transcribed together.

Only a turn the endpoint ended on a pause qualifies: a push-to-talk release is the technician's
own word that they had finished, and a turn cut at its maximum length was no pause at all (with
the defaults the long pause is as long as the window, so in practice the early ends count, but a
device set to a short long pause is covered too). A turn whose request may
already have started a side effect (an incident being logged) is not taken back: the side effect
finishes as it must, and what follows is a request of its own, as before.
"""

from __future__ import annotations

from typing import Final

PAUSE_ENDS: Final = frozenset({"turn", "complete", "long-pause"})
"""Endpoint reasons that end a turn on a pause (see ``Endpointer.end_reason``)."""


def continues(
    *,
    reason: str,
    held: bool,
    speech_end: float | None,
    onset: float,
    window_s: float,
    acting: bool,
) -> bool:
    """Whether speech starting at ``onset`` continues the request of the turn under way.

    Args:
        reason: why the turn's capture ended (an endpoint reason, ``ptt``...).
        held: the capture was held by push-to-talk.
        speech_end: stream time the technician last spoke in that capture (None: never).
        onset: stream time the new speech began.
        window_s: the longest gap between the two that still continues the request (0: never).
        acting: the turn's request may have started a side effect.
    """
    if window_s <= 0 or held or acting or reason not in PAUSE_ENDS or speech_end is None:
        return False
    return 0.0 <= onset - speech_end <= window_s
