"""What only the embedded store has: a file on disk that may be missing, shared or reopened."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from contract_data import LEASE, T0, booking

from parking_desk.errors import StoreUnavailable
from parking_desk.services.store import TaskRowBatch, open_sqlite
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState


def test_unusable_path_is_a_clear_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreUnavailable) as info:
        SqliteStore(blocker / "store.db")
    assert "Nimic nu a fost salvat" in info.value.translated("ro")
    assert "Nothing was saved" in info.value.translated("en")


def test_ping_fails_when_the_file_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SqliteStore(path)
    store.ping()
    store.close()
    path.unlink()
    with pytest.raises(StoreUnavailable):
        store.ping()


def test_closed_store_refuses_writes_without_crashing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    store.close()
    with pytest.raises(StoreUnavailable):
        store.create_booking(booking(), now=T0)


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    first = open_sqlite(path)
    saved, task = first.create_booking(booking(), now=T0)
    first.close()
    again = open_sqlite(path)
    assert again.get_booking(saved.booking_number).plate == "B123ABC"
    assert [t.id for t in again.claim_due("w1", 5, LEASE, now=T0)] == [task.id]
    again.close()


def test_feed_sees_writes_made_through_another_connection(tmp_path: Path) -> None:
    """Another process (a headless worker) writing the same file shows up on the desk."""
    path = tmp_path / "store.db"
    desk = SqliteStore(path, poll_interval=0.05)
    worker = SqliteStore(path)
    _, task = worker.create_booking(booking(), now=T0)
    statuses: list[TaskState] = []
    # Guards `statuses`, appended to on the feed's thread.
    lock = threading.Lock()

    def collect(batch: TaskRowBatch) -> None:
        with lock:
            statuses.extend(TaskState(r.status) for r in batch.rows if r.id == task.id)

    def seen(state: TaskState) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with lock:
                if state in statuses:
                    return True
            time.sleep(0.02)
        return False

    sub = desk.watch_task_rows(collect)
    try:
        assert seen(TaskState.PENDING)
        worker.claim_due("w1", 1, LEASE, now=T0)
        assert seen(TaskState.PROCESSING)
        with lock:
            assert statuses == [TaskState.PENDING, TaskState.PROCESSING]
    finally:
        sub.unsubscribe()
        desk.close()
        worker.close()


def test_closing_the_store_ends_its_feeds(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db", poll_interval=0.02)
    started = threading.Event()
    before = set(threading.enumerate())
    store.watch_task_rows(lambda batch: started.set())
    assert started.wait(5)
    feeds = [t for t in set(threading.enumerate()) - before if t.name == "sqlite-task-feed"]
    assert len(feeds) == 1
    store.close()
    for feed in feeds:
        feed.join(timeout=5)
        assert not feed.is_alive()


def test_a_file_from_before_the_table_columns_is_migrated_from_its_documents(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "store.db"
    store = SqliteStore(path)
    store.import_raw_task(
        "sent",
        {
            "type": "qr",
            "bookingNumber": "100001",
            "clientEmail": "a@example.ro",
            "status": "completed",
            "maxAttempts": 4,
            "provider": "smtp",
            "createdAt": T0,
        },
    )
    store.import_raw_task("broken", {"type": "sms", "bookingNumber": "100002", "maxAttempts": 4})
    store.close()
    # The columns as an older release left them: dropped, to be filled again on opening.
    raw = sqlite3.connect(path)
    for column in ("type", "maxAttempts", "provider"):
        raw.execute(f"ALTER TABLE emailQueue DROP COLUMN {column}")
    raw.commit()
    raw.close()

    reopened = SqliteStore(path)
    try:
        rows = {r.id: r for r in reopened.list_task_rows()}
        sent = rows["sent"]
        assert (sent.type, sent.max_attempts, sent.provider) == ("qr", 4, "smtp")
        broken = rows["broken"]  # malformed: the defaults, as the table showed it before
        assert (broken.type, broken.max_attempts, broken.provider) == ("both", 10, None)
        assert broken.booking_number == "100002"
    finally:
        reopened.close()
