"""``edge ingest PATH...``: put manuals (PDF, Markdown, HTML, text) into the manuals database."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edge.config import Config
    from edge.knowledge import Knowledge


def register(sub: Any) -> None:
    """Add ``edge ingest`` to the CLI."""
    parser = sub.add_parser(
        "ingest",
        help="add or update manuals (PDF, Markdown, HTML, text) in the manuals database",
        description=(
            "Read manuals, split them along their structure, embed and store them. Unchanged "
            "files are skipped, changed files replace their old version, unreadable files and "
            "files over knowledge.max_pages / knowledge.max_manual_mb are reported and skipped. "
            "Folders are searched for .pdf .md .html .htm .txt files. Progress goes to stderr: "
            "a bar on a terminal, else a line every 15 s. Next to a running daemon the "
            "embedding uses half the cores at a lower priority."
        ),
    )
    parser.add_argument("paths", nargs="+", type=Path, help="manual files or folders")
    parser.add_argument("--db", type=Path, help="manuals database (default: knowledge.db)")
    parser.set_defaults(run=_ingest)


def open_knowledge(
    args: argparse.Namespace, *, background: bool = False
) -> tuple[Knowledge, Config]:
    """The manuals database of the configured (or ``--db``) path, with the configured embedder."""
    from edge.cli import config_from_args
    from edge.knowledge import Knowledge
    from edge.knowledge.embedding import configured_embedder

    config = config_from_args(args)
    embedder = configured_embedder(config, background=background)
    db = args.db or config.knowledge_db
    knowledge = Knowledge.open(
        db,
        embedder,
        cache_threshold=config.knowledge.cache_threshold,
        cache=config.knowledge.cache,
    )
    return knowledge, config


def _ingest(args: argparse.Namespace) -> int:
    from edge.cli import config_from_args
    from edge.knowledge.ingest import IngestLimits
    from edge.knowledge.progress import TerminalProgress, progress_for
    from edge.presence import daemon_running

    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"failed     {path}: no such file or folder")
    background = daemon_running(config_from_args(args).device.state_dir)
    if background:
        _lower_priority()
        print("edge is running: ingesting in the background (half the cores, lower priority)")
    knowledge, config = open_knowledge(args, background=background)
    limits = IngestLimits(config.knowledge.max_pages, config.knowledge.max_manual_mb)
    progress = progress_for(sys.stderr)
    try:
        started = time.perf_counter()
        outcomes = knowledge.ingest(
            [p for p in args.paths if p.exists()], limits=limits, progress=progress
        )
        elapsed = time.perf_counter() - started
    finally:
        if isinstance(progress, TerminalProgress):
            progress.close()
        knowledge.close()
    for o in outcomes:
        if o.status == "failed":
            print(f"failed     {o.path}: {o.message}")
        elif o.status == "duplicate":
            print(f"duplicate  {o.path}: {o.message}")
        else:
            pages = f", {o.pages} pages" if o.pages else ""
            extra = f", {o.limits} limits" if o.limits else ""
            print(f"{o.status:10} {o.path}: {o.title} ({o.chunks} chunks{pages}{extra})")
    failed = len(missing) + sum(o.status == "failed" for o in outcomes)
    changed = sum(o.status in ("added", "updated") for o in outcomes)
    print(f"{changed} added or updated, {failed} failed, in {elapsed:.1f} s")
    return 1 if failed else 0


BACKGROUND_NICE = 10
"""Niceness of an ingest next to the daemon (the service unit already starts it at 15)."""


def _lower_priority() -> None:
    """Be nicer than the daemon (which runs at -5) while it serves the voice path."""
    current = os.nice(0)
    if current < BACKGROUND_NICE:
        os.nice(BACKGROUND_NICE - current)
