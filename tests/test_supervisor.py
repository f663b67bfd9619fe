"""Supervisor actions against a real SQLite store: role checks, batches, progress, audit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parking_desk.booking_rules import checked_email
from parking_desk.errors import PermissionDenied, ValidationError
from parking_desk.services.roles import Person, Role, RoleSession, hash_pin
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.services.supervisor import SupervisorService, mask_email
from parking_desk.task import LastError, TaskFilter, TaskState

PIN = "2468"
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BOUNCE = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "queue.db", poll_interval=0.05)
    yield opened
    opened.close()


def supervisor(pin_hash: str) -> RoleSession:
    return RoleSession(Person("maria", "Maria", Role.SUPERVISOR))


def dead_tasks(store: SqliteStore, n: int, *, message: str = BOUNCE.message) -> list[str]:
    """*n* website tasks, claimed and failed for good, as a bounce leaves them."""
    ids = []
    for i in range(n):
        task_id = f"task-{i:05d}"
        store.import_raw_task(
            task_id,
            {
                "type": "email",
                "bookingNumber": f"{700000 + i}",
                "clientEmail": f"client{i}@example.ro",
                "createdAt": T0 + timedelta(seconds=i),
            },
            now=T0,
        )
        ids.append(task_id)
    claimed = store.claim_due("w1", n, timedelta(minutes=5), now=T0 + timedelta(minutes=1))
    error = LastError(BOUNCE.code, message, True)
    for task in claimed:
        assert store.fail_permanent(task, "w1", error, now=T0 + timedelta(minutes=1))
    return ids


def test_staff_cannot_retry_cancel_or_readdress_even_without_the_gui(
    store: SqliteStore, pin_hash: str
) -> None:
    ids = dead_tasks(store, 3)
    staff = SupervisorService(store, RoleSession(Person("ion", "Ion", Role.STAFF)))
    with pytest.raises(PermissionDenied) as raised:
        staff.retry(ids)
    assert "supervizor" in raised.value.translated("ro")
    with pytest.raises(PermissionDenied):
        staff.retry_one(ids[0])
    with pytest.raises(PermissionDenied):
        staff.retry_matching(TaskFilter(states=frozenset({TaskState.DEAD})))
    with pytest.raises(PermissionDenied):
        staff.cancel(ids)
    with pytest.raises(PermissionDenied):
        staff.fix_recipient(ids[0], "new@example.ro")
    assert {t.status for t in store.list_tasks()} == {TaskState.DEAD}
    assert store.audit_log() == []


def test_kiosk_session_cannot_sign_anyone_in(store: SqliteStore):
    kiosk = RoleSession(kiosk=True)
    with pytest.raises(PermissionDenied):
        kiosk.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    with pytest.raises(PermissionDenied):
        SupervisorService(store, kiosk).retry(["x"])


def test_nobody_signed_in_and_an_expired_session_may_not_act(store: SqliteStore) -> None:
    ids = dead_tasks(store, 1)
    now = [100.0]
    session = RoleSession(relock_after_s=60, clock=lambda: now[0])
    with pytest.raises(PermissionDenied) as nobody:
        SupervisorService(store, session).retry(ids)
    assert nobody.value.translated("en") == "Nobody is signed in at this desk. Sign in first."
    session.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    now[0] += 59
    session.touch()  # activity keeps her signed in
    now[0] += 59
    assert session.operator_name() == "Maria (supervisor)"
    now[0] += 61
    with pytest.raises(PermissionDenied):
        SupervisorService(store, session).retry(ids)
    assert session.person is None and session.role == Role.KIOSK
    assert store.audit_log() == []


def test_an_admin_may_do_what_a_supervisor_does(store: SqliteStore) -> None:
    ids = dead_tasks(store, 2)
    admin = RoleSession(Person("vlad", "Vlad", Role.ADMIN))
    assert SupervisorService(store, admin).retry(ids).changed == 2
    assert store.audit_log()[0].operator == "Vlad (admin)"


def test_bulk_retry_over_a_filter_goes_in_batches_with_progress_and_audit(
    store: SqliteStore, pin_hash: str
) -> None:
    dead_tasks(store, 23)
    service = SupervisorService(store, supervisor(pin_hash), batch_size=10)
    seen: list[tuple[int, int]] = []
    flt = TaskFilter(states=frozenset({TaskState.DEAD}), text="mailbox")

    result = service.retry_matching(flt, progress=lambda done, total: seen.append((done, total)))

    assert (result.requested, result.changed, result.cancelled) == (23, 23, False)
    assert seen == [(0, 23), (10, 23), (20, 23), (23, 23)]
    tasks = store.list_tasks()
    assert {t.status for t in tasks} == {TaskState.PENDING}
    assert {t.attempts for t in tasks} == {0}  # a fresh budget
    [entry] = store.audit_log()  # three batches, one entry for the whole run
    assert entry.action == "retry" and entry.operator == "Maria (supervisor)"
    assert len(set(entry.task_ids)) == 23
    assert entry.details == {"count": 23, "skipped": 0, "requested": 23}
    assert entry.filter and entry.filter["text"] == "mailbox"


def test_a_task_that_changed_after_counting_is_skipped_and_counted(
    store: SqliteStore, pin_hash: str
) -> None:
    dead_tasks(store, 3)
    service = SupervisorService(store, supervisor(pin_hash))
    counted = service.retry_candidates(TaskFilter(states=frozenset({TaskState.DEAD})))
    moved = counted[0].id
    store.cancel_tasks([moved], operator="Ion")  # another desk acts in between

    result = service.retry_listed(counted)

    assert (result.requested, result.changed) == (3, 2)
    assert store.get_task(moved).status == TaskState.CANCELLED  # not overwritten
    [entry] = [e for e in store.audit_log() if e.action == "retry"]
    assert moved not in entry.task_ids and entry.details["skipped"] == 1


def test_a_cancelled_bulk_run_stops_between_batches(store: SqliteStore, pin_hash: str) -> None:
    ids = dead_tasks(store, 30)
    service = SupervisorService(store, supervisor(pin_hash), batch_size=10)
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 10:
            stop.set()  # the supervisor pressed Cancel after the first batch

    result = service.retry(ids, progress=progress, stop=stop)

    assert result.cancelled
    assert (result.submitted, result.changed) == (10, 10)
    states = [t.status for t in store.list_tasks()]
    assert states.count(TaskState.PENDING) == 10
    assert states.count(TaskState.DEAD) == 20
    assert len(store.audit_log()) == 1


def test_retry_candidates_leave_out_tasks_a_retry_would_not_touch(
    store: SqliteStore, pin_hash: str
) -> None:
    dead_tasks(store, 4)
    store.import_raw_task("fresh", {"type": "qr", "bookingNumber": "1"}, now=T0)
    claimed = store.claim_due("w2", 1, timedelta(minutes=5), now=T0 + timedelta(minutes=2))
    assert [t.id for t in claimed] == ["fresh"]  # now processing, owned by a worker
    service = SupervisorService(store, supervisor(pin_hash))
    assert len(service.retry_candidates(TaskFilter())) == 4


def test_fix_recipient_validates_then_resends_and_audits(store: SqliteStore, pin_hash: str):
    ids = dead_tasks(store, 1)
    service = SupervisorService(store, supervisor(pin_hash))
    with pytest.raises(ValidationError) as raised:
        service.fix_recipient(ids[0], "client0@@example")
    assert raised.value.errors[0].text("ro").startswith("Adresa de e-mail nu este validă")
    assert store.get_task(ids[0]).client_email == "client0@example.ro"  # nothing lost

    task = service.fix_recipient(ids[0], "  Client0@Example.ro ")

    assert task.client_email == "Client0@example.ro"
    assert task.status == TaskState.PENDING
    assert [e.action for e in store.audit_log()] == ["update_recipient"]


def test_cancel_in_batches_is_audited(store: SqliteStore, pin_hash: str) -> None:
    ids = dead_tasks(store, 5)
    result = SupervisorService(store, supervisor(pin_hash), batch_size=2).cancel(ids)
    assert result.changed == 5
    assert {t.status for t in store.list_tasks()} == {TaskState.CANCELLED}
    assert [e.action for e in store.audit_log()] == ["cancel"] * 3


@pytest.mark.parametrize(
    ("email", "masked"),
    [("jane@example.ro", "j***@example.ro"), ("x@y.ro", "x***@y.ro"), ("", ""), ("bad", "b***")],
)
def test_staff_see_recipients_masked(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_check_email_explains_in_both_languages() -> None:
    with pytest.raises(ValidationError) as raised:
        checked_email("")
    assert raised.value.errors[0].text("ro") == "Câmp obligatoriu."
    assert raised.value.errors[0].text("en") == "This field is required."
