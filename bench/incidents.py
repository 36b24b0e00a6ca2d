"""Incidents after a long outage: 10,000 queued offline, then the broker comes back.

A real mosquitto on loopback. The fleet watcher (``edge fleet watch --json``, its own process)
has a persistent session from before the outage, as a fleet manager would. The device's
``ReportingService`` stores N incidents while the broker is down (each ``report()`` timed: that
is what the technician waits for before hearing "logged"), then the broker starts. Reported:

- outbox write latency p50/p99 (``report()``: sanitise, build, commit with fsync);
- time to drain: broker start -> every incident acknowledged (device side), and -> every incident
  shown by the watcher (fleet side); both include the device's reconnect back-off (max 1 s here);
- lost (must be 0), duplicates shown after de-duplication (must be 0), and raw duplicates on the
  wire before de-duplication.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import percentile, table
from edge.config import Config, DeviceConfig, ReportConfig
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker
from edge.report.service import ReportingService

N = int(os.environ.get("EDGE_BENCH_INCIDENTS", "10000"))
TIMEOUT_S = 600.0


def _watcher(port: int, tmp: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "edge.commands.fleet", "watch", "--broker", f"127.0.0.1:{port}",
        "--no-tls", "--client-id", "bench-fleet", "--seen-db", str(tmp / "seen.db"), *args,
    ]  # fmt: skip


async def _offline_then_drain(config: Config, broker: LocalBroker, n: int) -> dict[str, Any]:
    service = ReportingService(config)
    await service.start()  # broker down: returns at once, keeps reconnecting
    latencies: list[float] = []
    severities = list(Severity)
    started = time.perf_counter()
    for i in range(n):
        draft = IncidentDraft(
            severities[i % 4],
            f"vibration alarm {i} on the main bearing",
            transcript=f"log an incident, vibration alarm {i} on the main bearing",
            component_id="MB",
            source="device" if i % 2 else "technician",
        )
        t0 = time.perf_counter()
        await service.reporter.report(draft)
        latencies.append(time.perf_counter() - t0)
    store_s = time.perf_counter() - started
    assert not service.connected
    broker_up = time.perf_counter()
    await asyncio.to_thread(broker.start)
    drained = await service.flush(TIMEOUT_S)
    drain_s = time.perf_counter() - broker_up
    counts = await asyncio.to_thread(service.outbox.counts)
    await service.stop()
    return {
        "latencies": latencies,
        "store_s": store_s,
        "drained": drained,
        "drain_s": drain_s,
        "broker_up": broker_up,
        "pending_after": counts.pending,
        "sent": counts.sent,
    }


def run(out_dir: Path) -> dict[str, Any]:
    """Queue N incidents offline, bring the broker up, measure the drain; print a table."""
    tmp = Path(tempfile.mkdtemp(prefix="edge-bench-incidents-"))
    broker = LocalBroker(tmp / "broker")
    broker.start()
    # The fleet manager's persistent session exists before the outage.
    subprocess.run(_watcher(broker.port, tmp, "--timeout", "2"), check=True, timeout=60)
    broker.stop()
    config = Config(
        device=DeviceConfig(id="bench-dev", site="bench-site", state_dir=tmp / "state"),
        report=ReportConfig(
            host="127.0.0.1",
            port=broker.port,
            tls=False,
            reconnect_min_s=0.5,
            reconnect_max_s=1.0,
            telemetry_interval_s=0,
        ),
    )
    watcher: subprocess.Popen[str] | None = None
    try:
        device = asyncio.run(_offline_then_drain(config, broker, N))
        # The watcher reconnects now (its backlog waited in the broker, not in the watcher).
        watcher = subprocess.Popen(
            _watcher(broker.port, tmp, "--json", "--stats", "--count", str(N),
                     "--timeout", str(TIMEOUT_S)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        out, err = watcher.communicate(timeout=TIMEOUT_S + 30)
        fleet_s = time.perf_counter() - device["broker_up"]
    finally:
        if watcher is not None and watcher.poll() is None:
            watcher.kill()
        broker.stop()
    shown = [json.loads(line)["incident_id"] for line in out.splitlines() if line.strip()]
    stats = json.loads(err.strip().splitlines()[-1]) if err.strip() else {}
    latencies = device["latencies"]
    result = {
        "incidents": N,
        "store_rate_per_s": round(N / device["store_s"], 1),
        "write_latency_ms": {
            "p50": round(1000 * (percentile(latencies, 50) or 0), 2),
            "p99": round(1000 * (percentile(latencies, 99) or 0), 2),
            "max": round(1000 * max(latencies), 2),
        },
        "drain_to_broker_s": round(device["drain_s"], 2),
        "drained": device["drained"],
        "drain_to_fleet_s": round(fleet_s, 2),
        "pending_after": device["pending_after"],
        "lost": N - len(set(shown)),
        "duplicates_shown": len(shown) - len(set(shown)),
        "duplicates_on_wire": stats.get("duplicates"),
        "received_by_watcher": stats.get("received"),
    }
    rows = [
        ("incidents queued offline", N),
        (
            "report() p50 / p99 / max",
            "{p50} / {p99} / {max} ms".format(**result["write_latency_ms"]),
        ),
        ("store rate", f"{result['store_rate_per_s']} /s"),
        ("broker up -> all acknowledged", f"{result['drain_to_broker_s']} s"),
        ("broker up -> all shown by watcher", f"{result['drain_to_fleet_s']} s"),
        ("lost", result["lost"]),
        ("duplicates shown (after de-dup)", result["duplicates_shown"]),
        ("duplicates on the wire", result["duplicates_on_wire"]),
    ]
    print(table(rows, ("incidents", "value")))
    return result


if __name__ == "__main__":
    print(json.dumps(run(Path("out/bench")), indent=2))
