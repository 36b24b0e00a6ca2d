"""The ``edge`` command: one subcommand module per job (see ``edge/commands/``)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from edge import __version__
from edge.config import Config, load_config
from edge.errors import EdgeError

_COMMANDS: Final = (
    "edge.commands.ask",
    "edge.commands.run",
    "edge.commands.ingest",
    "edge.commands.manuals",
    "edge.commands.incidents",
    "edge.commands.fleet",
    "edge.commands.models",
    "edge.commands.devices",
    "edge.commands.doctor",
)
"""Subcommand modules, in the order ``edge --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="edge", description="Offline voice copilot for field technicians."
    )
    parser.add_argument("--version", action="version", version=f"edge {__version__}")
    parser.add_argument(
        "-c", "--config", type=Path, help="TOML config file (default: built-in settings)"
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default) or ERROR"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    """Load the config named by ``--config`` (and ``EDGE_*`` variables)."""
    return load_config(args.config)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``edge`` command; return its exit status."""
    parser = build_parser()
    return execute(parser.parse_args(argv))


def execute(args: argparse.Namespace) -> int:
    """Set up logging from ``--log-level`` and run the parsed command; return its exit status.

    Errors with a known cause print their message and fix (exit 2), never a traceback.
    """
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args))
    except EdgeError as err:
        print(f"error: {err.message}", file=sys.stderr)
        if err.fix:
            print(f"fix: {err.fix}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
