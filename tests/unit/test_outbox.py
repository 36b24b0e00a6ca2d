import sqlite3
import threading
from pathlib import Path

import pytest

from edge.report.errors import ReportError
from edge.report.outbox import Outbox, quarantined_copies

pytestmark = pytest.mark.unit


def put(outbox: Outbox, incident_id: str, created: float = 1.0) -> bool:
    return outbox.put(
        incident_id=incident_id,
        topic="fleet/v1/s/d/incident",
        payload=b'{"x":1}',
        severity="high",
        summary="oil leak",
        source="technician",
        created_at=created,
        expires_at=created + 100,
    )


def ids(rows: list) -> list[str]:
    return [r.incident_id for r in rows]


def test_stored_rows_survive_reopening_and_wal_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "state" / "outbox.db"
    outbox = Outbox(path)
    assert put(outbox, "a")
    outbox.close()
    again = Outbox(path)
    assert ids(again.due(now=0, limit=10)) == ["a"]
    assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    again.close()


def test_same_id_is_stored_once(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    assert put(outbox, "a")
    assert not put(outbox, "a")
    assert outbox.counts().pending == 1


def test_due_is_oldest_first_bounded_and_skips_busy_ids(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    for i in "abcde":
        put(outbox, i)
    assert ids(outbox.due(0, 2)) == ["a", "b"]
    assert ids(outbox.due(0, 2, exclude={"a", "c"})) == ["b", "d"]
    assert ids(outbox.due(0, 10, exclude={"a", "b", "c", "d", "e"})) == []


def test_only_acknowledged_rows_leave_pending(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    for i in "abc":
        put(outbox, i)
    assert outbox.mark_sent(["a", "c"], now=5.0) == 2
    assert ids(outbox.due(0, 10)) == ["b"]
    counts = outbox.counts()
    assert (counts.pending, counts.refused, counts.sent) == (1, 0, 2)
    sent = outbox.rows("sent")
    assert {r.incident_id for r in sent} == {"a", "c"} and all(r.sent_at == 5.0 for r in sent)
    assert outbox.mark_sent(["a"], now=6.0) == 0  # a late duplicate ack changes nothing


def test_refused_rows_stay_pending_with_reason_until_retry(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    a, b = "aaaa0001", "bbbb0002"
    put(outbox, a)
    put(outbox, b)
    outbox.mark_refused([(a, "Not authorized")], retry_at=100.0)
    assert ids(outbox.due(now=50.0, limit=10)) == [b]
    assert ids(outbox.due(now=100.0, limit=10)) == [a, b]
    row = outbox.get(a)
    assert row.refused and row.refusals == 1 and row.last_error == "Not authorized"
    assert outbox.counts().refused == 1
    assert outbox.retry([a]) == 1
    assert ids(outbox.due(now=0.0, limit=10)) == [a, b]
    outbox.mark_sent([a], now=1.0)
    assert outbox.get(a).last_error is None and not outbox.get(a).refused


def test_get_by_prefix(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    put(outbox, "0d3245df-2ed1-40c1-8190-2fc3383755b1")
    put(outbox, "0d3299aa-2ed1-40c1-8190-2fc3383755b1")
    assert outbox.get("0d3245").incident_id.startswith("0d3245df")
    with pytest.raises(ReportError) as err:
        outbox.get("0d32")
    assert err.value.code == "outbox-unknown-id" and "several" in err.value.message
    with pytest.raises(ReportError, match="no incident"):
        outbox.get("ffff")
    with pytest.raises(ReportError):
        outbox.get("'; DROP TABLE outbox; --")


def test_prune_forgets_only_old_sent_rows(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    for i in "abc":
        put(outbox, i)
    outbox.mark_sent(["a"], now=10.0)
    outbox.mark_sent(["b"], now=30.0)
    assert outbox.prune(sent_before=20.0) == 1
    assert sorted(ids(outbox.rows())) == ["b", "c"]


def test_session_number_increments_durably(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    outbox = Outbox(path)
    assert [outbox.next_session(), outbox.next_session()] == [1, 2]
    outbox.close()
    assert Outbox(path).next_session() == 3


def test_threads_and_a_second_handle_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    daemon, cli = Outbox(path), Outbox(path)  # the daemon and `edge incidents` at once

    def writer(prefix: str, outbox: Outbox) -> None:
        for i in range(50):
            put(outbox, f"{prefix}{i}")

    threads = [threading.Thread(target=writer, args=(p, o)) for p, o in (("x", daemon), ("y", cli))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert daemon.counts().pending == 100 == cli.counts().pending


def test_unusable_path_is_a_typed_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError) as err:
        Outbox(blocker / "outbox.db")
    assert err.value.code == "outbox-unavailable" and err.value.fix


# -- a corrupt outbox never stops the assistant -------------------------------------------------


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_fresh_outbox_starts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    path.write_bytes(b"\x00garbage from a torn SD card write" * 500)
    outbox = Outbox(path)
    assert outbox.quarantined is not None and outbox.quarantined.exists()
    assert outbox.quarantined.read_bytes().startswith(b"\x00garbage")  # kept for recovery
    assert put(outbox, "a") and ids(outbox.due(now=0, limit=10)) == ["a"]
    outbox.close()
    assert quarantined_copies(path) == [outbox.quarantined]
    assert Outbox(path).quarantined is None  # the fresh one is sound


def test_damaged_pages_found_by_the_integrity_check_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    outbox = Outbox(path)
    for n in range(300):
        put(outbox, f"id-{n:04d}")
    outbox.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page + 8 : 3 * page] = b"\xff" * (page - 8)  # a page of the table, overwritten
    path.write_bytes(bytes(data))
    again = Outbox(path)
    assert again.quarantined is not None
    assert again.counts().pending == 0
    again.close()


def test_a_locked_outbox_is_not_mistaken_for_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    put(first := Outbox(path), "a")
    first.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")  # another process holds the file
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ReportError) as err:
            Outbox(path, busy_timeout_s=0.1)
        assert err.value.code == "outbox-unavailable"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert quarantined_copies(path) == []
    again = Outbox(path)
    assert ids(again.due(now=0, limit=10)) == ["a"]
    again.close()
