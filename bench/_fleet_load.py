"""Load for ``bench/fleet.py``: a simulated fleet, a restart run, bulk rows, page times."""

from __future__ import annotations

import asyncio
import http.cookiejar
import random
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench.common import summary
from edge.config import Config, DeviceConfig, ReportConfig
from edge.fleet.console import Console, ConsoleSettings
from edge.fleet.db import Database
from edge.report.base import IncidentDraft, Severity
from edge.report.localbroker import LocalBroker
from edge.report.mqtt import Broker
from edge.report.payload import DeviceIdentity, build_incident, encode, iso_utc, status_payload
from edge.report.service import ReportingService

CONNECTIONS = 4
SITES = 20
_WORDS = (
    "hydraulic pressure drops overnight", "oil leak at the gearbox", "pitch motor keeps tripping",
    "yaw brake squeals", "smoke from the converter cabinet", "ladder fall arrester jammed",
    "cracked bolt on the blade root", "hub light out", "grease leaking from the main bearing",
    "service lift brake slipping", "cable tray cover loose", "burning smell at the slip rings",
)  # fmt: skip
_COMPONENTS = ("GBX", "GEN", "YAW", "PITCH", "HYD", "CONV", "LIFT", "NAC")


async def wait_until(predicate: Any, timeout_s: float, step_s: float = 0.05) -> bool:
    """Poll ``predicate()`` until true or ``timeout_s`` passed."""
    for _ in range(int(timeout_s / step_s)):
        if predicate():
            return True
        await asyncio.sleep(step_s)
    return bool(predicate())


def _site(i: int) -> str:
    return f"site-{i % SITES:02d}"


def _device(i: int) -> str:
    return f"dev-{i:04d}"


def _clients(port: int) -> list[Any]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    clients = []
    for n in range(CONNECTIONS):
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"bench-fleet-{n}", protocol=mqtt.MQTTv5
        )
        client.max_inflight_messages_set(500)
        client.max_queued_messages_set(0)
        client.connect("127.0.0.1", port)
        client.loop_start()
        clients.append(client)
    return clients


def _telemetry(i: int, now: float) -> bytes:
    return encode(
        {
            "schema": "edge.telemetry/1",
            "ts": iso_utc(now),
            "device_id": _device(i),
            "site": _site(i),
            "queue_depth": 0,
            "latency_ms": {"p50": 400.0 + i % 50, "p95": 900.0 + i % 200, "n": 20},
            "disk": {"free_mb": 20000.0, "total_mb": 59000.0},
            "cpu_temp_c": 50.0 + i % 15,
            "mic": {"ok": True},
            "wearable": {"link": True, "battery_pct": 20 + i % 80},
        }
    )


def _incident(i: int, now: float) -> tuple[str, bytes]:
    identity = DeviceIdentity(_device(i), _site(i))
    incident_id = str(uuid.uuid4())
    draft = IncidentDraft(
        random.choice(list(Severity)),
        random.choice(_WORDS),
        component_id=random.choice(_COMPONENTS),
    )
    body = build_incident(
        draft, incident_id=incident_id, identity=identity, created_at=now, expiry_s=86400
    )
    return incident_id, encode(body)


def publish_fleet(
    port: int, devices: int, telemetry_each: int, incidents_each: int, paced: Any
) -> dict[str, Any]:
    """Publish births, then telemetry and incidents; ``paced`` = (speed, seconds) or None (burst).

    Paced: telemetry every 60 s and an incident every 600 s per device, times ``speed``.
    Returns the message count, when publishing started, and each incident's publish time.
    """
    clients = _clients(port)
    infos: list[Any] = []
    sent_at: dict[str, float] = {}
    count = 0

    def send(i: int, kind: str, payload: bytes) -> None:
        nonlocal count
        topic = f"fleet/v1/{_site(i)}/{_device(i)}/{kind}"
        infos.append(clients[i % CONNECTIONS].publish(topic, payload, qos=1, retain=False))
        count += 1

    started = time.perf_counter()
    now = time.time()
    if paced is None:
        for i in range(devices):
            identity = DeviceIdentity(_device(i), _site(i))
            send(i, "status", status_payload(online=True, session=1, reason="connected",
                                             ts=now, identity=identity))  # fmt: skip
        for _ in range(max(telemetry_each, incidents_each)):
            for i in range(devices):
                now = time.time()
                if telemetry_each:
                    send(i, "telemetry", _telemetry(i, now))
                if incidents_each:
                    incident_id, payload = _incident(i, now)
                    send(i, "incident", payload)
    else:
        speed, seconds = paced
        events = []
        for i in range(devices):
            for t in _times(60.0 / speed, seconds, random.random()):
                events.append((t, i, "telemetry"))
            for t in _times(600.0 / speed, seconds, random.random()):
                events.append((t, i, "incident"))
        events.sort()
        for t, i, kind in events:
            delay = started + t - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            now = time.time()
            if kind == "telemetry":
                send(i, kind, _telemetry(i, now))
            else:
                incident_id, payload = _incident(i, now)
                sent_at[incident_id] = now
                send(i, kind, payload)
    for info in infos:
        info.wait_for_publish(60)
    publish_s = time.perf_counter() - started
    for client in clients:
        client.disconnect()
        client.loop_stop()
    return {"messages": count, "started": started, "publish_s": publish_s, "sent_at": sent_at}


