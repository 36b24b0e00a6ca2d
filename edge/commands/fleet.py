"""``edge fleet``: the fleet side: the console, its logins, and a terminal view of incidents.

``serve`` runs the console, ``user`` manages its logins, ``watch`` prints incidents as they
arrive (each once) or, with ``--history``, from the console's store.

For fleet managers and scripts (``--json``: one JSON object per line, the incident payload as
published, see ``edge/schemas/``). Broker settings default to the ``[report]`` section of the
config; flags override them. The console's own settings are ``[fleet]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edge.errors import EdgeError


def _broker_flags(parser: argparse.ArgumentParser, client_help: str) -> None:
    parser.add_argument("--broker", help="HOST[:PORT] (default: report.host and report.port)")
    parser.add_argument("--client-id", help=client_help)
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--tls", dest="tls", action="store_true", default=None, help="use TLS")
    tls.add_argument("--no-tls", dest="tls", action="store_false", help="plain TCP")
    parser.add_argument("--ca", type=Path, help="CA certificate file")
    parser.add_argument("--cert", type=Path, help="client certificate (mutual TLS)")
    parser.add_argument("--key", type=Path, help="client private key")
    parser.add_argument("--username", help="broker user name")
    parser.add_argument("--password-file", type=Path, help="file holding the broker password")


def register(sub: Any) -> None:
    """Add ``edge fleet`` to the CLI."""
    parser = sub.add_parser("fleet", help="fleet side: console, users, watch incidents")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    serve = actions.add_parser("serve", help="run the fleet console (ingest, web, commands)")
    _broker_flags(serve, "MQTT client id (default fleet.client_id)")
    serve.add_argument("--database", help="SQLite file or postgresql:// URL (fleet.database)")
    serve.add_argument("--listen", help="HOST:PORT of the web console (fleet.listen_*)")
    serve.add_argument("--no-broker", action="store_true", help="web only: no MQTT")
    serve.set_defaults(run=_serve)

    user = actions.add_parser("user", help="console logins: add, list, remove")
    user.add_argument("verb", choices=("add", "list", "remove"))
    user.add_argument("name", nargs="?", help="user name")
    user.add_argument("--role", choices=("viewer", "dispatcher"), default="viewer")
    user.add_argument("--password-file", type=Path, help="password (first line); default stdin")
    user.add_argument("--replace", action="store_true", help="reset an existing user")
    user.add_argument("--database", help="SQLite file or postgresql:// URL (fleet.database)")
    user.set_defaults(run=_user)

    watch = actions.add_parser("watch", help="show incidents as they arrive, each once")
    _broker_flags(watch, "MQTT client id (default fleet-watch-<host>)")
    watch.add_argument("--site", help="only this site (default: every site)")
    watch.add_argument("--json", action="store_true", help="one JSON object per line")
    watch.add_argument("--status", action="store_true", help="also show devices' online status")
    watch.add_argument("--seen-db", type=Path, help="ids already shown (default in state dir)")
    watch.add_argument(
        "--history",
        type=int,
        metavar="N",
        help="print the N newest incidents from the console's store (fleet.database) and exit",
    )
    watch.add_argument("--database", help="the console's store for --history (fleet.database)")
    watch.add_argument("--count", type=int, help="exit after this many incidents")
    watch.add_argument("--timeout", type=float, help="exit after this many seconds")
    watch.add_argument("--stats", action="store_true", help="at exit, print counts to stderr")
    watch.set_defaults(run=_watch)


def _database(args: argparse.Namespace, config: Any) -> str:
    return str(args.database or config.fleet.database or config.device.state_dir / "fleet.db")


def _serve(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.fleet.console import Console, ConsoleSettings
    from edge.report.mqtt import read_password

    config = config_from_args(args)
    fleet = config.fleet
    host, port = fleet.listen_host, fleet.listen_port
    if args.listen:
        host, _, port_text = args.listen.rpartition(":")
        if not port_text.isdigit():
            raise EdgeError(
                "fleet-listen", f"cannot read --listen {args.listen!r}", fix="HOST:PORT"
            )
        port = int(port_text)
    token = read_password(fleet.metrics_token_file) if fleet.metrics_token_file else ""
    settings = ConsoleSettings(
        database=_database(args, config),
        prefix=config.report.topic_prefix,
        host=host or "127.0.0.1",
        port=port,
        session_hours=fleet.session_hours,
        secure_cookies=fleet.secure_cookies,
        metrics_token=token,
        hass_discovery=fleet.hass_discovery,
        hass_prefix=fleet.hass_prefix,
        telemetry_keep_days=fleet.telemetry_keep_days,
    )
    broker = None if args.no_broker else _broker(args, config, default_id=fleet.client_id)

    async def run() -> None:
        console = Console(settings, broker)
        # SIGTERM (systemd) stops cleanly: pages and link closed, nothing acknowledged unstored.
        # (uvicorn also catches it while serving and re-raises it after; both just stop.)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        try:
            await console.start()
            print(f"fleet console on http://{settings.host}:{console.port}/", flush=True)
            running = asyncio.ensure_future(console.wait())
            asked = asyncio.ensure_future(stopping.wait())
            await asyncio.wait({running, asked}, return_when=asyncio.FIRST_COMPLETED)
            asked.cancel()
            if running.done():
                running.result()  # e.g. the client id was taken over: say so
            running.cancel()
        finally:
            await console.stop()
        print("fleet console stopped", flush=True)

    asyncio.run(run())
    return 0


def _user(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.fleet.auth import Accounts
    from edge.fleet.db import Database
    from edge.fleet.migrations import migrate

    db = Database(_database(args, config_from_args(args)))
    try:
        migrate(db)
        accounts = Accounts(db)
        if args.verb == "list":
            for name, role in accounts.users():
                print(f"{name}\t{role}")
            return 0
        if not args.name:
            raise EdgeError("fleet-user", "name the user", fix=f"edge fleet user {args.verb} NAME")
        if args.verb == "remove":
            return 0 if accounts.remove_user(args.name) else 1
        if args.password_file is not None:
            from edge.report.mqtt import read_password

            password = read_password(args.password_file)
        else:
            password = sys.stdin.readline().rstrip("\n")
        accounts.add_user(args.name, password, args.role, replace=args.replace)
        print(f"{args.name}: {args.role}")
        return 0
    finally:
        db.close()


def _history(args: argparse.Namespace, config: Any) -> int:
    from edge.fleet.db import Database
    from edge.fleet.queries import FleetQueries, IncidentFilter
    from edge.fleet.watch import describe

    path = _database(args, config)
    if not path.startswith("postgres") and not Path(path).exists():
        raise EdgeError(
            "fleet-no-store",
            f"no console store at {path}",
            fix="run `edge fleet serve`, or pass --database",
        )
    db = Database(path)
    try:
        rows, _ = FleetQueries(db).incidents(
            IncidentFilter(site=args.site or ""), limit=max(1, args.history)
        )
        for row in reversed(rows):  # oldest first, like a live watch
            payload = FleetQueries(db).incident(row.incident_id)
            body = json.loads(payload.payload or "{}") if payload else {}
            body["state"] = row.state
            if args.json:
                print(json.dumps(body, ensure_ascii=False))
            else:
                print(f"{describe(body)} [{row.state}]")
    finally:
        db.close()
    return 0


def _watch(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.fleet.watch import FleetWatcher, SeenStore

    config = config_from_args(args)
    if args.history is not None:
        return _history(args, config)
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
            from edge.fleet.watch import describe

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


def _broker(args: argparse.Namespace, config: Any, default_id: str = "") -> Any:
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
    client_id = (
        args.client_id
        or default_id
        or "fleet-watch-" + re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname())
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
