"""Undoing a check-in or check-out from the scan panel's recent scans and from a booking's
details: what the store then holds, what the history and the audit log say."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parking_desk.booking import BookingStatus
from parking_desk.services.desk_actions import ScanMode
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.booking_details import BookingDetails
from parking_desk.ui.desk.scan_panel import ScanPanel


@pytest.fixture
def panel(qtbot, ctx):
    widget = ScanPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def scan(qtbot, panel: ScanPanel, text: str) -> str:
    qtbot.keyClicks(panel.input, text)
    qtbot.keyClick(panel.input, "\r")
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)
    return panel.outcome()


def ticket(ctx, booking) -> str:
    return ctx.signer.payload(
        booking.booking_number, booking.plate, booking.departure + timedelta(hours=12)
    )


def test_a_check_out_scanned_by_mistake_is_undone_from_the_recent_scans(
    qtbot, ctx, store, new_booking, panel
):
    booking = new_booking()
    number = booking.booking_number
    assert not panel.undo_button.isEnabled()
    assert scan(qtbot, panel, ticket(ctx, booking)) == "checked_in"
    panel.mode.setCurrentIndex(panel.mode.findData(ScanMode.CHECK_OUT))  # a wrong car
    assert scan(qtbot, panel, ticket(ctx, booking)) == "checked_out"
    assert panel.undo_button.isEnabled()  # the last scan is selected

    qtbot.mouseClick(panel.undo_button, qtbot_left())
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)

    assert panel.outcome() == "undone"
    assert panel.result.text() == f"CHECK-OUT UNDONE: {number} is on the lot again."
    stored = store.get_booking(number)
    assert stored.status == BookingStatus.CHECKED_IN and stored.checked_out_at is None
    assert stored.history[-1]["action"] == "undo" and stored.history[-1]["by"] == "Ana (staff)"
    [entry] = store.audit_log()
    assert (entry.action, entry.operator) == ("undo", "Ana (staff)")
    assert entry.details["bookingNumber"] == number and entry.details["undid"] == "checked_out"
    assert panel.recent.item(0).text().endswith(f"CHECK-OUT UNDONE: {number} is on the lot again.")
    assert panel.input.hasFocus()  # ready for the next car
    # The row of the check-out undone cannot be undone twice.
    panel.recent.setCurrentRow(1)
    assert not panel.undo_button.isEnabled()


def test_an_older_check_in_picked_in_the_list_is_undone(qtbot, ctx, store, new_booking, panel):
    first, second = new_booking(), new_booking(plate="B77XYZ")
    assert scan(qtbot, panel, ticket(ctx, first)) == "checked_in"
    assert scan(qtbot, panel, ticket(ctx, second)) == "checked_in"
    panel.recent.setCurrentRow(1)  # the first car's check-in

    panel.undo_button.click()
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)

    assert panel.result.text() == f"CHECK-IN UNDONE: {first.booking_number} is not on the lot."
    assert store.get_booking(first.booking_number).status == BookingStatus.CONFIRMED
    assert store.get_booking(second.booking_number).status == BookingStatus.CHECKED_IN


def test_a_scan_older_than_the_window_is_refused_and_stays(qtbot, ctx, store, new_booking, panel):
    booking = new_booking()
    assert scan(qtbot, panel, ticket(ctx, booking)) == "checked_in"
    ctx.settings.desk.undo_window_hours = 0.0  # the shift is over

    panel.undo_button.click()
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)

    assert panel.outcome() == "refused"
    assert "older than the shift" in panel.result.text()
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_IN
    assert store.audit_log() == []


def test_undo_in_the_booking_details(qtbot, ctx, store, new_booking):
    booking = new_booking()
    details = BookingDetails(ctx)
    qtbot.addWidget(details)
    details.show()
    details.show_booking(booking)
    assert not details.undo_button.isEnabled()  # nothing scanned yet
    details.check_in_button.click()
    qtbot.waitUntil(lambda: details.values["status"].text() == "checked in", timeout=5000)
    assert details.undo_button.isEnabled()

    details.undo_button.click()
    qtbot.waitUntil(lambda: details.values["status"].text() == "confirmed", timeout=5000)

    assert details.message.text() == "Check-in undone: the booking is confirmed again."
    assert details.history.item(0).text().endswith("Ana (staff) · Scan undone")
    assert store.get_booking(booking.booking_number).status == BookingStatus.CONFIRMED
    assert not details.undo_button.isEnabled()
    # A check-in from yesterday's shift offers no undo.
    old = store.get_booking(booking.booking_number)
    stale = old.with_changes(
        status=BookingStatus.CHECKED_IN,
        history=[{"at": utcnow() - timedelta(hours=13), "by": "Dan", "action": "checked_in"}],
    )
    details.show_booking(stale)
    assert not details.undo_button.isEnabled()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
