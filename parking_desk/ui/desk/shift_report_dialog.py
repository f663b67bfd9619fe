"""The shift report on screen, printed, as PDF and as CSV. The figures are
``services.shift_report``'s; this screen only asks for them off the GUI thread and lays
them out, in the desk's language."""

from __future__ import annotations

import csv
from datetime import datetime
from html import escape

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services import shift_report as sr
from parking_desk.ui import local_time
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Op


class ShiftReportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: sr.ShiftReport | None = None
        now = local_time.now()
        window_s = int(ctx.settings.desk.undo_window_hours * 3600) or 12 * 3600
        self.start = named(QDateTimeEdit(now.addSecs(-window_s)), "shiftFrom")
        self.end = named(QDateTimeEdit(now), "shiftTo")
        for edit in (self.start, self.end):
            edit.setDisplayFormat("dd.MM.yyyy HH:mm")
            edit.setCalendarPopup(True)
        person = ctx.session.person
        self.person = named(QLineEdit(person.name if person else ""), "shiftPerson")
        self.show_button = named(QPushButton(), "shiftShow")
        self.print_button = named(QPushButton(), "shiftPrint")
        self.pdf_button = named(QPushButton(), "shiftPdf")
        self.csv_button = named(QPushButton(), "shiftCsv")
        self.show_button.clicked.connect(self.run)
        self.print_button.clicked.connect(self.ask_print)
        self.pdf_button.clicked.connect(self.ask_pdf)
        self.csv_button.clicked.connect(self.ask_csv)
        self.view = named(QTextBrowser(), "shiftView")
        self.message = named(QLabel(wordWrap=True), "shiftMessage")
        self.labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        fields: tuple[QWidget, ...] = (self.start, self.end, self.person)
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        buttons = QHBoxLayout()
        for button in (self.show_button, self.print_button, self.pdf_button, self.csv_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self.resize(640, 600)
        self.retranslate_ui()
        self._enable()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Shift report"))
        self.labels[0].setText(self.tr("&From"))
        self.labels[1].setText(self.tr("&To"))
        self.labels[2].setText(self.tr("&Person (empty: everyone)"))
        self.show_button.setText(self.tr("&Show"))
        self.print_button.setText(self.tr("P&rint…"))
        self.pdf_button.setText(self.tr("P&DF…"))
        self.csv_button.setText(self.tr("&CSV…"))
        if self.report is not None:
            self.view.setHtml(self.html())

    def _enable(self) -> None:
        for button in (self.print_button, self.pdf_button, self.csv_button):
            button.setEnabled(self.report is not None)

    def kinds(self) -> dict[str, str]:
        return {
            sr.WALK_IN: self.tr("Walk-ins"),
            sr.CHECK_IN: self.tr("Check-ins"),
            sr.CHECK_OUT: self.tr("Check-outs"),
            sr.CANCELLATION: self.tr("Cancellations"),
            sr.AMENDMENT: self.tr("Amendments"),
            sr.UNDO: self.tr("Scans undone"),
            sr.EMAIL_FAILED: self.tr("E-mails failed"),
            sr.QUEUE_ACTION: self.tr("Queue actions"),
        }

    # --- the figures ----------------------------------------------------------------------
    def span(self) -> tuple[datetime, datetime]:
        return local_time.to_utc(self.start.dateTime()), local_time.to_utc(self.end.dateTime())

    def run(self) -> None:
        (start, end), person = self.span(), self.person.text().strip()
        self.message.setText(self.tr("Counting…"))
        Op(
            self.ctx,
            self,
            lambda store: sr.shift_report(store, start, end, person),  # type: ignore[arg-type]
            write=False,
        ).success(self._shown).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self.ctx.language))

    def _shown(self, result: sr.ShiftReport) -> None:
        self.report = result
        self.view.setHtml(self.html())
        self.message.setText("")
        self._enable()

    def title(self) -> str:
        assert self.report is not None
        who = self.report.person or self.tr("everyone")
        return self.tr("Shift report: {who}, {start} – {end}").format(
            who=who, start=show(self.report.start), end=show(self.report.end)
        )

    def html(self) -> str:
        assert self.report is not None
        kinds = self.kinds()
        figures = "".join(
            f"<tr><td>{escape(kinds[k])}</td><td align='right'><b>{n}</b></td></tr>"
            for k, n in self.report.counts.items()
        )
        events = "".join(
            f"<tr><td>{escape(show(e.at))}</td><td>{escape(kinds[e.kind])}</td>"
            f"<td>{escape(e.booking_number)}</td><td>{escape(e.by)}</td>"
            f"<td>{escape(e.detail)}</td></tr>"
            for e in self.report.events
        )
        heads = (self.tr("When"), self.tr("What"), self.tr("Booking"), self.tr("Who"), "")
        head = "".join(f"<th align='left'>{escape(h)}</th>" for h in heads)
        return (
            f"<h2>{escape(self.title())}</h2><p>{escape(self.ctx.site_name())}</p>"
            f"<table cellpadding='3'>{figures}</table><hr>"
            f"<table cellpadding='2'><tr>{head}</tr>{events}</table>"
        )

    # --- out of the screen -----------------------------------------------------------------
    def print_to(self, printer: QPrinter) -> None:
        doc = QTextDocument()
        doc.setHtml(self.html())
        doc.print_(printer)

    def write_pdf(self, path: str) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(path)
        self.print_to(printer)

    def write_csv(self, path: str) -> None:
        """The figures, then one line per event; UTF-8 with a BOM and ';' for Excel."""
        assert self.report is not None
        kinds = self.kinds()
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh, delimiter=";")
            out.writerow([self.title()])
            for kind, n in self.report.counts.items():
                out.writerow([kinds[kind], n])
            out.writerow([])
            out.writerow([self.tr("When"), self.tr("What"), self.tr("Booking"), self.tr("Who")])
            for e in self.report.events:
                out.writerow([show(e.at), kinds[e.kind], e.booking_number, e.by, e.detail])

    def ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as PDF"), "shift.pdf", "*.pdf")
        if path:
            self.write_pdf(path)

    def ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as CSV"), "shift.csv", "*.csv")
        if path:
            self.write_csv(path)
