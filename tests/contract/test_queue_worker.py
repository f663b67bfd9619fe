"""The worker's side of the queue: claims are leases, outcomes need the lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contract_data import LEASE, T0, booking, website_task

from parking_desk.booking import EmailStatus
from parking_desk.services.store import DeliveryOutcome, Store
from parking_desk.task import LastError, TaskState, TaskType

SENT = DeliveryOutcome(provider="smtp-primary", message_id="<t@parking>", email_sent=True)
TIMEOUT = LastError("smtp.timeout", "timed out after 30 s", False)
REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)


def test_claim_takes_due_tasks_and_leases_them(store: Store) -> None:
    _, task = store.create_booking(booking(), now=T0)

    claimed = store.claim_due("w1", 10, LEASE, now=T0)
    assert [t.id for t in claimed] == [task.id]
    got = claimed[0]
    assert got.status == TaskState.PROCESSING and got.lease_owner == "w1"
    assert got.attempts == 1 and got.lease_expires_at == T0 + LEASE
    stored = store.get_task(task.id)
    assert stored.status == TaskState.PROCESSING and stored.lease_owner == "w1"
    assert stored.attempts == 1
    # Leased: nobody else gets it while the lease runs.
    assert store.claim_due("w2", 10, LEASE, now=T0 + LEASE - timedelta(seconds=1)) == []


def test_claim_respects_limit(store: Store) -> None:
    for _ in range(3):
        store.create_booking(booking(), now=T0)
    assert len(store.claim_due("w1", 2, LEASE, now=T0)) == 2
    assert len(store.claim_due("w2", 2, LEASE, now=T0)) == 1
    assert store.claim_due("w3", 2, LEASE, now=T0) == []


def test_task_waiting_for_its_next_attempt_is_not_claimed(store: Store) -> None:
    store.create_booking(booking(), now=T0)
    [task] = store.claim_due("w1", 1, LEASE, now=T0)
    later = T0 + timedelta(minutes=2)
    assert store.fail_transient(task, "w1", TIMEOUT, later, now=T0)

    back = store.get_task(task.id)
    assert back.status == TaskState.PENDING and back.next_attempt_at == later
    assert back.last_error == TIMEOUT and back.lease_owner is None
    assert back.history[-1]["outcome"] and back.history[-1]["code"] == "smtp.timeout"
    assert store.claim_due("w1", 1, LEASE, now=later - timedelta(seconds=1)) == []
    [again] = store.claim_due("w2", 1, LEASE, now=later)
    assert again.id == task.id and again.attempts == 2 and again.lease_owner == "w2"


def test_expired_lease_is_claimed_again(store: Store) -> None:
    store.create_booking(booking(), now=T0)
    [first] = store.claim_due("crashed", 1, LEASE, now=T0)
    [second] = store.claim_due("w2", 1, LEASE, now=T0 + LEASE)
    assert second.id == first.id
    assert second.lease_owner == "w2" and second.attempts == 2


def test_worker_whose_lease_was_taken_cannot_finish(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    [stale] = store.claim_due("slow", 1, LEASE, now=T0)
    [fresh] = store.claim_due("fast", 1, LEASE, now=T0 + LEASE + timedelta(seconds=1))

    late = T0 + LEASE + timedelta(seconds=2)
    assert not store.complete(stale, "slow", SENT, now=late)
    assert not store.fail_transient(stale, "slow", TIMEOUT, late, now=late)
    assert not store.fail_permanent(stale, "slow", REJECTED, now=late)
    # Even the right worker name with the old claim is refused.
    assert not store.complete(stale, "fast", SENT, now=late)
    current = store.get_task(fresh.id)
    assert current.status == TaskState.PROCESSING and current.lease_owner == "fast"
    assert store.get_booking(saved.booking_number).email_status == EmailStatus.PENDING

    assert store.complete(fresh, "fast", SENT, now=late)
    assert store.get_task(fresh.id).status == TaskState.COMPLETED


def test_complete_updates_the_booking_in_the_same_step(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    [task] = store.claim_due("w1", 1, LEASE, now=T0)
    done_at = T0 + timedelta(seconds=3)
    assert store.complete(task, "w1", SENT, now=done_at)

    done = store.get_task(task.id)
    assert done.status == TaskState.COMPLETED and done.completed_at == done_at
    assert done.provider == "smtp-primary" and done.message_id == "<t@parking>"
    assert done.lease_owner is None
    assert done.history[-1]["outcome"] == "completed"
    assert done.history[-1]["provider"] == "smtp-primary"
    b = store.get_booking(saved.booking_number)
    assert b.email_status == EmailStatus.SENT and b.email_sent_at == done_at
    assert b.qr_code_generated is True
    # Completed is final for the worker: a second completion is refused.
    assert not store.complete(task, "w1", SENT, now=done_at)


def test_qr_only_completion_leaves_email_status(store: Store) -> None:
    saved, _ = store.create_booking(booking(), task_type=TaskType.QR, now=T0)
    [task] = store.claim_due("w1", 1, LEASE, now=T0)
    outcome = DeliveryOutcome(provider="qr", message_id=None, email_sent=False)
    assert store.complete(task, "w1", outcome, now=T0)
    b = store.get_booking(saved.booking_number)
    assert b.qr_code_generated is True and b.email_status == EmailStatus.PENDING


def test_permanent_failure_is_dead_and_marks_the_booking(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    [task] = store.claim_due("w1", 1, LEASE, now=T0)
    assert store.fail_permanent(task, "w1", REJECTED, now=T0)
    dead = store.get_task(task.id)
    assert dead.status == TaskState.DEAD and dead.last_error == REJECTED
    assert store.get_booking(saved.booking_number).email_status == EmailStatus.FAILED
    assert store.claim_due("w2", 5, LEASE, now=T0 + timedelta(days=1)) == []


def test_release_returns_unfinished_leases(store: Store) -> None:
    for _ in range(3):
        store.create_booking(booking(), now=T0)
    mine = store.claim_due("closing", 2, LEASE, now=T0)
    other = store.claim_due("other", 1, LEASE, now=T0)
    assert store.release("closing", now=T0) == 2
    for task in mine:
        back = store.get_task(task.id)
        assert back.status == TaskState.PENDING and back.lease_owner is None
    assert store.get_task(other[0].id).lease_owner == "other"
    # Due again at once, well before the old lease would have run out.
    again = store.claim_due("next", 5, LEASE, now=T0 + timedelta(seconds=1))
    assert {t.id for t in again} == {t.id for t in mine}
    assert store.release("nobody", now=T0) == 0


def test_website_minimal_document_is_a_due_pending_task(store: Store) -> None:
    store.import_raw_task("web1", website_task("867962"))
    seen = store.get_task("web1")
    assert seen.status == TaskState.PENDING and seen.attempts == 0
    assert seen.booking_number == "867962" and seen.client_email == "ion@example.ro"

    [task] = store.claim_due("w1", 5, LEASE, now=T0)
    assert task.id == "web1" and task.attempts == 1 and task.type == TaskType.BOTH
    assert task.booking_data["clientName"] == "Ion Ionescu"
    # Its booking lives on the website; completing must not need it here.
    assert store.complete(task, "w1", SENT, now=T0)
    assert store.get_task("web1").status == TaskState.COMPLETED


def test_website_numeric_number_and_epoch_millis_are_read(store: Store) -> None:
    store.import_raw_task("web2", website_task(867963, createdAt=1764316800000))
    task = store.get_task("web2")
    assert task.booking_number == "867963" and task.created_at is not None
    assert [t.id for t in store.claim_due("w1", 5, LEASE, now=T0)] == ["web2"]


MALFORMED = [
    pytest.param({"bookingNumber": "1", "clientEmail": "a@b.ro"}, "type", id="missing-type"),
    pytest.param(website_task(type="sms"), "unknown type", id="unknown-type"),
    pytest.param(website_task(bookingNumber=None), "bookingNumber", id="no-number"),
    pytest.param(website_task(bookingNumber=["1"]), "bookingNumber", id="list-number"),
    pytest.param(website_task(clientEmail=42), "clientEmail", id="number-email"),
    pytest.param(website_task(bookingData="{}"), "bookingData", id="string-data"),
    pytest.param(website_task(attempts="three"), "attempts", id="text-attempts"),
    pytest.param(website_task(nextAttemptAt="tomorrow"), "nextAttemptAt", id="bad-date"),
    pytest.param(website_task(status="exploded"), "status", id="bad-status"),
]


@pytest.mark.parametrize(("doc", "reason"), MALFORMED)
def test_malformed_document_turns_dead_with_a_reason(store: Store, doc, reason: str) -> None:
    store.import_raw_task("bad", doc)
    store.import_raw_task("good", website_task("555555"))

    claimed = store.claim_due("w1", 5, LEASE, now=T0)

    assert [t.id for t in claimed] == ["good"]
    dead = store.get_task("bad")
    assert dead is not None and dead.status == TaskState.DEAD
    assert dead.last_error.code == "malformed" and dead.last_error.permanent
    assert reason in dead.last_error.message
    assert store.queue_stats(now=T0).counts[TaskState.DEAD] == 1
    # Dead stays dead: a later claim (within the good task's lease) finds nothing.
    assert store.claim_due("w2", 5, LEASE, now=T0 + timedelta(minutes=1)) == []
    assert {t.id for t in store.list_tasks()} == {"bad", "good"}
