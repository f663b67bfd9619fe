"""Amend a booking's dates, plate or e-mail, checked by the same rules as a new booking."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking import Booking
from parking_desk.errors import ValidationError
from parking_desk.ui.context import AppContext
from parking_desk.ui.field_text import field_text
from parking_desk.ui.local_time import DISPLAY_FORMAT, qt_zone, to_qdatetime, to_utc
from parking_desk.ui.named import named
from parking_desk.validation import MAX_EMAIL, validate_booking


class AmendDialog(QDialog):
    def __init__(self, ctx: AppContext, booking: Booking, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.original = booking
        self._changes: dict[str, Any] = {}
        self.email = named(QLineEdit(booking.client_email, maxLength=MAX_EMAIL), "amendEmail")
        self.plate = named(QLineEdit(booking.plate, maxLength=18), "amendPlate")
        self.plate.textEdited.connect(lambda text: self._upper(text))
        self.arrival = QDateTimeEdit(calendarPopup=True)
        self.departure = QDateTimeEdit(calendarPopup=True)
        for edit, value in ((self.arrival, booking.arrival), (self.departure, booking.departure)):
            edit.setDisplayFormat(DISPLAY_FORMAT)
            edit.setTimeZone(qt_zone())  # the site's clock, not this machine's
            edit.setDateTime(to_qdatetime(value))
        self.errors = named(QLabel(wordWrap=True), "amendErrors")
        self.errors.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.addRow(self.tr("E-mail"), self.email)
        self.form.addRow(self.tr("Plate"), self.plate)
        self.form.addRow(self.tr("Arrival"), self.arrival)
        self.form.addRow(self.tr("Departure"), self.departure)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)
        self.setWindowTitle(self.tr("Amend booking {number}").format(number=booking.booking_number))

    def _upper(self, text: str) -> None:
        cursor = self.plate.cursorPosition()
        self.plate.setText(text.upper())
        self.plate.setCursorPosition(cursor)

    def proposed(self) -> dict[str, Any]:
        return {
            "client_email": self.email.text(),
            "plate": self.plate.text(),
            "arrival": to_utc(self.arrival.dateTime()),
            "departure": to_utc(self.departure.dateTime()),
        }

    def accept(self) -> None:
        """Close only when the amended booking passes validation; show every problem."""
        proposed = self.proposed()
        try:
            clean = validate_booking(self.original.with_changes(**proposed)).booking
        except ValidationError as exc:
            names = {
                "clientEmail": self.tr("E-mail"),
                "plate": self.tr("Plate"),
                "arrival": self.tr("Arrival"),
                "departure": self.tr("Departure"),
            }
            self.errors.setText(
                "\n".join(
                    f"{names.get(e.field, e.field)}: {field_text(e, self.ctx.language)}"
                    for e in exc.errors
                )
            )
            return
        self._changes = {
            key: getattr(clean, key)
            for key in proposed
            if getattr(clean, key) != getattr(self.original, key)
        }
        super().accept()

    def changes(self) -> dict[str, Any]:
        return dict(self._changes)
