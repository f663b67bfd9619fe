"""Scans the gate must not take on trust: a ticket scanned twice in a row, an early car,
an expired booking typed by number, and refusals that say when, where and by whom the
earlier scan was made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from parking_desk.booking import BookingStatus
from parking_desk.services.desk_actions import ScanMode
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.scan_panel import ScanPanel
from parking_desk.ui.local_time import show


@pytest.fixture
def panel(qtbot, ctx):
    ctx.settings.desk.operator = "Ghișeu 2"  # the desk's name in the history
    widget = ScanPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def scan(qtbot, type_text, panel: ScanPanel, text: str) -> str:
    type_text(panel.input, text)
    qtbot.keyClick(panel.input, "\r")
    qtbot.waitUntil(lambda: panel.outcome() != "busy", timeout=5000)
    return panel.outcome()


def answer(qtbot, panel: ScanPanel, key) -> str:
    """Answer the open question from the keyboard, as the person at the gate does."""
    box = panel.question_box
    assert box is not None and box.isVisible()
    qtbot.keyClick(box, key)
    qtbot.waitUntil(lambda: panel.outcome() not in ("question", "busy"), timeout=5000)
    return panel.outcome()


def ticket(ctx, booking) -> str:
    return ctx.signer.payload(
        booking.booking_number, booking.plate, booking.departure + timedelta(hours=12)
    )


def status(store, booking) -> BookingStatus:
    return store.get_booking(booking.booking_number).status


def test_a_ticket_scanned_again_moments_after_its_check_in_asks_first(
    qtbot, type_text, ctx, store, new_booking, panel
):
    booking = new_booking()
    payload = ticket(ctx, booking)
    assert scan(qtbot, type_text, panel, payload) == "checked_in"
    assert scan(qtbot, type_text, panel, payload) == "question"
    text = panel.question_box.text()
    assert "checked in only 1 minute(s) ago" in text
    assert "by Ana (staff) at Ghișeu 2" in text and "Check the car out now?" in text
    assert status(store, booking) == BookingStatus.CHECKED_IN  # nothing written yet

    # Enter, the key a scanner sends after the next ticket, keeps the car checked in.
    assert answer(qtbot, panel, Qt.Key.Key_Return) == "kept"
    assert "stays checked in" in panel.result.text()
    assert status(store, booking) == BookingStatus.CHECKED_IN
    qtbot.waitUntil(panel.input.hasFocus, timeout=2000)  # ready for the next car

    assert scan(qtbot, type_text, panel, payload) == "question"
    assert answer(qtbot, panel, Qt.Key.Key_Escape) == "kept"
    assert scan(qtbot, type_text, panel, payload) == "question"
    assert answer(qtbot, panel, Qt.Key.Key_O) == "checked_out"  # Check &out now
    assert status(store, booking) == BookingStatus.CHECKED_OUT


def test_a_check_out_after_the_limit_goes_through_without_a_question(
    qtbot, type_text, ctx, store, new_booking, panel
):
    booking = new_booking()
    store.set_booking_status(
        booking.booking_number,
        BookingStatus.CHECKED_IN,
        operator="Ana (staff)",
        now=utcnow() - timedelta(minutes=11),
    )
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_out"


def test_check_out_only_mode_means_it_and_does_not_ask(
    qtbot, type_text, ctx, store, new_booking, panel
):
    booking = new_booking()
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_in"
    panel.mode.setCurrentIndex(panel.mode.findData(ScanMode.CHECK_OUT))
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_out"


def test_a_typed_number_of_an_expired_booking_is_refused(
    qtbot, type_text, store, new_booking, panel
):
    now = utcnow().replace(microsecond=0)
    booking = new_booking(arrival=now - timedelta(days=6), departure=now - timedelta(days=1))
    assert scan(qtbot, type_text, panel, booking.booking_number) == "refused"
    assert panel.result.text() == (
        f"Booking {booking.booking_number} ended on {show(booking.departure)}; it can no "
        "longer be checked in. Make a new booking."
    )
    assert status(store, booking) == BookingStatus.CONFIRMED


def test_a_check_in_a_month_early_asks_and_can_be_declined_or_confirmed(
    qtbot, type_text, store, new_booking, panel
):
    now = utcnow().replace(microsecond=0)
    booking = new_booking(arrival=now + timedelta(days=30), departure=now + timedelta(days=37))
    assert scan(qtbot, type_text, panel, booking.booking_number) == "question"
    text = panel.question_box.text()
    assert f"arrives on {show(booking.arrival)}, 30 day(s) from now" in text
    assert answer(qtbot, panel, Qt.Key.Key_Escape) == "kept"
    assert status(store, booking) == BookingStatus.CONFIRMED
    assert scan(qtbot, type_text, panel, booking.booking_number) == "question"
    assert answer(qtbot, panel, Qt.Key.Key_I) == "checked_in"  # Check &in now
    assert status(store, booking) == BookingStatus.CHECKED_IN


def test_a_refusal_names_when_where_and_who_made_the_earlier_scan(
    qtbot, type_text, ctx, store, new_booking, panel
):
    booking = new_booking()
    number = booking.booking_number
    panel.mode.setCurrentIndex(panel.mode.findData(ScanMode.CHECK_IN))
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_in"
    at = store.get_booking(number).checked_in_at
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "refused"
    assert panel.result.text() == (
        f"Booking {number} was already checked in on {show(at)} by Ana (staff) at Ghișeu 2."
    )
    ctx.language = "ro"
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "refused"
    assert panel.result.text() == (
        f"Rezervarea {number} a fost deja înregistrată la sosire pe {show(at)}, de Ana (staff), "
        "la Ghișeu 2."
    )


@pytest.fixture
def romanian(qapp, tmp_path):
    """The desk's Romanian catalogue, compiled from the .ts as the build does."""
    import subprocess
    import sys
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication, QTranslator

    ts = Path(__file__).parents[3] / "resources" / "translations" / "desk_ro.ts"
    qm = tmp_path / "desk_ro.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_question_and_its_answers_in_romanian(
    qtbot, type_text, ctx, store, new_booking, romanian
):
    ctx.language = "ro"
    ctx.settings.desk.operator = "Ghișeu 2"
    panel = ScanPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    booking = new_booking()
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "checked_in"
    assert scan(qtbot, type_text, panel, ticket(ctx, booking)) == "question"
    text = panel.question_box.text()
    assert "a fost înregistrată la sosire acum doar 1 minut" in text
    assert "de Ana (staff), la Ghișeu 2. Înregistrați acum plecarea mașinii?" in text
    buttons = sorted(b.text() for b in panel.question_box.buttons())
    assert buttons == ["&Rămâne în parcare", "Înregistrează &plecarea"]
    assert answer(qtbot, panel, Qt.Key.Key_P) == "checked_out"
    assert status(store, booking) == BookingStatus.CHECKED_OUT
