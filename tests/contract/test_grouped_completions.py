"""Completions written in groups (``complete_many``, Firestore) leave the documents that
one completion at a time leaves (SQLite's ``complete``), and a group the store cannot take
whole writes nothing, so that each task is then completed, or found lost, alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from contract_data import LEASE, T0, booking, open_store

from parking_desk.bounce import Bounce, BounceKind
from parking_desk.services.store import Store
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.grouped import GroupedCompletions, SuppressionsAtOnce
from parking_desk.task import TaskState

pytestmark = pytest.mark.firestore

SENT = DeliveryOutcome(provider="smtp:test", message_id="<m@test>", email_sent=True)


@pytest.fixture
def both(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    sqlite = open_store("sqlite", tmp_path, request)
    firestore = open_store("firestore", tmp_path, request)
    try:
        yield sqlite, firestore
    finally:
        sqlite.close()
        firestore.close()


def at(minutes: int) -> Any:
    return T0 + timedelta(minutes=minutes)


def three_sent(store: Store) -> tuple[list[str], list[str]]:
    """Three bookings, their confirmations claimed and sent; (numbers, task ids)."""
    made = [
        store.create_booking(booking(client_email=f"c{i}@client.example"), now=at(i))
        for i in range(3)
    ]
    return [b.booking_number or "" for b, _ in made], [t.id for _, t in made]


def test_a_group_of_completions_writes_what_one_at_a_time_writes(
    both: tuple[Store, Store],
) -> None:
    sqlite, firestore = both
    assert isinstance(firestore, GroupedCompletions)
    seen = []
    for store in (sqlite, firestore):
        numbers, ids = three_sent(store)
        claimed = store.claim_due("w1", 10, LEASE, now=at(5))
        assert sorted(t.id for t in claimed) == sorted(ids)
        if store is firestore:
            assert firestore.complete_many([(t, SENT) for t in claimed], "w1", now=at(6))
        else:
            assert all(store.complete(t, "w1", SENT, now=at(6)) for t in claimed)
        docs = []
        for number, task_id in zip(numbers, ids, strict=True):
            found_booking = store.get_booking(number)
            found_task = store.get_task(task_id)
            assert found_booking is not None and found_task is not None
            booking_doc = found_booking.to_document()
            task_doc = found_task.to_document()
            for doc in (booking_doc, task_doc):
                for key in ("bookingNumber", "searchTokens"):
                    doc.pop(key, None)  # drawn at random by each store
            task_doc.pop("bookingData", None)  # holds the number too
            docs.append((booking_doc, task_doc))
        seen.append(docs)
    assert seen[0] == seen[1]
    assert seen[1][0][1]["status"] == TaskState.COMPLETED
    assert seen[1][0][0]["emailStatus"] == "sent"


def test_a_group_with_one_lease_lost_writes_nothing(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = open_store("firestore", tmp_path, request)
    try:
        _numbers, ids = three_sent(store)
        claimed = store.claim_due("w1", 10, LEASE, now=at(5))
        # The leases ran out and another worker took one of the tasks.
        [taken] = store.claim_due("w2", 1, LEASE, now=at(5) + LEASE + timedelta(seconds=1))

        assert not store.complete_many([(t, SENT) for t in claimed], "w1", now=at(6))

        assert {store.get_task(i).status for i in ids} == {TaskState.PROCESSING}
        # Alone, each is written or found lost.
        alone = {t.id: store.complete(t, "w1", SENT, now=at(6)) for t in claimed}
        assert alone == {i: i != taken.id for i in ids}
        assert store.get_task(taken.id).lease_owner == "w2"
    finally:
        store.close()


def test_a_batch_of_recipients_is_looked_up_on_the_suppression_list_at_once(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = open_store("firestore", tmp_path, request)
    try:
        _numbers, ids = three_sent(store)
        claimed = store.claim_due("w1", 10, LEASE, now=at(5))
        bounced = next(t for t in claimed if t.id == ids[0])
        assert store.complete(bounced, "w1", SENT, now=at(6))
        report = Bounce(BounceKind.PERMANENT, "<m@test>", "c0@client.example", "5.1.1", "550")
        assert store.bounces.record_bounce(ids[0], report, "w1", now=at(7))
        suppressions = store.suppressions
        assert isinstance(suppressions, SuppressionsAtOnce)

        found = suppressions.get_many(["C0@client.example", "c1@client.example"])

        assert set(found) == {"C0@client.example", "c1@client.example"}
        entry = found["C0@client.example"]
        assert entry is not None and entry == suppressions.get("c0@client.example")
        assert found["c1@client.example"] is None
        assert suppressions.get_many([]) == {}
    finally:
        store.close()
