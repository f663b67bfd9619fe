"""Heartbeats, shared quotas, the audit log, purging and reachability."""

from __future__ import annotations

import threading
from datetime import timedelta

from contract_data import LEASE, T0, booking

from parking_desk.quota import frees_at
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
            unit = store.reserve_quota("gmail", 20, now=T0)
            with lock:
                granted.append(unit is not None)

    threads = [threading.Thread(target=sender) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 20 and granted.count(False) == 10
    assert store.quota_used("gmail", now=T0) == 20
    # Another transport has its own count.
    assert store.reserve_quota("backup", 1, now=T0) is not None
    assert store.reserve_quota("backup", 1, now=T0) is None
    assert store.quota_used("gmail", now=T0) == 20 and store.quota_used("backup", now=T0) == 1


def test_a_unit_reserved_but_not_used_is_given_back(store: Store) -> None:
    first = store.reserve_quota("gmail", 2, now=T0)
    second = store.reserve_quota("gmail", 2, now=T0 + timedelta(minutes=1))
    assert first is not None and second is not None
    assert store.reserve_quota("gmail", 2, now=T0 + timedelta(minutes=2)) is None

    store.release_quota(second)  # the server refused the login: nothing went out

    assert store.quota_used("gmail", now=T0 + timedelta(minutes=3)) == 1
    assert store.reserve_quota("gmail", 2, now=T0 + timedelta(minutes=3)) is not None
    assert store.quota_used("gmail", now=T0 + timedelta(minutes=3)) == 2


def test_the_quota_window_rolls_over_24_hours(store: Store) -> None:
    hour = timedelta(hours=1)
    for minutes in (0, 20, 59):  # three sends in the 09:00 hour
        assert store.reserve_quota("gmail", 5, now=T0 + timedelta(minutes=minutes))
    for _ in range(2):
        assert store.reserve_quota("gmail", 5, now=T0 + 5 * hour)
    later = T0 + 6 * hour
    assert store.reserve_quota("gmail", 5, now=later) is None
    assert store.quota_counts("gmail", now=later) == {T0: 3, T0 + 5 * hour: 2}
    # The 09:00 hour leaves 24 hours after it ends; nothing frees before then.
    assert frees_at(store.quota_counts("gmail", now=later), 5, later) == T0 + 25 * hour
    just_before = T0 + 25 * hour - timedelta(seconds=1)
    assert store.quota_used("gmail", now=just_before) == 5
    assert store.reserve_quota("gmail", 5, now=just_before) is None

    rolled = T0 + 25 * hour
    assert store.quota_used("gmail", now=rolled) == 2
    assert store.reserve_quota("gmail", 5, now=rolled) is not None
    assert store.quota_counts("gmail", now=rolled) == {T0 + 5 * hour: 2, T0 + 25 * hour: 1}


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
