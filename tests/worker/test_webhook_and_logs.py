"""The dead-letter webhook never holds up the drain; secrets never reach the log file."""

from __future__ import annotations

import http.server
import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from conftest import free_port
from worker_data import booking

from parking_desk.services.logs import REDACTED, redact_also, setup_logging
from parking_desk.services.runtime import build_worker
from parking_desk.services.webhook import WebhookNotifier, dead_task_body, verify_signature
from parking_desk.services.worker_events import TaskDead
from parking_desk.task import LastError, TaskState

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def slow_receiver():
    """Answers every POST after 1.5 s, like a receiver that is down behind a proxy."""
    calls: list[float] = []

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            calls.append(time.monotonic())
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(1.5)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", calls
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_slow_webhook_does_not_hold_up_the_drain(store, smtp, make_settings, slow_receiver):
    url, calls = slow_receiver
    smtp.faults.refuse = {f"gone{i}@client.example" for i in range(3)}
    settings = make_settings(smtp)
    settings.webhook.url, settings.webhook.secret = url, "s3cret-hook"
    for i in range(3):
        store.create_booking(booking(email=f"gone{i}@client.example"))
    store.create_booking(booking(email="fine@client.example"))
    worker, _ = build_worker(settings, store, "worker")

    started = time.monotonic()
    report = worker.drain_once()
    took = time.monotonic() - started

    assert report.dead == 3 and report.completed == 1
    assert took < 2.5  # posting in line would take 4.5 s: three posts of 1.5 s each
    worker.close()
    assert len(calls) == 3


def test_unreachable_receiver_is_logged_not_raised(caplog):
    notifier = WebhookNotifier(f"http://127.0.0.1:{free_port()}/hook", "k", timeout_s=1.0)
    event = TaskDead("t1", "867962", LastError("smtp-550", "no", True), 1, datetime.now(UTC))
    with caplog.at_level(logging.WARNING, logger="parking_desk.services.webhook"):
        notifier.on_event(event)
        notifier.close()
    assert notifier.failed == 1 and notifier.sent == 0
    assert "t1" in caplog.text and "not delivered" in caplog.text


def test_body_carries_no_address_and_signature_checks(hook_server):
    error = LastError("smtp-550", "5.1.1 <ion.popescu@client.example>: User unknown", True)
    event = TaskDead("t2", "867962", error, 3, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    notifier = WebhookNotifier(hook_server.url, "shared-secret")
    assert notifier.post(dead_task_body(event)).result(timeout=5)
    notifier.close()
    [hook] = hook_server.received
    assert b"ion.popescu" not in hook.body and b"<address>" in hook.body
    assert verify_signature(hook.body, "shared-secret", hook.headers["X-Parking-Desk-Signature"])
    assert not verify_signature(
        hook.body + b" ", "shared-secret", hook.headers["X-Parking-Desk-Signature"]
    )
    assert not verify_signature(hook.body, "other", hook.headers["X-Parking-Desk-Signature"])
    assert hook.json()["at"] == "2026-11-28T09:00:00+00:00"


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
    assert "desk@lot.example" in text and "RuntimeError" in text
    assert "867123" in text  # short "secrets" are not used: they would eat booking numbers

    redact_also(["new-password-after-start"])
    log.error("retrying with new-password-after-start")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "new-password-after-start" not in path.read_text(encoding="utf-8")


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


def test_close_waits_for_queued_alerts_only_within_its_bound(slow_receiver, caplog):
    url, calls = slow_receiver
    notifier = WebhookNotifier(url, "k", timeout_s=5.0)
    event = TaskDead("t3", "867962", LastError("smtp-550", "no", True), 1, datetime.now(UTC))
    for _ in range(4):
        notifier.on_event(event)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="parking_desk.services.webhook"):
        notifier.close(timeout_s=0.5)
    assert time.monotonic() - started < 1.0
    assert "not sent before shutdown" in caplog.text
    assert len(calls) <= 2  # the two in flight; the queued ones were dropped
