"""What a walk-in must not pass silently, though it may be saved: a plate that does not look
Romanian, a stay already over, the same plate booked for the same days; and the previous
client's ticket leaving the screen once the next client is typed in."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.new_booking_tab import NewBookingTab
from parking_desk.ui.local_time import show, to_qdatetime


def open_tab(qtbot, ctx) -> NewBookingTab:
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def type_client(qtbot, type_text, tab: NewBookingTab, plate: str, name: str = "Ion Popa"):
    form = tab.form
    for widget, text in (
        (form.name, name),
        (form.email, "ion@example.com"),
        (form.phone, "0722 123 456"),
        (form.plate, plate),
    ):
        widget.setFocus()
        type_text(widget, text)


def save(qtbot, tab: NewBookingTab) -> str:
    before = tab.qr.number.text()
    qtbot.keyClick(tab.form.plate, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.qr.number.text() not in ("", before), timeout=5000)
    return tab.qr.number.text()


def test_the_foreign_plate_warning_outlives_the_save(qtbot, type_text, ctx, store):
    tab = open_tab(qtbot, ctx)
    type_client(qtbot, type_text, tab, "M AB 1234")
    number = save(qtbot, tab)
    assert store.get_booking(number).plate == "MAB1234"
    status = tab.form.status.text()
    assert status.startswith(f"Booking {number} saved. Check with the client: ")
    assert "Does not look like a Romanian plate" in status
    assert tab.form.status.property("warned") is True


def test_an_overlapping_booking_of_the_same_plate_is_named(
    qtbot, type_text, ctx, store, new_booking
):
    now = utcnow().replace(microsecond=0)
    other = new_booking(
        plate="B123ABC", arrival=now + timedelta(days=1), departure=now + timedelta(days=3)
    )
    new_booking(
        plate="B123ABC", arrival=now - timedelta(days=30), departure=now - timedelta(days=20)
    )
    tab = open_tab(qtbot, ctx)
    type_client(qtbot, type_text, tab, "B123ABC")
    number = save(qtbot, tab)
    assert store.get_booking(number) is not None  # warned, not refused
    assert tab.form.status.text() == (
        f"Booking {number} saved. Check with the client: This plate already has booking "
        f"{other.booking_number}, {show(other.arrival)} → {show(other.departure)}, "
        "at the same time."
    )


def test_a_stay_already_over_is_warned_before_and_after_the_save(qtbot, type_text, ctx, store):
    tab = open_tab(qtbot, ctx)
    type_client(qtbot, type_text, tab, "B123ABC")
    now = utcnow()
    tab.form.arrival.setDateTime(to_qdatetime(now - timedelta(days=10)))
    tab.form.departure.setDateTime(to_qdatetime(now - timedelta(days=3)))
    number = save(qtbot, tab)
    assert "This stay is already over: the departure is in the past." in tab.form.status.text()
    assert store.get_booking(number) is not None


def test_the_last_clients_ticket_leaves_when_the_next_client_is_typed(qtbot, type_text, ctx, store):
    tab = open_tab(qtbot, ctx)
    type_client(qtbot, type_text, tab, "B123ABC")
    save(qtbot, tab)
    assert not tab.qr.image.pixmap().isNull() and tab.qr.show_button.isEnabled()
    assert tab.window().focusWidget() is tab.form.name
    type_text(tab.form.name, "M")
    assert tab.qr.booking is None and tab.qr.payload == ""
    assert tab.qr.image.pixmap().isNull()
    assert tab.qr.number.text() == "" and tab.qr.plate.text() == ""
    assert not tab.qr.show_button.isEnabled() and not tab.qr.print_button.isEnabled()
    assert tab.qr.title.text() == "The QR of the next booking appears here."
    assert tab.form.status.text() == ""
