"""A barcode scanner typing into the wrong tab: the ticket reaches the scan panel, the field
it landed in keeps what the clerk had typed, and normal typing is never taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from parking_desk.booking import BookingStatus
from parking_desk.ui.desk.scanner_route import ScannerRouter, looks_like_ticket
from parking_desk.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, ctx, tmp_path):
    win = MainWindow(ctx, ui_state=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # keys and focus go to the active window, as at the desk
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    win.tabs.setCurrentWidget(win.new_booking)
    return win


def ticket(ctx, booking) -> str:
    return ctx.signer.payload(
        booking.booking_number, booking.plate, booking.departure + timedelta(hours=12)
    )


def name_field(qtbot, win: MainWindow):
    field = win.new_booking.form.name
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)
    return field


def test_a_ticket_scanned_into_the_name_field_checks_the_car_in(
    qtbot, ctx, store, new_booking, window
):
    booking = new_booking()
    field = name_field(qtbot, window)
    qtbot.keyClicks(field, "Ion Pop")  # the clerk was typing a walk-in's name

    qtbot.keyClicks(field, ticket(ctx, booking))  # at scanner speed: no delay between keys
    qtbot.keyClick(field, "\r")
    qtbot.waitUntil(lambda: window.scan.outcome() not in ("", "busy"), timeout=5000)

    assert window.tabs.currentWidget() is window.scan
    assert window.scan.outcome() == "checked_in"
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_IN
    assert field.text() == "Ion Pop"  # the name typed before the scan is kept
    assert window.new_booking.form.status.text() == ""  # the form was not submitted


def test_with_a_tab_suffix_the_tab_is_taken_and_focus_does_not_move(
    qtbot, ctx, store, new_booking, window
):
    ctx.settings.desk.scanner_suffix = "tab"
    booking = new_booking()
    field = name_field(qtbot, window)

    qtbot.keyClicks(field, ticket(ctx, booking).lower())  # a scanner with caps lock inverted
    qtbot.keyClick(field, "\t")
    qtbot.waitUntil(lambda: window.scan.outcome() not in ("", "busy"), timeout=5000)

    assert window.scan.outcome() == "checked_in"
    assert field.text() == ""


def test_normal_typing_and_enter_are_left_alone(qtbot, type_text, ctx, new_booking, window):
    field = name_field(qtbot, window)
    type_text(field, "PD1:Ștefan")
    qtbot.keyClick(field, "\r")

    assert window.tabs.currentWidget() is window.new_booking
    assert field.text() == "PD1:Ștefan"
    assert window.scan.outcome() == ""


def test_a_ticket_typed_by_hand_slowly_is_not_taken(qtbot, ctx, new_booking):
    """A person copying a ticket key by key: each gap is a person's, not a scanner's."""
    booking = new_booking()
    taken: list[str] = []
    clock = [0.0]

    def tick() -> float:
        clock[0] += 0.2
        return clock[0]

    from PySide6.QtWidgets import QLineEdit

    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)

    def take(text: str) -> bool:
        taken.append(text)
        return True

    router = ScannerRouter(take, lambda: None, lambda: "enter")
    router._clock = tick
    QApplication.instance().installEventFilter(router)
    try:
        payload = ticket(ctx, booking)
        qtbot.keyClicks(field, payload)
        qtbot.keyClick(field, "\r")
    finally:
        QApplication.instance().removeEventFilter(router)
    assert taken == [] and field.text() == payload


def test_the_ticket_shape_is_the_payloads():
    assert not looks_like_ticket("PD1:123456")
    assert not looks_like_ticket("Ion Popescu")
