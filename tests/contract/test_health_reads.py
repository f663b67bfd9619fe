"""The reads behind the kiosk and ``queue stats``, on both stores: the website's documents
that have no ``status`` yet, failures by time, and workers by when they were last heard."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from contract_data import LEASE, T0, booking, website_task

from parking_desk.services.store import Store
from parking_desk.services.store.base import WorkerInfo
from parking_desk.task import LastError, TaskState

REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)


def created_as(form: str, at: datetime) -> Any:
    """``createdAt`` in each of the forms the website's JavaScript may write."""
    if form == "epoch_ms":
        return int(at.timestamp() * 1000)
    if form == "iso":
        return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return at


@pytest.mark.parametrize("form", ["timestamp", "epoch_ms", "iso"])
def test_website_documents_without_status_are_pending_and_due_since_created(
    store: Store, form: str
) -> None:
    store.create_booking(booking(), now=T0)
    store.import_raw_task(
        "web-old", website_task("100001", createdAt=created_as(form, T0 - timedelta(minutes=40)))
    )
    store.import_raw_task(
        "web-new", website_task("100002", createdAt=created_as(form, T0 - timedelta(minutes=1)))
    )

    stats = store.queue_stats(now=T0 + timedelta(minutes=2))

    assert stats.counts[TaskState.PENDING] == 3
    assert sum(stats.counts.values()) == 3
    assert stats.retrying == 0
    # The website's oldest document has waited 42 minutes: the board reads it to the minute.
    assert stats.oldest_due_age is not None
    assert timedelta(minutes=40) <= stats.oldest_due_age <= timedelta(minutes=42)


def test_a_website_document_alone_makes_work_due(store: Store) -> None:
    store.import_raw_task("web-1", website_task("100003", createdAt=T0 - timedelta(seconds=30)))

    stats = store.queue_stats(now=T0)

    assert stats.counts[TaskState.PENDING] == 1
    assert stats.oldest_due_age is not None
    assert timedelta(seconds=29) <= stats.oldest_due_age <= timedelta(seconds=30)


def test_a_website_document_without_created_at_is_due_now(store: Store) -> None:
    doc = website_task("100004")
    del doc["createdAt"]
    store.import_raw_task("web-undated", doc)

    stats = store.queue_stats(now=T0)

    assert stats.counts[TaskState.PENDING] == 1
    assert stats.oldest_due_age == timedelta(0)


def test_failures_since_lists_when_each_task_went_dead(store: Store) -> None:
    for _ in range(3):
        store.create_booking(booking(), now=T0)
    first, second, third = store.claim_due("w1", 3, LEASE, now=T0)
    store.fail_permanent(first, "w1", REJECTED, now=T0)
    store.fail_permanent(second, "w1", REJECTED, now=T0 + timedelta(minutes=30))
    store.fail_transient(third, "w1", REJECTED, T0 + timedelta(hours=1), now=T0)

    assert store.failures_since(T0 - timedelta(hours=1)) == [T0, T0 + timedelta(minutes=30)]
    assert store.failures_since(T0 + timedelta(minutes=1)) == [T0 + timedelta(minutes=30)]
    assert store.failures_since(T0 + timedelta(hours=1)) == []


def test_workers_seen_since_leaves_out_those_silent_since(store: Store) -> None:
    store.heartbeat(WorkerInfo("old-1", "h", 1, "worker", T0, T0, state="stopped"))
    store.heartbeat(WorkerInfo("silent-2", "h", 2, "worker", T0, T0 + timedelta(hours=2)))
    store.heartbeat(WorkerInfo("live-3", "h", 3, "desk", T0, T0 + timedelta(days=2)))

    assert [w.worker_id for w in store.workers()] == ["live-3", "old-1", "silent-2"]
    seen = store.workers(seen_since=T0 + timedelta(hours=1))
    assert [w.worker_id for w in seen] == ["live-3", "silent-2"]
    assert [w.worker_id for w in store.workers(seen_since=T0 + timedelta(days=2))] == ["live-3"]
