"""The printed ticket painted with Qt: a system printer, the PDF, and a dot-for-dot preview.

What it says and its layout come from ``services.ticket_layout``, shared with the ESC/POS
receipt printer; this module only turns those blocks into QPainter calls.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from parking_desk.errors import PrinterError
from parking_desk.services.ticket_layout import (
    MARGIN_MM,
    PAPER_HEIGHT_MM,
    PAPER_WIDTH_MM,
    THERMAL_DPI,
    QrBlock,
    TextBlock,
    Ticket,
    blocks,
    qr_modules,
)
from parking_desk.ui.local_time import show

__all__ = ["Ticket", "paint", "qr_modules", "receipt_printer", "render_image", "save_pdf"]


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


def save_pdf(ticket: Ticket, path: str, lang: str = "en") -> None:
    printer = receipt_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    paint(ticket, printer, lang)


def paint(ticket: Ticket, printer: QPrinter, lang: str = "en") -> None:
    """Lay the ticket out top to bottom in the printable width of *printer*. QPainter may
    paint on a QPrinter off the GUI thread, so the bridge runs this for a direct print."""
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterError(code="error.printer_not_open", printer=printer.printerName())
    try:
        page = printer.pageLayout().paintRectPixels(printer.resolution())
        draw(painter, ticket, float(page.width()), printer.resolution(), lang)
    finally:
        painter.end()


def render_image(ticket: Ticket, dpi: int = THERMAL_DPI, lang: str = "en") -> QImage:
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
        draw(painter, ticket, float(width), dpi, lang)
    finally:
        painter.end()
    return image


def draw(painter: QPainter, ticket: Ticket, width: float, dpi: int, lang: str = "en") -> None:
    mm = dpi / 25.4
    y = 0.0

    def text(block: TextBlock) -> None:
        nonlocal y
        font = QFont("DejaVu Sans", 1)
        font.setPointSizeF(block.points)
        font.setBold(block.bold)
        painter.setFont(font)
        rect = QRectF(0, y, width, 1000 * mm)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        used = painter.boundingRect(rect, flags, block.text)
        painter.drawText(rect, flags, block.text)
        y += used.height() + block.gap_mm * mm

    def qr(block: QrBlock) -> None:
        # Whole device dots per module, drawn as squares: sharp edges on any printer.
        nonlocal y
        modules = qr_modules(block.payload)
        count = len(modules)
        dot = max(1, int(min(width, block.side_mm * mm) // count))
        left = int((width - dot * count) / 2)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.GlobalColor.black)
        for row, cells in enumerate(modules):
            for column, dark in enumerate(cells):
                if dark:
                    painter.drawRect(left + column * dot, int(y) + row * dot, dot, dot)
        painter.restore()
        y += dot * count + block.gap_mm * mm

    for block in blocks(ticket, lang, show):
        if isinstance(block, QrBlock):
            qr(block)
        else:
            text(block)
