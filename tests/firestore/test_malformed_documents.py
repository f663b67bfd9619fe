"""Documents nobody can process become dead with a reason a supervisor can read, and the
worker that met them carries on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import TaskFilter, TaskState

LEASE = timedelta(minutes=5)
NOW = datetime.now(UTC)


def doc(**changes: object) -> dict:
    d = {
        "type": "email",
        "bookingNumber": "867962",
        "clientEmail": "ion@example.ro",
        "bookingData": {"clientName": "Ion"},
        "createdAt": NOW - timedelta(minutes=1),
    }
    d.update(changes)
    return {k: v for k, v in d.items() if v is not ...}


BROKEN = {
    "no-type": (doc(type=...), "unknown type"),
    "sms": (doc(type="sms"), "unknown type 'sms'"),
    "no-number": (doc(bookingNumber=...), "bookingNumber"),
    "number-is-map": (doc(bookingNumber={"n": 1}), "bookingNumber"),
    "email-is-number": (doc(clientEmail=42), "clientEmail"),
    "data-is-string": (doc(bookingData='{"clientName": "Ion"}'), "bookingData is not a map"),
    "attempts-text": (doc(attempts="three"), "attempts"),
    "bad-status": (doc(status="exploded"), "unknown status"),
    "due-is-text": (doc(status="pending", nextAttemptAt="tomorrow"), "nextAttemptAt"),
    "history-text": (doc(status="pending", nextAttemptAt=NOW, history="none"), "history"),
}


@pytest.mark.firestore
def test_malformed_documents_turn_dead_with_a_readable_reason(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    queue = raw.collection("emailQueue")
    for task_id, (document, _) in BROKEN.items():
        queue.document(task_id).set(document)
    queue.document("good").set(doc())

    claimed = fs_store.claim_due("w1", 20, LEASE)

    assert [t.id for t in claimed] == ["good"]
    for task_id, (_, reason) in BROKEN.items():
        stored = queue.document(task_id).get().to_dict()
        assert stored["status"] == "dead", task_id
        assert stored["lastError"]["code"] == "malformed"
        assert stored["lastError"]["permanent"] is True
        assert reason in stored["lastError"]["message"], (task_id, stored["lastError"])
    # The supervisor's table shows them, with what could be salvaged.
    dead = {t.id: t for t in fs_store.list_tasks(TaskFilter(states=frozenset({TaskState.DEAD})))}
    assert set(dead) == set(BROKEN)
    assert dead["sms"].booking_number == "867962"
    assert "unknown type" in dead["sms"].last_error.message
    assert fs_store.queue_stats().counts[TaskState.DEAD] == len(BROKEN)


@pytest.mark.firestore
def test_a_retried_malformed_document_goes_dead_again_without_harm(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("emailQueue").document("sms").set(doc(type="sms"))
    assert fs_store.claim_due("w1", 5, LEASE) == []

    assert fs_store.retry_tasks([("sms", None)], operator="maria") == 1
    assert fs_store.claim_due("w1", 5, LEASE) == []

    task = fs_store.get_task("sms")
    assert task.status == TaskState.DEAD and task.last_error.code == "malformed"
    assert [e.action for e in fs_store.audit_log()] == ["retry"]


@pytest.mark.firestore
def test_an_unreadable_booking_is_skipped_not_fatal(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("bookings").document("111111").set({"clientName": "X", "arrival": "soon"})
    assert fs_store.get_booking("111111") is None
