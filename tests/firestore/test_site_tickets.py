"""One site on one Firestore project: two desks (two data folders), a headless worker and a
gate that holds only the exported ring."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from site_machines import supervisor_session

from parking_desk.booking import Booking
from parking_desk.config import Settings
from parking_desk.services.key_ring import (
    KeyRing,
    booking_for_ticket,
    machine_name,
    own_key,
    revoke_key,
    ring_cache_path,
)
from parking_desk.services.qr import QrSigner
from parking_desk.services.runtime import build_worker
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.services.ticket_commands import export_ring, verify_ticket
from parking_desk.timeutil import utcnow

PROJECT = "parking-desk-test"


def machine(tmp_path: Path, name: str) -> Settings:
    settings = Settings()
    settings.store.kind = "firestore"
    settings.store.firestore_project = PROJECT
    folder = tmp_path / name.replace(" ", "-").lower()
    settings.qr.key_path = folder / "qr-signing-key.pem"
    settings.mail.outbox_dir = folder / "outbox"
    settings.mail.transport = "outbox"
    settings.desk.operator = name
    return settings


def desk_ring(settings: Settings) -> tuple[QrSigner, KeyRing]:
    signer = QrSigner.load_or_create(settings.qr.key_path)
    ring = KeyRing.load(
        ring_cache_path(settings.qr.key_path),
        own=own_key(signer, machine_name(settings.desk.operator)),
    )
    return signer, ring


def gate_check(ticket: str, ring_file: Path, tmp_path: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = verify_ticket(ticket, ring_file, machine(tmp_path, "Gate"), "en", out=out)
    return code, out.getvalue()


def booking(**changes: Any) -> Booking:
    now = utcnow().replace(microsecond=0)
    fields: dict[str, Any] = dict(
        client_name="Ana Popescu",
        client_email="ana@example.com",
        phone="+40712345678",
        plate="B123ABC",
        arrival=now + timedelta(days=1),
        departure=now + timedelta(days=3),
    )
    fields.update(changes)
    return Booking(**fields)


@pytest.fixture
def site(firestore_db: Any, tmp_path: Path):
    """Three store clients on one project, as three machines would have."""
    stores = [FirestoreStore(PROJECT) for _ in range(3)]
    yield stores
    for store in stores:
        store.close()


@pytest.mark.firestore
def test_desk_and_worker_tickets_verify_at_desk_b_and_at_the_gate(site, tmp_path: Path) -> None:
    store_a, store_b, store_w = site
    settings_a, settings_b = machine(tmp_path, "Desk A"), machine(tmp_path, "Desk B")
    settings_w = machine(tmp_path, "Worker")
    signer_a, ring_a = desk_ring(settings_a)
    _signer_b, ring_b = desk_ring(settings_b)
    follower_b = ring_b.follow(store_b)  # Firestore: a listener, not polling
    follower_a = ring_a.follow(store_a)
    try:
        assert follower_a.synced.wait(30) and follower_b.synced.wait(30)
        saved, _task = store_a.create_booking(booking())
        until = saved.departure + timedelta(hours=12)
        from_a = signer_a.payload(saved.booking_number, saved.plate, until)

        # The worker starts (publishing its key) and signs as it does for the e-mail.
        heard = threading.Event()
        ring_b.subscribe(
            lambda: any(k.machine.startswith("worker") for k in ring_b.members()) and heard.set()
        )
        worker, _engine = build_worker(settings_w, store_w, "worker")
        worker.close()
        from_worker = QrSigner.load_or_create(settings_w.qr.key_path).payload(
            saved.booking_number, saved.plate, until
        )
        assert heard.wait(30)  # desk B heard of the worker's key while running

        for ticket in (from_a, from_worker):
            verdict = ring_b.verify(ticket)
            assert verdict.ok and verdict.booking_number == saved.booking_number
        machines = {k.machine for k in ring_b.members()}
        assert {"Desk A", "Desk B"} <= machines and any(m.startswith("worker") for m in machines)

        # The gate: only the ring desk B exports, no key, no store.
        ring_file = tmp_path / "gate-ring.pem"
        assert export_ring(settings_b, ring_file, "en", out=io.StringIO()) == 0
        for ticket in (from_a, from_worker):
            code, text = gate_check(ticket, ring_file, tmp_path)
            assert code == 0 and text.split()[:2] == ["valid", saved.booking_number]

        # Revoked: desk B refuses desk A's tickets once it hears of it, and says why.
        revoked = threading.Event()
        ring_b.subscribe(lambda: ring_b.get(signer_a.key_id).revoked and revoked.set())
        revoke_key(store_b, supervisor_session("Maria"), signer_a.key_id)
        assert revoked.wait(30)
        verdict = ring_b.verify(from_a)
        assert verdict.status == "revoked" and not verdict.ok
        assert "revoked key (Desk A, revoked" in verdict.text("en")
        assert ring_b.verify(from_worker).ok

        fresh = tmp_path / "gate-ring.json"
        assert export_ring(settings_b, fresh, "en", out=io.StringIO()) == 0
        code, text = gate_check(from_a, fresh, tmp_path)
        assert code == 1 and text.startswith(f"revoked {saved.booking_number}")
        assert gate_check(from_worker, fresh, tmp_path)[0] == 0
        assert "revoke_key" in [e.action for e in store_a.audit_log()]
    finally:
        ring_a.close()
        ring_b.close()


@pytest.mark.firestore
def test_a_lower_case_number_from_the_website_is_found_from_its_ticket(
    site, raw: Any, tmp_path: Path
) -> None:
    store_a, _store_b, _store_w = site
    departure = utcnow().replace(microsecond=0) + timedelta(days=2)
    raw.collection("bookings").document("ab12cd").set(
        {
            "bookingNumber": "ab12cd",
            "clientName": "Ana Popescu",
            "clientEmail": "ana@example.com",
            "plate": "B123ABC",
            "arrival": departure - timedelta(days=1),
            "departure": departure,
            "status": "confirmed",
            "source": "web",
            "createdAt": utcnow(),
        }
    )
    signer, ring = desk_ring(machine(tmp_path, "Desk A"))
    ticket = signer.payload("ab12cd", "B123ABC", departure + timedelta(hours=12))
    verdict = ring.verify(ticket)
    assert verdict.ok and verdict.booking_number == "ab12cd"
    found = booking_for_ticket(store_a, verdict.booking_number)
    assert found is not None and found.booking_number == "ab12cd"
    typed = booking_for_ticket(store_a, "AB12CD")  # typed at the desk, upper-cased
    assert typed is not None and typed.booking_number == "ab12cd"
