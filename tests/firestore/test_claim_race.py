"""Claims and completions conditioned on the document's update time, under real races."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from parking_desk.booking import Booking
from parking_desk.services.store import DeliveryOutcome
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import LastError, TaskState

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SENT = DeliveryOutcome(provider="smtp", message_id="<m@parking>", email_sent=True)


def booking() -> Booking:
    return Booking(
        "Ana Popescu",
        "ana@example.ro",
        "0722 123 456",
        "B 123 ABC",
        datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
    )


def race_once(racers: list[FirestoreStore]) -> list[str]:
    """Every racer asks for one due task at the same moment; returns who got one."""
    won: list[str] = []
    # Guards `won`, appended to by the racing threads.
    lock = threading.Lock()
    start = threading.Barrier(len(racers))

    def race(i: int, store: FirestoreStore) -> None:
        start.wait()
        claimed = store.claim_due(f"w{i}", 1, timedelta(minutes=5), now=T0)
        with lock:
            won.extend(f"w{i}" for _ in claimed)

    threads = [threading.Thread(target=race, args=a) for a in enumerate(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won


@pytest.mark.firestore
def test_eight_workers_racing_for_one_task_claim_it_once(
    fs_store: FirestoreStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="parking_desk.services.store.firestore.claims")
    # Each racer has its own client, as separate worker processes would.
    racers = [FirestoreStore(fs_store.project) for _ in range(8)]
    try:
        for racer in racers:
            racer.claim_due("warm-up", 1, timedelta(minutes=5), now=T0 - timedelta(days=1))
        for _round in range(5):
            _, task = fs_store.create_booking(booking(), now=T0)
            won = race_once(racers)
            assert len(won) == 1
            stored = fs_store.get_task(task.id)
            assert stored.lease_owner == won[0] and stored.attempts == 1
            assert fs_store.complete(stored, won[0], SENT, now=T0)
    finally:
        for racer in racers:
            racer.close()
    # The losers read the task as due and were refused by the update-time precondition.
    assert any("lost to another worker" in r.getMessage() for r in caplog.records)


@pytest.mark.firestore
def test_a_stale_lease_loses_to_the_worker_that_claimed_after_it(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    saved, _ = fs_store.create_booking(booking(), now=T0)
    other = FirestoreStore(fs_store.project)
    try:
        [slow] = fs_store.claim_due("slow", 1, timedelta(minutes=1), now=T0)
        later = T0 + timedelta(minutes=2)
        [fast] = other.claim_due("fast", 1, timedelta(minutes=5), now=later)
        assert fast.id == slow.id and fast.attempts == 2

        # The slow worker's precondition (its claim's update time) no longer holds.
        assert not fs_store.complete(slow, "slow", SENT, now=later)
        assert not fs_store.fail_transient(
            slow, "slow", LastError("smtp.timeout", "timed out", False), later, now=later
        )
        assert raw.collection("emailQueue").document(slow.id).get().get("leaseOwner") == "fast"

        assert other.complete(fast, "fast", SENT, now=later)
    finally:
        other.close()
    doc = raw.collection("emailQueue").document(fast.id).get().to_dict()
    assert doc["status"] == "completed" and doc["leaseOwner"] is None
    assert [h["worker"] for h in doc["history"]] == ["fast"]
    b = raw.collection("bookings").document(saved.booking_number).get().to_dict()
    assert b["emailStatus"] == "sent" and b["qrCodeGenerated"] is True


@pytest.mark.firestore
def test_a_supervisor_edit_during_a_send_wins_over_the_worker(fs_store: FirestoreStore) -> None:
    fs_store.create_booking(booking(), now=T0)
    [task] = fs_store.claim_due("w1", 1, timedelta(minutes=5), now=T0)

    fixed = fs_store.update_recipient(task.id, "ana.p@example.ro", operator="maria", now=T0)

    assert not fs_store.complete(task, "w1", SENT, now=T0)
    again = fs_store.get_task(task.id)
    assert again.status == TaskState.PENDING and again.client_email == "ana.p@example.ro"
    assert fixed.client_email == again.client_email


@pytest.mark.firestore
def test_completing_a_website_task_whose_booking_lives_elsewhere(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    raw.collection("emailQueue").document("web").set(
        {
            "type": "both",
            "bookingNumber": "867962",
            "clientEmail": "ion@example.ro",
            "bookingData": {},
            "createdAt": T0,
        }
    )
    [task] = fs_store.claim_due("w1", 1, timedelta(minutes=5), now=T0)
    assert fs_store.complete(task, "w1", SENT, now=T0)
    assert fs_store.get_task("web").status == TaskState.COMPLETED
    assert not raw.collection("bookings").document("867962").get().exists
