"""The dead-letter webhook never holds up the drain; secrets and addresses stay out of the logs."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pytest
from conftest import free_port
from hook_receiver import CheckingReceiver
from worker_data import booking

from parking_desk.services.logs import REDACTED, redact_also, setup_logging
from parking_desk.services.runtime import build_worker
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.services.webhook import WebhookNotifier, verify
from parking_desk.services.worker_events import TaskDead
from parking_desk.task import LastError, TaskState

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def stuck_receiver():
    """Holds every answer until released, like a receiver that is down behind a proxy."""
    hook = CheckingReceiver("s3cret-hook", hold=threading.Event())
    try:
        yield hook
    finally:
        hook.close()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_stuck_webhook_does_not_hold_up_the_drain(store, smtp, make_settings, stuck_receiver):
    smtp.faults.refuse = {f"gone{i}@client.example" for i in range(3)}
    settings = make_settings(smtp)
    settings.webhook.url, settings.webhook.secret = stuck_receiver.url, "s3cret-hook"
    for i in range(3):
        store.create_booking(booking(email=f"gone{i}@client.example"))
    store.create_booking(booking(email="fine@client.example"))
    worker, _ = build_worker(settings, store, "worker")

    report = worker.drain_once()  # returns while the receiver still holds its answer

    assert report.dead == 3 and report.completed == 1
    assert not stuck_receiver.received
    assert stuck_receiver.hold is not None
    stuck_receiver.hold.set()
    worker.close()
    assert len(stuck_receiver.accepted) == 3
    assert store.alerts.undelivered() == []


def test_unreachable_receiver_is_logged_not_raised_and_the_alert_kept(tmp_path, caplog):
    store = SqliteStore(tmp_path / "store.db")
    notifier = WebhookNotifier(
        f"http://127.0.0.1:{free_port()}/hook", "k", store.alerts, timeout_s=1.0
    )
    event = TaskDead("t1", "867962", LastError("smtp-550", "no", True), 1, datetime.now(UTC))
    with caplog.at_level(logging.WARNING, logger="parking_desk.services.webhook"):
        notifier.on_event(event)
        notifier.close()
    assert notifier.failed == 1 and notifier.sent == 0
    assert "not delivered" in caplog.text and "kept in the store" in caplog.text
    [kept] = store.alerts.undelivered()
    assert kept.attempts == 1 and kept.last_error and "refused" in kept.last_error.lower()
    store.close()


def test_body_carries_no_address_and_signature_checks(hook_server, tmp_path):
    error = LastError("smtp-550", "5.1.1 <ion.popescu@client.example>: User unknown", True)
    event = TaskDead("t2", "867962", error, 3, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    store = SqliteStore(tmp_path / "store.db")
    notifier = WebhookNotifier(hook_server.url, "shared-secret", store.alerts)
    notifier.on_event(event)
    assert notifier.deliver_due() == 1
    notifier.close()
    [hook] = hook_server.received
    assert b"ion.popescu" not in hook.body and b"User unknown" not in hook.body
    signature = hook.headers["X-Parking-Desk-Signature"]
    assert verify(hook.body, signature, "shared-secret")
    assert not verify(hook.body + b" ", signature, "shared-secret")
    assert not verify(hook.body, signature, "other")
    assert hook.json()["at"] == "2026-11-28T09:00:00+00:00"
    assert hook.json()["error"] == {"code": "smtp-550", "class": "permanent"}
    assert hook.headers["X-Parking-Desk-Event"] == "task.dead"
    store.close()


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_secrets_are_redacted_from_every_record(tmp_path, restore_root_logger):
    password, grouped, hook = "app-password-Zq9", "abcd efgh ijkl mnop", "hook-secret-7f3a"
    path = setup_logging(log_dir=tmp_path, secrets=[password, grouped, hook, "123"], console=False)
    log = logging.getLogger("smtplib.somewhere")
    log.warning("login failed for desk@lot.example with %s", password)
    log.info("pasted without spaces: abcdefghijklmnop")
    try:
        raise RuntimeError(f"connect(user=desk, password={password}, hook={hook})")
    except RuntimeError:
        log.exception("Unexpected failure for booking 867123")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = path.read_text(encoding="utf-8")
    assert password not in text and hook not in text and "abcdefghijklmnop" not in text
    assert text.count(REDACTED) >= 4
    assert "d***@lot.example" in text and "desk@lot.example" not in text
    assert "RuntimeError" in text
    assert "867123" in text  # short "secrets" are not used: they would eat booking numbers

    redact_also(["new-password-after-start"])
    log.error("retrying with new-password-after-start")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "new-password-after-start" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("debug_recipients", [False, True])
def test_recipients_are_masked_at_info_and_kept_in_debug_only_when_asked(
    tmp_path, restore_root_logger, debug_recipients
):
    path = setup_logging(
        log_dir=tmp_path,
        console=False,
        level=logging.DEBUG,
        show_recipients_in_debug=debug_recipients,
    )
    log = logging.getLogger("parking_desk.services.worker")
    log.info("Email sent successfully to %s", "ana.popescu@example.ro")
    log.warning("Refused: 550 5.1.1 <ion@client.example>: User unknown")
    try:
        raise RuntimeError("RCPT TO:<maria.ionescu@client.example> refused")
    except RuntimeError:
        log.exception("Send failed for booking 867123")
    log.debug("SMTP conversation: RCPT TO:<dan@client.example>")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = path.read_text(encoding="utf-8")
    assert "Email sent successfully to a***@example.ro" in text
    assert "<i***@client.example>" in text and "m***@client.example" in text
    for address in ("ana.popescu@", "ion@client", "maria.ionescu@"):
        assert address not in text
    assert "867123" in text
    assert ("dan@client.example" in text) is debug_recipients
    assert ("d***@client.example" in text) is not debug_recipients


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_drain_logs_read_like_the_seed(store, smtp, make_settings, caplog):
    settings = make_settings(smtp)
    saved, task = store.create_booking(booking(email="ion@client.example"))
    worker, _ = build_worker(settings, store, "worker")
    with caplog.at_level(logging.INFO, logger="parking_desk.services.worker"):
        worker.drain_once()
    number = saved.booking_number
    assert f"Background processing started for booking {number}" in caplog.text
    assert f"QR code generated for booking {number}" in caplog.text
    assert "Email sent successfully to ion@client.example" in caplog.text
    assert store.get_task(task.id).status == TaskState.COMPLETED


def test_close_returns_within_its_bound_and_keeps_what_it_did_not_deliver(
    stuck_receiver, tmp_path, caplog
):
    store = SqliteStore(tmp_path / "store.db")
    notifier = WebhookNotifier(stuck_receiver.url, "s3cret-hook", store.alerts, timeout_s=5.0)
    notifier.start()
    event = TaskDead("t3", "867962", LastError("smtp-550", "no", True), 1, datetime.now(UTC))
    for _ in range(4):
        notifier.on_event(event)
    with caplog.at_level(logging.WARNING, logger="parking_desk.services.webhook"):
        notifier.close(timeout_s=0.5)  # returns although the receiver never answers
    # Nothing dropped: all four are in the store for the next start or another worker.
    assert len(store.alerts.undelivered()) == 4
    assert "kept in the store for the next start" in caplog.text
    assert stuck_receiver.hold is not None
    stuck_receiver.hold.set()
    store.close()
