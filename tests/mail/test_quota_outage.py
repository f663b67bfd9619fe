"""An SMTP outage must not spend the sending quota: only messages a server accepted count.

A real aiosmtpd server on loopback, first not listening at all, then refusing the login (an
expired app password), then back. The worker drains several times during the outage with
15 bookings waiting and a quota of 10 in 24 hours; once the server is back, ten messages go
out, the shared counter shows 10, and the other five wait for the oldest send to leave the
window instead of for midnight.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from parking_desk.booking import Booking
from parking_desk.config import Settings, SmtpSettings, WorkerSettings
from parking_desk.quota import leaves_at
from parking_desk.services.runtime import build_worker
from parking_desk.services.store import Store, open_firestore
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

USER, PASSWORD = "rezervari@parcare.example", "app-password-ok"
QUOTA = 10
PROJECT = "parking-desk-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 2.0.0 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened: Store = SqliteStore(tmp_path / "store.db", poll_interval=0.05)
    else:
        request.getfixturevalue("firestore_db")
        opened = open_firestore(PROJECT)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def server_port() -> Iterator[tuple[int, list[Controller]]]:
    started: list[Controller] = []
    yield free_port(), started
    for controller in started:
        controller.stop()


def settings_for(port: int, password: str, tmp_path: Path) -> Settings:
    settings = Settings()
    settings.store.sqlite_path = tmp_path / "store.db"
    settings.mail.mail_from = f"Parcare Otopeni <{USER}>"
    settings.mail.outbox_dir = tmp_path / "outbox"
    settings.qr.key_path = tmp_path / "qr-key.pem"
    settings.smtp = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        user=USER,
        password=password,
        timeout_s=5.0,
        daily_quota=QUOTA,
        name="smtp:gmail",
    )
    settings.worker = WorkerSettings(lease_s=30.0, send_parallelism=2, retry_base_s=30.0)
    return settings


def booking(n: int) -> Booking:
    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return Booking(
        client_name=f"Client {n}",
        client_email=f"client{n}@client.example",
        phone="+40 722 123 456",
        plate="B 123 ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=3),
    )


def test_an_outage_spends_no_quota_and_sending_resumes_at_once(store, server_port, tmp_path):
    port, started = server_port
    for n in range(15):
        store.create_booking(booking(n))
    start = datetime.now(UTC)
    # Each drain runs two hours after the last, past any backoff (the cap is one hour).
    drains = iter(start + timedelta(hours=2 * k) for k in range(10))

    # Nothing listens on the port: every connection is refused.
    down, _ = build_worker(settings_for(port, PASSWORD, tmp_path), store, "worker")
    for _ in range(2):
        report = down.drain_once(now=next(drains))
        assert (report.claimed, report.retried, report.completed) == (15, 15, 0)
        assert store.quota_used("smtp:gmail") == 0

    # The server is up but the app password has expired: every login is refused.
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ready_timeout=5.0,
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    )
    controller.start()
    started.append(controller)
    expired, _ = build_worker(settings_for(port, "expired-password", tmp_path), store, "worker")
    for _ in range(2):
        report = expired.drain_once(now=next(drains))
        assert (report.claimed, report.retried, report.completed) == (15, 15, 0)
        assert store.quota_used("smtp:gmail") == 0
    assert inbox.recipients == []

    # The password is fixed: the quota's full ten go out at once.
    fixed, _ = build_worker(settings_for(port, PASSWORD, tmp_path), store, "worker")
    report = fixed.drain_once(now=next(drains))

    assert (report.completed, report.retried) == (QUOTA, 15 - QUOTA)
    assert len(inbox.recipients) == QUOTA == len(set(inbox.recipients))
    assert store.quota_used("smtp:gmail") == QUOTA
    tasks = store.list_tasks()
    assert sum(t.status == TaskState.COMPLETED for t in tasks) == QUOTA
    waiting = [t for t in tasks if t.status == TaskState.PENDING]
    assert len(waiting) == 15 - QUOTA
    # They wait for the oldest counted send to leave the rolling window, not for midnight.
    frees = leaves_at(min(store.quota_counts("smtp:gmail")))
    assert {t.next_attempt_at for t in waiting} == {frees}

    # Claimed again early (a clock ahead of the counter's), they are still held back by it.
    report = fixed.drain_once(now=frees)
    assert (report.claimed, report.completed, report.retried) == (15 - QUOTA, 0, 15 - QUOTA)
    assert len(inbox.recipients) == QUOTA and store.quota_used("smtp:gmail") == QUOTA
