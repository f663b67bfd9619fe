"""The live feed over a Firestore listener, and a clear failure when the server is gone."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime

import pytest
from google.cloud import firestore

from parking_desk.booking import Booking
from parking_desk.errors import StoreUnavailable
from parking_desk.services.store import TaskRowBatch
from parking_desk.services.store.firestore.store import FirestoreStore


def website_doc(i: int) -> dict:
    return {
        "type": "email",
        "bookingNumber": str(100000 + i),
        "clientEmail": f"c{i}@example.ro",
        "bookingData": {},
        "createdAt": firestore.SERVER_TIMESTAMP,
    }


@pytest.mark.firestore
def test_a_batch_of_300_writes_arrives_as_one_batch_of_rows(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("emailQueue").document("before").set(website_doc(999))
    calls: list[TaskRowBatch] = []
    # Guards `calls`; the listener delivers on a gRPC thread.
    lock = threading.Lock()
    arrived = threading.Event()

    def on_rows(batch: TaskRowBatch) -> None:
        with lock:
            calls.append(batch)
            if sum(len(c.rows) for c in calls) >= 301:
                arrived.set()

    sub = fs_store.watch_task_rows(on_rows)
    try:
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.id for r in calls[0].rows] == ["before"] and calls[0].complete

        batch = raw.batch()
        for i in range(300):
            batch.set(raw.collection("emailQueue").document(f"t{i:03d}"), website_doc(i))
        batch.commit()
        assert arrived.wait(15), f"only {sum(len(c.rows) for c in calls)} rows arrived"
    finally:
        sub.unsubscribe()

    assert len(calls) == 2, [len(c.rows) for c in calls]
    added = calls[1]
    assert len(added.rows) == 300 and not added.complete
    assert {r.client_email for r in added.rows} == {f"c{i}@example.ro" for i in range(300)}


@pytest.mark.firestore
def test_changes_and_removals_follow(fs_store: FirestoreStore, raw: firestore.Client) -> None:
    seen: list[TaskRowBatch] = []
    # Guards `seen`, filled on the listener's thread.
    lock = threading.Lock()

    def on_rows(batch: TaskRowBatch) -> None:
        with lock:
            seen.append(batch)

    raw.collection("emailQueue").document("before").set(website_doc(0))
    sub = fs_store.watch_task_rows(on_rows)
    try:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.id for r in seen[0].rows] == ["before"]  # the listener is live
        with lock:
            seen.clear()
        ref = raw.collection("emailQueue").document("t1")
        ref.set(website_doc(1))
        ref.update({"clientEmail": "new@example.ro"})
        ref.delete()
        # A later write seen shows the listener has delivered everything before it.
        raw.collection("emailQueue").document("after").set(website_doc(2))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if any(r.id == "after" for b in seen for r in b.rows):
                    break
            time.sleep(0.05)
    finally:
        sub.unsubscribe()
    # Intermediate states may be folded together by the listener, never reordered: the
    # document shows up, then leaves, and nothing follows its removal.
    assert any(r.id == "after" for b in seen for r in b.rows), "the listener went quiet"
    about_t1 = [b for b in seen if "t1" in b.removed or any(r.id == "t1" for r in b.rows)]
    assert about_t1 and about_t1[0].rows[0].id == "t1"
    assert about_t1[-1].removed == ["t1"] and all(r.id != "t1" for r in about_t1[-1].rows)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ping_fails_fast_and_clearly_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{closed_port()}")
    store = FirestoreStore("parking-desk-test")
    try:
        began = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            store.ping()
        assert time.monotonic() - began < 5.0
    finally:
        store.close()
    assert "Nimic nu a fost salvat" in info.value.translated("ro")
    assert "cannot be reached" in info.value.translated("en")


@pytest.mark.firestore
def test_ping_answers_when_the_emulator_is_up(fs_store: FirestoreStore) -> None:
    fs_store.ping()


def test_a_desk_action_without_a_server_gives_the_translated_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{closed_port()}")
    store = FirestoreStore("parking-desk-test")
    walk_in = Booking(
        "Ana Popescu",
        "ana@example.ro",
        "0722 123 456",
        "B 123 ABC",
        datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
    )
    try:
        began = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            store.create_booking(walk_in)
        # Brief retries for a blip, then a clear answer rather than a hung desk.
        assert time.monotonic() - began < 15.0
    finally:
        store.close()
    assert info.value.code == "error.store_unavailable"
    assert "Baza de date nu poate fi contactată" in info.value.translated("ro")
