"""The console's data layer on SQLite and on a real PostgreSQL server: the same behaviour."""

import json
import threading
import time
from pathlib import Path

import pytest

from edge import schemas
from edge.fleet.auth import Accounts, AuthError, csrf_ok, hash_password, verify_password
from edge.fleet.db import Database, DatabaseError
from edge.fleet.messages import Message, Reject, parse
from edge.fleet.migrations import MIGRATIONS, migrate
from edge.fleet.queries import FleetQueries, IncidentFilter
from edge.fleet.store import ActionError, FleetStore
from tests.integration.fleet_env import fresh_database, incident, raw

pytestmark = pytest.mark.integration

PREFIX = "fleet/v1"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    database = fresh_database(request.param, tmp_path, request)
    yield database
    database.close()


def message(body: dict, kind: str = "incident") -> Message:
    parsed = parse(PREFIX, f"{PREFIX}/{body['site']}/{body['device_id']}/{kind}", raw(body))
    assert isinstance(parsed, Message), parsed
    return parsed


def test_migrations_run_once_and_a_newer_database_is_refused(db: Database) -> None:
    assert migrate(db) == []
    db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (MIGRATIONS[-1][0] + 1, "x", 0.0))
    with pytest.raises(Exception, match="newer|version"):
        migrate(db)


def test_ingest_is_idempotent_by_incident_id(db: Database) -> None:
    store = FleetStore(db)
    body = incident()
    first = store.ingest([message(body)])
    again = store.ingest([message(body), message(body)])
    assert first.new_incidents == [body["incident_id"]] and first.duplicates == 0
    assert again.new_incidents == [] and again.duplicates == 2
    rows, more = FleetQueries(db).incidents(IncidentFilter())
    assert [r.incident_id for r in rows] == [body["incident_id"]] and not more
    assert store.counter("duplicates") == 2 and store.counter("ingested") == 3


def test_v1_and_v2_incidents_fill_reading_component_and_citation(db: Database) -> None:
    store, queries = FleetStore(db), FleetQueries(db)
    v1 = incident(schema="edge.incident/1", component_id="GEN")
    for key in ("component", "reading", "citation"):
        v1.pop(key)
    v1["readings"] = [
        {
            "component_id": "GEN",
            "parameter": "stator temperature",
            "value": 171.0,
            "unit": "°C",
            "minimum": None,
            "maximum": 155.0,
        }
    ]
    v2 = incident(
        reading={
            "parameter": "oil sump temperature",
            "value": 92.0,
            "unit": "°C",
            "limit": {"minimum": None, "maximum": 85.0},
        },
        citation={"document": "WT-2000 Manual", "section": "12 Operating limits", "page": 31},
    )
    store.ingest([message(v1), message(v2)])
    old, new = queries.incident(v1["incident_id"]), queries.incident(v2["incident_id"])
    assert old is not None and new is not None
    assert (old.component_id, old.reading_value, old.reading_max) == ("GEN", 171.0, 155.0)
    assert old.out_of_range and new.out_of_range
    assert (new.component_name, new.citation_page) == ("gearbox", 31)
    assert json.loads(new.payload or "{}") == v2


def test_invalid_messages_are_rejected_with_the_reason_and_kept(db: Database) -> None:
    store = FleetStore(db)
    good = incident()
    cases = [
        (f"{PREFIX}/site-a/dev-001/incident", b"not json"),
        (f"{PREFIX}/site-a/dev-001/incident", raw({**good, "severity": "urgent"})),
        (f"{PREFIX}/site-a/dev-002/incident", raw(good)),  # speaks for another device
        (f"{PREFIX}/site-a/dev-001/incident", raw({**good, "schema": "edge.incident/7"})),
    ]
    rejects = [parse(PREFIX, t, p) for t, p in cases]
    assert all(isinstance(r, Reject) for r in rejects)
    assert "severity" in rejects[1].reason and "differs" in rejects[2].reason
    store.ingest([], rejects)  # type: ignore[arg-type]
    assert db.one("SELECT COUNT(*) FROM rejects") == (4,)
    assert db.one("SELECT COUNT(*) FROM incidents") == (0,)


def test_a_stale_will_does_not_mark_a_device_offline(db: Database) -> None:
    store, queries = FleetStore(db), FleetQueries(db)

    def status(online: bool, session: int, reason: str) -> Message:
        body = {
            "online": online,
            "session": session,
            "reason": reason,
            "ts": "2026-11-30T08:00:00.000Z",
            "device_id": "dev-001",
            "site": "site-a",
        }
        return message(body, "status")

    store.ingest([status(True, 5, "connected")])
    store.ingest([status(False, 4, "lwt")])  # the will of the previous connection, late
    device = queries.device("site-a", "dev-001")
    assert device is not None and device.online and device.session == 5
    store.ingest([status(False, 5, "lwt")])
    device = queries.device("site-a", "dev-001")
    assert device is not None and not device.online and device.reason == "lwt"


