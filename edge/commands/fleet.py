"""``edge fleet watch``: incidents of a site, or of the whole fleet, as they arrive, each once.

For fleet managers and scripts (``--json``: one JSON object per line, the incident payload as
published, see ``edge/report/schemas/incident-v1.json``). Broker settings default to the
``[report]`` section of the config; flags override them.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edge.errors import EdgeError


def register(sub: Any) -> None:
    """Add ``edge fleet`` to the CLI."""
    parser = sub.add_parser("fleet", help="fleet side: watch incidents arrive")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    watch = actions.add_parser("watch", help="show incidents as they arrive, each once")
    watch.add_argument("--broker", help="HOST[:PORT] (default: report.host and report.port)")
    watch.add_argument("--site", help="only this site (default: every site)")
    watch.add_argument("--json", action="store_true", help="one JSON object per line")
    watch.add_argument("--status", action="store_true", help="also show devices' online status")
    watch.add_argument("--seen-db", type=Path, help="ids already shown (default in state dir)")
    watch.add_argument("--client-id", help="MQTT client id (default fleet-watch-<host>)")
    tls = watch.add_mutually_exclusive_group()
    tls.add_argument("--tls", dest="tls", action="store_true", default=None, help="use TLS")
    tls.add_argument("--no-tls", dest="tls", action="store_false", help="plain TCP")
    watch.add_argument("--ca", type=Path, help="CA certificate file")
    watch.add_argument("--cert", type=Path, help="client certificate (mutual TLS)")
    watch.add_argument("--key", type=Path, help="client private key")
    watch.add_argument("--username", help="broker user name")
    watch.add_argument("--password-file", type=Path, help="file holding the broker password")
    watch.add_argument("--count", type=int, help="exit after this many incidents")
    watch.add_argument("--timeout", type=float, help="exit after this many seconds")
    watch.add_argument("--stats", action="store_true", help="at exit, print counts to stderr")
    watch.set_defaults(run=_watch)


def _watch(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.report.fleet import FleetWatcher, SeenStore

    config = config_from_args(args)
    broker = _broker(args, config)
    seen_path = args.seen_db or config.device.state_dir / f"fleet-seen-{broker.client_id}.db"
    watcher = FleetWatcher(
        broker,
        SeenStore(seen_path),
        site=args.site,
        prefix=config.report.topic_prefix,
        status=args.status,
    )

    def show(payload: Mapping[str, Any]) -> None:
        if args.json:
            print(json.dumps(payload, ensure_ascii=False), flush=True)
        else:
            from edge.report.fleet import describe

            print(describe(payload), flush=True)

    def status(topic: str, payload: Mapping[str, Any]) -> None:
        if args.json:
            print(json.dumps({"topic": topic, **payload}, ensure_ascii=False), flush=True)
        else:
            state = "online" if payload.get("online") else "offline"
            where = "/".join(topic.split("/")[-3:-1])
            print(f"{where} {state} ({payload.get('reason')}, session {payload.get('session')})")

    stats = asyncio.run(
        watcher.watch(show, on_status=status, count=args.count, timeout_s=args.timeout)
    )
    if args.stats:
        print(json.dumps(dataclasses.asdict(stats)), file=sys.stderr)
    return 1 if args.count is not None and stats.shown < args.count else 0


def _broker(args: argparse.Namespace, config: Any) -> Any:
    from edge.report.mqtt import Broker, read_password

    report = config.report
    host, port = report.host, report.port
    if args.broker:
        match = re.fullmatch(r"\[?([^\]]+?)\]?(?::(\d+))?", args.broker)
        if match is None:
            raise EdgeError(
                "fleet-broker", f"cannot read --broker {args.broker!r}", fix="HOST:PORT"
            )
        host = match.group(1)
        port = int(match.group(2)) if match.group(2) else port
    password = report.password
    if args.password_file is not None:
        password = read_password(args.password_file)
    elif report.password_file is not None:
        password = read_password(report.password_file)
    client_id = args.client_id or "fleet-watch-" + re.sub(
        r"[^A-Za-z0-9_-]", "-", socket.gethostname()
    )
    return Broker(
        host=host,
        port=port,
        client_id=client_id,
        tls=report.tls if args.tls is None else args.tls,
        ca_file=args.ca or report.ca_file,
        cert_file=args.cert or report.cert_file,
        key_file=args.key or report.key_file,
        username=args.username if args.username is not None else report.username,
        password=password,
        keepalive_s=report.keepalive_s,
        session_expiry_s=report.session_expiry_s,
    )


def main(argv: list[str] | None = None) -> int:
    """``edge fleet`` alone (``python -m edge.commands.fleet watch ...``)."""
    from edge.commands.incidents import run_alone

    return run_alone(register, "fleet", argv)


if __name__ == "__main__":
    raise SystemExit(main())
