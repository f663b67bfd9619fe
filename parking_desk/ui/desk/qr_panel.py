"""The booking just issued: a large QR with its number and plate, and what to do with it.

Its buttons are the booking's ``TicketActions`` (Ctrl+T shows, Ctrl+P prints), seeded with
the ticket the form signed; amended elsewhere since, the booking gets a new one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking import Booking, EmailStatus
from parking_desk.services.desk_actions import IssuedTicket, ticket_key
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk import ticket
from parking_desk.ui.desk.qr_fullscreen import QrFullscreen
from parking_desk.ui.desk.ticket_actions import TicketActions
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named

QR_SIDE = 280


class QrPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.booking: Booking | None = None
        self.payload = ""
        self.png = b""
        self.tickets = TicketActions(ctx, self, lambda: self.booking)
        self.tickets.reported.connect(self._ticket_said)

        self.title = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrTitle")
        self.image = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrImage")
        self.image.setMinimumSize(QR_SIDE, QR_SIDE)
        self.number = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrNumber")
        self.plate = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrPlate")
        self.email = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "emailStatus")
        self.ticket_message = named(QLabel(wordWrap=True), "ticketMessage")
        for label, size in ((self.number, 26), (self.plate, 18)):
            font = QFont()
            font.setPointSize(size)
            font.setBold(True)
            label.setFont(font)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = named(QPushButton(), "showToClient")
        self.print_button = named(QPushButton(), "printTicket")
        self.pdf_button = named(QPushButton(), "savePdf")
        self.png_button = named(QPushButton(), "savePng")
        self.show_button.clicked.connect(self.show_to_client)
        self.print_button.clicked.connect(self.print_ticket)
        self.pdf_button.clicked.connect(self.tickets.ask_pdf)
        self.png_button.clicked.connect(self.tickets.ask_png)

        buttons = QGridLayout()
        buttons.addWidget(self.show_button, 0, 0)
        buttons.addWidget(self.print_button, 0, 1)
        buttons.addWidget(self.pdf_button, 1, 0)
        buttons.addWidget(self.png_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.image)
        layout.addWidget(self.number)
        layout.addWidget(self.plate)
        layout.addWidget(self.email)
        layout.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.ticket_message)
        self.retranslate_ui()
        self._enable()

    def retranslate_ui(self) -> None:
        self.tickets.retranslate_ui()
        self.show_button.setText(self.tr("Show to client"))
        self.show_button.setToolTip(self.tickets.show_action.shortcut().toString())
        self.print_button.setText(self.tr("Print ticket"))
        self.print_button.setToolTip(self.tickets.print_action.shortcut().toString())
        self.pdf_button.setText(self.tr("Save as PDF"))
        self.png_button.setText(self.tr("Save QR as PNG"))
        if self.booking is None:
            self.title.setText(self.tr("The QR of the next booking appears here."))
        else:
            self.title.setText(self.tr("Ticket"))
        self._show_email()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _enable(self) -> None:
        ready = bool(self.payload)
        for button in (self.show_button, self.print_button, self.pdf_button, self.png_button):
            button.setEnabled(ready)
        self.tickets.enable(self.booking if ready else None)

    def set_ticket(self, booking: Booking, payload: str, png: bytes) -> None:
        self.booking, self.payload, self.png = booking, payload, png
        self.tickets.issued = IssuedTicket(self.ticket(), png)
        self.tickets._issued_for = ticket_key(booking)
        self.ticket_message.clear()
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.image.setPixmap(
            pixmap.scaled(
                QR_SIDE,
                QR_SIDE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        self.number.setText(booking.booking_number or "")
        self.plate.setText(booking.plate)
        self.retranslate_ui()
        self._enable()

    def clear_ticket(self) -> None:
        """Back to waiting for the next booking: no code, number or plate on screen."""
        self.booking, self.payload, self.png = None, "", b""
        self.image.clear()
        self.number.clear()
        self.plate.clear()
        self.retranslate_ui()
        self._enable()

    def update_booking(self, booking: Booking) -> None:
        """A fresher copy of the shown booking (its e-mail status moved on)."""
        if self.booking is not None and booking.booking_number == self.booking.booking_number:
            stale = ticket_key(booking) != ticket_key(self.booking)
            self.booking = booking
            self._show_email()
            if stale:  # amended since: the code on screen names the old plate or dates
                self.tickets.with_ticket(self._reissued)

    def _reissued(self, issued: IssuedTicket) -> None:
        if self.booking is not None:
            self.set_ticket(self.booking, issued.ticket.payload, issued.png)

    def _ticket_said(self, text: str, failed: bool) -> None:
        self.ticket_message.setStyleSheet("color: #b00020;" if failed else "")
        self.ticket_message.setProperty("failed", failed)
        self.ticket_message.setText(text)

    def _show_email(self) -> None:
        if self.booking is None:
            self.email.clear()
            return
        status = self.booking.email_status
        if status == EmailStatus.SENT:
            text = self.tr("E-mail sent at {when}").format(when=show(self.booking.email_sent_at))
            colour = "#1b5e20"
        elif status == EmailStatus.FAILED:
            text = self.tr("E-mail failed; a supervisor can see why in the queue")
            colour = "#b00020"
        else:
            text = self.tr("E-mail waiting to be sent…")
            colour = "#8a5a00"
        self.email.setText(text)
        self.email.setStyleSheet(f"color: {colour};")
        self.email.setProperty("status", str(status))

    def ticket(self) -> ticket.Ticket:
        assert self.booking is not None
        return ticket.Ticket(
            site_name=self.ctx.site_name(),
            booking_number=self.booking.booking_number or "",
            plate=self.booking.plate,
            arrival=self.booking.arrival,
            departure=self.booking.departure,
            payload=self.payload,
        )

    @property
    def fullscreen(self) -> QrFullscreen | None:
        return self.tickets.fullscreen

    def show_to_client(self) -> None:
        if self.payload:
            self.tickets.show_ticket()

    def print_ticket(self) -> None:
        if self.payload:
            self.tickets.print_ticket()

    def save_pdf(self, path: str) -> None:
        ticket.save_pdf(self.ticket(), path, self.ctx.language)

    def save_png(self, path: str) -> None:
        with open(path, "wb") as fh:
            fh.write(self.png)
