"""Bounces read from a real IMAP server (Dovecot on loopback) for messages the worker really
sent through the SMTP fixture: the right task and only it changes, once; nothing crashes."""

from __future__ import annotations

import email
import threading
from email import policy

import pytest
from dovecot import ImapServer, dovecot_session
from worker_data import booking

from parking_desk.booking import EmailStatus
from parking_desk.bounce import SUPPRESSED
from parking_desk.services.runtime import bounce_reader, build_worker
from parking_desk.services.webhook import alert_payload
from parking_desk.services.worker_events import TaskBounced
from parking_desk.task import TaskState
from parking_desk.task_rules import retry

FLAG = b"$ParkingDeskBounce"


@pytest.fixture(scope="session")
def imap_server():
    yield from dovecot_session()


def _sent(store, smtp, make_settings, imap_server, *emails):
    """Bookings for *emails*, really sent by a worker; (settings, worker, events, tasks, mails)
    with the messages the SMTP server received, by recipient."""
    settings = make_settings(smtp)
    settings.imap = imap_server.new_user()
    events: list = []
    worker, _ = build_worker(settings, store, "worker", events=events.append)
    tasks = [store.create_booking(booking(email=e))[1] for e in emails]
    worker.drain_until_empty()
    sent = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    tasks = [store.get_task(t.id) for t in tasks]
    assert all(t.status == TaskState.COMPLETED and t.message_id for t in tasks)
    return settings, worker, events, tasks, sent


def _append(imap_server: ImapServer, settings, raw: bytes) -> None:
    client = imap_server.client(settings.imap)
    try:
        client.append("INBOX", raw)
    finally:
        client.logout()


def _flags(imap_server: ImapServer, settings) -> list[tuple[bytes, ...]]:
    client = imap_server.client(settings.imap)
    try:
        client.select_folder("INBOX")
        return [f for _uid, f in sorted(client.get_flags(client.search(["ALL"])).items())]
    finally:
        client.logout()


def gmail_bounce(original, recipient: str) -> bytes:
    """What Gmail's mailer-daemon puts in the sender's inbox: a DSN with the human part,
    the delivery status and the whole original message."""
    head = original.as_bytes(policy=policy.SMTP).split(b"\r\n\r\n", 1)[0].decode()
    return (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        "To: rezervari@parcare.example\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        f"References: {original['Message-ID']}\r\n"
        f"In-Reply-To: {original['Message-ID']}\r\n"
        "Message-ID: <gmail-dsn-1@mx.google.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; boundary="b1"; report-type=delivery-status\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
        f"Address not found\r\n\r\nYour message wasn't delivered to {recipient} because the "
        "address couldn't be found, or is unable to receive mail.\r\n\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; googlemail.com\r\n"
        "Arrival-Date: Tue, 01 Dec 2026 10:00:00 -0800\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        f"Remote-MTA: dns; mx.client.example. (192.0.2.7, the server for the domain)\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: "
        "User unknown in virtual mailbox table\r\n"
        "Last-Attempt-Date: Tue, 01 Dec 2026 10:00:01 -0800\r\n\r\n"
        "--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        f"{head}\r\n\r\n(body omitted)\r\n"
        "--b1--\r\n"
    ).encode()


def postfix_dsn(original, recipient: str, *, action: str = "failed", status: str = "5.2.2"):
    """Postfix's "Undelivered Mail Returned to Sender": the returned headers only."""
    head = original.as_bytes(policy=policy.SMTP).split(b"\r\n\r\n", 1)[0].decode()
    reason = (
        "552-5.2.2 The email account that you tried to reach is over quota"
        if action == "failed"
        else "451 4.4.1 Connection timed out; will keep trying for 5 days"
    )
    subject = "Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail"
    return (
        "From: MAILER-DAEMON@mail.parcare.example (Mail Delivery System)\r\n"
        "To: rezervari@parcare.example\r\n"
        f"Subject: {subject}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Message-Id: <20261201100000.ABC123@mail.parcare.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        '\tboundary="ABC123.1764583200/mail.parcare.example"\r\n\r\n'
        "--ABC123.1764583200/mail.parcare.example\r\n"
        "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mail.parcare.example.\r\n\r\n"
        f"<{recipient}>: host mx.client.example[192.0.2.9] said: {reason}\r\n\r\n"
        "--ABC123.1764583200/mail.parcare.example\r\n"
        "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.parcare.example\r\nX-Postfix-Queue-ID: ABC123\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        "Remote-MTA: dns; mx.client.example\r\n"
        f"Diagnostic-Code: smtp; {reason}\r\n\r\n"
        "--ABC123.1764583200/mail.parcare.example\r\n"
        "Content-Description: Undelivered Message Headers\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"{head}\r\n\r\n"
        "--ABC123.1764583200/mail.parcare.example--\r\n"
    ).encode()


