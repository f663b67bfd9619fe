"""Finding bookings, acting on one, and exporting what is on screen."""

from __future__ import annotations

from datetime import timedelta

from parking_desk.booking import BookingStatus
from parking_desk.services.desk_actions import Scope
from parking_desk.task import TaskState
from parking_desk.ui import local_time
from parking_desk.ui.desk.bookings_model import BookingsModel, Column
from parking_desk.ui.desk.bookings_tab import BookingsTab


def open_tab(qtbot, ctx) -> BookingsTab:
    tab = BookingsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def shown_numbers(tab: BookingsTab) -> set[str]:
    return {b.booking_number for b in tab.model.bookings()}


def test_search_as_you_type_by_plate_name_and_number(qtbot, type_text, ctx, new_booking):
    ana = new_booking(client_name="Ana Țurcanu", plate="B123ABC")
    ion = new_booking(client_name="Ion Șerban", plate="CJ45XYZ")
    tab = open_tab(qtbot, ctx)

    type_text(tab.search, "cj 45")
    qtbot.waitUntil(lambda: shown_numbers(tab) == {ion.booking_number}, timeout=5000)
    tab.search.clear()
    type_text(tab.search, "ana ț")
    qtbot.waitUntil(lambda: shown_numbers(tab) == {ana.booking_number}, timeout=5000)
    tab.search.clear()
    type_text(tab.search, ion.booking_number)
    qtbot.waitUntil(lambda: shown_numbers(tab) == {ion.booking_number}, timeout=5000)
    assert tab.count.text() == "1 booking(s)"


def test_todays_arrivals_and_returns(qtbot, ctx, new_booking):
    # Noon of the site's today: "today" is the site's day, whatever the hour in UTC.
    now = local_time.day_bounds(local_time.today())[0] + timedelta(hours=12)
    arriving = new_booking(arrival=now, departure=now + timedelta(days=4))
    returning = new_booking(arrival=now - timedelta(days=4), departure=now + timedelta(hours=1))
    new_booking(arrival=now + timedelta(days=2), departure=now + timedelta(days=5))
    tab = open_tab(qtbot, ctx)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.ARRIVALS))
    qtbot.waitUntil(lambda: shown_numbers(tab) == {arriving.booking_number}, timeout=5000)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.RETURNS))
    qtbot.waitUntil(lambda: shown_numbers(tab) == {returning.booking_number}, timeout=5000)


def test_details_check_in_then_out_and_the_table_follows(qtbot, ctx, store, new_booking):
    booking = new_booking()
    tab = open_tab(qtbot, ctx)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)
    tab.table.selectRow(0)
    details = tab.details
    assert details.values["name"].text() == "Ștefan Țăranu"
    assert details.values["email_status"].text() == "pending"
    assert not details.check_out_button.isEnabled()
    details.check_in_button.click()
    qtbot.waitUntil(lambda: details.values["status"].text() == "checked in", timeout=5000)
    assert tab.model.index(0, Column.STATUS).data() == "checked in"
    details.check_out_button.click()
    qtbot.waitUntil(lambda: details.values["status"].text() == "checked out", timeout=5000)
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_OUT
    assert details.history.count() >= 2  # both changes recorded, newest first


def test_amend_records_history_and_refreshes_the_waiting_confirmation(
    qtbot, ctx, store, new_booking
):
    booking = new_booking()
    tab = open_tab(qtbot, ctx)
    tab.details.show_booking(booking)
    tab.details.amend({"plate": "B555XYZ", "client_email": "nou@example.com"})
    qtbot.waitUntil(lambda: tab.details.values["plate"].text() == "B555XYZ", timeout=5000)
    saved = store.get_booking(booking.booking_number)
    assert saved.client_email == "nou@example.com"
    assert any(h.get("action") == "amend" for h in saved.history)
    lines = [tab.details.history.item(i).text() for i in range(tab.details.history.count())]
    assert any("Amended" in line and "Plate: CJ12XYZ → B555XYZ" in line for line in lines), lines
    # One e-mail with the new details, not two: the waiting confirmation carries them.
    [task] = [t for t in store.list_tasks() if t.booking_number == booking.booking_number]
    assert task.status == TaskState.PENDING
    assert task.booking_data["plate"] == "B555XYZ" and task.client_email == "nou@example.com"


def test_amend_dialog_refuses_a_bad_address_and_says_which_field(qtbot, ctx, new_booking):
    from parking_desk.ui.desk.amend_dialog import AmendDialog

    dialog = AmendDialog(ctx, new_booking())
    qtbot.addWidget(dialog)
    dialog.email.setText("nobody@")
    dialog.accept()
    assert dialog.errors.text().startswith("E-mail: The e-mail address is not valid")
    assert dialog.result() == 0 and dialog.changes() == {}


