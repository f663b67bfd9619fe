"""Work that spans many documents: separate workers draining website documents, and a
supervisor's retry of more tasks than one Firestore batch holds."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import TaskFilter, TaskState

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def website_doc(i: int, **changes: object) -> dict:
    doc = {
        "type": "both",
        "bookingNumber": str(100000 + i),
        "clientEmail": f"c{i}@example.ro",
        "bookingData": {},
        "createdAt": T0 - timedelta(minutes=1),
    }
    doc.update(changes)
    return doc


def write_all(raw: firestore.Client, docs: dict[str, dict]) -> None:
    items = list(docs.items())
    for start in range(0, len(items), 500):
        batch = raw.batch()
        for task_id, doc in items[start : start + 500]:
            batch.set(raw.collection("emailQueue").document(task_id), doc)
        batch.commit()


@pytest.mark.firestore
def test_four_workers_with_their_own_clients_drain_website_documents_once(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    write_all(raw, {f"t{i:03d}": website_doc(i) for i in range(200)})
    workers = [FirestoreStore(fs_store.project) for _ in range(4)]
    got: dict[str, list[str]] = {}
    # Guards `got`, filled in by the worker threads.
    lock = threading.Lock()
    start = threading.Barrier(len(workers))

    def drain(name: str, store: FirestoreStore) -> None:
        start.wait()  # all four start with the same un-normalised queue
        mine: list[str] = []
        empty = 0
        while empty < 3:
            claimed = store.claim_due(name, 10, timedelta(hours=1), now=T0)
            empty = 0 if claimed else empty + 1
            mine += [t.id for t in claimed]
        with lock:
            got[name] = mine

    threads = [threading.Thread(target=drain, args=(f"w{i}", s)) for i, s in enumerate(workers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for s in workers:
            s.close()

    claims = Counter(task_id for ids in got.values() for task_id in ids)
    assert len(claims) == 200 and max(claims.values()) == 1
    owners = {t.id: t.lease_owner for t in fs_store.list_tasks()}
    assert all(owners[task_id] == name for name, ids in got.items() for task_id in ids)


@pytest.mark.firestore
def test_retry_by_filter_beyond_one_batch_is_whole_and_audited_once(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    failed = {"code": "smtp.550", "message": "mailbox unavailable", "permanent": True}
    docs = {
        f"d{i:03d}": website_doc(i, status="dead", attempts=10, lastError=failed)
        for i in range(620)
    }
    docs["done"] = website_doc(999, status="completed", completedAt=T0)
    write_all(raw, docs)
    dead = TaskFilter(states=frozenset({TaskState.DEAD}))

    assert (
        fs_store.retry_tasks(
            [(r.id, r.version) for r in fs_store.list_task_rows(dead)],
            operator="maria",
            filter=dead,
            now=T0,
        )
        == 620
    )

    stats = fs_store.queue_stats(now=T0)
    assert stats.counts[TaskState.PENDING] == 620 and stats.counts[TaskState.DEAD] == 0
    assert stats.counts[TaskState.COMPLETED] == 1
    assert fs_store.get_task("d619").attempts == 0
    [entry] = fs_store.audit_log()
    assert entry.action == "retry" and len(entry.task_ids) == 620
    assert entry.filter == dead.describe()


@pytest.mark.firestore
def test_listing_reads_page_after_page_newest_first(
    fs_store: FirestoreStore, raw: firestore.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parking_desk.services.store.firestore import supervisor as firestore_supervisor

    monkeypatch.setattr(firestore_supervisor, "LIST_PAGE", 7)
    docs = {
        f"t{i:02d}": website_doc(i, status="dead", createdAt=T0 + timedelta(seconds=i))
        for i in range(30)
    }
    docs["done"] = website_doc(99, status="completed", createdAt=T0)
    write_all(raw, docs)

    listed = fs_store.list_tasks(TaskFilter(states=frozenset({TaskState.DEAD})))
    assert [t.id for t in listed] == [f"t{i:02d}" for i in reversed(range(30))]
    first = fs_store.list_tasks(TaskFilter(states=frozenset({TaskState.DEAD})), limit=10)
    assert [t.id for t in first] == [f"t{i:02d}" for i in reversed(range(20, 30))]
