"""The booking details' "Erase this client…": a supervisor's action, refused to staff."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from parking_desk.services.roles import Person, Role
from parking_desk.ui.desk.booking_details import BookingDetails


def details_for(qtbot, ctx, booking) -> BookingDetails:
    details = BookingDetails(ctx)
    qtbot.addWidget(details)
    details.show()
    details.show_booking(booking)
    return details


def test_a_supervisor_erases_the_client_after_confirming(
    qtbot, ctx, store, new_booking, settings, monkeypatch
):
    booking = new_booking()
    other = new_booking(client_name="Ion Pop", client_email="ion@example.com", plate="B1POP")
    outbox = settings.mail.outbox_dir
    outbox.mkdir(parents=True)
    (outbox / "task-x@lot.ro.eml").write_text("To: stefan@example.com\r\n\r\nhi\r\n")
    ctx.session.sign_in(Person("m", "Maria", Role.SUPERVISOR))
    details = details_for(qtbot, ctx, booking)
    asked = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert details.erase_button.isVisible() and details.erase_button.isEnabled()
    details.erase_button.click()

    qtbot.waitUntil(lambda: "erased" in details.message.text(), timeout=5000)
    assert booking.booking_number in asked[0]
    assert details.values["name"].text() == "" and details.values["plate"].text() == ""
    assert details.values["number"].text() == booking.booking_number
    saved = store.get_booking(booking.booking_number)
    assert (saved.client_name, saved.client_email, saved.phone, saved.plate) == ("",) * 4
    assert store.get_booking(other.booking_number).client_name == "Ion Pop"
    assert not list(outbox.iterdir())
    entry = next(e for e in store.audit_log() if e.action == "erase_client")
    assert entry.operator == "Maria (supervisor)"
    assert entry.details["bookings"] == [booking.booking_number]


def test_staff_do_not_see_the_button_and_are_refused_anyway(qtbot, ctx, store, new_booking):
    booking = new_booking()  # the desk's session is staff (Ana)
    details = details_for(qtbot, ctx, booking)
    assert not details.erase_button.isVisible()

    details.erase_client()  # as if the button were reached some other way

    qtbot.waitUntil(lambda: details.message.property("failed") is True, timeout=5000)
    assert details.message.text()
    assert store.get_booking(booking.booking_number).client_name == "Ștefan Țăranu"
    assert not [e for e in store.audit_log() if e.action == "erase_client"]