def test_telemetry_feeds_the_devices_page_and_the_plot(db: Database) -> None:
    store, queries = FleetStore(db), FleetQueries(db)
    now = time.time()
    for i in range(3):
        ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 120 + 60 * i))
        body = {
            "schema": "edge.telemetry/1",
            "ts": ts,
            "device_id": "dev-001",
            "site": "site-a",
            "queue_depth": i,
            "latency_ms": {"p50": 400.0 + i, "p95": 900.0, "n": 12},
            "disk": {"free_mb": 2048.0, "total_mb": 8192.0},
            "cpu_temp_c": 51.5,
            "mic": {"ok": True},
            "wearable": {"link": True, "battery_pct": 80},
        }
        store.ingest([message(body, "telemetry")])
    device = queries.device("site-a", "dev-001")
    assert device is not None and device.telemetry["queue_depth"] == 2
    series = queries.series("site-a", "dev-001", now - 3600)
    assert [s[1] for s in series] == [400.0, 401.0, 402.0]


def test_filters_search_and_keyset_pages(db: Database) -> None:
    store, queries = FleetStore(db), FleetQueries(db)
    bodies = []
    for i in range(120):
        bodies.append(
            incident(
                device_id=f"dev-{i % 3:03d}",
                site="site-a" if i % 2 else "site-b",
                severity=("low", "high")[i % 2],
                summary=f"Case {i} {'smoke' if i % 10 == 0 else 'leak'}",
                description=f"Case {i}",
                created_at=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1.7e9 + i)),
                component={"id": ("GBX", "GEN")[i % 2], "name": None},
            )
        )
    store.ingest([message(b) for b in bodies])
    seen, before, pages = [], None, 0
    while True:
        rows, more = queries.incidents(IncidentFilter(), before=before, limit=50)
        seen += [r.incident_id for r in rows]
        pages += 1
        if not more:
            break
        before = (rows[-1].created_at, rows[-1].incident_id)
    assert pages == 3 and seen == [b["incident_id"] for b in reversed(bodies)]
    high_a, _ = queries.incidents(IncidentFilter(site="site-a", severity="high"), limit=200)
    assert len(high_a) == 60 and {r.component_id for r in high_a} == {"GEN"}
    smoke, _ = queries.incidents(IncidentFilter(q="SMOKE"), limit=200)
    assert len(smoke) == 12
    dev1, _ = queries.incidents(IncidentFilter(device="dev-001", component="GEN"), limit=200)
    assert len(dev1) == 20
    window, _ = queries.incidents(IncidentFilter(since=1.7e9 + 10, until=1.7e9 + 20), limit=200)
    assert len(window) == 10
    exported = list(queries.iter_incidents(IncidentFilter(severity="low"), chunk=7))
    assert len(exported) == 60


def test_actions_change_state_queue_a_valid_command_and_take_results(db: Database) -> None:
    store, queries = FleetStore(db), FleetQueries(db)
    body = incident()
    store.ingest([message(body)])
    cmd = store.act(body["incident_id"], "assign", user="dana", role="dispatcher", assignee="Sam")
    sent = json.loads(cmd.payload)
    assert schemas.problems("command", sent) == []
    assert cmd.topic == "fleet/v1/site-a/dev-001/cmd/incident"
    assert (sent["assignee"], sent["by"]) == ("Sam", {"user": "dana", "role": "dispatcher"})
    row = queries.incident(body["incident_id"])
    assert row is not None and (row.state, row.assignee) == ("acknowledged", "Sam")
    assert [c.command_id for c in store.unpublished()] == [cmd.command_id]
    store.mark_published([cmd.command_id])
    assert store.unpublished() == []
    result = {
        "schema": "edge.command-result/1",
        "command_id": cmd.command_id,
        "incident_id": body["incident_id"],
        "action": "assign",
        "outcome": "applied",
        "reason": None,
        "state": "acknowledged",
        "assignee": "Sam",
        "announced": False,
        "device_id": "dev-001",
        "site": "site-a",
        "at": "2026-11-30T09:00:00.000Z",
    }
    store.ingest([message(result, "cmd-result")])
    store.ingest([message({**result, "outcome": "duplicate"}, "cmd-result")])  # nothing new
    store.ingest([message({**result, "announced": True}, "cmd-result")])
    kinds = [(e.kind, e.detail) for e in queries.history(body["incident_id"])]
    assert kinds == [
        ("received", None),
        ("assign", "to Sam"),
        ("device", "device applied assign"),
        ("device", "technician told of assign"),
    ]
    store.act(body["incident_id"], "close", user="dana", role="dispatcher")
    with pytest.raises(ActionError, match="closed"):
        store.act(body["incident_id"], "acknowledge", user="dana", role="dispatcher")
    with pytest.raises(ActionError, match="no incident"):
        store.act("nope", "acknowledge", user="dana", role="dispatcher")
    with pytest.raises(ActionError, match="text"):
        store.act(body["incident_id"], "comment", user="dana", role="dispatcher")