def test_a_gmail_bounce_moves_its_task_to_bounced_once(store, smtp, make_settings, imap_server):
    settings, worker, events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "nimeni@client.example", "ana@client.example"
    )
    dead_one, fine = tasks
    _append(
        imap_server, settings, gmail_bounce(sent["nimeni@client.example"], dead_one.client_email)
    )
    reader = bounce_reader(settings, store, worker)
    report = reader.read_once()

    task = store.get_task(dead_one.id)
    assert task.status == TaskState.BOUNCED
    assert task.last_error.code == "bounce-5.1.1"
    assert "User unknown in virtual mailbox table" in task.last_error.message
    assert task.history[-1]["outcome"] == "bounced"
    assert store.get_booking(task.booking_number).email_status == EmailStatus.FAILED
    assert store.get_task(fine.id).status == TaskState.COMPLETED
    assert store.get_booking(fine.booking_number).email_status == EmailStatus.SENT
    bounced = [e for e in events if isinstance(e, TaskBounced)]
    assert [e.task_id for e in bounced] == [dead_one.id]
    assert alert_payload(bounced[0], alert_id="a1")["event"] == "task.bounced"
    assert report.bounced == 1
    assert FLAG in _flags(imap_server, settings)[0]
    assert store.queue_stats().counts[TaskState.BOUNCED] == 1

    # Read again, by this reader or another: nothing more happens.
    again = bounce_reader(settings, store, worker).read_once()
    assert again.seen == 0
    assert len([e for e in events if isinstance(e, TaskBounced)]) == 1
    assert [h["outcome"] for h in store.get_task(dead_one.id).history].count("bounced") == 1


def test_a_postfix_dsn_bounces_the_task_and_suppresses_the_address(
    store, smtp, make_settings, imap_server
):
    settings, worker, _events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "plin@client.example"
    )
    (task,) = tasks
    _append(imap_server, settings, postfix_dsn(sent["plin@client.example"], task.client_email))
    bounce_reader(settings, store, worker).read_once()
    task = store.get_task(task.id)
    assert task.status == TaskState.BOUNCED
    assert task.last_error.code == "bounce-5.2.2"
    assert "over quota" in task.last_error.message
    assert store.suppressions.get("PLIN@client.example") is not None

    # A retry sends nothing: the address is suppressed, the task goes dead saying why.
    before = len(smtp.messages)
    write = retry(task, "Maria Pop", task.updated_at)
    assert write is not None  # bounced tasks are retryable
    store.retry_tasks([(task.id, None)], operator="Maria Pop")
    worker.drain_until_empty()
    task = store.get_task(task.id)
    assert task.status == TaskState.DEAD
    assert task.last_error.code == SUPPRESSED
    assert "suppressed after a bounce on" in task.last_error.message
    assert len(smtp.messages) == before

    # Fixed by a supervisor: sent to the new address.
    store.update_recipient(task.id, "plin.nou@client.example", operator="Maria Pop")
    worker.drain_until_empty()
    assert store.get_task(task.id).status == TaskState.COMPLETED
    assert smtp.messages[-1]["To"].addresses[0].addr_spec == "plin.nou@client.example"

    # Cleared by a supervisor, audited.
    assert store.suppressions.clear(
        "plin@client.example", operator="Maria Pop", now=task.updated_at
    )
    assert store.suppressions.get("plin@client.example") is None
    assert any(a.action == "clear_suppression" for a in store.audit_log())


def test_a_delay_notice_is_noted_without_changing_the_state(
    store, smtp, make_settings, imap_server
):
    settings, worker, events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "lent@client.example"
    )
    (task,) = tasks
    raw = postfix_dsn(
        sent["lent@client.example"], task.client_email, action="delayed", status="4.4.1"
    )
    _append(imap_server, settings, raw)
    report = bounce_reader(settings, store, worker).read_once()
    after = store.get_task(task.id)
    assert after.status == TaskState.COMPLETED
    assert after.history[-1]["outcome"] == "delayed"
    assert after.history[-1]["code"] == "bounce-4.4.1"
    assert report.delayed == 1
    assert store.suppressions.get(task.client_email) is None
    assert not [e for e in events if isinstance(e, TaskBounced)]


def test_auto_replies_and_malformed_messages_are_left_alone_and_counted(
    store, smtp, make_settings, imap_server
):
    settings, worker, _events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "vacanta@client.example"
    )
    (task,) = tasks
    original = sent["vacanta@client.example"]
    auto = (
        "From: vacanta@client.example\r\nTo: rezervari@parcare.example\r\n"
        "Subject: Automatic reply: Confirmare rezervare\r\nAuto-Submitted: auto-replied\r\n"
        f"In-Reply-To: {original['Message-ID']}\r\n\r\n"
        "Sunt în concediu până pe 10 decembrie.\r\n"
    ).encode()
    broken = (
        b"From: ???\r\nContent-Type: multipart/report; report-type=delivery-status; "
        b'boundary="x"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\n'
        b"\xff\xfe\x00 Final-Recipient\r\n\r\nAction: failed\r\n"
    )
    unknown = gmail_bounce(original, "altcineva@client.example").replace(
        original["Message-ID"].encode(), b"<task-nobody@elsewhere.example>"
    )
    for raw in (auto, broken, b"\x00\x01\x02", unknown):
        _append(imap_server, settings, raw)
    report = bounce_reader(settings, store, worker).read_once()
    assert report.auto_replies == 1
    assert report.unmatched + report.other + report.malformed == 3
    assert report.seen == 4
    assert store.get_task(task.id).status == TaskState.COMPLETED
    assert all(FLAG not in f for f in _flags(imap_server, settings))


