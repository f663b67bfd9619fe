"""Queue documents in the website's minimal shape, written with the plain google client."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import TaskState

LEASE = timedelta(minutes=5)


def minimal(number: str, created: object) -> dict:
    return {
        "type": "both",
        "bookingNumber": number,
        "clientEmail": "ion@example.ro",
        "bookingData": {"clientName": "Ion Ionescu", "plate": "CJ12XYZ"},
        "createdAt": created,
    }


def claim_until(store: FirestoreStore, want: int, seconds: float = 10.0) -> list:
    """Claim like a running worker does, until *want* tasks came or time ran out."""
    got: list = []
    deadline = time.monotonic() + seconds
    while len(got) < want and time.monotonic() < deadline:
        got += store.claim_due("w1", 10, LEASE)
        time.sleep(0.2)
    return got


@pytest.mark.firestore
def test_documents_written_before_the_worker_starts_are_due_pending_tasks(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    now = datetime.now(UTC)
    shapes = {
        "ts": now - timedelta(days=2),
        "millis": int((now - timedelta(hours=1)).timestamp() * 1000),
        "iso": (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "server": firestore.SERVER_TIMESTAMP,
        "none": None,
    }
    for i, (name, created) in enumerate(shapes.items()):
        raw.collection("emailQueue").document(name).set(minimal(str(100000 + i), created))

    claimed = fs_store.claim_due("w1", 10, LEASE)

    assert sorted(t.id for t in claimed) == sorted(shapes)
    for task in claimed:
        assert task.status == TaskState.PROCESSING and task.attempts == 1
        assert task.lease_owner == "w1" and task.client_email == "ion@example.ro"
    doc = raw.collection("emailQueue").document("millis").get().to_dict()
    # The website's own fields are left as it wrote them.
    assert doc["createdAt"] == shapes["millis"] and doc["bookingNumber"] == "100001"
    assert doc["status"] == "processing" and doc["maxAttempts"] == 10


@pytest.mark.firestore
@pytest.mark.parametrize("shape", ["server", "millis", "iso"])
def test_documents_written_while_the_worker_runs_are_claimed_within_seconds(
    fs_store: FirestoreStore, raw: firestore.Client, shape: str
) -> None:
    assert fs_store.claim_due("w1", 10, LEASE) == []  # the worker is up and has looked
    now = datetime.now(UTC)
    created = {
        "server": firestore.SERVER_TIMESTAMP,
        "millis": int(now.timestamp() * 1000),
        "iso": now.isoformat().replace("+00:00", "Z"),
    }[shape]
    raw.collection("emailQueue").document("late").set(minimal("867962", created))
    began = time.monotonic()

    claimed = claim_until(fs_store, 1)

    assert [t.id for t in claimed] == ["late"]
    assert time.monotonic() - began < 5.0


@pytest.mark.firestore
def test_a_minimal_document_stays_claimable_once_and_lists_as_pending(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("emailQueue").document("web").set(minimal("867962", datetime.now(UTC)))
    listed_before = fs_store.get_task("web")
    assert listed_before is not None and listed_before.status == TaskState.PENDING

    other = FirestoreStore("parking-desk-test")
    try:
        first = fs_store.claim_due("w1", 5, LEASE)
        second = other.claim_due("w2", 5, LEASE)
    finally:
        other.close()

    assert [t.id for t in first] == ["web"] and second == []
    assert [t.id for t in fs_store.list_tasks()] == ["web"]


@pytest.mark.firestore
def test_the_listeners_wake_up_finds_a_new_website_document_at_once(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("emailQueue").document("old").set(minimal("100000", datetime.now(UTC)))
    arrived = threading.Event()
    sub = fs_store.watch_due(arrived.set)
    try:
        assert arrived.wait(10)  # the listener's first delivery: "old", waiting
        arrived.clear()
        assert [t.id for t in fs_store.claim_due("w1", 10, LEASE)] == ["old"]
        raw.collection("emailQueue").document("web").set(
            minimal("867962", firestore.SERVER_TIMESTAMP)
        )
        assert arrived.wait(10)
        # The drain the wake-up starts claims it on its first try, not a poll later.
        assert [t.id for t in fs_store.claim_due("w1", 10, LEASE)] == ["web"]
    finally:
        sub.unsubscribe()


@pytest.mark.firestore
@pytest.mark.parametrize("sweep", ["full", "recent"])
def test_sweeps_read_in_pages_and_miss_nothing(
    fs_store: FirestoreStore,
    raw: firestore.Client,
    monkeypatch: pytest.MonkeyPatch,
    sweep: str,
) -> None:
    from parking_desk.services.store.firestore import normalise as firestore_normalise

    monkeypatch.setattr(firestore_normalise, "SWEEP_PAGE", 3)
    if sweep == "recent":
        assert fs_store.claim_due("w1", 10, LEASE) == []  # the full sweep is behind us
    now = datetime.now(UTC)
    batch = raw.batch()
    for i in range(11):
        created = now - timedelta(seconds=i) if i % 2 else int(now.timestamp() * 1000) - i
        ref = raw.collection("emailQueue").document(f"web{i:02d}")
        batch.set(ref, minimal(str(100000 + i), created))
    batch.commit()

    claimed = claim_until(fs_store, 11)

    assert sorted(t.id for t in claimed) == [f"web{i:02d}" for i in range(11)]


@pytest.mark.firestore
def test_one_website_document_among_many_desk_tasks_is_found_and_the_rest_untouched(
    fs_store: FirestoreStore, raw: firestore.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parking_desk.services.store.firestore import normalise as firestore_normalise

    # Ranges are halved down to two documents, so the counting path is the one exercised.
    monkeypatch.setattr(firestore_normalise, "SMALL", 2)
    assert fs_store.claim_due("w1", 10, LEASE) == []  # the start-up check is behind us
    now = datetime.now(UTC)
    batch = raw.batch()
    for i in range(40):
        done = {"status": "completed", "attempts": 1, "maxAttempts": 10}
        doc = minimal(str(100000 + i), now - timedelta(seconds=40 - i)) | done
        batch.set(raw.collection("emailQueue").document(f"desk{i:02d}"), doc)
    batch.commit()
    raw.collection("emailQueue").document("web").set(
        minimal("867962", now - timedelta(seconds=17, milliseconds=500))
    )
    before = {s.id: s.update_time for s in raw.collection("emailQueue").stream()}

    claimed = claim_until(fs_store, 1)

    assert [t.id for t in claimed] == ["web"]
    after = {s.id: s.update_time for s in raw.collection("emailQueue").stream()}
    assert {k for k in after if after[k] != before[k]} == {"web"}


@pytest.mark.firestore
def test_odd_documents_written_while_the_worker_runs_are_found_by_the_whole_check(
    fs_store: FirestoreStore, raw: firestore.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parking_desk.services.store.firestore import normalise as firestore_normalise

    monkeypatch.setattr(firestore_normalise, "FULL_CHECK_SECONDS", 0.5)
    assert fs_store.claim_due("w1", 10, LEASE) == []
    col = raw.collection("emailQueue")
    col.document("undated").set(minimal("867962", None))
    col.document("due-text").set(minimal("867963", datetime.now(UTC)) | {"status": "pending"})
    col.document("due-text").update({"nextAttemptAt": "tomorrow"})

    claimed = claim_until(fs_store, 1)

    assert [t.id for t in claimed] == ["undated"]
    dead = fs_store.get_task("due-text")
    assert dead.status == TaskState.DEAD and "nextAttemptAt" in dead.last_error.message


@pytest.mark.firestore
def test_the_workers_wake_up_hears_new_tasks_and_retries(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    from parking_desk.task import LastError

    woken = threading.Semaphore(0)
    sub = fs_store.watch_due(woken.release)
    try:
        raw.collection("emailQueue").document("web").set(
            minimal("867962", firestore.SERVER_TIMESTAMP)
        )
        assert woken.acquire(timeout=10)
        # The wake-up's claim finds the website's document on its first try.
        [task] = fs_store.claim_due("w1", 10, LEASE)
        assert task.id == "web"
        error = LastError("smtp-451", "try later", False)
        assert fs_store.fail_transient(task, "w1", error, datetime.now(UTC))
        assert woken.acquire(timeout=10)  # a task back to pending wakes the worker too
    finally:
        sub.unsubscribe()


@pytest.mark.firestore
def test_the_workers_own_claims_and_completions_do_not_wake_it(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    from parking_desk.services.store.base import DeliveryOutcome

    woken = threading.Semaphore(0)
    sub = fs_store.watch_due(woken.release)
    try:
        for number in ("867963", "867964"):
            raw.collection("emailQueue").document(f"web-{number}").set(
                minimal(number, firestore.SERVER_TIMESTAMP)
            )
        assert woken.acquire(timeout=10)
        while woken.acquire(timeout=1.0):  # the wake-ups of the two new documents
            pass
        for task in claim_until(fs_store, 2):
            assert fs_store.complete(task, "w1", DeliveryOutcome("smtp", "<m@x>", True))
        # Both tasks are done: the newest task's claim and completion, and the claim that
        # took the latest pending one away, are no new work.
        assert not woken.acquire(timeout=3)
    finally:
        sub.unsubscribe()
