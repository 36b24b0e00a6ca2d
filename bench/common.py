"""Shared benchmark helpers: percentiles, a plain-text table, and the JSON result file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edge.config import Config

SAMPLE_MANUALS: Path = Path(__file__).resolve().parents[1] / "samples" / "manuals"


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) of ``values``, or None when empty."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50, p95, max and count of ``values``."""
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else None,
        "n": len(values),
    }


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """Format rows as an aligned plain-text table."""
    cells = [[_fmt(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_result(out_dir: Path, name: str, result: dict[str, Any]) -> Path:
    """Write ``result`` (plus machine facts) to ``out_dir/<name>.json`` and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": _cpus(),
            "python": platform.python_version(),
            "arch": platform.machine(),
        },
        **result,
    }
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def ms(seconds: float | None) -> str:
    """Seconds as a millisecond string for tables."""
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def ingest_manuals(
    config: Config, manuals: Sequence[Path] | None = None, *, strict: bool = True
) -> None:
    """Ingest ``manuals`` (the sample manuals by default) into ``config``'s state folder, once.

    Through ``edge ingest``, as an installer would. Not ``strict``: a manual no reader takes is
    reported and left out instead of stopping the benchmark.
    """
    if config.knowledge_db.is_file():
        return
    chosen = manuals if manuals is not None else sorted(SAMPLE_MANUALS.glob("*"))
    subprocess.run(
        [sys.executable, "-m", "edge", "ingest", *map(str, chosen)],
        check=strict,
        env={**os.environ, "EDGE_DEVICE__STATE_DIR": str(config.device.state_dir)},
    )
