"""The supervisor's side: retry, cancel, fix an address, list, count, watch; all audited."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from contract_data import LEASE, T0, booking, website_task

from parking_desk.errors import NotFound, ValidationError
from parking_desk.services.store import DeliveryOutcome, Store, TaskRow, TaskRowBatch
from parking_desk.task import LastError, TaskFilter, TaskState

REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)
TIMEOUT = LastError("smtp.timeout", "timed out", False)
SENT = DeliveryOutcome(provider="smtp", message_id="<m>", email_sent=True)


def dead_tasks(store: Store, count: int) -> list[str]:
    """*count* bookings whose confirmation failed for good."""
    for i in range(count):
        store.create_booking(booking(client_email=f"client{i}@example.ro"), now=T0)
    claimed = store.claim_due("w1", count, LEASE, now=T0)
    for task in claimed:
        assert store.fail_permanent(task, "w1", REJECTED, now=T0)
    return [t.id for t in claimed]


def test_retry_by_ids_gives_a_fresh_budget_and_is_audited(store: Store) -> None:
    ids = dead_tasks(store, 3)
    later = T0 + timedelta(minutes=10)

    assert store.retry_tasks([(i, None) for i in ids[:2]], operator="maria", now=later) == 2

    for task_id in ids[:2]:
        task = store.get_task(task_id)
        assert task.status == TaskState.PENDING and task.attempts == 0
        assert task.is_due(later)
        assert any(h.get("code") == "smtp.550" for h in task.history)
    assert store.get_task(ids[2]).status == TaskState.DEAD
    [entry] = [e for e in store.audit_log() if e.action == "retry"]
    assert entry.operator == "maria" and sorted(entry.task_ids) == sorted(ids[:2])
    assert entry.at == later
    claimed = store.claim_due("w2", 10, LEASE, now=later)
    assert sorted(t.id for t in claimed) == sorted(ids[:2])
    assert all(t.attempts == 1 for t in claimed)


def test_retry_by_filter_takes_every_match_and_records_the_filter(store: Store) -> None:
    ids = dead_tasks(store, 3)
    store.create_booking(booking(), now=T0)  # pending, untouched by a filter on dead

    flt = TaskFilter(states=frozenset({TaskState.DEAD}))
    assert (
        store.retry_tasks(
            [(r.id, r.version) for r in store.list_task_rows(flt)],
            operator="maria",
            filter=flt,
            now=T0,
        )
        == 3
    )

    assert store.list_tasks(flt) == []
    [entry] = [e for e in store.audit_log() if e.action == "retry"]
    assert sorted(entry.task_ids) == sorted(ids)
    assert entry.filter == flt.describe()


def test_retry_skips_completed_and_in_flight_tasks(store: Store) -> None:
    store.create_booking(booking(), now=T0)
    store.create_booking(booking(), now=T0)
    done, flying = store.claim_due("w1", 2, LEASE, now=T0)
    assert store.complete(done, "w1", SENT, now=T0)
    assert store.retry_tasks([(done.id, None), (flying.id, None)], operator="maria", now=T0) == 0
    assert store.get_task(done.id).status == TaskState.COMPLETED
    assert store.get_task(flying.id).lease_owner == "w1"


def test_cancel_is_audited_and_stops_claims(store: Store) -> None:
    _, task = store.create_booking(booking(), now=T0)
    assert store.cancel_tasks([task.id], operator="maria", now=T0) == 1
    assert store.get_task(task.id).status == TaskState.CANCELLED
    assert store.claim_due("w1", 5, LEASE, now=T0 + timedelta(hours=1)) == []
    [entry] = [e for e in store.audit_log() if e.action == "cancel"]
    assert entry.operator == "maria" and entry.task_ids == [task.id]
    # A cancelled task leaves only by a manual retry.
    assert store.retry_tasks([(task.id, None)], operator="maria", now=T0) == 1
    assert store.get_task(task.id).status == TaskState.PENDING


def test_cancelled_in_flight_task_cannot_be_completed(store: Store) -> None:
    store.create_booking(booking(), now=T0)
    [task] = store.claim_due("w1", 1, LEASE, now=T0)
    assert store.cancel_tasks([task.id], operator="maria", now=T0) == 1
    assert not store.complete(task, "w1", SENT, now=T0)
    assert store.get_task(task.id).status == TaskState.CANCELLED


def test_update_recipient_fixes_task_and_booking_and_makes_it_due(store: Store) -> None:
    saved, _ = store.create_booking(booking(client_email="ana@exmaple.ro"), now=T0)
    [task_id] = dead_tasks_for(store)

    fixed = store.update_recipient(task_id, " ana@example.ro ", operator="maria", now=T0)

    assert fixed.client_email == "ana@example.ro" and fixed.status == TaskState.PENDING
    assert fixed.booking_data["clientEmail"] == "ana@example.ro"
    assert store.get_booking(saved.booking_number).client_email == "ana@example.ro"
    [entry] = [e for e in store.audit_log() if e.action == "update_recipient"]
    assert entry.operator == "maria" and entry.task_ids == [task_id]
    [again] = store.claim_due("w2", 1, LEASE, now=T0)
    assert again.client_email == "ana@example.ro" and again.attempts == 1


def dead_tasks_for(store: Store) -> list[str]:
    claimed = store.claim_due("w1", 10, LEASE, now=T0)
    for task in claimed:
        store.fail_permanent(task, "w1", REJECTED, now=T0)
    return [t.id for t in claimed]


def test_update_recipient_refuses_a_bad_address_and_changes_nothing(store: Store) -> None:
    _, task = store.create_booking(booking(), now=T0)
    with pytest.raises(ValidationError) as info:
        store.update_recipient(task.id, "ana@", operator="maria")
    assert info.value.errors[0].field == "clientEmail"
    assert "e-mail" in info.value.errors[0].text("ro")
    assert store.get_task(task.id).client_email == "ana@example.ro"
    with pytest.raises(NotFound):
        store.update_recipient("no-such-task", "ana@example.ro", operator="maria")
    assert [e for e in store.audit_log() if e.action == "update_recipient"] == []


def test_list_tasks_filters_newest_first(store: Store) -> None:
    _, old = store.create_booking(booking(client_email="old@example.ro"), now=T0)
    _, mid = store.create_booking(
        booking(client_email="mid@example.ro"), now=T0 + timedelta(minutes=1)
    )
    _, new = store.create_booking(
        booking(client_email="new@example.ro"), now=T0 + timedelta(minutes=2)
    )
    assert [t.id for t in store.list_tasks()] == [new.id, mid.id, old.id]
    assert [t.id for t in store.list_tasks(limit=2)] == [new.id, mid.id]

    [claimed] = store.claim_due("w1", 1, LEASE, now=T0 + timedelta(minutes=3))
    assert claimed.id == old.id  # oldest due first
    store.fail_transient(claimed, "w1", TIMEOUT, T0 + timedelta(hours=1), now=T0)

    retrying = store.list_tasks(TaskFilter(retrying=True))
    assert [t.id for t in retrying] == [old.id]
    pending = store.list_tasks(TaskFilter(states=frozenset({TaskState.PENDING})))
    assert [t.id for t in pending] == [new.id, mid.id, old.id]
    assert [t.id for t in store.list_tasks(TaskFilter(text="MID@"))] == [mid.id]
    assert [t.id for t in store.list_tasks(TaskFilter(text="timed OUT"))] == [old.id]
    assert [t.id for t in store.list_tasks(TaskFilter(text=mid.booking_number))] == [mid.id]
    window = TaskFilter(
        created_from=T0 + timedelta(minutes=1), created_to=T0 + timedelta(minutes=2)
    )
    assert [t.id for t in store.list_tasks(window)] == [mid.id]


def test_queue_stats_counts_and_oldest_due_age(store: Store) -> None:
    for _ in range(4):
        store.create_booking(booking(), now=T0)
    a, b, c = store.claim_due("w1", 3, LEASE, now=T0)
    store.complete(a, "w1", SENT, now=T0)
    store.fail_permanent(b, "w1", REJECTED, now=T0)
    store.fail_transient(c, "w1", TIMEOUT, T0 + timedelta(minutes=5), now=T0)

    stats = store.queue_stats(now=T0 + timedelta(minutes=2))
    assert stats.counts[TaskState.COMPLETED] == 1
    assert stats.counts[TaskState.DEAD] == 1
    assert stats.counts[TaskState.PENDING] == 2
    assert stats.counts[TaskState.PROCESSING] == 0
    assert stats.retrying == 1
    # The untouched task has waited since T0; the retrying one is not due yet.
    assert stats.oldest_due_age == timedelta(minutes=2)
    assert store.sent_since(T0 - timedelta(hours=1)) == [T0]
    assert store.sent_since(T0 + timedelta(seconds=1)) == []


def test_queue_stats_empty(store: Store) -> None:
    stats = store.queue_stats(now=T0)
    assert sum(stats.counts.values()) == 0 and stats.oldest_due_age is None


Change = tuple[str, TaskRow | None]  # (task id, its row; None once removed)


def wait_for(batches: list[TaskRowBatch], lock: threading.Lock, test, timeout=10.0) -> Change:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            for batch in batches:
                changes: list[Change] = [(r.id, r) for r in batch.rows]
                changes += [(task_id, None) for task_id in batch.removed]
                for change in changes:
                    if test(change):
                        return change
        time.sleep(0.02)
    raise AssertionError(f"no such change in {batches}")


def test_watch_delivers_existing_tasks_then_changes(store: Store) -> None:
    _, first = store.create_booking(booking(), now=T0)
    batches: list[TaskRowBatch] = []
    # Guards `batches`: the feed appends on its own thread while the test reads.
    lock = threading.Lock()

    def collect_into(into: list[TaskRowBatch], batch: TaskRowBatch) -> None:
        with lock:
            into.append(batch)

    def collect(batch: TaskRowBatch) -> None:
        collect_into(batches, batch)

    sub = store.watch_task_rows(collect)
    try:
        _, added = wait_for(batches, lock, lambda c: c[0] == first.id)
        assert added is not None and added.status == TaskState.PENDING
        with lock:
            assert batches[0].complete

        store.claim_due("w1", 1, LEASE)
        wait_for(
            batches,
            lock,
            lambda c: c[0] == first.id and c[1] is not None and c[1].status == "processing",
        )

        _, second = store.create_booking(booking())
        wait_for(batches, lock, lambda c: c[0] == second.id)
    finally:
        sub.unsubscribe()
    with lock:
        seen = sum(len(b.rows) for b in batches)
    # A second feed, still open, shows when the first would have had the new tasks: two
    # writes, each seen there, are a full poll apart.
    witnessed: list[TaskRowBatch] = []
    witness = store.watch_task_rows(lambda batch: collect_into(witnessed, batch))
    try:
        for _ in range(2):
            _, late = store.create_booking(booking())
            wait_for(witnessed, lock, lambda c, late=late: c[0] == late.id)
    finally:
        witness.unsubscribe()
    with lock:
        assert sum(len(b.rows) for b in batches) == seen


def test_website_task_without_address_is_fixed_by_update_recipient(store: Store) -> None:
    store.import_raw_task("web", website_task("867962", clientEmail=None))
    assert store.claim_due("w1", 5, LEASE, now=T0) == []
    dead = store.get_task("web")
    assert dead.status == TaskState.DEAD and "clientEmail" in dead.last_error.message
    assert dead.booking_number == "867962"

    store.update_recipient("web", "ion@example.ro", operator="maria", now=T0)

    [task] = store.claim_due("w1", 5, LEASE, now=T0)
    assert task.id == "web" and task.client_email == "ion@example.ro"
    assert store.complete(task, "w1", SENT, now=T0)


def test_retried_malformed_task_is_refused_again_not_sent(store: Store) -> None:
    store.import_raw_task("sms", website_task(type="sms"))
    assert store.claim_due("w1", 5, LEASE, now=T0) == []
    assert store.retry_tasks([("sms", None)], operator="maria", now=T0) == 1
    assert store.get_task("sms").status == TaskState.PENDING
    assert store.claim_due("w1", 5, LEASE, now=T0) == []
    again = store.get_task("sms")
    assert again.status == TaskState.DEAD and "unknown type" in again.last_error.message


def test_watch_reports_purged_tasks_as_removed(store: Store) -> None:
    _, task = store.create_booking(booking(), now=T0)
    [claimed] = store.claim_due("w1", 1, LEASE, now=T0)
    assert store.complete(claimed, "w1", SENT, now=T0)
    batches: list[TaskRowBatch] = []
    # Guards `batches`: the feed appends on its own thread while the test reads.
    lock = threading.Lock()

    def collect(batch: TaskRowBatch) -> None:
        with lock:
            batches.append(batch)

    sub = store.watch_task_rows(collect)
    try:
        wait_for(batches, lock, lambda c: c[0] == task.id)
        assert store.purge_finished(timedelta(days=1), now=T0 + timedelta(days=2)) == 1
        gone = wait_for(batches, lock, lambda c: c[1] is None)
        assert gone[0] == task.id
    finally:
        sub.unsubscribe()


def test_task_rows_list_the_table_fields_newest_first_with_the_filter(store: Store) -> None:
    ids = dead_tasks(store, 2)
    _, fresh = store.create_booking(
        booking(client_email="nou@example.ro"), now=T0 + timedelta(minutes=1)
    )
    rows = store.list_task_rows()
    assert rows[0].id == fresh.id and sorted(r.id for r in rows[1:]) == sorted(ids)
    by_id = {r.id: r for r in rows}
    dead = by_id[ids[0]]
    assert (dead.status, dead.attempts, dead.max_attempts) == ("dead", 1, 10)
    assert (dead.error_code, dead.error_message) == (REJECTED.code, REJECTED.message)
    assert dead.type == "both" and dead.created_at == T0.timestamp()
    assert dead.version == store.get_task(ids[0]).version
    new = by_id[fresh.id]
    assert (new.client_email, new.status, new.error_code) == ("nou@example.ro", "pending", "")
    flt = TaskFilter(states=frozenset({TaskState.DEAD}), text="MAILBOX")
    assert sorted(r.id for r in store.list_task_rows(flt)) == sorted(ids)
    assert len(store.list_task_rows(limit=1)) == 1


def test_retry_listed_skips_a_task_changed_since_listing_and_audits_the_run_once(
    store: Store,
) -> None:
    dead_tasks(store, 3)
    listed = [(r.id, r.version) for r in store.list_task_rows()]
    moved = listed[0][0]
    store.cancel_tasks([moved], operator="ion", now=T0)
    flt = TaskFilter(states=frozenset({TaskState.DEAD}))

    run = {"operator": "maria", "audit_id": "run1", "filter": flt, "requested": 3, "now": T0}
    assert store.retry_tasks(listed[:2], **run) == 1
    assert store.retry_tasks(listed[2:], **run) == 1

    assert store.get_task(moved).status == TaskState.CANCELLED
    assert {store.get_task(i).status for i, _ in listed[1:]} == {TaskState.PENDING}
    [entry] = [e for e in store.audit_log() if e.action == "retry"]
    assert sorted(entry.task_ids) == sorted(i for i, _ in listed[1:])
    assert entry.details == {"count": 2, "skipped": 1, "requested": 3}
    assert entry.operator == "maria" and entry.filter == flt.describe()


def test_row_feed_delivers_every_row_first_then_changes_and_removals(store: Store) -> None:
    _, first = store.create_booking(booking(), now=T0)
    batches: list = []
    # Guards `batches`: the feed appends on its own thread while the test reads.
    lock = threading.Lock()

    def collect(batch) -> None:
        with lock:
            batches.append(batch)

    def seen(test) -> object:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                for batch in batches:
                    found = test(batch)
                    if found:
                        return found
            time.sleep(0.02)
        raise AssertionError(f"not delivered: {batches}")

    sub = store.watch_task_rows(collect)
    try:
        start = seen(lambda b: b if b.complete else None)
        assert [r.id for r in start.rows] == [first.id] and start.removed == []
        [claimed] = store.claim_due("w1", 1, LEASE, now=T0)
        row = seen(
            lambda b: (
                next((r for r in b.rows if r.status == "processing"), None)
                if not b.complete
                else None
            )
        )
        assert row.id == first.id and row.lease_owner == "w1" and row.attempts == 1
        assert store.complete(claimed, "w1", SENT, now=T0)
        assert store.purge_finished(timedelta(days=1), now=T0 + timedelta(days=2)) == 1
        seen(lambda b: first.id in b.removed)
    finally:
        sub.unsubscribe()


def test_the_wake_up_feed_fires_for_due_work_only(store: Store) -> None:
    """What the engine listens to: a new task or one back to pending wakes it; a claim, a
    completion or a retry due later does not."""
    woken = threading.Semaphore(0)
    sub = store.watch_due(woken.release)
    try:
        _, task = store.create_booking(booking())
        assert woken.acquire(timeout=10)
        while woken.acquire(timeout=1.0):  # the start-up's and the new task's wake-ups
            pass
        [claimed] = store.claim_due("w1", 1, LEASE)
        assert claimed.id == task.id
        later = datetime.now(UTC) + timedelta(hours=1)
        assert store.fail_transient(claimed, "w1", LastError("smtp.451", "later", False), later)
        assert not woken.acquire(timeout=2)
        assert store.retry_tasks([(task.id, None)], operator="Ana") == 1
        assert woken.acquire(timeout=10)
        while woken.acquire(timeout=1.0):
            pass
        [claimed] = store.claim_due("w1", 1, LEASE)
        assert store.complete(claimed, "w1", DeliveryOutcome("smtp", "<m@x>", True))
        assert not woken.acquire(timeout=2)
    finally:
        sub.unsubscribe()
