"""Control's messages reach the speaking hook in order, once each, and wait without one."""

import asyncio

import pytest

from edge.report.control import ControlMessages
from edge.report.lifecycle import Announcement

pytestmark = pytest.mark.unit


class Pending:
    def __init__(self, *texts: str) -> None:
        self.items = [Announcement(f"c{i}", t) for i, t in enumerate(texts)]
        self.told: list[str] = []

    async def announcements(self) -> list[Announcement]:
        return [a for a in self.items if a.command_id not in self.told]

    async def announced(self, command_id: str) -> None:
        self.told.append(command_id)


def test_messages_are_said_in_order_and_marked_told() -> None:
    source = Pending("Control acknowledged the incident: A.", "Control closed the incident: B.")
    said: list[str] = []

    async def say(text: str) -> bool:
        said.append(text)
        return True

    assert asyncio.run(ControlMessages(source, say).tell_pending()) == 2
    assert said == [a.text for a in source.items] and source.told == ["c0", "c1"]


def test_a_message_cut_off_is_offered_again() -> None:
    source = Pending("first", "second")
    results = iter([False, True, True])

    async def say(text: str) -> bool:
        return next(results)

    control = ControlMessages(source, say)
    assert asyncio.run(control.tell_pending()) == 0 and source.told == []
    assert asyncio.run(control.tell_pending()) == 2 and source.told == ["c0", "c1"]


def test_without_a_way_to_speak_messages_wait(caplog: pytest.LogCaptureFixture) -> None:
    source = Pending("first")
    control = ControlMessages(source, None)
    assert asyncio.run(control.tell_pending()) == 0
    assert source.told == [] and "waits" in caplog.text


def test_the_loop_wakes_on_a_new_message() -> None:
    source = Pending()
    said: list[str] = []

    async def say(text: str) -> bool:
        said.append(text)
        return True

    async def scenario() -> None:
        control = ControlMessages(source, say, poll_s=3600)
        task = asyncio.create_task(control.run())
        await asyncio.sleep(0.05)
        source.items.append(Announcement("c9", "Control closed the incident: C."))
        control.due()
        for _ in range(100):
            if said:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert said == ["Control closed the incident: C."]
