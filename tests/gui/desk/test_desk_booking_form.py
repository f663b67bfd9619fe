"""Walk-in bookings typed with the keyboard alone, and what the form refuses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from zxingcpp import read_barcodes

from parking_desk.services.qr import verify
from parking_desk.services.store.base import BookingQuery
from parking_desk.ui.desk.new_booking_tab import NewBookingTab


def image_to_text(png: bytes) -> str:
    from io import BytesIO

    from PIL import Image

    found = read_barcodes(Image.open(BytesIO(png)))
    return found[0].text if found else ""


def type_fields(qtbot: QtBot, type_text, tab: NewBookingTab, values: list[str]) -> None:
    """Type into the fields in tab order, starting from the name field, pressing Tab between."""
    tab.form.name.setFocus()
    for i, text in enumerate(values):
        widget = tab.window().focusWidget() or tab.form.name
        if text:
            type_text(widget, text)
        if i < len(values) - 1:
            qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_a_walk_in_booking_typed_with_the_keyboard_shows_its_number_and_qr(
    qtbot, type_text, ctx, store
):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    type_fields(
        qtbot,
        type_text,
        tab,
        ["Ioana Ștefănescu", "ioana@example.com", "0722 123 456", "b 123 abc"],
    )
    assert tab.form.plate.text() == "B 123 ABC"  # upper-cased while typing
    qtbot.keyClick(tab.window().focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.qr.number.text() != "", timeout=5000)

    number = tab.qr.number.text()
    saved = store.get_booking(number)
    assert saved is not None
    assert saved.client_name == "Ioana Ștefănescu"
    assert saved.plate == "B123ABC"
    assert saved.phone == "+40722123456"
    assert (saved.departure - saved.arrival).days == 7  # the default stay
    assert tab.qr.plate.text() == "B123ABC"
    # The QR on screen is a real, signed ticket for this booking.
    assert tab.qr.image.pixmap() is not None and not tab.qr.image.pixmap().isNull()
    check = verify(image_to_text(tab.qr.png), ctx.public_keys)
    assert check.ok and check.booking_number == number and check.plate == "B123ABC"
    # The form is empty again for the next client, focus back on the name.
    assert tab.form.name.text() == "" and tab.focusWidget() is tab.form.name


def test_tab_walks_every_field_in_order(qtbot, ctx):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.form.name.setFocus()
    order = []
    for _ in range(len(tab.form.editors()) + 1):
        widget = tab.window().focusWidget()
        order.append(widget.objectName() or widget.parent().objectName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert order == [*tab.form.editors(), "save"]


def test_escape_clears_what_was_typed(qtbot, type_text, ctx):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    type_fields(qtbot, type_text, tab, ["Maria", "maria@example.com"])
    qtbot.keyClick(tab.form.email, Qt.Key.Key_Escape)
    assert tab.form.name.text() == "" and tab.form.email.text() == ""


def test_each_invalid_field_shows_its_error_and_nothing_is_saved(qtbot, ctx, store):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    form = tab.form
    form.email.setText("not-an-address")
    form.phone.setText("12")
    form.plate.setText("B-12#")
    form.departure.setDateTime(form.arrival.dateTime().addSecs(-3600))
    qtbot.keyClick(form.name, Qt.Key.Key_Return)

    shown = {name: label for name, label in form.messages.items() if label.isVisible()}
    assert set(shown) == {"clientName", "clientEmail", "phone", "plate", "departure"}
    assert shown["clientName"].text() == "This field is required."
    assert shown["clientEmail"].text().startswith("The e-mail address is not valid")
    assert shown["phone"].text() == "The phone number is not valid."
    assert shown["plate"].text() == "The plate may contain only letters and digits."
    assert shown["departure"].text() == "Departure must be after arrival."
    assert form.focusWidget() is form.name  # the first problem gets the cursor
    assert not form.is_saving()  # refused before any operation started
    assert store.search_bookings(BookingQuery(text="")) == []
    assert form.email.text() == "not-an-address"  # nothing typed is lost


def test_a_foreign_plate_warns_but_saves(qtbot, ctx, store):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    form = tab.form
    form.name.setText("Hans Müller")
    form.email.setText("hans@example.com")
    form.phone.setText("+49 151 23456789")
    form.plate.setText("M AB 1234")
    form.save()
    # Saved (the form is empty for the next client): what to check with the client stays
    # in the status line.
    number = tab.qr.number.text()
    assert number and store.get_booking(number).plate == "MAB1234"
    assert form.status.property("warned") is True
    assert "Check with the client" in form.status.text()
    assert form.name.text() == ""


def test_errors_follow_the_ui_language(qtbot, ctx):
    ctx.language = "ro"
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.form.save()
    assert tab.form.messages["clientName"].text() == "Câmp obligatoriu."
    tab.form.email.setText("ion@")
    tab.form.save()
    assert tab.form.messages["clientEmail"].text() == "Adresa de e-mail nu este validă."


VALID = {
    "clientName": "Ion Popa",
    "clientEmail": "ion@example.com",
    "phone": "0722 123 456",
    "plate": "B123ABC",
    "notes": "",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("clientName", "", "This field is required."),
        ("clientName", "Ion\x07Popa", "Contains characters that are not allowed."),
        ("clientEmail", "ion@", "The e-mail address is not valid"),
        ("phone", "0722", "The phone number is not valid."),
        ("phone", "", "This field is required."),
        ("plate", "", "This field is required."),
        ("plate", "B123ĂBC", "The plate may contain only letters and digits."),
        ("notes", "line\x00two", "Contains characters that are not allowed."),
        ("departure", "", "Departure must be after arrival."),
    ],
)
def test_one_invalid_field_is_marked_alone_and_nothing_is_saved(
    qtbot, ctx, store, field, value, message
):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    form = tab.form
    for name, text in VALID.items():
        form.editors()[name].setText(value if name == field else text)
    if field == "departure":
        form.departure.setDateTime(form.arrival.dateTime())
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    shown = {name: label.text() for name, label in form.messages.items() if label.isVisibleTo(form)}
    assert list(shown) == [field]
    assert shown[field].startswith(message)
    assert not form.is_saving()
    assert store.search_bookings(BookingQuery()) == []


@pytest.mark.parametrize("where", ["passengers", "arrival", "language"])
def test_enter_saves_and_esc_clears_from_any_kind_of_field(qtbot, ctx, store, where):
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    form = tab.form
    for name, text in VALID.items():
        form.editors()[name].setText(text)
    widget = form.editors()[where]
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert tab.qr.number.text() != ""
    assert store.get_booking(tab.qr.number.text()).client_name == "Ion Popa"
    form.name.setText("Someone")
    qtbot.keyClick(widget, Qt.Key.Key_Escape)
    assert form.name.text() == ""


def test_dates_typed_with_dots_and_colons_stay_in_their_field(qtbot, type_text, ctx):
    """`02.03.2031 06:30` as people write it: the dot moves to the month, not to the next
    field, and Tab alone leaves for Departure."""
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.activateWindow()  # Tab selects a section only in the active window, as at the desk
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab)
    type_fields(
        qtbot,
        type_text,
        tab,
        ["Ion Popa", "ion@example.com", "0722 123 456", "B123ABC", "02.03.2031 06:30"],
    )
    form = tab.form
    assert tab.window().focusWidget() is form.arrival
    qtbot.keyClick(form.arrival, Qt.Key.Key_Tab)
    assert tab.window().focusWidget() is form.departure
    type_text(form.departure, "9.4.2031 8:05")  # short forms too
    qtbot.keyClick(form.departure, Qt.Key.Key_Tab)
    assert tab.window().focusWidget() is form.passengers
    assert form.arrival.dateTime().toString("dd.MM.yyyy HH:mm") == "02.03.2031 06:30"
    assert form.departure.dateTime().toString("dd.MM.yyyy HH:mm") == "09.04.2031 08:05"
    assert form.passengers.value() == 1 and form.notes.text() == ""
