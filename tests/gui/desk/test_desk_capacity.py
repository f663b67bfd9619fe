"""A walk-in the lot has no place for: warned before anything is saved, saved anyway only by a
supervisor, and that override audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from parking_desk.services.roles import Person, Role
from parking_desk.site_time import local
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.new_booking_tab import NewBookingTab


@pytest.fixture
def full_lot(ctx, new_booking):
    """A lot of one place, held from now for three days."""
    ctx.settings.desk.capacity = 1
    now = utcnow().replace(microsecond=0)
    return new_booking(arrival=now - timedelta(hours=1), departure=now + timedelta(days=3))


def open_tab(qtbot, ctx) -> NewBookingTab:
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def type_walk_in(qtbot, type_text, tab: NewBookingTab) -> None:
    for widget, text in (
        (tab.form.name, "Ion Popa"),
        (tab.form.email, "ion@example.com"),
        (tab.form.phone, "0722 123 456"),
        (tab.form.plate, "B123ABC"),
    ):
        widget.setFocus()
        type_text(widget, text)
    qtbot.keyClick(tab.form.plate, Qt.Key.Key_Return)
    qtbot.waitUntil(tab.form.override_button.isVisible, timeout=5000)


def bookings(store) -> list[str]:
    from parking_desk.services.store.base import BookingQuery

    return sorted(b.plate for b in store.search_bookings(BookingQuery(limit=50)))


def test_staff_are_warned_and_cannot_override(qtbot, type_text, ctx, store, full_lot):
    tab = open_tab(qtbot, ctx)
    type_walk_in(qtbot, type_text, tab)
    today = local(utcnow(), ctx.settings.desk.time_zone).strftime("%d.%m.%Y")
    assert tab.form.status.text() == (
        f"Not saved: the lot is full on {today} (1 of 1 places taken). "
        "Only a supervisor may save it anyway."
    )
    assert tab.form.status.property("warned") is True
    assert not tab.form.override_button.isEnabled()
    assert bookings(store) == ["CJ12XYZ"]
    assert tab.form.name.text() == "Ion Popa"  # what was typed stays

    # The button is not the only guard: the save itself refuses staff.
    tab.form.save_over_capacity()
    qtbot.waitUntil(lambda: tab.form.status.property("failed") is True, timeout=5000)
    assert bookings(store) == ["CJ12XYZ"]
    assert not [e for e in store.audit_log() if e.action == "capacity_override"]


def test_a_supervisor_overrides_and_it_is_audited(qtbot, type_text, ctx, store, full_lot):
    ctx.session.sign_in(Person("maria", "Maria Pop", Role.SUPERVISOR))
    tab = open_tab(qtbot, ctx)
    type_walk_in(qtbot, type_text, tab)
    assert tab.form.status.text().endswith("A supervisor may save it anyway.")
    assert bookings(store) == ["CJ12XYZ"]
    assert tab.form.override_button.isEnabled()

    qtbot.mouseClick(tab.form.override_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.qr.number.text() != "", timeout=5000)
    number = tab.qr.number.text()
    assert bookings(store) == ["B123ABC", "CJ12XYZ"]
    assert tab.form.status.text().startswith(f"Booking {number} saved.")
    assert not tab.form.override_button.isVisible()
    [entry] = [e for e in store.audit_log() if e.action == "capacity_override"]
    assert entry.operator == Person("maria", "Maria Pop", Role.SUPERVISOR).label()
    assert entry.details["bookingNumber"] == number
    assert (entry.details["booked"], entry.details["capacity"]) == (1, 1)


def test_a_walk_in_that_fits_is_saved_at_once(qtbot, type_text, ctx, store, full_lot):
    ctx.settings.desk.capacity = 2
    tab = open_tab(qtbot, ctx)
    for widget, text in (
        (tab.form.name, "Ion Popa"),
        (tab.form.email, "ion@example.com"),
        (tab.form.phone, "0722 123 456"),
        (tab.form.plate, "B123ABC"),
    ):
        widget.setFocus()
        type_text(widget, text)
    qtbot.keyClick(tab.form.plate, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.qr.number.text() != "", timeout=5000)
    assert bookings(store) == ["B123ABC", "CJ12XYZ"]
    assert not tab.form.override_button.isVisible()