def _times(period: float, seconds: float, phase: float) -> list[float]:
    out, t = [], phase * period
    while t < seconds:
        out.append(t)
        t += period
    return out


async def restart_run(tmp: Path, broker: LocalBroker, *, devices: int, each: int) -> dict[str, Any]:
    """Real devices log incidents while the console restarts once and the broker once."""

    def new_console() -> Console:
        return Console(
            ConsoleSettings(database=tmp / "restart.db"),
            Broker("127.0.0.1", broker.port, "bench-restart"),
        )

    console = new_console()
    await console.start(web=False)
    services = []
    for i in range(devices):
        config = Config(
            device=DeviceConfig(id=f"real-{i:02d}", site="site-r", state_dir=tmp / f"real-{i}"),
            report=ReportConfig(host="127.0.0.1", port=broker.port, tls=False,
                                telemetry_interval_s=0, reconnect_min_s=0.1,
                                reconnect_max_s=1.0),
        )  # fmt: skip
        service = ReportingService(config)
        await service.start()
        services.append(service)
    logged = 0
    duplicates = 0

    async def device(service: ReportingService) -> None:
        nonlocal logged
        for n in range(each):
            await service.reporter.report(IncidentDraft(Severity.MEDIUM, f"vibration alarm {n}"))
            logged += 1
            await asyncio.sleep(0.01)

    work = [asyncio.ensure_future(device(s)) for s in services]
    total = devices * each
    await wait_until(lambda: logged >= total // 3, 300)
    duplicates += console.stats.duplicates
    await console.stop()
    await asyncio.sleep(1.0)  # the console is down for a second; the broker queues
    console = new_console()
    await console.start(web=False)
    await wait_until(lambda: logged >= 2 * total // 3, 300)
    await asyncio.to_thread(broker.restart)
    await asyncio.gather(*work)
    for service in services:
        await service.flush(120.0)
    count = "SELECT COUNT(*) FROM incidents"
    await wait_until(lambda: (console.db.one(count) or (0,))[0] >= total, 120, 0.2)
    (stored,) = console.db.one("SELECT COUNT(*) FROM incidents") or (0,)
    (distinct,) = console.db.one("SELECT COUNT(DISTINCT incident_id) FROM incidents") or (0,)
    duplicates += console.stats.duplicates
    for service in services:
        await service.stop()
    await console.stop()
    return {
        "logged": total,
        "stored": int(stored),
        "lost": total - int(stored),
        "duplicate_rows": int(stored) - int(distinct),
        "duplicates_received_and_dropped": duplicates,
    }


_COLUMNS = (
    "incident_id", "site", "device_id", "severity", "state", "source", "summary", "description",
    "transcript", "component_id", "created_at", "received_at", "updated_at", "device_state",
    "payload",
)  # fmt: skip


def bulk_incidents(db: Database, n: int, devices: int) -> float:
    """Load ``n`` generated incidents (90 days, ``devices`` devices) and the devices; seconds."""
    rng = random.Random(7)
    started = time.perf_counter()
    now = time.time()
    states = ("closed",) * 7 + ("acknowledged",) * 2 + ("active",)
    severities = ("low",) * 4 + ("medium",) * 3 + ("high",) * 2 + ("critical",)
    chunk = 20_000
    for first in range(0, n, chunk):
        rows = []
        for k in range(first, min(n, first + chunk)):
            i = rng.randrange(devices)
            words = rng.choice(_WORDS)
            created = now - 90 * 86400 * (1 - k / n) + rng.random()
            rows.append((
                str(uuid.UUID(int=rng.getrandbits(128), version=4)), _site(i), _device(i),
                rng.choice(severities), rng.choice(states), "technician",
                words.capitalize(), f"{words.capitalize()} (case {k})", f"log an incident {words}",
                rng.choice(_COMPONENTS), created, created + 0.05, created + 60, "{}", "{}",
            ))  # fmt: skip
        db.copy_rows("incidents", _COLUMNS, rows)
    devices_rows = [
        (_site(i), _device(i), 1, 1, "connected", now, now, "0.1.0", "{}",
         _telemetry(i, now).decode(), now)
        for i in range(devices)
    ]  # fmt: skip
    db.copy_rows(
        "devices",
        ("site", "device_id", "online", "session", "reason", "status_at", "last_seen", "software",
         "versions", "telemetry", "telemetry_at"),
        devices_rows,
    )  # fmt: skip
    series = [
        (_site(42), _device(42), now - 60 * m, 0, 400.0 + m % 30, 900.0 + m % 90, 2e4, 55.0, 80)
        for m in range(1440)
    ]
    db.copy_rows(
        "telemetry",
        ("site", "device_id", "at", "queue_depth", "p50_ms", "p95_ms", "disk_free_mb",
         "cpu_temp_c", "battery_pct"),
        series,
    )  # fmt: skip
    if db.dialect == "postgresql":
        db.execute("ANALYZE")  # fresh statistics, as autovacuum would make soon after a load
    return round(time.perf_counter() - started, 1)


def page_times(db: Database, repeats: int = 20) -> dict[str, Any]:
    """p50/p95 of each console page over HTTP with a logged-in session, on ``db``'s rows."""
    ready = threading.Event()
    stop = threading.Event()
    holder: dict[str, Any] = {}

    async def serve() -> None:
        console = Console(ConsoleSettings(database=db.url, port=0, metrics_token="bench"), None)
        console.accounts.add_user("bench", "bench-password", "dispatcher", replace=True)
        await console.start()
        holder["port"] = console.port
        ready.set()
        await asyncio.to_thread(stop.wait)
        await console.stop()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    ready.wait(120)
    base = f"http://127.0.0.1:{holder['port']}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', login)
    assert token is not None
    form = {"csrf": token.group(1), "user": "bench", "password": "bench-password"}
    opener.open(base + "/login", urllib.parse.urlencode(form).encode()).read()
    some = db.rows("SELECT incident_id, created_at FROM incidents ORDER BY incident_id LIMIT 1")
    middle = db.rows(
        "SELECT created_at, incident_id FROM incidents WHERE created_at > ?"
        " ORDER BY created_at LIMIT 1",
        (time.time() - 45 * 86400,),
    )
    before = urllib.parse.quote(f"{middle[0][0]!r},{middle[0][1]}") if middle else ""
    pages = {
        "incidents (newest 50)": "/incidents",
        "filter severity=critical": "/incidents?severity=critical",
        "filter site+state": f"/incidents?site={_site(7)}&state=active",
        "filter device": f"/incidents?device={_device(42)}",
        "older page (45 days back)": f"/incidents?before={before}",
        "search 'hydraulic'": "/incidents?q=hydraulic",
        "incident page": f"/incidents/{some[0][0]}",
        "devices (all)": "/devices",
        "device page + plot": f"/devices/{_site(42)}/{_device(42)}",
    }
    out: dict[str, Any] = {}
    for name, path in pages.items():
        opener.open(base + path).read()  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            opener.open(base + path).read()
            times.append(time.perf_counter() - started)
        out[name] = summary(times)
    request = urllib.request.Request(base + "/metrics", headers={"Authorization": "Bearer bench"})
    started = time.perf_counter()
    text = urllib.request.urlopen(request).read().decode()
    metrics_s = time.perf_counter() - started
    stop.set()
    thread.join(30)
    return {
        "pages": out,
        "metrics_scrape_s": round(metrics_s, 3),
        "metrics_lines": len(text.splitlines()),
    }
