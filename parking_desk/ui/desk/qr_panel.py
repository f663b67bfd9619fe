"""The booking just issued: a large QR with its number and plate, and what to do with it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking import Booking, EmailStatus
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk import ticket
from parking_desk.ui.desk.qr_fullscreen import QrFullscreen
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
        self.fullscreen: QrFullscreen | None = None

        self.title = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrTitle")
        self.image = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrImage")
        self.image.setMinimumSize(QR_SIDE, QR_SIDE)
        self.number = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrNumber")
        self.plate = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "qrPlate")
        self.email = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "emailStatus")
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
        self.pdf_button.clicked.connect(self._ask_pdf)
        self.png_button.clicked.connect(self._ask_png)

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
        self.retranslate_ui()
        self._enable()

    def retranslate_ui(self) -> None:
        self.show_button.setText(self.tr("Show to client"))
        self.print_button.setText(self.tr("Print ticket"))
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

    def set_ticket(self, booking: Booking, payload: str, png: bytes) -> None:
        self.booking, self.payload, self.png = booking, payload, png
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
            self.booking = booking
            self._show_email()

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

    def show_to_client(self) -> None:
        if not self.payload or self.booking is None:
            return
        if self.fullscreen is not None:
            self.fullscreen.close()
        self.fullscreen = QrFullscreen(
            self.png, self.booking.booking_number or "", self.booking.plate
        )
        self.fullscreen.destroyed.connect(self._fullscreen_closed)
        self.fullscreen.open()

    def _fullscreen_closed(self) -> None:
        self.fullscreen = None

    def print_ticket(self) -> None:
        if not self.payload:
            return
        printer = ticket.receipt_printer()
        if self.ctx.settings.desk.printer:
            printer.setPrinterName(self.ctx.settings.desk.printer)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            ticket.paint(self.ticket(), printer)

    def save_pdf(self, path: str) -> None:
        ticket.save_pdf(self.ticket(), path)

    def save_png(self, path: str) -> None:
        with open(path, "wb") as fh:
            fh.write(self.png)

    def _ask_pdf(self) -> None:
        if not self.payload:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save ticket as PDF"), f"{self.number.text()}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.save_pdf(path)

    def _ask_png(self) -> None:
        if not self.payload:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save QR as PNG"), f"{self.number.text()}.png", "PNG (*.png)"
        )
        if path:
            self.save_png(path)
