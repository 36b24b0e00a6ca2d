"""Run benchmarks: ``python -m bench.run [name ...]`` (default: all), results in ``out/bench/``.

Each benchmark is a module ``bench/<name>.py`` with ``run(out_dir: Path) -> dict``; it prints its
own table and returns the figures, which are written to ``out/bench/<name>.json``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
from pathlib import Path

import bench
from bench.common import write_result

_NOT_BENCHMARKS = {"common", "run"}


def names() -> list[str]:
    """Every benchmark module in ``bench/``."""
    found = [m.name for m in pkgutil.iter_modules(bench.__path__)]
    return sorted(n for n in found if n not in _NOT_BENCHMARKS and not n.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(names())}")
    parser.add_argument("--out", type=Path, default=Path("out/bench"), help="result folder")
    parser.add_argument(
        "--split",
        choices=("dev", "test", "samples"),
        help="evaluation corpus split, for benchmarks that take one (knowledge)",
    )
    args = parser.parse_args(argv)
    failed = []
    for name in args.names or names():
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        options = {}
        if args.split and "split" in inspect.signature(module.run).parameters:
            options["split"] = args.split
        try:
            result = module.run(args.out, **options)
        except Exception as err:  # one broken benchmark must not hide the others' figures
            print(f"{name} failed: {err!r}", file=sys.stderr)
            failed.append(name)
            continue
        result["duration_s"] = round(time.perf_counter() - started, 1)
        stem = f"{name}-{args.split}" if "split" in options else name
        print(f"-> {write_result(args.out, stem, result)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
