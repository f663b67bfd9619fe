"""The supervisor's table kept on the desk between sessions (``row_cache``, ``cached_rows``):
a second opening paints from the disk, then shows the queue exactly as it is now."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore

from parking_desk.booking import Booking
from parking_desk.personal_data import ERASED_EMAIL
from parking_desk.services.store import DeliveryOutcome, TaskRow, TaskRowBatch
from parking_desk.services.store.firestore import cached_rows
from parking_desk.services.store.firestore.docs import version_of
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.services.store.row_cache import row_cache_path, set_aside_path

PROJECT = "parking-desk-test"
QUEUE = "emailQueue"
WAIT_S = 30.0
LONG_AGO = datetime.now(UTC) - timedelta(days=2)


def task_doc(i: int, status: str = "completed") -> dict[str, Any]:
    """A queue document as the desk writes one, last changed two days ago."""
    doc = {
        "type": "email",
        "bookingNumber": str(200000 + i),
        "clientEmail": f"client{i}@example.ro",
        "bookingData": {"clientName": f"Client {i}"},
        "status": status,
        "attempts": 1,
        "maxAttempts": 10,
        "nextAttemptAt": LONG_AGO,
        "createdAt": LONG_AGO + timedelta(seconds=i),
        "updatedAt": LONG_AGO + timedelta(seconds=i),
        "history": [],
    }
    if status == "completed":
        doc["completedAt"] = LONG_AGO
    return doc


class Table:
    """What the queue table would hold, from the batches of a row feed (they arrive on the
    store's threads); ``wait`` blocks until a condition on it holds."""

    def __init__(self) -> None:
        self.batches: list[TaskRowBatch] = []
        self.rows: dict[str, TaskRow] = {}
        self._cond = threading.Condition()

    def __call__(self, batch: TaskRowBatch) -> None:
        with self._cond:
            self.batches.append(batch)
            if batch.complete:
                self.rows = {}
            self.rows.update((r.id, r) for r in batch.rows)
            for task_id in batch.removed:
                self.rows.pop(task_id, None)
            self._cond.notify_all()

    def wait(self, holds: Callable[[Table], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        with self._cond:
            while not holds(self):
                left = deadline - time.monotonic()
                assert left > 0, f"{what}: the table holds {sorted(self.versions().items())}"
                self._cond.wait(left)

    def versions(self) -> dict[str, int]:
        return {i: r.version for i, r in self.rows.items()}


def queue_now(raw: firestore.Client) -> dict[str, int]:
    """Every task's id and version, read directly from the emulator."""
    return {s.id: version_of(s.update_time) for s in raw.collection(QUEUE).stream()}


@pytest.fixture
def desk_folder(tmp_path: Path) -> Path:
    return tmp_path / "desk-data"


@pytest.fixture
def open_desk(firestore_db: Any, desk_folder: Path) -> Iterator[Callable[..., FirestoreStore]]:
    """Opens a desk's store that keeps its table in *desk_folder*; closed at the end."""
    opened: list[FirestoreStore] = []

    def open_(project: str = PROJECT) -> FirestoreStore:
        store = FirestoreStore(project)
        store.keep_table_rows(desk_folder)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def session(store: FirestoreStore, until: Callable[[Table], bool], what: str) -> Table:
    """Open the table, wait for *until*, close it (as the supervisor closes the desk)."""
    table = Table()
    sub = store.watch_task_rows(table)
    try:
        table.wait(until, what)
    finally:
        sub.unsubscribe()
    return table


@pytest.mark.firestore
def test_a_second_opening_shows_the_cached_rows_then_the_queue_as_it_is_now(
    open_desk: Callable[..., FirestoreStore], raw: firestore.Client, desk_folder: Path
) -> None:
    for i in range(40):
        raw.collection(QUEUE).document(f"t{i:03d}").set(
            task_doc(i, "dead" if i < 5 else "completed")
        )
    first = open_desk()
    expected = queue_now(raw)
    before = session(first, lambda t: t.versions() == expected, "the first session").rows
    first.close()
    path = row_cache_path(desk_folder, PROJECT, "(default)")
    assert path.exists() and stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()} == {0o600}

    # While the desk is closed: a retry, a new task, a deletion (the purge), the website's
    # document with no state nor updatedAt, and a document rewritten in place with its
    # updatedAt left as it was (what an erasure does to a sent task).
    other = FirestoreStore(PROJECT)
    try:
        assert other.retry_tasks([("t001", None)], operator="Maria") == 1
        other.import_raw_task("t100", {**task_doc(100, "pending"), "updatedAt": datetime.now(UTC)})
    finally:
        other.close()
    raw.collection(QUEUE).document("t020").delete()
    raw.collection(QUEUE).document("web1").set(
        {
            "type": "both",
            "bookingNumber": "300001",
            "clientEmail": "ion@example.ro",
            "bookingData": {"clientName": "Ion"},
            "createdAt": firestore.SERVER_TIMESTAMP,
        }
    )
    raw.collection(QUEUE).document("t030").update({"clientEmail": "fixed@example.ro"})
    now = queue_now(raw)

    table = Table()
    sub = open_desk().watch_task_rows(table)
    try:
        table.wait(lambda t: t.versions() == now, "the queue as it is now")
    finally:
        sub.unsubscribe()

    painted = table.batches[0]
    assert painted.complete and {r.id: r for r in painted.rows} == before  # from the disk
    assert not any(b.complete for b in table.batches[1:])  # no listing of the whole queue
    assert table.rows["t001"].status == "pending" and table.rows["t100"].status == "pending"
    assert table.rows["web1"].client_email == "ion@example.ro"
    assert table.rows["web1"].status == "pending"
    assert table.rows["t030"].client_email == "fixed@example.ro"
    assert "t020" not in table.rows


@pytest.mark.firestore
def test_changes_while_the_table_is_open_are_kept_for_the_next_opening(
    open_desk: Callable[..., FirestoreStore], raw: firestore.Client
) -> None:
    for i in range(5):
        raw.collection(QUEUE).document(f"t{i:03d}").set(task_doc(i, "dead"))
    expected = queue_now(raw)
    session(open_desk(), lambda t: t.versions() == expected, "the first session")
    store = open_desk()
    table = Table()
    sub = store.watch_task_rows(table)  # from the cache: a listener on the changes only
    try:
        table.wait(lambda t: t.versions() == expected, "the rows")
        store.retry_tasks([("t002", None)], operator="Maria")
        store.import_raw_task("t009", {**task_doc(9, "pending"), "updatedAt": datetime.now(UTC)})
        table.wait(lambda t: t.versions() == queue_now(raw), "the changes")
    finally:
        sub.unsubscribe()
    store.close()
    at_close = dict(table.rows)
    raw.collection(QUEUE).document("t000").delete()  # while closed
    now = queue_now(raw)

    table = session(open_desk(), lambda t: t.versions() == now, "the queue as it is now")
    assert table.batches[0].complete and {r.id: r for r in table.batches[0].rows} == at_close
    assert at_close["t002"].status == "pending" and "t009" in at_close


@pytest.mark.firestore
def test_a_damaged_cache_is_set_aside_and_written_again(
    open_desk: Callable[..., FirestoreStore], raw: firestore.Client, desk_folder: Path
) -> None:
    for i in range(10):
        raw.collection(QUEUE).document(f"t{i:03d}").set(task_doc(i))
    path = row_cache_path(desk_folder, PROJECT, "(default)")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    expected = queue_now(raw)

    session(open_desk(), lambda t: t.versions() == expected, "the rows from the store")

    assert set_aside_path(path).exists()
    table = session(open_desk(), lambda t: t.versions() == expected, "the rows")
    assert table.batches[0].complete and len(table.batches[0].rows) == 10  # from the new file


@pytest.mark.firestore
def test_two_projects_keep_their_tables_apart(
    open_desk: Callable[..., FirestoreStore], raw: firestore.Client, desk_folder: Path
) -> None:
    for i in range(6):
        raw.collection(QUEUE).document(f"t{i:03d}").set(task_doc(i))
    ours = queue_now(raw)
    session(open_desk(), lambda t: t.versions() == ours, "this project's rows")
    assert row_cache_path(desk_folder, PROJECT, "(default)").exists()
    elsewhere = f"parking-desk-other-{uuid.uuid4().hex[:8]}"  # an empty project
    other = firestore.Client(project=elsewhere)
    try:
        other.collection(QUEUE).document("x1").set(task_doc(900))
        theirs = queue_now(other)
        table = session(open_desk(elsewhere), lambda t: t.versions() == theirs, "its rows")
        other.collection(QUEUE).document("x1").delete()
    finally:
        other.close()

    assert all(set(b.removed) | {r.id for r in b.rows} <= {"x1"} for b in table.batches)
    with sqlite3.connect(row_cache_path(desk_folder, elsewhere, "(default)")) as db:
        assert [i for (i,) in db.execute("SELECT id FROM rows")] == ["x1"]
    raw.collection(QUEUE).document("t000").delete()  # while closed
    now = queue_now(raw)
    mine = session(open_desk(), lambda t: t.versions() == now, "this project's rows again")
    assert {r.id for r in mine.batches[0].rows} == set(ours)  # its own file, untouched


@pytest.mark.firestore
def test_an_erasure_on_this_desk_takes_the_address_out_of_the_file_at_once(
    open_desk: Callable[..., FirestoreStore], desk_folder: Path
) -> None:
    store = open_desk()
    address = "erase.me@example.ro"
    booking = Booking(
        client_name="Ana Pop",
        client_email=address,
        phone="+40722123456",
        plate="CJ01ANA",
        arrival=datetime(2026, 12, 1, 8, tzinfo=UTC),
        departure=datetime(2026, 12, 3, 8, tzinfo=UTC),
    )
    saved, task = store.create_booking(booking)
    (claimed,) = store.claim_due("w1", 1, timedelta(minutes=5))
    store.complete(claimed, "w1", DeliveryOutcome("smtp:test", "<m1@example.ro>", True))
    path = row_cache_path(desk_folder, PROJECT, "(default)")

    def file_bytes() -> bytes:
        return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.is_file())

    table = Table()
    sub = store.watch_task_rows(table)
    try:
        table.wait(
            lambda t: (
                t.rows.get(task.id, None) is not None and t.rows[task.id].status == "completed"
            ),
            "the sent task",
        )
        assert address.encode() in file_bytes()

        store.erase_client([saved.booking_number], [address], operator="Maria")

        assert address.encode() not in file_bytes()
        table.wait(lambda t: t.rows[task.id].client_email == ERASED_EMAIL, "the erased row")
    finally:
        sub.unsubscribe()
    with sqlite3.connect(path) as db:
        (email,) = db.execute("SELECT client_email FROM rows WHERE id=?", (task.id,)).fetchone()
    assert email == ERASED_EMAIL


@pytest.mark.firestore
def test_tasks_the_purge_deletes_while_the_table_is_open_leave_it(
    open_desk: Callable[..., FirestoreStore],
    raw: firestore.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cached_rows, "AFTER_PURGE_S", (0.0,))
    for i in range(8):
        raw.collection(QUEUE).document(f"t{i:03d}").set(
            task_doc(i, "completed" if i < 3 else "dead")
        )
    raw.collection(QUEUE).document("t007").update({"status": "pending"})
    expected = queue_now(raw)
    session(open_desk(), lambda t: t.versions() == expected, "the first session")
    raw.collection(QUEUE).document("t007").update({"clientEmail": "new@example.ro"})
    expected = queue_now(raw)
    store = open_desk()
    table = Table()
    sub = store.watch_task_rows(table)  # followed from the cache: a range listener only
    try:
        table.wait(lambda t: t.versions() == expected, "the rows")
        painted = {r.id: r for r in table.batches[0].rows}
        assert painted["t007"].client_email == "client7@example.ro"  # from the disk
        assert not any(b.complete for b in table.batches[1:])
        now = datetime.now(UTC)
        # The purge's deletions are done by the time the desk looks after the claim.
        assert store.purge_finished(timedelta(days=1), dead_older_than=timedelta(days=1)) == 7
        assert store.claim_purge(now, now=now)
        table.wait(lambda t: set(t.rows) == {"t007"}, "only the task the purge left")
    finally:
        sub.unsubscribe()
