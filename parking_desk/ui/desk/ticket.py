"""The printed ticket: an 80 mm thermal receipt, or the same layout saved as a PDF.

Printed codes get error correction Q: thermal paper smudges and fades, and a gate scanner
must still read it at the end of a two-week stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from parking_desk.services.qr import render_png
from parking_desk.ui.local_time import show

PAPER_WIDTH_MM = 80.0
PAPER_HEIGHT_MM = 150.0
MARGIN_MM = 4.0


@dataclass(frozen=True)
class Ticket:
    site_name: str
    booking_number: str
    plate: str
    arrival: datetime
    departure: datetime
    payload: str


def receipt_printer(printer: QPrinter | None = None) -> QPrinter:
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    size = QPageSize(QSizeF(PAPER_WIDTH_MM, PAPER_HEIGHT_MM), QPageSize.Unit.Millimeter, "80mm")
    layout = QPageLayout(
        size,
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )
    printer.setPageLayout(layout)
    return printer


def save_pdf(ticket: Ticket, path: str) -> None:
    printer = receipt_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    paint(ticket, printer)


def paint(ticket: Ticket, printer: QPrinter) -> None:
    """Lay the ticket out top to bottom in the printable width of *printer*."""
    qr = QImage.fromData(render_png(ticket.payload, error_correction="Q", box_size=8))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(QCoreApplication.translate("Ticket", "The printer could not be opened."))
    try:
        page = printer.pageLayout().paintRectPixels(printer.resolution())
        width = float(page.width())
        mm = printer.resolution() / 25.4
        y = 0.0

        def line(text: str, points: float, bold: bool = False, gap_mm: float = 1.5) -> None:
            nonlocal y
            font = QFont("DejaVu Sans", 1)
            font.setPointSizeF(points)
            font.setBold(bold)
            painter.setFont(font)
            rect = QRectF(0, y, width, 1000 * mm)
            used = painter.boundingRect(
                rect, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, text
            )
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, text)
            y += used.height() + gap_mm * mm

        line(ticket.site_name, 13, bold=True, gap_mm=3)
        side = min(width, 60 * mm)
        painter.drawImage(QRectF((width - side) / 2, y, side, side), qr)
        y += side + 2 * mm
        line(ticket.booking_number, 20, bold=True)
        line(ticket.plate, 16, bold=True, gap_mm=3)
        line(
            QCoreApplication.translate("Ticket", "Arrival: {when}").format(
                when=show(ticket.arrival)
            ),
            9,
        )
        line(
            QCoreApplication.translate("Ticket", "Departure: {when}").format(
                when=show(ticket.departure)
            ),
            9,
            gap_mm=3,
        )
        line(
            QCoreApplication.translate(
                "Ticket", "Show this ticket at the gate. Keep it until you leave."
            ),
            8,
        )
    finally:
        painter.end()
