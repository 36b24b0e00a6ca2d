"""Shared set-up for the fleet console's tests: databases, devices, a console, payloads."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from edge.config import Config, DeviceConfig, ReportConfig
from edge.fleet.db import Database
from edge.fleet.localpg import LocalPostgres
from edge.fleet.migrations import migrate


def fresh_database(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Database:
    """An empty, migrated fleet database of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        db = Database(tmp / "fleet.db")
    else:
        server: LocalPostgres = request.getfixturevalue("postgres")
        name = "t" + uuid.uuid4().hex[:12]
        import psycopg

        with psycopg.connect(server.url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        db = Database(server.url.rsplit("/", 1)[0] + "/" + name)
    migrate(db)
    return db


def device_config(tmp: Path, port: int, device_id: str = "dev-001", site: str = "site-a") -> Config:
    """A device reporting to the loopback broker on ``port`` (fast reconnects, no telemetry)."""
    return Config(
        device=DeviceConfig(id=device_id, site=site, state_dir=tmp / device_id),
        report=ReportConfig(
            host="127.0.0.1",
            port=port,
            tls=False,
            telemetry_interval_s=0,
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
        ),
    )


def incident(device_id: str = "dev-001", site: str = "site-a", **extra: Any) -> dict[str, Any]:
    """A valid version-2 incident payload."""
    incident_id = str(uuid.uuid4())
    body = {
        "schema": "edge.incident/2",
        "incident_id": incident_id,
        "idempotency_key": incident_id,
        "source": "technician",
        "device_id": device_id,
        "site": site,
        "severity": "high",
        "summary": "Oil leak at the gearbox",
        "description": "Oil leak at the gearbox",
        "transcript": "log a high severity incident oil leak at the gearbox",
        "component_id": "GBX",
        "readings": [],
        "turn_id": 3,
        "created_at": "2026-11-30T08:00:00.000Z",
        "expires_at": "2026-12-07T08:00:00.000Z",
        "versions": {"software": "0.1", "models": {}},
        "component": {"id": "GBX", "name": "gearbox"},
        "reading": None,
        "citation": None,
    }
    body.update(extra)
    return body


def raw(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


async def until(predicate: Any, timeout_s: float = 15.0) -> bool:
    """Poll ``predicate()`` (sync) on the loop until true or ``timeout_s`` passed."""
    for _ in range(int(timeout_s / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return bool(predicate())