def test_resend_and_cancel(qtbot, ctx, store, new_booking):
    booking = new_booking()
    tab = open_tab(qtbot, ctx)
    tab.details.show_booking(booking)
    tab.details.resend()
    qtbot.waitUntil(lambda: "queued again" in tab.details.message.text(), timeout=5000)
    assert len([t for t in store.list_tasks() if t.booking_number == booking.booking_number]) == 2
    tab.details.set_status(BookingStatus.CANCELLED)
    qtbot.waitUntil(lambda: tab.details.values["status"].text() == "cancelled", timeout=5000)
    assert not tab.details.check_in_button.isEnabled()
    # A refused action says why and changes nothing.
    tab.details.set_status(BookingStatus.CHECKED_IN)
    qtbot.waitUntil(lambda: tab.details.message.property("failed") is True, timeout=5000)
    assert tab.details.message.text() == f"Booking {booking.booking_number} is cancelled."


def test_csv_export_has_a_bom_and_romanian_letters(qtbot, ctx, new_booking, tmp_path):
    new_booking(client_name="Ștefan Țăranu", notes="=cmd|' /C calc'!A0")
    tab = open_tab(qtbot, ctx)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)
    path = tmp_path / "bookings.csv"
    assert tab.export_csv(str(path)) == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Ștefan Țăranu" in text and "ş" not in text and "ţ" not in text
    assert "'=cmd" in text  # a formula stays text in Excel


def test_a_model_of_100000_bookings_shows_updates_and_sorts_them(qtbot, new_booking, store):
    """The figures (load, one update, a sort) are bench/booking_search.py's; here, what a
    user sees of a list that large."""
    template = new_booking()
    names = ["Zamfir", "Ionescu", "Popa", "Ardelean"]
    rows = [
        template.with_changes(booking_number=f"{i:06d}", client_name=f"{names[i % 4]} {i:06d}")
        for i in range(100_000)
    ]
    model = BookingsModel()
    model.set_bookings(rows)
    assert model.rowCount() == 100_000
    assert model.index(99_999, Column.NUMBER).data() == "099999"
    # The list read again after a check-in elsewhere: the same rows, one of them changed.
    again = list(rows)
    again[77_777] = rows[77_777].with_changes(status=BookingStatus.CHECKED_IN)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_bookings(again)
    assert model.index(77_777, Column.STATUS).data() == "checked in"
    assert resets == []  # only the changed row repainted, the selection kept
    model.sort(Column.NAME)
    shown = [model.index(r, Column.NAME).data() for r in (0, 24_999, 25_000, 99_999)]
    assert shown == ["Ardelean 000003", "Ardelean 099999", "Ionescu 000001", "Zamfir 099996"]


def test_a_change_elsewhere_repaints_the_row_and_keeps_the_selection(
    qtbot, ctx, store, new_booking
):
    first = new_booking(client_name="Ana Ionescu")
    new_booking(client_name="Ion Ionescu")
    tab = open_tab(qtbot, ctx)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=5000)
    row = tab.model.row_of(first.booking_number)
    tab.table.selectRow(row)
    resets = []
    tab.model.modelReset.connect(lambda: resets.append(1))
    store.set_booking_status(first.booking_number, BookingStatus.CHECKED_IN, operator="gate 2")
    tab.mark_dirty()  # what a worker event does
    qtbot.waitUntil(
        lambda: tab.model.index(row, Column.STATUS).data() == "checked in", timeout=5000
    )
    assert resets == []  # repainted in place, not rebuilt
    assert tab.table.selectionModel().selectedRows()[0].row() == row
    qtbot.waitUntil(lambda: tab.details.values["status"].text() == "checked in", timeout=5000)


def test_a_check_in_at_the_scanner_shows_in_the_open_list_at_once(qtbot, ctx, new_booking):
    """Nobody tells the list: the scan's operation tells the change hub, the list listens."""
    from parking_desk.ui.desk.scan_panel import ScanPanel

    booking = new_booking(client_name="Ana Ionescu")
    tab = open_tab(qtbot, ctx)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.ON_LOT))
    assert shown_numbers(tab) == set()
    panel = ScanPanel(ctx)
    qtbot.addWidget(panel)
    panel.input.setText(booking.booking_number)
    panel.scan()
    assert panel.outcome() == "checked_in"
    assert shown_numbers(tab) == {booking.booking_number}
