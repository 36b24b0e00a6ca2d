"""``edge ingest PATH...``: put manuals (PDF, Markdown, HTML, text) into the manuals database."""

from __future__ import annotations

import argparse
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
            "files are skipped, changed files replace their old version, unreadable files are "
            "reported and skipped. Folders are searched for .pdf .md .html .htm .txt files."
        ),
    )
    parser.add_argument("paths", nargs="+", type=Path, help="manual files or folders")
    parser.add_argument("--db", type=Path, help="manuals database (default: knowledge.db)")
    parser.set_defaults(run=_ingest)


def open_knowledge(args: argparse.Namespace) -> tuple[Knowledge, Config]:
    """The manuals database of the configured (or ``--db``) path, with the configured embedder."""
    from edge.cli import config_from_args
    from edge.knowledge import Knowledge
    from edge.knowledge.embedding import configured_embedder

    config = config_from_args(args)
    embedder = configured_embedder(config)
    db = args.db or config.knowledge_db
    knowledge = Knowledge.open(
        db,
        embedder,
        cache_threshold=config.knowledge.cache_threshold,
        cache=config.knowledge.cache,
    )
    return knowledge, config


def _ingest(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"failed     {path}: no such file or folder")
    knowledge, _ = open_knowledge(args)
    try:
        started = time.perf_counter()
        outcomes = knowledge.ingest([p for p in args.paths if p.exists()])
        elapsed = time.perf_counter() - started
    finally:
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
