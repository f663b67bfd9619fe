"""What the desk said before a language switch is said again in the new language: the
form's last message, the scan banner and the recent scans, the booking's source."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from parking_desk.ui.main_window import MainWindow
from parking_desk.ui.translations import Translations

WAIT = 5000


@pytest.fixture
def window(qtbot, ctx, tmp_path):
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    translations = Translations(QApplication.instance())
    win = MainWindow(ctx, translations, ui_state=state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.set_language("ro")
    yield win
    translations.apply("en")


def test_the_saved_message_follows_the_language(qtbot, window):
    form = window.new_booking.form
    form.name.setText("Ion Popa")
    form.email.setText("ion@example.com")
    form.phone.setText("0722 123 456")
    form.plate.setText("B123ABC")
    form.save()
    qtbot.waitUntil(lambda: "a fost salvată" in form.status.text(), timeout=WAIT)
    number = window.new_booking.qr.number.text()
    window.set_language("en")
    qtbot.waitUntil(lambda: form.status.text() == f"Booking {number} saved.", timeout=WAIT)


def test_the_scan_banner_and_recent_scans_follow_the_language(qtbot, window, new_booking):
    booking = new_booking()
    scan = window.scan
    window.tabs.setCurrentWidget(scan)
    scan.input.setText(booking.booking_number)
    scan.scan()
    qtbot.waitUntil(lambda: scan.outcome() == "checked_in", timeout=WAIT)
    assert scan.result.text().startswith("SOSIRE ÎNREGISTRATĂ")
    scan.input.setText("not a ticket!")
    scan.scan()
    assert scan.outcome() == "refused"
    window.set_language("en")
    qtbot.waitUntil(lambda: scan.result.text().startswith("Not a ticket"), timeout=WAIT)
    shown = [scan.recent.item(i).text().split("  ", 1)[1] for i in range(scan.recent.count())]
    assert shown == [
        "Not a ticket or booking number this desk can read.",
        f"CHECKED IN: {booking.booking_number}",
    ]


def test_a_bookings_source_is_named_in_the_language(qtbot, window, new_booking):
    booking = new_booking()
    details = window.bookings.details
    details.show_booking(booking)
    assert details.values["source"].text() == "ghișeu"
    window.set_language("en")
    qtbot.waitUntil(lambda: details.values["source"].text() == "desk", timeout=WAIT)