def test_logins_sessions_and_csrf(db: Database) -> None:
    accounts = Accounts(db, session_s=60)
    accounts.add_user("dana", "a long enough pass", "dispatcher")
    with pytest.raises(AuthError, match="shorter"):
        accounts.add_user("val", "short", "viewer")
    with pytest.raises(AuthError, match="exists"):
        accounts.add_user("dana", "another long pass", "viewer")
    stored = db.one("SELECT password_hash FROM users WHERE name = 'dana'")
    assert stored is not None and stored[0].startswith("scrypt$32768$8$1$")
    assert "a long enough pass" not in stored[0]
    assert accounts.login("dana", "wrong password!") is None
    assert accounts.login("nobody", "a long enough pass") is None
    token = accounts.login("dana", "a long enough pass", now=1000.0)
    assert token is not None
    session = accounts.session(token, now=1010.0)
    assert session is not None and session.can_act and session.user == "dana"
    assert csrf_ok(session, session.csrf) and not csrf_ok(session, "forged")
    assert accounts.session(token, now=1061.0) is None  # expired
    assert accounts.session("made-up", now=1010.0) is None
    accounts.add_user("dana", "a new long password", "viewer", replace=True)
    assert accounts.session(token, now=1010.0) is None  # a reset ends sessions
    token = accounts.login("dana", "a new long password")
    viewer = accounts.session(token)
    assert viewer is not None and not viewer.can_act
    accounts.logout(token)
    assert accounts.session(token) is None


def test_password_hashes_are_salted_and_checked_in_full() -> None:
    one, two = hash_password("same password here"), hash_password("same password here")
    assert one != two
    assert verify_password("same password here", one) and verify_password("same password here", two)
    assert not verify_password("same password herE", one)
    assert not verify_password("x", "md5$abc") and not verify_password("x", "garbage")


def test_old_telemetry_and_surplus_rejects_are_pruned(db: Database) -> None:
    store = FleetStore(db)
    for at in (100.0, 200.0, 300.0):
        db.execute(
            "INSERT INTO telemetry (site, device_id, at, queue_depth) VALUES (?, ?, ?, ?)",
            ("site-a", "dev-001", at, 0),
        )
    rejects = [Reject("t", f"bad {i}", "x") for i in range(5)]
    store.ingest([], rejects)
    assert store.prune(250.0, keep_rejects=2) == (2, 3)
    assert db.one("SELECT COUNT(*) FROM telemetry") == (1,)
    assert [r[0] for r in db.rows("SELECT reason FROM rejects ORDER BY id")] == ["bad 3", "bad 4"]


def test_close_waits_for_a_worker_threads_transaction_and_later_use_is_a_clear_error(
    db: Database,
) -> None:
    # The console's ingest runs in a worker thread that outlives its cancelled asyncio task;
    # closing its connection mid-statement crashed the interpreter (a segfault in CI).
    inside, release = threading.Event(), threading.Event()

    def ingest_slowly() -> None:
        with db.transaction() as tx:
            tx.execute(
                "INSERT INTO rejects (at, topic, reason, payload) VALUES (?, ?, ?, ?)",
                (1.0, "t", "slow", "x"),
            )
            inside.set()
            release.wait(5.0)

    worker = threading.Thread(target=ingest_slowly)
    worker.start()
    assert inside.wait(5.0)
    closer = threading.Thread(target=db.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive(), "close() did not wait for the running transaction"
    release.set()
    worker.join(5.0)
    closer.join(5.0)
    assert not closer.is_alive()
    with pytest.raises(DatabaseError, match="closed") as caught:
        db.rows("SELECT COUNT(*) FROM rejects")
    assert caught.value.code == "fleet-db-unavailable"
    again = Database(db.url)
    try:
        assert again.one("SELECT reason FROM rejects") == ("slow",)  # the commit landed
    finally:
        again.close()
