"""The "Bookings" tab: search as you type, the arrivals and returns of any day, overstays and
no-shows, details on the side. Enter or Down in the search box opens the first result.

Typing restarts a short timer; only when the typing pauses does one query go to the store,
in the background. Answers to older queries that arrive late are dropped, so the table always
matches the text in the box.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QByteArray, QDate, QEvent, QItemSelection, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking import Booking
from parking_desk.services.desk_actions import DAY_SCOPES, Scope, scope_search
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.booking_details import BookingDetails
from parking_desk.ui.desk.bookings_model import BookingsModel, Column, Role
from parking_desk.ui.desk.csv_export import write_csv
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import time_zone, today
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op

SEARCH_DELAY_MS = 250
STALE_REFRESH_MS = 2000
DEFAULT_WIDTHS = {
    Column.NUMBER: 70,
    Column.NAME: 170,
    Column.PLATE: 90,
    Column.ARRIVAL: 120,
    Column.DEPARTURE: 120,
    Column.STATUS: 90,
}


class BookingsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = named(QLineEdit(clearButtonEnabled=True), "search")
        self.scope = named(QComboBox(), "scope")
        for scope in Scope:
            self.scope.addItem("", scope)
        self.day = named(QDateEdit(), "day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd.MM.yyyy")
        self.day.setDate(self._site_today())
        self.export_button = named(QPushButton(), "exportCsv")
        self.export_button.clicked.connect(self.ask_export)
        self.count = named(QLabel(), "resultCount")
        self.model = BookingsModel(self)
        self.table = named(QTableView(), "bookingsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in DEFAULT_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.sortByColumn(Column.ARRIVAL, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.details = BookingDetails(ctx)
        # A booking written here (its details, the form, the scanner) shows in the list at
        # once; one written elsewhere, when the worker says or on the next look.
        ctx.hub.changed.connect(self._changed)
        # A search result's ticket from its context menu, as from the details beside it.
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(self.details.tickets.actions())

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.scope, 1)
        top.addWidget(self.day)
        top.addWidget(self.export_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        # Debounce: one query per pause in typing, not one per key.
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)
        self.search.installEventFilter(self)
        self._generation = 0
        # Worker events only mark the list stale; this timer asks the store once per burst.
        self._dirty = False
        self._stale_timer = QTimer(self, interval=STALE_REFRESH_MS)
        self._stale_timer.timeout.connect(self._refresh_if_stale)
        self._stale_timer.start()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(
            self.tr("Search by name, phone, e-mail, plate or booking number")
        )
        titles = {
            Scope.SEARCH: self.tr("All bookings"),
            Scope.ARRIVALS: self.tr("Arrivals on"),
            Scope.RETURNS: self.tr("Returns on"),
            Scope.ON_LOT: self.tr("On the lot now"),
            Scope.OVERSTAYS: self.tr("Overstays (past departure, still on the lot)"),
            Scope.NO_SHOWS: self.tr("No-shows on (arrival passed, not checked in)"),
        }
        for i in range(self.scope.count()):
            self.scope.setItemText(i, titles[self.scope.itemData(i)])
        self.export_button.setText(self.tr("Export CSV…"))
        self.model.retranslate()
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        # Bookings change elsewhere (the form, the scanner, other desks): look again on arrival.
        self.refresh()
        super().showEvent(event)

    def mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def _changed(self, changes: Changes) -> None:
        if not changes.bookings:
            return
        if self.isVisible():
            self.refresh()
        else:
            self.mark_dirty()  # shown again, it looks again anyway

    def _refresh_if_stale(self) -> None:
        if self._dirty and self.isVisible():
            self._dirty = False
            self.refresh()

    def _site_today(self) -> QDate:
        day = today()
        return QDate(day.year, day.month, day.day)

    def chosen_day(self) -> date:
        return date(self.day.date().year(), self.day.date().month(), self.day.date().day())

    def refresh(self) -> None:
        """Run the current query in the background; a newer query makes this one moot. Days
        are the site's: a 01:30 arrival is that day's, not the previous UTC day's."""
        self._timer.stop()
        scope = Scope(self.scope.currentData())
        self.day.setEnabled(scope in DAY_SCOPES)
        if self.ctx.store is None:
            return
        self._generation += 1
        generation = self._generation
        search = scope_search(scope, self.search.text().strip(), self.chosen_day(), time_zone())
        Op(self.ctx, self, lambda store: (generation, search(store)), write=False).success(
            self._searched
        ).failure(self._search_failed).run()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Down in the search box opens the first result (Enter: when it is the
        only one), so a booking found by typing needs no mouse."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            rows = self.model.rowCount()
            enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if (enter and rows == 1 and not self._timer.isActive()) or (
                key == Qt.Key.Key_Down and rows
            ):
                self.table.setFocus()
                self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    def _searched(self, result: tuple[int, list[Booking]]) -> None:
        generation, found = result
        if generation != self._generation:
            return  # the text changed while this query ran
        self.model.set_bookings(found)
        self._show_count()
        self._reselect()

    def _search_failed(self, error: BaseException) -> None:
        self.count.setText(error_text(error, self.ctx.language))

    def _show_count(self) -> None:
        self.count.setText(self.tr("%n booking(s)", "", self.model.rowCount()))

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.details.show_booking(None)
            return
        self.details.show_booking(rows[0].data(Role.BOOKING))

    def _reselect(self) -> None:
        """Keep the details of the booking on show in step with the new result."""
        shown = self.details.booking
        if shown is None:
            return
        row = self.model.row_of(shown.booking_number or "")
        if row is None:
            self.details.show_booking(None)
        else:
            self.details.show_booking(self.model.booking_at(row))

    def export_csv(self, path: str) -> int:
        return write_csv(path, self.model.bookings())

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export bookings"), "bookings.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            count = self.export_csv(path)
            self.count.setText(self.tr("%n booking(s) exported.", "", count))

    # --- layout kept between runs ------------------------------------------------------
    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("bookings/header", self.table.horizontalHeader().saveState())
        settings.setValue("bookings/splitter", self.splitter.saveState())

    def restore_layout(self, settings: QSettings) -> None:
        header = settings.value("bookings/header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)
        splitter = settings.value("bookings/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
