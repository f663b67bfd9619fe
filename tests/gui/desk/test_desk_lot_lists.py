"""The Bookings tab through a shift: search by any part of a name, Enter or Down opens the
result, the arrivals of a chosen day, overstays and no-shows."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, Qt

from parking_desk.booking import BookingStatus
from parking_desk.services.desk_actions import Scope
from parking_desk.site_time import today
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.bookings_tab import BookingsTab


def open_tab(qtbot, ctx) -> BookingsTab:
    tab = BookingsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def shown(tab: BookingsTab) -> set[str]:
    return {b.client_name for b in tab.model.bookings()}


def test_search_without_diacritics_then_enter_opens_the_one_result(
    qtbot, type_text, ctx, new_booking
):
    new_booking(client_name="Ion Țîrcă", phone="+40722123456")
    new_booking(client_name="Maria Popescu", phone="+40744987654")
    tab = open_tab(qtbot, ctx)

    type_text(tab.search, "tirca")
    qtbot.waitUntil(lambda: shown(tab) == {"Ion Țîrcă"}, timeout=5000)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.details.values["name"].text() == "Ion Țîrcă"
    assert tab.table.hasFocus()

    tab.search.setFocus()
    tab.search.clear()
    type_text(tab.search, "987 654")
    qtbot.waitUntil(lambda: shown(tab) == {"Maria Popescu"}, timeout=5000)
    qtbot.keyClick(tab.search, Qt.Key.Key_Down)
    assert tab.details.values["name"].text() == "Maria Popescu"


def test_enter_with_several_results_opens_none(qtbot, type_text, ctx, new_booking):
    new_booking(client_name="Ion Țîrcă")
    new_booking(client_name="Ion Popescu")
    new_booking(client_name="Maria Popa")  # listed until the typed search has answered
    tab = open_tab(qtbot, ctx)
    type_text(tab.search, "ion")
    qtbot.waitUntil(lambda: shown(tab) == {"Ion Țîrcă", "Ion Popescu"}, timeout=5000)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.details.booking is None and tab.search.hasFocus()


def test_arrivals_of_a_chosen_day_overstays_and_no_shows(qtbot, ctx, store, new_booking):
    now = utcnow().replace(microsecond=0)
    in_three_days = now + timedelta(days=3)
    later = new_booking(
        client_name="Later", arrival=in_three_days, departure=now + timedelta(days=5)
    )
    over = new_booking(client_name="Overstay", arrival=now - timedelta(days=3), departure=now)
    store.set_booking_status(
        over.booking_number, BookingStatus.CHECKED_IN, operator="ana", now=now - timedelta(days=3)
    )
    new_booking(client_name="No Show", arrival=now - timedelta(minutes=5))
    tab = open_tab(qtbot, ctx)

    tab.scope.setCurrentIndex(tab.scope.findData(Scope.ARRIVALS))
    day = today(ctx.settings.desk.time_zone, later.arrival)
    tab.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: shown(tab) == {"Later"}, timeout=5000)

    tab.scope.setCurrentIndex(tab.scope.findData(Scope.OVERSTAYS))
    qtbot.waitUntil(lambda: shown(tab) == {"Overstay"}, timeout=5000)
    assert not tab.day.isEnabled()

    tab.scope.setCurrentIndex(tab.scope.findData(Scope.NO_SHOWS))
    site_today = today(ctx.settings.desk.time_zone)
    tab.day.setDate(QDate(site_today.year, site_today.month, site_today.day))
    if today(ctx.settings.desk.time_zone, now - timedelta(minutes=5)) == site_today:
        qtbot.waitUntil(lambda: shown(tab) == {"No Show"}, timeout=5000)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.ON_LOT))
    qtbot.waitUntil(lambda: shown(tab) == {"Overstay"}, timeout=5000)
