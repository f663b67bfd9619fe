"""The drain against real stores (SQLite file, Firestore emulator) and a real SMTP server:
what a supervisor would check afterwards in the queue, the booking and the inbox."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, timedelta

import pytest
from worker_data import booking

from parking_desk.booking import EmailStatus
from parking_desk.services.runtime import build_worker, open_store
from parking_desk.services.webhook import SIGNATURE_HEADER, verify
from parking_desk.services.worker import next_quota_window
from parking_desk.services.worker_events import DrainFinished, TaskCompleted, TaskDead
from parking_desk.task import TaskState, TaskType

pytestmark = pytest.mark.timeout(60)


def test_drain_delivers_and_completes_with_booking_fields(store, smtp, make_settings, events):
    settings = make_settings(smtp)
    made = [
        store.create_booking(booking("Ștefan Țurcanu", f"client{i}@client.example"))
        for i in range(3)
    ]
    worker, _ = build_worker(settings, store, "worker", events=events.append)

    report = worker.drain_once()

    assert (report.claimed, report.completed, report.dead, report.retried) == (3, 3, 0, 0)
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == sorted(f"Confirmare rezervare #{b.booking_number}" for b, _ in made)
    for saved, task in made:
        done = store.get_task(task.id)
        assert done.status == TaskState.COMPLETED and done.provider.startswith("smtp:")
        assert done.message_id and done.lease_owner is None
        fresh = store.get_booking(saved.booking_number)
        assert fresh.email_status == EmailStatus.SENT
        assert fresh.email_sent_at is not None and fresh.qr_code_generated
    completed = [e for e in events if isinstance(e, TaskCompleted)]
    assert len(completed) == 3 and isinstance(events[-1], DrainFinished)
    # Nothing is left due: a second drain finds nothing and sends nothing.
    assert worker.drain_once().claimed == 0 and len(smtp.messages) == 3


def test_one_connection_per_sending_thread(store, smtp, make_settings):
    settings = make_settings(smtp, send_parallelism=2)
    for i in range(8):
        store.create_booking(booking(email=f"c{i}@client.example"))
    worker, _ = build_worker(settings, store, "worker")
    sessions: list[object] = []
    original = smtp.controller.factory

    def counting_factory():
        session = original()
        sessions.append(session)
        return session

    smtp.controller.factory = counting_factory
    assert worker.drain_once().completed == 8
    assert len(smtp.messages) == 8
    assert 1 <= len(sessions) <= 2  # reused across the drain, not one per message


def _open_files_on(path) -> int:
    """How many of this process's open files are *path* or its -wal/-shm (what lsof shows)."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
    return sum(1 for name in names if name.startswith(str(path)))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_drains_that_send_leave_no_store_files_open(smtp, make_settings):
    """Each drain sends on threads of its own; a desk drains once per booking, so a
    connection left open by every drain would run it out of files within a day."""
    settings = make_settings(smtp)
    db = settings.store.sqlite_path
    store = open_store(settings)
    try:
        worker, _ = build_worker(settings, store, "desk")
        store.create_booking(booking(email="first@client.example"))
        assert worker.drain_once().completed == 1
        after_one = _open_files_on(db)
        for i in range(8):
            store.create_booking(booking(email=f"c{i}@client.example"))
            assert worker.drain_once().completed == 1
        assert len(smtp.messages) == 9
        assert _open_files_on(db) <= after_one
    finally:
        store.close()
    assert _open_files_on(db) == 0


def test_transient_failure_backs_off_then_succeeds(store, smtp, make_settings, events):
    smtp.faults.tempfail = 1
    settings = make_settings(smtp)
    saved, task = store.create_booking(booking())
    worker, _ = build_worker(settings, store, "worker", events=events.append)
    now = datetime.now(UTC)

    report = worker.drain_once(now=now)

    assert report.retried == 1 and smtp.messages == []
    waiting = store.get_task(task.id)
    assert waiting.status == TaskState.PENDING and waiting.attempts == 1
    assert "451" in waiting.last_error.code and not waiting.last_error.permanent
    delay = (waiting.next_attempt_at - now).total_seconds()
    assert 29 <= delay <= 30 * 1.2 + 1  # 30 s base plus up to 20 % jitter
    # Not due yet: a drain now leaves it alone.
    assert worker.drain_once(now=now + timedelta(seconds=5)).claimed == 0
    later = waiting.next_attempt_at + timedelta(seconds=1)
    assert worker.drain_once(now=later).completed == 1
    assert store.get_task(task.id).attempts == 2 and len(smtp.messages) == 1
    assert store.get_booking(saved.booking_number).email_status == EmailStatus.SENT


def test_permanent_failure_goes_dead_and_posts_a_signed_webhook(
    store, smtp, make_settings, hook_server
):
    smtp.faults.refuse = {"nobody@client.example"}
    settings = make_settings(smtp)
    settings.webhook.url, settings.webhook.secret = hook_server.url, "hook-secret-7f3a"
    saved, task = store.create_booking(booking("Ioana Bălănescu", "nobody@client.example"))
    worker, _ = build_worker(settings, store, "worker")

    report = worker.drain_once()
    worker.close()  # waits for the webhook post

    assert report.dead == 1
    dead = store.get_task(task.id)
    assert dead.status == TaskState.DEAD and dead.attempts == 1
    assert dead.last_error.permanent and "5.1.1" in dead.last_error.message
    assert store.get_booking(saved.booking_number).email_status == EmailStatus.FAILED
    assert hook_server.arrived.wait(5)
    [hook] = hook_server.received
    assert verify(hook.body, hook.headers[SIGNATURE_HEADER], "hook-secret-7f3a")
    body = hook.json()
    assert body["taskId"] == task.id and body["bookingNumber"] == saved.booking_number
    assert body["attempts"] == 1 and body["error"]["class"] == "permanent"
    text = hook.body.decode()
    assert "nobody@client.example" not in text and "Bălănescu" not in text


