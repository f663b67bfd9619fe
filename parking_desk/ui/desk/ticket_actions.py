"""A ticket for any booking on screen: show it full screen, print it, save it as PDF or PNG.

``TicketActions`` belongs to a screen that shows one booking at a time (its details, the row
picked in the search results). It issues the ticket in the background the first time it is
needed, signed by this desk for the booking's plate and dates as the store has them now
(``key_ring.reissue_ticket``, audited), and keeps it while they stay the same: a booking
amended since gets a new ticket, so the old plate's ticket is never handed out again.

The keys are window-wide while their screen is on show: Ctrl+T shows the ticket, Ctrl+P
prints it. ``print_ticket`` is the one way to print, shared with the new booking's panel:
an ESC/POS receipt printer or the configured system printer straight, off the GUI thread;
Qt's print dialog only when the settings ask for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QFileDialog, QWidget

from parking_desk.booking import Booking
from parking_desk.errors import ParkingDeskError, PrinterError
from parking_desk.services import receipt_printer
from parking_desk.services.desk_actions import IssuedTicket, issue_ticket, ticket_key
from parking_desk.services.store.base import Store
from parking_desk.services.ticket_layout import Ticket
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk import ticket as qt_ticket
from parking_desk.ui.desk.qr_fullscreen import QrFullscreen
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.ops import Changes, Op

SHOW_KEY = "Ctrl+T"
PRINT_KEY = "Ctrl+P"

Report = Callable[[str, bool], None]  # (text, failed)
Issued = tuple[tuple[str, str, object, object], IssuedTicket]  # signed for, and the ticket


def print_ticket(ctx: AppContext, ticket: Ticket, parent: QWidget, report: Report) -> None:
    """Print *ticket* the way the settings say, reporting the outcome through *report*."""
    printer_settings = ctx.settings.printer
    lang = ctx.language
    if printer_settings.kind in receipt_printer.ESCPOS_KINDS:
        where = receipt_printer.where(printer_settings)

        def escpos() -> None:
            receipt_printer.print_ticket(printer_settings, ticket, lang=lang, when=show)

        _print_in_background(ctx, escpos, where, ticket, parent, report)
        return
    printer = qt_ticket.receipt_printer()
    if ctx.settings.desk.printer:
        printer.setPrinterName(ctx.settings.desk.printer)
    if printer_settings.kind != "system":
        dialog = QPrintDialog(printer, parent)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return

    def qt() -> None:
        qt_ticket.paint(ticket, printer, lang)

    _print_in_background(ctx, qt, printer.printerName(), ticket, parent, report)


def _print_in_background(
    ctx: AppContext,
    job: Callable[[], None],
    where: str,
    ticket: Ticket,
    parent: QWidget,
    report: Report,
) -> None:
    lang, number = ctx.language, ticket.booking_number

    def run() -> None:
        try:
            job()
        except ParkingDeskError:
            raise
        except Exception as exc:  # a driver's own error: still said as a printing failure
            raise PrinterError(printer=where, reason=str(exc) or type(exc).__name__) from exc

    def failed(error: BaseException) -> None:
        report(error_text(error, lang), True)

    def printed(_result: object) -> None:
        report(
            QCoreApplication.translate(
                "TicketActions", "Ticket {number} sent to the printer {printer}."
            ).format(number=number, printer=where),
            False,
        )

    printing = QCoreApplication.translate("TicketActions", "Printing ticket {number}…")
    report(printing.format(number=number), False)
    Op.without_store(ctx, parent, run).success(printed).failure(failed).run()


class TicketActions(QObject):
    """Show, print, PDF and PNG for the booking *current()* names, as actions of *host*."""

    reported = Signal(str, bool)  # text, failed

    def __init__(
        self, ctx: AppContext, host: QWidget, current: Callable[[], Booking | None]
    ) -> None:
        super().__init__(host)
        self.ctx = ctx
        self.host = host
        self.current = current
        self.issued: IssuedTicket | None = None
        self._issued_for: tuple[str, str, object, object] | None = None
        # What waits for a ticket being issued, by booking (a show and a print asked at once).
        self._then: dict[str, list[Callable[[IssuedTicket], None]]] = {}
        self.fullscreen: QrFullscreen | None = None
        self.show_action = self._action("showTicket", SHOW_KEY, self.show_ticket)
        self.print_action = self._action("printTicket", PRINT_KEY, self.print_ticket)
        self.pdf_action = self._action("ticketPdf", "", self.ask_pdf)
        self.png_action = self._action("ticketPng", "", self.ask_png)
        self.retranslate_ui()

    def _action(self, name: str, key: str, slot: Callable[[], None]) -> QAction:
        action = QAction(self.host)
        action.setObjectName(name)
        if key:
            action.setShortcut(QKeySequence(key))
            # Window-wide, yet only while the host is on show: the new booking's panel and
            # the bookings' details both answer Ctrl+P, never at the same time.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.host.addAction(action)
        return action

    def actions(self) -> list[QAction]:
        return [self.show_action, self.print_action, self.pdf_action, self.png_action]

    def retranslate_ui(self) -> None:
        self.show_action.setText(self.tr("Show ticket"))
        self.print_action.setText(self.tr("Print ticket"))
        self.pdf_action.setText(self.tr("Save ticket as PDF…"))
        self.png_action.setText(self.tr("Save QR as PNG…"))

    def enable(self, booking: Booking | None) -> None:
        for action in self.actions():
            action.setEnabled(booking is not None)

    # --- the ticket ------------------------------------------------------------------------
    def with_ticket(self, then: Callable[[IssuedTicket], None]) -> None:
        """Call *then* with the current booking's ticket, issuing it first when needed."""
        booking = self.current()
        if booking is None:
            return
        key = ticket_key(booking)
        if self.issued is not None and self._issued_for == key:
            then(self.issued)
            return
        signer = self.ctx.signer
        if signer is None:
            self._report(error_text(PrinterError(code="error.no_signing_key"), self.ctx.language))
            return
        ring, session = self.ctx.trusted_keys(), self.ctx.session
        validity = timedelta(hours=self.ctx.settings.qr.validity_hours_after_departure)
        number, site = booking.booking_number or "", self.ctx.site_name()

        def issue(store: Store) -> tuple[str, Issued]:
            return number, issue_ticket(
                store, signer, ring, session, number, validity=validity, site=site
            )

        waiting = self._then.setdefault(number, [])
        waiting.append(then)
        if len(waiting) > 1:
            return  # already on its way: it serves every action waiting for it
        self.reported.emit(self.tr("Issuing the ticket of {number}…").format(number=number), False)
        # The reissue is audited: the audit log hears of it.
        Op(self.ctx, self, issue, changes=Changes(audit=True)).success(self._issued).failure(
            self._failed
        ).run()

    def _issued(self, result: tuple[str, Issued]) -> None:
        number, (self._issued_for, self.issued) = result
        self.reported.emit("", False)
        for then in self._then.pop(number, []):
            then(self.issued)

    def _failed(self, error: BaseException) -> None:
        self._then.clear()
        self._report(error_text(error, self.ctx.language))

    def _report(self, text: str, failed: bool = True) -> None:
        self.reported.emit(text, failed)

    # --- what staff do with it ---------------------------------------------------------
    def show_ticket(self) -> None:
        self.with_ticket(self._show)

    def _show(self, issued: IssuedTicket) -> None:
        if self.fullscreen is not None:
            self.fullscreen.close()
        ticket = issued.ticket
        self.fullscreen = QrFullscreen(issued.png, ticket.booking_number, ticket.plate)
        self.fullscreen.destroyed.connect(self._fullscreen_closed)
        self.fullscreen.open()

    def _fullscreen_closed(self) -> None:
        self.fullscreen = None

    def print_ticket(self) -> None:
        self.with_ticket(
            lambda issued: print_ticket(self.ctx, issued.ticket, self.host, self._report)
        )

    def save_pdf(self, path: str) -> None:
        lang = self.ctx.language

        def write(issued: IssuedTicket) -> None:
            qt_ticket.save_pdf(issued.ticket, path, lang)
            self._report(self.tr("Saved {path}").format(path=path), False)

        self.with_ticket(write)

    def save_png(self, path: str) -> None:
        def write(issued: IssuedTicket) -> None:
            with open(path, "wb") as fh:
                fh.write(issued.png)
            self._report(self.tr("Saved {path}").format(path=path), False)

        self.with_ticket(write)

    def ask_pdf(self) -> None:
        booking = self.current()
        if booking is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.host,
            self.tr("Save ticket as PDF"),
            f"{booking.booking_number}.pdf",
            "PDF (*.pdf)",
        )
        if path:
            self.save_pdf(path)

    def ask_png(self) -> None:
        booking = self.current()
        if booking is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.host,
            self.tr("Save QR as PNG"),
            f"{booking.booking_number}.png",
            "PNG (*.png)",
        )
        if path:
            self.save_png(path)
