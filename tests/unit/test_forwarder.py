"""Forwarder orchestration against a scripted link (the real broker is in tests/integration)."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from edge.report.forwarder import Forwarder
from edge.report.mqtt import backoff_delay
from edge.report.outbox import Outbox

pytestmark = pytest.mark.unit


class ScriptedLink:
    def __init__(self) -> None:
        self.connected = True
        self.published: list[tuple[int, str]] = []
        self._mid = 0

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int,
        retain: bool = False,
        expiry_s: int | None = None,
        key: str | None = None,
    ) -> int | None:
        if not self.connected:
            return None
        assert qos == 1 and key is not None and expiry_s is not None and expiry_s >= 3600
        self._mid += 1
        self.published.append((self._mid, key))
        return self._mid


def fill(outbox: Outbox, n: int) -> list[str]:
    keys = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(n)]
    for k in keys:
        outbox.put(
            incident_id=k,
            topic="t",
            payload=b"{}",
            severity="low",
            summary="s",
            source="device",
            created_at=0.0,
            expires_at=10.0,
        )
    return keys


async def settle(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    for _ in range(int(timeout_s / 0.005)):  # bounded poll: the forwarder's own timing is real
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached in time")


def test_window_acks_and_refusals(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    keys = fill(outbox, 25)
    refused: list[tuple[str, str]] = []

    async def scenario() -> None:
        link = ScriptedLink()
        fwd = Forwarder(
            outbox,
            window=10,
            poll_s=0.05,
            refused_retry_s=3600,
            on_refused=lambda k, r: refused.append((k, r)),
        )
        fwd.link = link
        fwd.start()
        await settle(lambda: len(link.published) == 10)
        await asyncio.sleep(0.1)
        assert len(link.published) == 10  # never more than the window unacknowledged
        for mid, _ in link.published[:10]:
            fwd.acked(mid, ok=mid != 3, reason="Success" if mid != 3 else "Not authorized")
        await settle(lambda: len(link.published) == 20)
        for mid, _ in link.published[10:20]:
            fwd.acked(mid, True, "Success")
        await settle(lambda: len(link.published) == 25)
        for mid, _ in link.published[20:]:
            fwd.acked(mid, True, "Success")
        assert await fwd.flush(5.0)
        await fwd.close()
        assert fwd.sent == 24 and fwd.refused == 1 and fwd.last_error == "Not authorized"

    asyncio.run(scenario())
    assert refused == [(keys[2], "Not authorized")]
    counts = outbox.counts()
    assert (counts.pending, counts.refused, counts.sent) == (1, 1, 24)
    assert outbox.get(keys[2]).last_error == "Not authorized"


def test_nothing_is_published_while_down_and_unanswered_messages_go_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    (key,) = fill(outbox, 1)
    now = [0.0]

    async def scenario() -> None:
        link = ScriptedLink()
        link.connected = False
        fwd = Forwarder(outbox, poll_s=0.02, ack_timeout_s=60, monotonic=lambda: now[0])
        fwd.link = link
        fwd.start()
        await asyncio.sleep(0.1)
        assert link.published == []
        link.connected = True
        fwd.link_up()
        await settle(lambda: len(link.published) == 1)
        now[0] = 61.0  # no acknowledgement for a minute on a live connection
        await settle(lambda: len(link.published) == 2)
        assert [k for _, k in link.published] == [key, key]  # same id: readers de-duplicate
        fwd.acked(link.published[0][0], True, "Success")  # a late answer to the first is ignored
        fwd.acked(link.published[1][0], True, "Success")
        assert await fwd.flush(5.0)
        await fwd.close()

    asyncio.run(scenario())
    assert outbox.counts().sent == 1


@pytest.mark.parametrize("attempt", [1, 2, 3, 10, 100])
def test_backoff_doubles_with_jitter_and_is_capped(attempt: int) -> None:
    cap = min(30.0, 0.5 * 2 ** (attempt - 1))
    low, high = backoff_delay(attempt, 0.5, 30.0, 0.0), backoff_delay(attempt, 0.5, 30.0, 0.999)
    assert low == pytest.approx(cap / 2) and cap / 2 < high <= cap