def test_two_workers_reading_the_same_bounce_change_the_task_once(
    store, smtp, make_settings, imap_server
):
    settings, worker, events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "doi@client.example", "trei@client.example"
    )
    task, other = tasks
    _append(imap_server, settings, gmail_bounce(sent["doi@client.example"], task.client_email))
    second, _ = build_worker(settings, store, "worker", events=events.append)
    readers = [bounce_reader(settings, store, w) for w in (worker, second)]
    start = threading.Barrier(2)
    reports, errors = [], []

    def read(reader):
        start.wait()
        try:
            reports.append(reader.read_once())
        except Exception as exc:  # nothing may crash
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(r,)) for r in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.bounced for r in reports) == 1
    assert [e.task_id for e in events if isinstance(e, TaskBounced)] == [task.id]
    after = store.get_task(task.id)
    assert after.status == TaskState.BOUNCED
    assert [h["outcome"] for h in after.history].count("bounced") == 1
    assert store.get_task(other.id).status == TaskState.COMPLETED


def test_handled_bounces_can_be_moved_to_a_folder(store, smtp, make_settings, imap_server):
    settings, worker, _events, tasks, sent = _sent(
        store, smtp, make_settings, imap_server, "mutat@client.example"
    )
    settings.imap.handled = "move"
    (task,) = tasks
    _append(imap_server, settings, gmail_bounce(sent["mutat@client.example"], task.client_email))
    bounce_reader(settings, store, worker).read_once()
    assert store.get_task(task.id).status == TaskState.BOUNCED
    client = imap_server.client(settings.imap)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder(settings.imap.folder)[b"EXISTS"] == 1
    finally:
        client.logout()


@pytest.mark.parametrize("raw", [b"", b"Subject: hi\r\n\r\nhello"])
def test_the_parser_reads_anything_without_raising(raw):
    from parking_desk.services.bounces.parse import Kind, read_message

    assert read_message(raw).kind == Kind.OTHER


def test_parsed_original_message_id_of_a_message_as_sent():
    from parking_desk.services.bounces.parse import original_message_id

    original = email.message_from_bytes(
        b"Message-ID: <task-abc@parcare.example>\r\nTo: a@b.example\r\n\r\nx",
        policy=policy.default,
    )
    bounce = email.message_from_bytes(gmail_bounce(original, "a@b.example"))
    assert original_message_id(bounce) == "<task-abc@parcare.example>"


def test_doctor_checks_the_imap_login(imap_server, tmp_path):
    from parking_desk.services.doctor import run_checks

    imap = imap_server.new_user()
    env = {
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "d.db"),
        "PARKING_DESK_IMAP_HOST": imap.host,
        "PARKING_DESK_IMAP_PORT": str(imap.port),
        "PARKING_DESK_IMAP_SECURITY": "none",
        "PARKING_DESK_IMAP_USER": imap.user,
    }
    checks = {
        c.name: c
        for c in run_checks(
            tmp_path / "none.toml", env | {"PARKING_DESK_IMAP_PASSWORD": imap.password}
        )
    }
    assert checks["bounces"].ok and "login OK" in checks["bounces"].detail
    wrong = {
        c.name: c
        for c in run_checks(tmp_path / "none.toml", env | {"PARKING_DESK_IMAP_PASSWORD": "wrong"})
    }
    assert not wrong["bounces"].ok
    off = {
        c.name: c
        for c in run_checks(
            tmp_path / "none.toml", {"PARKING_DESK_SQLITE_PATH": str(tmp_path / "d.db")}
        )
    }
    assert off["bounces"].ok and "no IMAP settings" in off["bounces"].detail


def test_bounced_tasks_wait_for_a_supervisor_like_dead_ones_on_the_light():
    from parking_desk.config import KioskSettings
    from parking_desk.services.queue_health import Light, traffic_light
    from parking_desk.services.store.base import QueueStats

    counts = {s: 0 for s in TaskState} | {TaskState.BOUNCED: 1}
    stats = QueueStats(counts=counts, retrying=0, oldest_due_age=None)
    light, reasons = traffic_light(stats, None, [], KioskSettings())
    assert light == Light.AMBER and reasons == ["dead"]
