"""``edge doctor``: one command that proves a device is ready, or says what to fix.

Prints a table of pass / warn / fail / skip with the fix for each warning and failure, or
``--json`` for provisioning scripts. Exit status 1 when any check failed, else 0. Run as root, it
checks as the service user ``edge`` when that user exists (``--as-root`` does not), because what
root can read proves nothing about the service.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from edge.config import Config
from edge.doctor import Check, Result, failed, run_checks

_MARKS = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def register(sub: Any) -> None:
    """Add ``edge doctor`` to the CLI."""
    parser = sub.add_parser(
        "doctor",
        help="check that this device is ready: models, audio, hardware, broker, service",
        description=(
            "Checks Python and SQLite, every model, the sound devices, the mic array and its "
            "echo cancellation, the PTT button, the wearable link, the broker (reachable, TLS, "
            "authorized), disk space, clock sync and the service. Exit status 1 on any failure."
        ),
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--as-root",
        action="store_true",
        help="run as root, not as the service user edge (by default root checks as edge)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=3.0,
        help="seconds to wait for the mic array and the wearable's handshake (default 3)",
    )
    parser.add_argument(
        "--broker-timeout",
        type=float,
        default=5.0,
        help="seconds to wait for the broker's answer (default 5)",
    )
    parser.set_defaults(run=_doctor)


def checks(config: Config, *, wait_s: float, broker_timeout_s: float) -> list[Check]:
    """Every check of a device configured by ``config``, with its time limit."""
    from edge.doctor.broker import check_broker
    from edge.doctor.devices import check_audio, check_hardware
    from edge.doctor.setup import (
        check_board,
        check_identity,
        check_secrets,
        check_state,
        check_user,
        check_wake_word,
    )
    from edge.doctor.system import (
        check_clock,
        check_disk,
        check_models,
        check_outbox,
        check_python,
        check_service,
        check_sqlite,
        service_state,
    )

    service_active = service_state()[0] == "active"
    hang = "a driver or library hangs: see journalctl -k and `edge devices`"
    return [
        Check("user", check_user, 5.0),
        Check("python", check_python, 5.0),
        Check("identity", lambda: check_identity(config), 5.0),
        Check("board", lambda: check_board(config), 5.0),
        Check("wake-word", lambda: check_wake_word(config), 5.0),
        Check("secrets", lambda: check_secrets(config), 5.0),
        Check("state", lambda: check_state(config), 5.0),
        Check("sqlite", check_sqlite, 15.0),
        # Hashing every model file takes a while on an SD card.
        Check("models", lambda: check_models(config), 300.0, "the disk is very slow: check it"),
        Check("audio", lambda: check_audio(config), 15.0, hang),
        Check(
            "hardware",
            lambda: check_hardware(config, service_active, wait_s),
            wait_s + 15.0,
            hang,
        ),
        Check("broker", lambda: check_broker(config, broker_timeout_s), broker_timeout_s + 5.0),
        Check("disk", lambda: check_disk(config), 10.0),
        Check("outbox", lambda: check_outbox(config), 10.0),
        Check("clock", check_clock, 10.0),
        Check("service", check_service, 10.0),
    ]


def _doctor(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.doctor.as_user import run_as_service_user, service_user

    if os.geteuid() == 0 and not args.as_root and (user := service_user()) is not None:
        # Root passes where edge.service (user edge) fails: unreadable Python, config, keys.
        return run_as_service_user(user, sys.argv[1:], as_json=args.json)
    config = config_from_args(args)
    results = run_checks(checks(config, wait_s=args.wait, broker_timeout_s=args.broker_timeout))
    if args.json:
        print(json.dumps({"ok": not failed(results), "checks": [r.as_dict() for r in results]}))
    else:
        _print_table(results)
    return 1 if failed(results) else 0


def _print_table(results: list[Result]) -> None:
    width = max(len(r.name) for r in results)
    for r in results:
        print(f"{_MARKS[r.status]}  {r.name:{width}}  {r.detail}")
        if r.fix and r.status in ("warn", "fail"):
            print(f"      {'':{width}}  fix: {r.fix}")
    counts = {status: sum(r.status == status for r in results) for status in _MARKS}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    verdict = "NOT READY" if failed(results) else "ready"
    print(f"\n{verdict}: {summary}")
    sys.stdout.flush()
