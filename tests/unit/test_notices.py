import pytest

from edge.dialogue.notices import MAX_DUE, Notices
from edge.events import TurnId

pytestmark = pytest.mark.unit


def test_a_notice_stays_due_until_every_sentence_was_heard() -> None:
    notices = Notices()
    posted: list[int] = []
    notices.on_post = lambda: posted.append(len(notices))
    notice = notices.post(("Warning: too hot.", "Logged a high severity incident."), TurnId(4))
    assert posted == [1]
    notices.delivered(notice.notice_id, 1)  # cut after the warning
    assert notices.due() == [notice]
    notices.delivered(notice.notice_id, 2)
    assert notices.due() == [] and len(notices) == 0


def test_empty_speech_is_never_due_and_old_notices_are_bounded() -> None:
    notices = Notices()
    notices.post(("", "  "), TurnId(1))
    assert notices.due() == []
    for n in range(MAX_DUE + 3):
        notices.post((f"Logged {n}.",), TurnId(n))
    due = notices.due()
    assert len(due) == MAX_DUE and due[0].speech == ("Logged 3.",)
    notices.clear()
    assert notices.due() == []


def test_tell_waits_until_heard_and_reports_a_drop() -> None:
    import asyncio

    async def scenario() -> tuple[bool, bool, bool]:
        notices = Notices()
        heard = asyncio.ensure_future(notices.tell(("Control acknowledged the incident: A.",)))
        await asyncio.sleep(0)
        (notice,) = notices.due()
        assert not heard.done()
        notices.delivered(notice.notice_id, 1)
        first = await heard
        dropped = asyncio.ensure_future(notices.tell(("Control closed the incident: B.",)))
        await asyncio.sleep(0)
        for n in range(MAX_DUE):
            notices.post((f"Logged {n}.",), TurnId(n))
        second = await dropped
        cleared = asyncio.ensure_future(notices.tell(("Control closed the incident: C.",)))
        await asyncio.sleep(0)
        notices.clear()
        return first, second, await cleared

    assert asyncio.run(scenario()) == (True, False, False)


def test_a_withdrawn_notice_is_no_longer_due() -> None:
    notices = Notices()
    asked = notices.post(("Gearbox oil sump temperature, 92 degrees Celsius?",), TurnId(1))
    assert notices.is_due(asked.notice_id) and not notices.is_due(None)
    notices.withdraw(asked.notice_id)  # answered yes before it finished playing
    assert not notices.is_due(asked.notice_id) and len(notices) == 0
    notices.withdraw(asked.notice_id)  # twice is harmless
