"""An engine reads the system's certificates into an SSL context once, before its first claim,
and every SMTP connection of every drain shares it (a new context costs 40-110 ms of CPU)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from parking_desk.booking import Booking
from parking_desk.config import Settings, WorkerSettings
from parking_desk.services.runtime import build_worker, open_store

pytestmark = pytest.mark.timeout(60)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(0.01)


def a_booking(email: str) -> Booking:
    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return Booking(
        client_name="Ioana Dobre",
        client_email=email,
        phone="+40 722 123 456",
        plate="B 123 ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=2),
    )


@pytest.mark.parametrize("kind", ["desk", "worker"])
def test_one_ssl_context_serves_every_drain_and_is_made_before_the_first_claim(
    kind, make_smtp_server, tls, tmp_path, monkeypatch
):
    server = make_smtp_server("starttls")
    settings = Settings()
    settings.store.sqlite_path = tmp_path / "store.db"
    settings.mail.mail_from = "Parcare Otopeni <rezervari@parcare.example>"
    settings.qr.key_path = tmp_path / "qr-key.pem"
    settings.smtp = server.settings()
    settings.worker = WorkerSettings(drain_interval_s=30.0, send_parallelism=2)
    made: list[str] = []  # the thread each context was made on
    events: list[str] = []
    real = ssl.create_default_context

    def create_default_context(*args, **kwargs) -> ssl.SSLContext:
        # The product's own contexts, trusting the test server's certificate.
        made.append(threading.current_thread().name)
        events.append("context")
        return real(cafile=str(tls.cert))

    monkeypatch.setattr(ssl, "create_default_context", create_default_context)
    store = open_store(settings)
    claim_due = store.claim_due

    def recording_claim_due(*args, **kwargs):
        events.append("claim")
        return claim_due(*args, **kwargs)

    monkeypatch.setattr(store, "claim_due", recording_claim_due)
    try:
        store.create_booking(a_booking("ioana@client.example"))
        _worker, engine = build_worker(settings, store, kind)
        assert made == []  # building the engine reads no certificates
        engine.start()
        try:
            wait_for(lambda: len(server.messages) == 1)
            wait_for(lambda: not engine.status().draining)
            store.create_booking(a_booking("radu@client.example"))
            engine.wake()  # a second drain: new sending threads, new connections
            wait_for(lambda: len(server.messages) == 2)
        finally:
            engine.stop(2.0)
    finally:
        store.close()
    assert len(made) == 1 and made[0] != threading.current_thread().name
    assert events.index("context") < events.index("claim")
