"""Checking in and out by scanning the ticket, and every ticket the gate must refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parking_desk.booking import BookingStatus
from parking_desk.services.desk_actions import ScanMode
from parking_desk.services.qr import QrSigner
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.scan_panel import ScanPanel
from parking_desk.ui.local_time import show


@pytest.fixture
def panel(qtbot, ctx):
    widget = ScanPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def scan(qtbot, type_text, panel: ScanPanel, text: str) -> str:
    """Type like a USB scanner does, Enter included, and wait for the verdict."""
    type_text(panel.input, text)
    qtbot.keyClick(panel.input, "\r")
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)
    return panel.outcome()


def ticket(ctx, booking, hours: float = 12) -> str:
    return ctx.signer.payload(
        booking.booking_number, booking.plate, booking.departure + timedelta(hours=hours)
    )


def test_scanning_a_ticket_checks_in_then_out_then_refuses(
    qtbot, type_text, new_booking, ctx, store, panel
):
    ctx.settings.desk.confirm_check_out_within_minutes = 0  # the question: scan_confirm
    booking = new_booking()
    payload = ticket(ctx, booking)
    assert scan(qtbot, type_text, panel, payload) == "checked_in"
    assert booking.booking_number in panel.result.text()
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_IN
    assert scan(qtbot, type_text, panel, payload) == "checked_out"
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_OUT
    assert scan(qtbot, type_text, panel, payload) == "refused"
    out = show(store.get_booking(booking.booking_number).checked_out_at)
    assert panel.result.text().startswith(
        f"Booking {booking.booking_number} was already checked out on {out} by Ana (staff) at "
    )
    assert panel.input.text() == ""  # ready for the next car


def test_a_second_check_in_is_refused(qtbot, type_text, new_booking, ctx, store, panel):
    booking = new_booking()
    panel.mode.setCurrentIndex(panel.mode.findData(ScanMode.CHECK_IN))
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_in"
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "refused"
    assert panel.result.text().startswith(
        f"Booking {booking.booking_number} was already checked in on "
    )


def test_a_typed_booking_number_checks_in(qtbot, type_text, new_booking, store, panel):
    booking = new_booking()
    assert scan(qtbot, type_text, panel, booking.booking_number) == "checked_in"


def test_a_forged_ticket_is_refused(qtbot, type_text, new_booking, store, panel):
    booking = new_booking()
    other = QrSigner(Ed25519PrivateKey.generate())
    forged = other.payload(booking.booking_number, booking.plate, utcnow() + timedelta(days=5))
    assert scan(qtbot, type_text, panel, forged) == "refused"
    assert panel.result.text().startswith("FORGED TICKET")
    assert store.get_booking(booking.booking_number).status == BookingStatus.CONFIRMED


def test_an_altered_ticket_is_refused(qtbot, type_text, new_booking, ctx, store, panel):
    booking = new_booking()
    other = new_booking(plate="B999ZZZ")
    payload = ticket(ctx, booking).replace(booking.booking_number, other.booking_number, 1)
    assert scan(qtbot, type_text, panel, payload) == "refused"
    assert panel.result.text().startswith("ALTERED TICKET")
    assert store.get_booking(other.booking_number).status == BookingStatus.CONFIRMED


def test_an_expired_ticket_is_refused(qtbot, type_text, new_booking, ctx, store, panel):
    booking = new_booking()
    expired = ctx.signer.payload(
        booking.booking_number, booking.plate, utcnow() - timedelta(hours=1)
    )
    assert scan(qtbot, type_text, panel, expired) == "refused"
    assert panel.result.text().startswith("EXPIRED TICKET")


def test_a_cancelled_booking_is_refused(qtbot, type_text, new_booking, ctx, store, panel):
    booking = new_booking()
    store.set_booking_status(booking.booking_number, BookingStatus.CANCELLED, operator="test")
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "refused"
    assert panel.result.text() == f"Booking {booking.booking_number} is cancelled."


def test_a_ticket_for_an_amended_plate_is_refused(qtbot, type_text, new_booking, ctx, store, panel):
    booking = new_booking()
    old_ticket = ticket(ctx, booking)
    store.amend_booking(booking.booking_number, {"plate": "B777AAA"}, operator="test")
    assert scan(qtbot, type_text, panel, old_ticket) == "refused"
    assert "B777AAA" in panel.result.text()


def test_garbage_from_the_scanner_is_refused(qtbot, type_text, panel):
    assert scan(qtbot, type_text, panel, "PD1:abc:%%%") == "refused"
