"""International addresses through the whole drain: what the SMTP server received, and what a
supervisor reads on the task when the server cannot take them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parking_desk.booking import Booking
from parking_desk.config import Settings, WorkerSettings
from parking_desk.messages import message
from parking_desk.services.mail.chain import ChainLink, ChainTransport
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.runtime import build_worker
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import NotificationTask, TaskState, TaskType

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "store.db", poll_interval=0.05)
    yield s
    s.close()


def settings_for(server, tmp_path: Path) -> Settings:
    settings = Settings()
    settings.store.sqlite_path = tmp_path / "store.db"
    settings.mail.mail_from = "Parcare Otopeni <rezervari@parcare.example>"
    settings.mail.outbox_dir = tmp_path / "outbox"
    settings.qr.key_path = tmp_path / "qr-key.pem"
    settings.smtp = server.settings(name="smtp:lot")
    settings.worker = WorkerSettings(lease_s=30.0, send_parallelism=1)
    return settings


def client(email: str) -> Booking:
    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return Booking(
        client_name="Ana Popescu",
        client_email=email,
        phone="+40 722 123 456",
        plate="B 123 ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=3),
    )


@pytest.mark.parametrize("address", ["ană@exemplu.ro", "用户@例子.广告"])
def test_a_server_with_smtputf8_receives_the_international_address(
    make_smtp_server, store, tmp_path, address
):
    server = make_smtp_server("none", smtputf8=True)
    _saved, task = store.create_booking(client(address))
    worker, _ = build_worker(settings_for(server, tmp_path), store, "worker")

    assert worker.drain_once().completed == 1

    [got] = server.messages
    assert got.rcpt_tos == [address]
    assert store.get_task(task.id).status == TaskState.COMPLETED


def test_without_smtputf8_the_task_goes_dead_with_a_plain_translated_reason(
    make_smtp_server, store, tmp_path
):
    server = make_smtp_server("none")  # an older relay: no SMTPUTF8
    _saved, task = store.create_booking(client("ană@exemplu.ro"))
    _other, ascii_task = store.create_booking(client("ana@exemplu.ro"))
    worker, _ = build_worker(settings_for(server, tmp_path), store, "worker")

    report = worker.drain_once()

    assert (report.completed, report.dead, report.retried) == (1, 1, 0)
    assert [m.rcpt_tos for m in server.messages] == [["ana@exemplu.ro"]]
    dead = store.get_task(task.id)
    assert dead.status == TaskState.DEAD and dead.attempts == 1
    assert dead.last_error.permanent and dead.last_error.code == "smtputf8-unsupported"
    assert dead.last_error.message == message(
        "mail.needs_smtputf8", "ro", address="ană@exemplu.ro", server="127.0.0.1"
    )
    assert "SMTPUTF8" in dead.last_error.message and "Error" not in dead.last_error.message
    assert store.get_task(ascii_task.id).status == TaskState.COMPLETED


def test_the_chain_hands_an_international_address_to_the_transport_that_can_carry_it(
    make_smtp_server,
):
    old, modern = make_smtp_server("none"), make_smtp_server("none", smtputf8=True)
    chain = ChainTransport(
        [
            ChainLink(SmtpTransport(old.settings(name="smtp:old"))),
            ChainLink(SmtpTransport(modern.settings(name="smtp-backup:modern"))),
        ]
    )
    mail = render_confirmation(
        NotificationTask("t1", TaskType.EMAIL, "867962", "ană@exemplu.ro"),
        booking=None,
        qr_png=None,
        mail_from="Parcare <rezervari@parcare.example>",
        site_name="Otopeni",
    )
    try:
        assert chain.send(mail).provider == "smtp-backup:modern"
    finally:
        chain.close()
    assert old.messages == [] and [m.rcpt_tos for m in modern.messages] == [["ană@exemplu.ro"]]
