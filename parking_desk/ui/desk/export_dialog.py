"""Export the bookings of a date range: CSV for Excel (";" or ","), or XLSX.

Excel in Romanian opens a ";" file straight into columns: Romania's regional settings use
"," as the decimal separator, so Excel's list separator there is ";" and a ","-separated
file opens as one column. "," is for English-locale Excel and for other programs. Both
carry a byte-order mark, without which Excel reads UTF-8 as the ANSI code page and ș, ț
come out garbled. XLSX needs no choice at all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking import Booking
from parking_desk.services.booking_export import bookings_in_range, write_xlsx
from parking_desk.services.store.base import Store
from parking_desk.ui import local_time
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.bookings_model import status_text
from parking_desk.ui.desk.csv_export import headers, write_csv
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Op

FORMATS = ("csv;", "csv,", "xlsx")


def xlsx_row(b: Booking) -> list[str | int]:
    """The CSV's columns; passengers as a number. Inline strings need no formula guard."""
    return [
        b.booking_number or "",
        b.client_name,
        b.client_email,
        b.phone,
        b.plate,
        show(b.arrival),
        show(b.departure),
        b.passengers,
        status_text(str(b.status)),
        status_text(str(b.email_status)),
        b.notes,
    ]


def day_start(day: QDate) -> datetime:
    """The site's midnight starting *day*, in UTC."""
    return local_time.day_bounds(date(day.year(), day.month(), day.day()))[0]


class ExportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        site_today = local_time.today()
        today = QDate(site_today.year, site_today.month, site_today.day)
        self.first = named(QDateEdit(today.addDays(1 - today.day())), "exportFrom")
        self.last = named(QDateEdit(today), "exportTo")
        for edit in (self.first, self.last):
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.setCalendarPopup(True)
        self.format = named(QComboBox(), "exportFormat")
        for fmt in FORMATS:
            self.format.addItem("", fmt)
        self.message = named(QLabel(wordWrap=True), "exportMessage")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.buttons.accepted.connect(self.ask_path)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.labels = [QLabel(), QLabel(), QLabel()]
        self.form.addRow(self.labels[0], self.first)
        self.form.addRow(self.labels[1], self.last)
        self.form.addRow(self.labels[2], self.format)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.written: int | None = None
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Export bookings"))
        self.labels[0].setText(self.tr("&From"))
        self.labels[1].setText(self.tr("&To (inclusive)"))
        self.labels[2].setText(self.tr("F&ormat"))
        for label, edit in zip(self.labels, (self.first, self.last, self.format), strict=True):
            label.setBuddy(edit)
        names = {
            "csv;": self.tr("CSV for Excel in Romanian (;)"),
            "csv,": self.tr("CSV for Excel in English (,)"),
            "xlsx": self.tr("Excel workbook (XLSX)"),
        }
        for i in range(self.format.count()):
            self.format.setItemText(i, names[self.format.itemData(i)])

    def span(self) -> tuple[datetime, datetime]:
        """The local days chosen, as UTC instants: ``[first midnight, day after last)``."""
        start = day_start(self.first.date())
        end = day_start(self.last.date().addDays(1))
        return start, max(end, start + timedelta(days=1))

    def ask_path(self) -> None:
        fmt = str(self.format.currentData())
        suffix = "xlsx" if fmt == "xlsx" else "csv"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export bookings"), f"bookings.{suffix}", f"*.{suffix}"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Read and write off the GUI thread; the message says how many were written."""
        fmt = str(self.format.currentData())
        start, end = self.span()
        columns = headers()
        sheet = self.tr("Bookings")

        def work(store: Store) -> int:
            found = bookings_in_range(store, start, end)
            if fmt == "xlsx":
                return write_xlsx(path, columns, [xlsx_row(b) for b in found], sheet)
            return write_csv(path, found, delimiter=fmt[-1])

        self.written = None
        self.message.setText(self.tr("Exporting…"))
        Op(self.ctx, self, work, write=False).success(self._done).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self.ctx.language))

    def _done(self, result: int) -> None:
        self.written = result
        self.message.setText(self.tr("%n booking(s) exported.", "", result))
