"""Prometheus metrics of the console and the fleet, in the text exposition format (version 0.0.4).

Written by hand rather than with a client library: a dozen gauges and counters read from the
database and the console's counters at scrape time, no registry needed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edge.fleet.console import Console


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, labels: dict[str, str], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {value}" if inner else f"{name} {value}"


def _family(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]
) -> list[str]:
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    out += [_line(name, labels, value) for labels, value in samples]
    return out


def render(console: Console, now: float | None = None) -> str:
    """The exposition text for one scrape (blocking: run it in a worker thread)."""
    now = time.time() if now is None else now
    store, queries, stats = console.store, console.queries, console.stats
    lines: list[str] = []
    lines += _family(
        "edge_fleet_messages_total",
        "counter",
        "Messages from devices stored, by outcome (all console runs).",
        [
            ({"outcome": "ingested"}, store.counter("ingested")),
            ({"outcome": "duplicate"}, store.counter("duplicates")),
            ({"outcome": "rejected"}, store.counter("rejected")),
        ],
    )
    lines += _family(
        "edge_fleet_incidents",
        "gauge",
        "Incidents stored, by state and severity.",
        [({"state": s, "severity": v}, n) for s, v, n in queries.counts()],
    )
    devices = queries.devices()
    lines += _family(
        "edge_fleet_devices",
        "gauge",
        "Devices known, by connection state.",
        [
            ({"state": "online"}, sum(d.online for d in devices)),
            ({"state": "offline"}, sum(not d.online for d in devices)),
        ],
    )
    per_device: dict[str, list[tuple[dict[str, str], float]]] = {
        "edge_device_online": [],
        "edge_device_queue_depth": [],
        "edge_device_latency_p95_ms": [],
        "edge_device_last_seen_seconds": [],
    }
    for d in devices:
        labels = {"site": d.site, "device": d.device_id}
        per_device["edge_device_online"].append((labels, 1 if d.online else 0))
        if d.last_seen is not None:
            per_device["edge_device_last_seen_seconds"].append((labels, round(now - d.last_seen)))
        depth = d.telemetry.get("queue_depth")
        if isinstance(depth, int):
            per_device["edge_device_queue_depth"].append((labels, depth))
        p95 = (d.telemetry.get("latency_ms") or {}).get("p95")
        if isinstance(p95, (int, float)):
            per_device["edge_device_latency_p95_ms"].append((labels, p95))
    helps = {
        "edge_device_online": "1 while the device's retained status says online.",
        "edge_device_queue_depth": "Incidents waiting in the device's outbox (last telemetry).",
        "edge_device_latency_p95_ms": "Device's turn-end to first audio, p95 (last telemetry).",
        "edge_device_last_seen_seconds": "Seconds since the device's last message.",
    }
    for name, samples in per_device.items():
        lines += _family(name, "gauge", helps[name], samples)
    lines += _family(
        "edge_console_batch_seconds",
        "gauge",
        "Time to store the last ingestion batch.",
        [({}, round(stats.last_batch_s, 6))],
    )
    lines += _family(
        "edge_console_commands_published_total",
        "counter",
        "Commands acknowledged by the broker since the console started.",
        [({}, stats.commands_published)],
    )
    lines += _family(
        "edge_console_live_streams",
        "gauge",
        "Open live-update streams (browser tabs).",
        [({}, console.hub.streams)],
    )
    return "\n".join(lines) + "\n"
