"""Scanning at desk B the tickets desk A printed and the worker e-mailed, on one Firestore
project; a revoked key's ticket refused with the reason and reissued with desk B's key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from site_machines import staff_session, supervisor_session

from parking_desk.booking import Booking, BookingStatus
from parking_desk.config import Settings
from parking_desk.services.key_ring import KeyRing, machine_name, own_key, revoke_key
from parking_desk.services.key_ring import ring_cache_path as cache_of
from parking_desk.services.qr import QrSigner
from parking_desk.services.runtime import build_worker
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.services.store.sqlite.schema import booking_row
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.scan_panel import ScanPanel

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
    settings.desk.language = "en"
    return settings


def new_booking(store: Any, plate: str) -> Booking:
    now = utcnow().replace(microsecond=0)
    saved, _task = store.create_booking(
        Booking(
            client_name="Ștefan Țăranu",
            client_email="stefan@example.com",
            phone="+40712345678",
            plate=plate,
            arrival=now,
            departure=now + timedelta(days=3),
        )
    )
    return saved


def ticket(signer: QrSigner, booking: Booking) -> str:
    return signer.payload(
        booking.booking_number, booking.plate, booking.departure + timedelta(hours=12)
    )


@pytest.fixture
def stores(firestore_db: Any) -> Iterator[list[FirestoreStore]]:
    made = [FirestoreStore(PROJECT) for _ in range(3)]
    yield made
    for store in made:
        store.close()


@pytest.fixture
def desk_b(qapp, tmp_path: Path, stores) -> Iterator[AppContext]:
    settings = machine(tmp_path, "Desk B")
    signer = QrSigner.load_or_create(settings.qr.key_path)
    ring = KeyRing.load(cache_of(settings.qr.key_path), own=own_key(signer, machine_name("Desk B")))
    bridge = Bridge()
    ctx = AppContext(
        settings=settings,
        bridge=bridge,
        session=staff_session("Ana"),
        signer=signer,
        key_ring=ring,
        store=stores[1],
        language="en",
    )
    ring.follow(stores[1])
    yield ctx
    ring.close()
    bridge.shutdown(wait=True)


@pytest.fixture
def panel(qtbot, desk_b: AppContext) -> ScanPanel:
    widget = ScanPanel(desk_b)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def scan(qtbot, type_text, panel: ScanPanel, text: str) -> str:
    type_text(panel.input, text)
    qtbot.keyClick(panel.input, "\r")
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=10000)
    return panel.outcome()


@pytest.mark.firestore
def test_desk_b_checks_in_tickets_of_desk_a_and_of_the_worker_and_refuses_a_revoked_key(
    qtbot, type_text, tmp_path: Path, stores, desk_b: AppContext, panel: ScanPanel
) -> None:
    store_a, store_b, store_w = stores
    settings_a = machine(tmp_path, "Desk A")
    signer_a = QrSigner.load_or_create(settings_a.qr.key_path)
    store_a.publish_signing_key(own_key(signer_a, machine_name("Desk A")))  # desk A's start
    worker, _engine = build_worker(machine(tmp_path, "Worker"), store_w, "worker")
    worker.close()
    signer_w = QrSigner.load_or_create(machine(tmp_path, "Worker").qr.key_path)
    ring = desk_b.trusted_keys()
    qtbot.waitUntil(
        lambda: ring.get(signer_a.key_id) is not None and ring.get(signer_w.key_id) is not None,
        timeout=20000,
    )

    printed_at_a = new_booking(store_a, "B101AAA")
    emailed = new_booking(store_a, "B102BBB")
    assert scan(qtbot, type_text, panel, ticket(signer_a, printed_at_a)) == "checked_in"
    assert scan(qtbot, type_text, panel, ticket(signer_w, emailed)) == "checked_in"
    assert store_b.get_booking(emailed.booking_number).status == BookingStatus.CHECKED_IN

    revoke_key(store_a, supervisor_session("Maria"), signer_a.key_id)
    qtbot.waitUntil(lambda: ring.get(signer_a.key_id).revoked, timeout=20000)
    late = new_booking(store_a, "B103CCC")
    assert scan(qtbot, type_text, panel, ticket(signer_a, late)) == "refused"
    assert panel.result.text().startswith("REVOKED KEY: ticket signed with a revoked key (Desk A")
    assert store_b.get_booking(late.booking_number).status == BookingStatus.CONFIRMED
    assert panel.reissue_button.isVisible()

    qtbot.mouseClick(panel.reissue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.outcome() == "reissued", timeout=10000)
    assert panel.fullscreen is not None and panel.fullscreen.isVisible()
    panel.fullscreen.close()
    new_ticket = panel.reissued.payload
    assert new_ticket.split(":")[4] == desk_b.signer.key_id  # signed with desk B's own key
    assert scan(qtbot, type_text, panel, new_ticket) == "checked_in"
    actions = [e.action for e in store_b.audit_log()]
    assert "revoke_key" in actions and "reissue_ticket" in actions


def test_a_lower_case_booking_number_is_found_at_the_scan(
    qtbot, type_text, ctx: AppContext, store
) -> None:
    """The website wrote ``ab12cd``: its ticket and the number typed at the desk find it."""
    now = utcnow().replace(microsecond=0)
    website = Booking(
        booking_number="ab12cd",
        client_name="Ana Popescu",
        client_email="ana@example.com",
        phone="+40712345678",
        plate="B123ABC",
        arrival=now,
        departure=now + timedelta(days=2),
    )
    row = booking_row(website)  # as the website's own writer would put it there
    with store.db.write() as conn:
        conn.execute(
            f"INSERT INTO bookings ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
            row,
        )
    ctx.settings.desk.confirm_check_out_within_minutes = 0  # in and out at once, unasked
    panel = ScanPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    payload = ctx.signer.payload("ab12cd", "B123ABC", website.departure + timedelta(hours=12))
    assert scan(qtbot, type_text, panel, payload) == "checked_in", panel.result.text()
    assert "ab12cd" in panel.result.text()
    assert store.get_booking("ab12cd").status == BookingStatus.CHECKED_IN
    assert scan(qtbot, type_text, panel, "AB12CD") == "checked_out"  # typed from the print
