"""A latency plot as inline SVG, drawn on the server (no charting script in the browser)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Final

_W: Final = 640
_H: Final = 200
_PAD: Final = 40


def latency_svg(series: Sequence[tuple[float, float | None, float | None, int | None]]) -> str:
    """p50 and p95 (ms) over time as an SVG element; a note when there is nothing to plot."""
    points = [(t, p50, p95) for t, p50, p95, _ in series if p50 is not None or p95 is not None]
    if len(points) < 2:
        return '<p class="muted">Not enough telemetry for a plot yet.</p>'
    t0, t1 = points[0][0], points[-1][0]
    top = max(max(p50 or 0, p95 or 0) for _, p50, p95 in points) * 1.1 or 1.0
    span = (t1 - t0) or 1.0

    def xy(t: float, v: float) -> str:
        x = _PAD + (t - t0) / span * (_W - 2 * _PAD)
        y = _H - _PAD + 10 - v / top * (_H - _PAD - 10)
        return f"{x:.1f},{y:.1f}"

    def line(index: int, css: str) -> str:
        coords = " ".join(xy(p[0], p[index]) for p in points if p[index] is not None)  # type: ignore[arg-type]
        return f'<polyline class="{css}" fill="none" points="{coords}"/>'

    def label(ts: float) -> str:
        return escape(datetime.fromtimestamp(ts, UTC).strftime("%H:%M"))

    base = _H - _PAD + 10
    return (
        f'<svg class="plot" viewBox="0 0 {_W} {_H}" role="img"'
        ' aria-label="Answer latency p50 and p95 over time">'
        f'<line class="axis" x1="{_PAD}" y1="{base}" x2="{_W - _PAD}" y2="{base}"/>'
        f'<line class="axis" x1="{_PAD}" y1="10" x2="{_PAD}" y2="{base}"/>'
        f'<text x="4" y="18">{top:.0f} ms</text><text x="4" y="{base}">0</text>'
        f'<text x="{_PAD}" y="{_H - 8}">{label(t0)}</text>'
        f'<text x="{_W - _PAD - 30}" y="{_H - 8}">{label(t1)}</text>'
        + line(1, "p50")
        + line(2, "p95")
        + f'<text class="p50" x="{_W - 150}" y="18">— p50</text>'
        f'<text class="p95" x="{_W - 90}" y="18">— p95</text></svg>'
    )
