"""The same desk on the Firestore backend (the real emulator): book, find, scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parking_desk.booking import BookingStatus
from parking_desk.services.store import open_firestore
from parking_desk.services.store.base import Store
from parking_desk.ui.desk.bookings_tab import BookingsTab
from parking_desk.ui.desk.new_booking_tab import NewBookingTab
from parking_desk.ui.desk.scan_panel import ScanPanel

pytestmark = pytest.mark.firestore


@pytest.fixture
def fs_store(firestore_db) -> Iterator[Store]:
    opened = open_firestore(firestore_db.project)
    yield opened
    opened.close()


def test_book_find_and_check_in_on_firestore(qtbot, type_text, ctx, fs_store):
    ctx.store = fs_store
    form_tab = NewBookingTab(ctx)
    qtbot.addWidget(form_tab)
    form = form_tab.form
    form.name.setText("Oana Țepeș")
    form.email.setText("oana@example.com")
    form.phone.setText("0755 123 123")
    form.plate.setText("SB 11 OTP")
    form.save()
    qtbot.waitUntil(lambda: form_tab.qr.number.text() != "", timeout=15_000)
    number = form_tab.qr.number.text()

    bookings = BookingsTab(ctx)
    qtbot.addWidget(bookings)
    type_text(bookings.search, "oana ț")
    bookings.refresh()
    qtbot.waitUntil(
        lambda: [b.booking_number for b in bookings.model.bookings()] == [number], timeout=15_000
    )

    scan = ScanPanel(ctx)
    qtbot.addWidget(scan)
    type_text(scan.input, form_tab.qr.payload)
    qtbot.keyClick(scan.input, "\r")
    qtbot.waitUntil(lambda: scan.outcome() in ("checked_in", "refused"), timeout=15_000)
    assert scan.outcome() == "checked_in", scan.result.text()
    assert fs_store.get_booking(number).status == BookingStatus.CHECKED_IN
