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

from parking_desk.services import qr_image
from parking_desk.ui.local_time import show

PAPER_WIDTH_MM = 80.0
PAPER_HEIGHT_MM = 150.0
MARGIN_MM = 4.0
QR_SIDE_MM = 60.0
THERMAL_DPI = 203  # the common 8 dots/mm print head


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
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(QCoreApplication.translate("Ticket", "The printer could not be opened."))
    try:
        page = printer.pageLayout().paintRectPixels(printer.resolution())
        draw(painter, ticket, float(page.width()), printer.resolution())
    finally:
        painter.end()


def render_image(ticket: Ticket, dpi: int = THERMAL_DPI) -> QImage:
    """The ticket as a thermal printer prints it, dot for dot (for previews and checks)."""
    width = round((PAPER_WIDTH_MM - 2 * MARGIN_MM) / 25.4 * dpi)
    height = round((PAPER_HEIGHT_MM - 2 * MARGIN_MM) / 25.4 * dpi)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    try:
        draw(painter, ticket, float(width), dpi)
    finally:
        painter.end()
    return image


def qr_modules(payload: str) -> list[list[bool]]:
    """The code's modules, quiet zone included, at error correction Q. A ticket is printed
    once, so the encoder scores all eight masks for the most even pattern on paper."""
    return qr_image.rows(qr_image.symbol(payload, "Q", mask=None), border=4)


def draw(painter: QPainter, ticket: Ticket, width: float, dpi: int) -> None:
    mm = dpi / 25.4
    y = 0.0

    def line(text: str, points: float, bold: bool = False, gap_mm: float = 1.5) -> None:
        nonlocal y
        font = QFont("DejaVu Sans", 1)
        font.setPointSizeF(points)
        font.setBold(bold)
        painter.setFont(font)
        rect = QRectF(0, y, width, 1000 * mm)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        used = painter.boundingRect(rect, flags, text)
        painter.drawText(rect, flags, text)
        y += used.height() + gap_mm * mm

    def qr(payload: str) -> None:
        # Whole device dots per module, drawn as squares: sharp edges on any printer.
        nonlocal y
        modules = qr_modules(payload)
        count = len(modules)
        dot = max(1, int(min(width, QR_SIDE_MM * mm) // count))
        left = int((width - dot * count) / 2)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.GlobalColor.black)
        for row, cells in enumerate(modules):
            for column, dark in enumerate(cells):
                if dark:
                    painter.drawRect(left + column * dot, int(y) + row * dot, dot, dot)
        painter.restore()
        y += dot * count + 1 * mm

    line(ticket.site_name, 13, bold=True, gap_mm=3)
    qr(ticket.payload)
    line(ticket.booking_number, 20, bold=True)
    line(ticket.plate, 16, bold=True, gap_mm=3)
    line(
        QCoreApplication.translate("Ticket", "Arrival: {when}").format(when=show(ticket.arrival)),
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
