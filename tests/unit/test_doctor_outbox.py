from pathlib import Path

import pytest

from edge.config import load_config
from edge.doctor.system import check_outbox
from edge.report.outbox import Outbox

pytestmark = pytest.mark.unit


def statuses(state: Path) -> list[tuple[str, str]]:
    config = load_config(env={}, overrides={"device.state_dir": str(state)})
    return [(r.status, r.detail) for r in check_outbox(config)]


def test_sound_outbox_passes_without_creating_files(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.put(
        incident_id="a",
        topic="t",
        payload=b"{}",
        severity="low",
        summary="s",
        source="technician",
        created_at=1.0,
        expires_at=2.0,
    )
    outbox.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    [(status, detail)] = statuses(tmp_path)
    assert status == "pass" and "1 incidents pending" in detail
    # Read-only: as root it must not leave root-owned -wal/-shm files the service cannot open.
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_damaged_outbox_fails_and_a_quarantined_copy_warns_with_the_recovery(
    tmp_path: Path,
) -> None:
    (tmp_path / "outbox.db").write_bytes(b"not a database" * 300)
    [(status, detail)] = statuses(tmp_path)
    assert status == "fail" and "damaged" in detail
    Outbox(tmp_path / "outbox.db").close()  # what the daemon does at start
    results = statuses(tmp_path)
    assert [s for s, _ in results] == ["pass", "warn"]
    assert "moved aside" in results[1][1]
