"""The doctor's runner: checks run at once, each within its own limit; a hang or a crash fails."""

from __future__ import annotations

import threading
import time

import pytest

from edge.doctor import Check, Result, failed, run_checks

pytestmark = pytest.mark.unit


def test_a_hung_check_fails_at_its_limit_while_the_others_answer() -> None:
    never = threading.Event()

    def hangs() -> list[Result]:
        never.wait()  # a driver that never returns
        return []

    def slow() -> list[Result]:
        time.sleep(0.3)
        return [Result("slow", "pass", "done")]

    started = time.monotonic()
    results = run_checks(
        [
            Check("hangs", hangs, 0.5, "replug it"),
            Check("slow", slow, 5.0),
            Check("quick", lambda: [Result("quick", "warn", "meh", "fix it")], 5.0),
        ]
    )
    took = time.monotonic() - started
    never.set()
    assert [r.name for r in results] == ["hangs", "slow", "quick"]  # the order given
    assert results[0].status == "fail" and results[0].detail == "no answer within 0.5 s"
    assert results[0].fix == "replug it"
    assert results[1].status == "pass" and results[1].seconds >= 0.3
    assert 0.5 <= took < 1.5  # in parallel: the slowest limit, not the sum
    assert failed(results)


def test_a_crashing_check_is_a_failure_not_a_crash() -> None:
    def broken() -> list[Result]:
        raise RuntimeError("libusb exploded")

    (result,) = run_checks([Check("usb", broken, 5.0)])
    assert result.status == "fail" and "libusb exploded" in result.detail
    assert not failed(run_checks([Check("ok", lambda: [Result("ok", "pass", "fine")], 5.0)]))
