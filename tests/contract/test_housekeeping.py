"""Heartbeats, shared quotas, the audit log, purging and reachability."""

from __future__ import annotations

import threading
from datetime import timedelta

from contract_data import LEASE, T0, booking

from parking_desk.services.store import DeliveryOutcome, Store, WorkerInfo
from parking_desk.task import LastError, TaskState

SENT = DeliveryOutcome(provider="smtp", message_id="<m>", email_sent=True)
REJECTED = LastError("smtp.550", "mailbox unavailable", True)


def test_heartbeats_are_kept_per_worker(store: Store) -> None:
    desk = WorkerInfo("desk-1", "pc-1", 100, "desk", T0, T0)
    store.heartbeat(desk)
    store.heartbeat(WorkerInfo("srv-1", "srv", 200, "worker", T0, T0))
    later = T0 + timedelta(seconds=30)
    store.heartbeat(WorkerInfo("desk-1", "pc-1", 100, "desk", T0, later, sent_total=7))

    seen = {w.worker_id: w for w in store.workers()}
    assert set(seen) == {"desk-1", "srv-1"}
    assert seen["desk-1"].last_heartbeat == later and seen["desk-1"].sent_total == 7
    assert seen["desk-1"].started_at == T0 and seen["desk-1"].kind == "desk"
    assert seen["srv-1"].host == "srv" and seen["srv-1"].pid == 200
    store.heartbeat(WorkerInfo("srv-1", "srv", 200, "worker", T0, later, state="stopped"))
    assert {w.worker_id: w.state for w in store.workers()}["srv-1"] == "stopped"


def test_quota_is_counted_atomically_up_to_its_limit(store: Store) -> None:
    granted: list[bool] = []
    # Guards `granted`, appended to by the six sending threads.
    lock = threading.Lock()
    start = threading.Barrier(6)

    def sender() -> None:
        start.wait()
        for _ in range(5):
            ok = store.consume_quota("gmail", "2026-11-28", 20)
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=sender) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 20 and granted.count(False) == 10
    assert store.quota_used("gmail", "2026-11-28") == 20
    # Another day and another transport have their own counts.
    assert store.quota_used("gmail", "2026-11-29") == 0
    assert store.consume_quota("gmail", "2026-11-29", 20)
    assert store.consume_quota("backup", "2026-11-28", 1)
    assert not store.consume_quota("backup", "2026-11-28", 1)


def test_audit_log_newest_first(store: Store) -> None:
    store.record_audit("maria", "export", ["a"], now=T0)
    store.record_audit(
        "ion",
        "retry",
        ["b", "c"],
        filter={"states": ["dead"]},
        details={"why": "smtp back"},
        now=T0 + timedelta(minutes=1),
    )
    newest, oldest = store.audit_log()
    assert newest.operator == "ion" and newest.task_ids == ["b", "c"]
    assert newest.filter == {"states": ["dead"]} and newest.details == {"why": "smtp back"}
    assert oldest.action == "export" and oldest.at == T0
    assert [e.operator for e in store.audit_log(limit=1)] == ["ion"]


def test_purge_removes_only_old_completed_and_cancelled_tasks(store: Store) -> None:
    for _ in range(5):
        store.create_booking(booking(), now=T0)
    old_done, old_dead, recent_done = store.claim_due("w1", 3, LEASE, now=T0)
    store.complete(old_done, "w1", SENT, now=T0)
    store.fail_permanent(old_dead, "w1", REJECTED, now=T0)
    store.complete(recent_done, "w1", SENT, now=T0 + timedelta(days=9))
    cancelled, pending = [t for t in store.list_tasks() if t.status == TaskState.PENDING]
    store.cancel_tasks([cancelled.id], operator="maria", now=T0)

    assert store.purge_finished(timedelta(days=7), now=T0 + timedelta(days=10)) == 2

    # Dead tasks stay until a supervisor deals with them.
    left = {t.id for t in store.list_tasks()}
    assert left == {old_dead.id, recent_done.id, pending.id}
    assert store.get_task(old_done.id) is None and store.get_task(cancelled.id) is None
    assert store.purge_finished(timedelta(days=7), now=T0 + timedelta(days=10)) == 0


def test_ping_answers_for_a_working_store(store: Store) -> None:
    store.ping()
