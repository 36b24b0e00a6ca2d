"""The fleet console under a simulated fleet: ingest rate, end-to-end latency, page times, restarts.

A real mosquitto on loopback and the real console (``edge.fleet.console.Console``). Four parts:

1. **Ingest.** 1,000 simulated devices (their payloads made by the device's own code,
   ``edge.report.payload``) publish through a few MQTT connections: each device's birth status,
   then telemetry and incidents as fast as the broker takes them. Reported: messages stored per
   second (first to last stored) and the end-to-end latency of incidents (publish -> committed in
   the console's database) in a paced run at the fleet's real rate and at 10x.
2. **Restarts.** 20 real devices (``ReportingService`` with its outbox) log incidents while the
   console is restarted once and the broker once. Reported: lost (must be 0) and duplicates stored
   (must be 0).
3. **Pages at 100k incidents (SQLite)**: rows made in bulk (``executemany``), then each console
   page fetched over HTTP with a logged-in session, p50/p95.
4. **Pages at 1M incidents (PostgreSQL)**: a server started in a temporary folder; rows loaded
   with ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``), then the same pages.

Sizes can be lowered for a quick run: ``EDGE_BENCH_FLEET_DEVICES``, ``EDGE_BENCH_FLEET_SQLITE``,
``EDGE_BENCH_FLEET_PG`` (0 skips part 4).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._fleet_load import bulk_incidents, page_times, publish_fleet, restart_run, wait_until
from bench.common import summary, table
from edge.fleet.console import Console, ConsoleSettings
from edge.fleet.db import Database
from edge.fleet.migrations import migrate
from edge.report.localbroker import LocalBroker
from edge.report.mqtt import Broker

DEVICES = int(os.environ.get("EDGE_BENCH_FLEET_DEVICES", "1000"))
SQLITE_ROWS = int(os.environ.get("EDGE_BENCH_FLEET_SQLITE", "100000"))
PG_ROWS = int(os.environ.get("EDGE_BENCH_FLEET_PG", "1000000"))


async def _ingest(tmp: Path, broker: LocalBroker) -> dict[str, Any]:
    console = Console(
        ConsoleSettings(database=tmp / "ingest.db"), Broker("127.0.0.1", broker.port, "bench-c")
    )
    await console.start(web=False)
    link = console.link
    assert link is not None
    await wait_until(link.connected.is_set, 30)
    out: dict[str, Any] = {}
    # Burst: every device's birth, then 10 telemetry and 10 incidents each, unpaced.
    burst = await asyncio.to_thread(publish_fleet, broker.port, DEVICES, 10, 10, None)
    total = burst["messages"]
    await wait_until(lambda: console.stats.received >= total, 600)
    first_to_last = time.perf_counter() - burst["started"]
    out["burst"] = {
        "messages": total,
        "stored": console.stats.received,
        "seconds": round(first_to_last, 2),
        "messages_per_s": round(console.stats.received / first_to_last),
        "publish_s": round(burst["publish_s"], 2),
    }
    # Paced: the fleet's real rate (telemetry every 60 s, an incident per device per ~10 min)
    # and ten times that, 30 s each; latency = publish -> committed (received_at).
    for name, speed in (("real_rate", 1), ("10x_rate", 10)):
        before = console.stats.received
        paced = await asyncio.to_thread(publish_fleet, broker.port, DEVICES, 0, 0, (speed, 30.0))
        expected = before + paced["messages"]
        await wait_until(lambda n=expected: console.stats.received >= n, 60)
        rows = (
            await asyncio.to_thread(
                console.db.rows,
                "SELECT incident_id, received_at FROM incidents WHERE incident_id IN ("
                + ",".join("?" * len(paced["sent_at"]))
                + ")",
                list(paced["sent_at"]),
            )
            if paced["sent_at"]
            else []
        )
        latency = [(at - paced["sent_at"][i]) for i, at in rows]
        out[name] = {
            "messages": paced["messages"],
            "messages_per_s": round(paced["messages"] / 30.0, 1),
            "incidents": len(paced["sent_at"]),
            "lost": len(paced["sent_at"]) - len(rows),
            "latency_s": summary(latency),
        }
    await console.stop()
    return out


def run(out_dir: Path) -> dict[str, Any]:
    """Run the four parts; print a table; return the figures."""
    load = os.getloadavg()
    result: dict[str, Any] = {"devices": DEVICES, "load_before": [round(x, 2) for x in load]}
    with tempfile.TemporaryDirectory(prefix="edge-bench-fleet-") as folder:
        tmp = Path(folder)
        with LocalBroker(tmp / "broker", max_queued=2_000_000) as broker:
            result["ingest"] = asyncio.run(_ingest(tmp, broker))
            result["restarts"] = asyncio.run(restart_run(tmp, broker, devices=20, each=150))
        db = Database(tmp / "pages.db")
        migrate(db)
        load_s = bulk_incidents(db, SQLITE_ROWS, DEVICES)
        result["sqlite_pages"] = {"rows": SQLITE_ROWS, "load_s": load_s, **page_times(db)}
        db.close()
        if PG_ROWS > 0:
            from edge.fleet.localpg import LocalPostgres

            with LocalPostgres() as pg:
                pgdb = Database(pg.url)
                migrate(pgdb)
                load_s = bulk_incidents(pgdb, PG_ROWS, DEVICES)
                result["postgres_pages"] = {"rows": PG_ROWS, "load_s": load_s, **page_times(pgdb)}
                pgdb.close()
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    _print(result)
    return result


def _print(result: dict[str, Any]) -> None:
    ingest = result["ingest"]
    rows: list[list[Any]] = [
        ["burst ingest", f"{ingest['burst']['messages_per_s']} msg/s",
         f"{ingest['burst']['stored']}/{ingest['burst']['messages']} stored"],
    ]  # fmt: skip
    for name in ("real_rate", "10x_rate"):
        part = ingest[name]
        lat = part["latency_s"]
        rows.append([
            f"{name} ({part['messages_per_s']} msg/s)",
            f"e2e p50 {lat['p50'] * 1000:.0f} ms, p95 {lat['p95'] * 1000:.0f} ms"
            if lat["p50"] is not None else "-",
            f"lost {part['lost']} of {part['incidents']}",
        ])  # fmt: skip
    restarts = result["restarts"]
    rows.append([
        "console + broker restart",
        f"{restarts['stored']} of {restarts['logged']} stored",
        f"lost {restarts['lost']}, duplicate rows {restarts['duplicate_rows']}",
    ])  # fmt: skip
    for key in ("sqlite_pages", "postgres_pages"):
        if key not in result:
            continue
        pages = result[key]
        rows.append([f"{key} ({pages['rows']:,} rows)", f"loaded in {pages['load_s']} s", ""])
        for page, figures in pages["pages"].items():
            rows.append([f"  {page}", f"p50 {figures['p50'] * 1000:.0f} ms",
                         f"p95 {figures['p95'] * 1000:.0f} ms"])  # fmt: skip
    print(table(rows, ["part", "figure", "detail"]))
    print(f"load average before {result['load_before']}, after {result['load_after']}")
