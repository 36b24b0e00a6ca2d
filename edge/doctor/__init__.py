"""``edge doctor``: is this device ready? Each check answers pass, warn, fail (or skip), with a fix.

Checks reuse the daemon's own code (model verification, the sqlite loader, device selection, the
hardware parts, the MQTT client setup), so a pass means the daemon will get as far. Every check
runs on a daemon thread of its own with a time limit: a hung driver or an unanswered handshake
becomes a failure, never a hang. Checks run at the same time, so the whole run takes about as
long as the slowest one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

_LOGGER = logging.getLogger(__name__)

Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict on one part of the device."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    """What to do about a warning or failure (empty when nothing is to be done)."""
    seconds: float = 0.0
    """How long the check took (s)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Check:
    """A named probe and its time limit; ``run`` returns one or more results."""

    name: str
    run: Callable[[], list[Result]]
    timeout_s: float
    fix_on_timeout: str = ""


def run_checks(checks: Sequence[Check]) -> list[Result]:
    """Run every check at once, each bounded by its own time limit; results in check order."""
    started = time.monotonic()
    boxes: list[tuple[Check, threading.Event, list[Result]]] = []
    for check in checks:
        done = threading.Event()
        box: list[Result] = []
        thread = threading.Thread(
            target=_run_one, args=(check, box, done), name=f"doctor-{check.name}", daemon=True
        )
        thread.start()
        boxes.append((check, done, box))
    results: list[Result] = []
    for check, done, box in boxes:
        left = check.timeout_s - (time.monotonic() - started)
        if done.wait(max(0.0, left)):
            results.extend(box)
        else:
            # The thread is a daemon: it is abandoned, and dies with the process.
            detail = f"no answer within {check.timeout_s:g} s"
            results.append(Result(check.name, "fail", detail, check.fix_on_timeout))
    return results


def _run_one(check: Check, box: list[Result], done: threading.Event) -> None:
    started = time.monotonic()
    try:
        found = check.run()
    except Exception as err:  # a probe's bug must show as a failed check, not end the doctor
        _LOGGER.debug("Check %s crashed", check.name, exc_info=True)
        found = [Result(check.name, "fail", f"the check itself failed: {err!r}")]
    took = round(time.monotonic() - started, 3)
    box.extend(Result(r.name, r.status, r.detail, r.fix, r.seconds or took) for r in found)
    done.set()


def failed(results: Sequence[Result]) -> bool:
    """True when any check failed (the exit status is then 1)."""
    return any(r.status == "fail" for r in results)