def test_attempts_exhausted_goes_dead(store, smtp, make_settings, events):
    smtp.faults.tempfail = 10
    settings = make_settings(smtp, max_attempts=2)
    _saved, task = store.create_booking(booking())
    worker, _ = build_worker(settings, store, "worker", events=events.append)
    now = datetime.now(UTC)

    assert worker.drain_once(now=now).retried == 1
    later = store.get_task(task.id).next_attempt_at + timedelta(seconds=1)
    assert worker.drain_once(now=later).dead == 1

    dead = store.get_task(task.id)
    assert dead.status == TaskState.DEAD and dead.attempts == 2
    assert "gave up after 2 attempts" in dead.last_error.message
    assert [e.attempts for e in events if isinstance(e, TaskDead)] == [2]


def test_spent_quota_waits_for_the_next_utc_day(store, smtp, make_settings):
    smtp.faults.quota_left = 0
    settings = make_settings(smtp)
    _saved, task = store.create_booking(booking())
    worker, _ = build_worker(settings, store, "worker")
    # The task is due from the moment it was saved, so the drain runs at the real time.
    now = datetime.now(UTC)

    assert worker.drain_once(now=now).retried == 1

    waiting = store.get_task(task.id)
    assert waiting.status == TaskState.PENDING
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    assert waiting.next_attempt_at == tomorrow
    assert next_quota_window(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)).year == 2027


def test_qr_task_sets_qr_generated_and_sends_nothing(store, smtp, make_settings):
    settings = make_settings(smtp)
    saved, task = store.create_booking(booking(), task_type=TaskType.QR)
    worker, _ = build_worker(settings, store, "worker")

    assert worker.drain_once().completed == 1

    assert smtp.messages == []
    fresh = store.get_booking(saved.booking_number)
    assert fresh.qr_code_generated and fresh.email_status == EmailStatus.PENDING
    assert store.get_task(task.id).status == TaskState.COMPLETED


def test_unrenderable_booking_goes_dead_with_a_readable_reason(store, smtp, make_settings):
    settings = make_settings(smtp)
    # A website task whose booking is nowhere and whose snapshot has no dates.
    store.import_raw_task(
        "web-nodates",
        {
            "type": "both",
            "bookingNumber": "867962",
            "clientEmail": "ion@client.example",
            "bookingData": {"clientName": "Ion Ionescu", "plate": "B123ABC"},
            "createdAt": datetime.now(UTC),
        },
    )
    store.import_raw_task("garbage", {"type": "both", "bookingNumber": ["x"]})
    _saved, good = store.create_booking(booking())
    worker, _ = build_worker(settings, store, "worker")

    report = worker.drain_once()

    assert report.completed == 1 and report.dead == 1
    dead = store.get_task("web-nodates")
    assert dead.status == TaskState.DEAD and dead.last_error.code == "booking.no_dates"
    assert "867962" in dead.last_error.message and "arrival" in dead.last_error.message
    assert store.get_task("garbage").status == TaskState.DEAD
    assert store.get_task(good.id).status == TaskState.COMPLETED
    assert len(smtp.messages) == 1


def test_website_task_with_other_field_names_is_delivered(store, smtp, make_settings):
    settings = make_settings(smtp)
    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    store.import_raw_task(
        "web-aliases",
        {
            "type": "both",
            "bookingNumber": 867964,
            "clientEmail": "maria@client.example",
            "bookingData": {
                "name": "Maria Câmpeanu",
                "licensePlate": "CJ 12 XYZ",
                "arrivalDate": arrival.isoformat(),
                "departureDate": (arrival + timedelta(days=3)).isoformat(),
            },
            "createdAt": int(datetime.now(UTC).timestamp() * 1000),
        },
    )
    worker, _ = build_worker(settings, store, "worker")

    assert worker.drain_once().completed == 1

    [msg] = smtp.messages
    assert msg["Subject"] == "Confirmare rezervare #867964"
    assert "Maria Câmpeanu" in msg.get_body(("plain",)).get_content()


def test_no_send_starts_when_the_lease_is_nearly_over(store, smtp, make_settings):
    """A batch slower than its lease: late tasks are handed back and sent under a fresh
    lease instead of racing another worker; each message goes out once."""
    smtp.faults.stall_s = 0.5
    settings = make_settings(smtp, lease_s=2.0, batch_size=10, send_parallelism=1)
    made = [store.create_booking(booking(email=f"c{i}@client.example"))[1] for i in range(6)]
    worker, _ = build_worker(settings, store, "worker")

    report = worker.drain_until_empty()

    assert report.skipped >= 1 and report.completed == 6
    assert report.claimed == 6 + report.skipped
    subjects = [m["Subject"] for m in smtp.messages]
    assert len(subjects) == len(set(subjects)) == 6
    assert all(store.get_task(t.id).status == TaskState.COMPLETED for t in made)
