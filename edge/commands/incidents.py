"""``edge incidents``: what is pending, what was sent; retry; log one by hand.

``log`` and ``retry`` exit 0 when delivered, 3 when the incident is stored but not delivered (it
stays in the outbox; the daemon keeps sending), 2 on an error (nothing stored, bad arguments).
For technicians and installers on the device. These commands open the same outbox as the daemon
(SQLite allows both). Sending from here uses the device's client id with a ``-cli`` suffix and no
birth/death status, so it never takes over the daemon's session or marks the device offline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from edge.config import Config
from edge.errors import EdgeError
from edge.report.base import IncidentDraft
from edge.report.lifecycle import IncidentState, Lifecycle, describe_state
from edge.report.outbox import Outbox, OutboxRow
from edge.report.payload import DeviceIdentity, iso_utc
from edge.report.service import ReportingService, outbox_path
from edge.report.text import MAX_DESCRIPTION, parse_severity

DELIVERED = 0
"""Exit status: delivered (``log``: this incident; ``retry``: every due one), or stored on ask."""
PENDING = 3
"""Exit status: stored in the outbox but not delivered; the daemon keeps trying (2: an error)."""

_EXIT_HELP = (
    "exit status: 0 delivered (or stored, with --store-only), 3 stored but not delivered "
    "(it stays in the outbox and the daemon sends it), 2 error"
)


def register(sub: Any) -> None:
    """Add ``edge incidents`` to the CLI."""
    parser = sub.add_parser("incidents", help="incident reports: pending, sent, retry, log")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="recent incidents and their delivery state")
    listing.add_argument("--state", choices=("pending", "sent", "all"), default="all")
    listing.add_argument("--limit", type=int, default=20, help="rows to show (default 20)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=_list)

    show = actions.add_parser("show", help="one incident in full")
    show.add_argument("id", help="incident id or its first characters")
    show.set_defaults(run=_show)

    retry = actions.add_parser(
        "retry", help="send pending incidents now (also refused ones)", epilog=_EXIT_HELP
    )
    retry.add_argument("ids", nargs="*", help="incident ids (default: every pending one)")
    retry.add_argument("--wait", type=float, default=15.0, help="seconds to try (default 15)")
    retry.set_defaults(run=_retry)

    log = actions.add_parser(
        "log", help="log an incident by hand (installers, tests)", epilog=_EXIT_HELP
    )
    log.add_argument("text", nargs="+", help="what happened")
    log.add_argument("--severity", required=True, help="low, medium, high or critical")
    log.add_argument("--component", help="component id, e.g. GBX")
    log.add_argument("--wait", type=float, default=15.0, help="seconds to try sending (default 15)")
    log.add_argument("--store-only", action="store_true", help="store; the daemon sends it")
    log.set_defaults(run=_log)


def _config(args: argparse.Namespace) -> Config:
    from edge.cli import config_from_args

    return config_from_args(args)


def _list(args: argparse.Namespace) -> int:
    outbox = Outbox(outbox_path(_config(args)))
    try:
        rows = outbox.rows(args.state, max(1, args.limit))
        counts = outbox.counts()
        control = _control_states(outbox, [r.incident_id for r in rows])
    finally:
        outbox.close()
    if args.json:
        for row in rows:
            info = _row_json(row)
            state = control.get(row.incident_id)
            info["control"] = {"state": state.state, "assignee": state.assignee} if state else None
            print(json.dumps(info, ensure_ascii=False))
        return 0
    print(
        f"{counts.pending} pending ({counts.refused} refused by the broker), "
        f"{counts.sent} sent  [{outbox.path}]"
    )
    for row in rows:
        print(_row_line(row, describe_state(control.get(row.incident_id))))
    return 0


def _control_states(outbox: Outbox, ids: list[str]) -> dict[str, IncidentState]:
    """What control did with these incidents (acknowledged, assigned, closed)."""
    if not ids:
        return {}
    lifecycle = Lifecycle(outbox, DeviceIdentity("cli", "cli"))
    try:
        return lifecycle.states(ids)
    finally:
        lifecycle.close()


def _show(args: argparse.Namespace) -> int:
    outbox = Outbox(outbox_path(_config(args)))
    try:
        row = outbox.get(args.id)
    finally:
        outbox.close()
    info = _row_json(row)
    info["payload"] = json.loads(row.payload)
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


def _retry(args: argparse.Namespace) -> int:
    config = _config(args)
    outbox = Outbox(outbox_path(config))
    try:
        ids = [outbox.get(i).incident_id for i in args.ids] if args.ids else None
        made_due = outbox.retry(ids)
    finally:
        outbox.close()
    print(f"{made_due} pending incident(s) to send")
    return asyncio.run(_deliver(config, None, args.wait))


def _log(args: argparse.Namespace) -> int:
    severity = parse_severity(args.severity)
    if severity is None:
        raise EdgeError(
            "incident-severity-unclear",
            f"unknown severity {args.severity!r}",
            fix="use low, medium, high or critical",
        )
    draft = IncidentDraft(
        severity=severity,
        description=" ".join(args.text),
        component_id=args.component,
        source="technician",
    )
    return asyncio.run(_deliver(_config(args), draft, 0.0 if args.store_only else args.wait))


async def _deliver(config: Config, draft: IncidentDraft | None, wait_s: float) -> int:
    """Store ``draft`` (if any), then try to deliver everything due for ``wait_s`` seconds.

    Returns :data:`DELIVERED` (0) when the incident (for ``retry``: every due one) reached the
    broker, :data:`PENDING` (3) when it is stored but not delivered; ``wait_s = 0`` (``--store-
    only``) asks for storing only and returns 0 once the incident is stored.
    """
    service = ReportingService(config, client_suffix="-cli", status=False, poll_s=1.0)
    incident_id = None
    if draft is not None:
        receipt = await service.reporter.report(draft)
        incident_id = receipt.incident_id
        # Printed (and flushed) only once the row is committed: scripts may rely on it.
        print(f"stored {incident_id} {receipt.severity.value}: {receipt.summary}", flush=True)
        if "description" in receipt.truncated:
            print(
                f"note: the description was shortened to {MAX_DESCRIPTION} characters"
                " (it ends with …)",
                flush=True,
            )
    if wait_s <= 0:
        pending = service.outbox.counts().pending
        service.outbox.close()
        print("pending: the daemon delivers it when a broker is reachable")
        # --store-only asked for storing, and it is stored; retry --wait 0 sent nothing.
        return DELIVERED if draft is not None or pending == 0 else PENDING
    if not config.report.enabled:
        service.outbox.close()
        _not_delivered(
            "incident reporting is off (report.enabled = false)",
            "set report.enabled = true and the broker in [report]",
            later="it is sent once reporting is on",
        )
        return PENDING
    await service.start()
    try:
        done = await service.flush(wait_s)
    finally:
        await service.stop(flush_timeout_s=0)
    health = service.health()
    if incident_id is not None:
        done = _state(config, incident_id) == "sent"
    if done:
        print(f"delivered; {health.pending} pending ({health.refused} refused)")
        return DELIVERED
    _not_delivered(
        f"{health.last_error or 'no answer from the broker'} (tried for {wait_s:g} s)",
        health.fix,
        pending=health.pending,
    )
    return PENDING


def _not_delivered(
    reason: str,
    fix: str | None,
    *,
    pending: int | None = None,
    later: str = "the daemon delivers pending incidents once the broker is reachable",
) -> None:
    print(f"not delivered: {reason}", file=sys.stderr)
    if fix:
        print(f"fix: {fix}", file=sys.stderr)
    count = f"{pending} pending, " if pending is not None else ""
    print(f"stored ({count}kept in the outbox): {later}; exit status {PENDING}", file=sys.stderr)


def _state(config: Config, incident_id: str) -> str:
    outbox = Outbox(outbox_path(config))
    try:
        return outbox.get(incident_id).state
    finally:
        outbox.close()


def _row_json(row: OutboxRow) -> dict[str, Any]:
    return {
        "incident_id": row.incident_id,
        "state": "refused" if row.refused else row.state,
        "severity": row.severity,
        "summary": row.summary,
        "source": row.source,
        "created_at": iso_utc(row.created_at),
        "sent_at": iso_utc(row.sent_at) if row.sent_at is not None else None,
        "refusals": row.refusals,
        "last_error": row.last_error,
        "topic": row.topic,
    }


def _row_line(row: OutboxRow, control: str = "") -> str:
    state = "refused" if row.refused else row.state
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created_at))
    line = f"{row.incident_id[:8]}  {when}  {state:8} {row.severity:8} {row.summary}"
    if control:
        line += f"  [control: {control}]"
    if row.refused:
        line += f"  [{row.last_error}; {row.refusals}x]"
    return line


def main(argv: list[str] | None = None) -> int:
    """``edge incidents`` alone (``python -m edge.commands.incidents``): recovery and tests."""
    return run_alone(register, "incidents", argv)


def run_alone(register_fn: Callable[[Any], None], command: str, argv: list[str] | None) -> int:
    """Run one ``edge`` subcommand without the others (``-c`` and ``--log-level`` accepted).

    It needs nothing but that command's modules, so it works on a device where another
    subcommand's dependencies are broken.
    """
    from pathlib import Path

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("-c", "--config", type=Path, help="TOML config file")
    options.add_argument("--log-level", default="WARNING")
    known, rest = options.parse_known_args(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=f"python -m edge.commands.{command}", parents=[options])
    register_fn(parser.add_subparsers(dest="command", required=True))
    # edge.cli imports no subcommand module: the rest of edge stays out of the way.
    from edge.cli import execute

    return execute(parser.parse_args([command, *rest], namespace=known))


if __name__ == "__main__":
    sys.exit(main())
