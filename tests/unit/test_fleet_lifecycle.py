"""Fleet commands on the device: checked, applied once, stored, told, reported."""

import json
import uuid
from pathlib import Path

import pytest

from edge import schemas
from edge.report.lifecycle import Lifecycle, announcement_text, describe_state
from edge.report.outbox import Outbox
from edge.report.payload import DeviceIdentity

pytestmark = pytest.mark.unit

ME = DeviceIdentity("dev-001", "site-a")


def stored(outbox: Outbox, summary: str = "Oil leak at the gearbox") -> str:
    incident_id = str(uuid.uuid4())
    outbox.put(
        incident_id=incident_id,
        topic="fleet/v1/site-a/dev-001/incident",
        payload=b"{}",
        severity="high",
        summary=summary,
        source="technician",
        created_at=1.7e9,
        expires_at=1.8e9,
    )
    return incident_id


def command(incident_id: str, action: str = "acknowledge", **extra: object) -> dict:
    body = {
        "schema": "edge.command/1",
        "command_id": str(uuid.uuid4()),
        "incident_id": incident_id,
        "action": action,
        "device_id": "dev-001",
        "site": "site-a",
        "by": {"user": "dana", "role": "dispatcher"},
        "issued_at": "2026-11-30T09:00:00.000Z",
    }
    body.update(extra)
    return body


@pytest.fixture
def setup(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox.db")
    lifecycle = Lifecycle(outbox, ME)
    yield outbox, lifecycle
    lifecycle.close()
    outbox.close()


def result(handled) -> dict:
    body = json.loads(handled.result)
    assert schemas.problems("command-result", body) == []
    return body


def test_acknowledge_is_stored_announced_and_reported(setup) -> None:
    outbox, lifecycle = setup
    incident_id = stored(outbox)
    cmd = command(incident_id)
    handled = lifecycle.handle(json.dumps(cmd).encode())
    body = result(handled)
    assert (body["outcome"], body["state"], body["announced"]) == ("applied", "acknowledged", False)
    assert handled.announcement is not None
    said = handled.announcement.text
    assert said == "Control acknowledged the incident: oil leak at the gearbox."
    assert lifecycle.state(incident_id).state == "acknowledged"
    assert [a.command_id for a in lifecycle.pending_announcements()] == [cmd["command_id"]]
    told = json.loads(lifecycle.mark_announced(cmd["command_id"]) or b"{}")
    assert told["announced"] is True and told["state"] == "acknowledged"
    assert lifecycle.pending_announcements() == []
    assert lifecycle.mark_announced(cmd["command_id"]) is None  # told once


def test_the_same_command_twice_is_applied_once(setup) -> None:
    outbox, lifecycle = setup
    incident_id = stored(outbox)
    raw = json.dumps(command(incident_id, "assign", assignee="Sam")).encode()
    first, again = lifecycle.handle(raw), lifecycle.handle(raw)
    assert result(first)["outcome"] == "applied" and first.announcement is not None
    assert result(again)["outcome"] == "duplicate" and again.announcement is None
    assert len(lifecycle.pending_announcements()) == 1
    assert result(again)["assignee"] == "Sam"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"device_id": "dev-002"}, "wrong-device"),
        ({"site": "site-b"}, "wrong-device"),
        ({"by": {"user": "val", "role": "viewer"}}, "not-authorized"),
        ({"incident_id": "00000000-0000-4000-8000-000000000000"}, "unknown-incident"),
        ({"action": "delete"}, "malformed"),
        ({"action": "assign"}, "malformed"),  # assign without an assignee
        ({"schema": "edge.command/9"}, "malformed"),
    ],
)
def test_bad_commands_are_refused_with_a_reason_and_change_nothing(
    setup, change: dict, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    outbox, lifecycle = setup
    incident_id = stored(outbox)
    handled = lifecycle.handle(json.dumps({**command(incident_id), **change}).encode())
    body = result(handled)
    assert body["outcome"] == "refused" and body["reason"].startswith(reason)
    assert handled.announcement is None
    assert lifecycle.state(incident_id).state == "active"
    assert "refused" in caplog.text


@pytest.mark.parametrize(
    "raw", [b"", b"\xff\xfe", b"[1, 2]", b"null", b'{"action": 1}', b"{" * 500]
)
def test_garbage_is_refused_without_raising(setup, raw: bytes) -> None:
    _, lifecycle = setup
    body = result(lifecycle.handle(raw))
    assert body["outcome"] == "refused" and body["reason"].startswith("malformed")


def test_a_closed_incident_takes_only_comments(setup) -> None:
    outbox, lifecycle = setup
    incident_id = stored(outbox)
    closed = lifecycle.handle(json.dumps(command(incident_id, "close")).encode())
    assert result(closed)["state"] == "closed"
    again = result(lifecycle.handle(json.dumps(command(incident_id)).encode()))
    assert (again["outcome"], again["reason"], again["state"]) == ("refused", "closed", "closed")
    note = lifecycle.handle(json.dumps(command(incident_id, "comment", text="thanks")).encode())
    assert result(note)["outcome"] == "applied"
    assert note.announcement is not None
    said = note.announcement.text
    assert said == "Control wrote about the incident, oil leak at the gearbox: thanks."


def test_state_survives_a_restart_and_lists(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    incident_id = stored(outbox)
    lifecycle = Lifecycle(outbox, ME)
    lifecycle.handle(json.dumps(command(incident_id, "assign", assignee="Sam")).encode())
    lifecycle.close()
    outbox.close()
    outbox = Outbox(tmp_path / "outbox.db")
    lifecycle = Lifecycle(outbox, ME)
    states = lifecycle.states([incident_id, "other"])
    assert describe_state(states[incident_id]) == "acknowledged, Sam"
    assert len(lifecycle.pending_announcements()) == 1  # not told yet: still owed
    lifecycle.close()
    outbox.close()


def test_announcements_read_naturally() -> None:
    assert announcement_text("assign", "Smoke in the converter cabinet", "Sam") == (
        "Control assigned the incident to Sam: smoke in the converter cabinet."
    )
    assert announcement_text("close", "GBX oil sump temperature 92 °C is above the limit.") == (
        "Control closed the incident: GBX oil sump temperature 92 °C is above the limit."
    )
