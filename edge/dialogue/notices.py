"""Notices: outcomes the technician must hear, kept until they have been heard in full.

A side-effecting tool (an incident report, an out-of-range reading that raises one) finishes even
when its turn is cut by a barge-in, a new push-to-talk press or a shutdown. Its spoken outcome
("Logged a high severity incident: oil leak at the gearbox.", or the failure) is posted here the
moment the work is done. The turn that asked speaks it and marks it delivered once every sample
of it was played; if that turn was cut first, the notice stays due and is said at the start of
the next turn, or by the session as soon as the assistant is idle.

Other parts of the device use the same path with :meth:`Notices.tell` (control's answer to an
incident: "Control acknowledged the incident: oil leak at the gearbox."), which waits until the
notice was heard.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from edge.events import TurnId

_LOGGER = logging.getLogger(__name__)

MAX_DUE: Final = 16
"""Notices kept undelivered; beyond this the oldest is dropped (and logged)."""
NO_TURN: Final = TurnId(0)
"""The turn id of notices no request produced (control's messages)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """An outcome to tell the technician."""

    notice_id: int
    """Unique within this run."""
    speech: tuple[str, ...]
    """Sentences to say, in order."""
    turn_id: TurnId
    """The turn whose request produced it."""


class Notices:
    """Outcomes not yet heard in full, oldest first."""

    def __init__(self) -> None:
        self._due: collections.OrderedDict[int, Notice] = collections.OrderedDict()
        self._ids = itertools.count(1)
        self.on_post: Callable[[], None] | None = None
        """Called after each :meth:`post` (on the caller's thread): the session listens here."""
        self._waiting: dict[int, asyncio.Future[bool]] = {}

    def post(self, speech: tuple[str, ...], turn_id: TurnId) -> Notice:
        """Keep ``speech`` until it has been heard; returns the notice to attach to its parts."""
        notice = Notice(next(self._ids), tuple(s for s in speech if s.strip()), turn_id)
        if notice.speech:
            self._due[notice.notice_id] = notice
            while len(self._due) > MAX_DUE:
                _, dropped = self._due.popitem(last=False)
                _LOGGER.warning("Notice never heard, dropped: %s", " ".join(dropped.speech))
                self._settle(dropped.notice_id, heard=False)
        if self.on_post is not None:
            self.on_post()
        return notice

    def due(self) -> list[Notice]:
        """Notices not yet heard in full, oldest first."""
        return list(self._due.values())

    def delivered(self, notice_id: int, sentences: int) -> None:
        """The first ``sentences`` sentences of notice ``notice_id`` were played to the end.

        The notice is done once all of its sentences were; otherwise it stays due, whole.
        """
        notice = self._due.get(notice_id)
        if notice is not None and sentences >= len(notice.speech):
            del self._due[notice_id]
            _LOGGER.debug("Notice %d delivered", notice_id)
            self._settle(notice_id, heard=True)

    def withdraw(self, notice_id: int) -> None:
        """Notice ``notice_id`` is moot (a read-back answered before it was heard in full)."""
        if self._due.pop(notice_id, None) is not None:
            self._settle(notice_id, heard=False)

    def is_due(self, notice_id: int | None) -> bool:
        """Whether notice ``notice_id`` is still to be heard."""
        return notice_id is not None and notice_id in self._due

    async def tell(self, speech: tuple[str, ...]) -> bool:
        """Post ``speech`` and wait until it was heard in full (True), or dropped unheard (False).

        For outcomes no turn asked for (turn id 0). On the event loop. Cancelling the wait leaves
        the notice due.
        """
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        notice = self.post(speech, NO_TURN)
        if notice.notice_id not in self._due:
            return False  # nothing to say
        self._waiting[notice.notice_id] = waiter
        try:
            return await waiter
        finally:
            self._waiting.pop(notice.notice_id, None)

    def _settle(self, notice_id: int, *, heard: bool) -> None:
        waiter = self._waiting.get(notice_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(heard)

    def clear(self) -> None:
        """Forget every notice (a new conversation); those being waited on count as unheard."""
        for notice_id in list(self._due):
            self._settle(notice_id, heard=False)
        self._due.clear()

    def __len__(self) -> int:
        return len(self._due)
