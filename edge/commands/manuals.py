"""``edge manuals list|remove``: the manuals in the manuals database."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add ``edge manuals`` to the CLI."""
    parser = sub.add_parser("manuals", help="list or remove the manuals on this device")
    parser.add_argument("--db", type=Path, help="manuals database (default: knowledge.db)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="manuals stored, with chunks, pages and components")
    listing.set_defaults(run=_list)
    remove = actions.add_parser("remove", help="remove manuals by id, path, file name or title")
    remove.add_argument("refs", nargs="+", help="what `edge manuals list` shows")
    remove.set_defaults(run=_remove)


def _list(args: argparse.Namespace) -> int:
    from edge.commands.ingest import open_knowledge

    knowledge, _ = open_knowledge(args)
    try:
        docs = knowledge.documents()
        components = knowledge.components()
        limits = knowledge.limits()
    finally:
        knowledge.close()
    if not docs:
        print("no manuals stored; add some with `edge ingest PATH...`")
        return 0
    for d in docs:
        when = dt.datetime.fromtimestamp(d.ingested_at).strftime("%Y-%m-%d %H:%M")
        pages = f"{d.pages} pages, " if d.pages else ""
        print(f"{d.doc_id:4}  {d.title}")
        print(f"      {d.format}, {pages}{d.chunks} chunks, ingested {when}: {d.path}")
    ids = ", ".join(c.id for c in components)
    print(f"{len(docs)} manuals; {len(components)} components ({ids}); {len(limits)} limits")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from edge.commands.ingest import open_knowledge

    knowledge, _ = open_knowledge(args)
    missing = 0
    try:
        for ref in args.refs:
            gone = knowledge.remove(ref)
            if not gone:
                print(f"not found  {ref}")
                missing += 1
            for d in gone:
                print(f"removed    {d.doc_id}  {d.title} ({d.path})")
    finally:
        knowledge.close()
    return 1 if missing else 0
