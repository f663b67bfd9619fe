"""The bookings table: rows straight from one store query, updated in place.

The model keeps the ``Booking`` objects the query returned (never one fetch per row) and an
index from booking number to row, so a single changed booking repaints one row. Sorting is a
key sort of that list, which stays well under a frame's time at 100,000 rows.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from parking_desk.booking import Booking
from parking_desk.ui.local_time import show

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NUMBER = 0
    NAME = 1
    PLATE = 2
    ARRIVAL = 3
    DEPARTURE = 4
    STATUS = 5
    EMAIL = 6


class Role(IntEnum):
    BOOKING = Qt.ItemDataRole.UserRole + 1
    NUMBER = Qt.ItemDataRole.UserRole + 2
    SORT = Qt.ItemDataRole.UserRole + 3


_SORT_KEYS = {
    Column.NUMBER: lambda b: b.booking_number or "",
    Column.NAME: lambda b: b.client_name.casefold(),
    Column.PLATE: lambda b: b.plate,
    Column.ARRIVAL: lambda b: b.arrival,
    Column.DEPARTURE: lambda b: b.departure,
    Column.STATUS: lambda b: str(b.status),
    Column.EMAIL: lambda b: str(b.email_status),
}


class BookingsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Booking] = []
        self._row_of: dict[str, int] = {}
        self._sort: tuple[Column, bool] | None = None  # column, descending

    # --- what the view asks ---------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        booking = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(booking, column)
        if role == Role.BOOKING:
            return booking
        if role == Role.NUMBER:
            return booking.booking_number
        if role == Role.SORT:
            return _SORT_KEYS[column](booking)
        return None

    def _display(self, booking: Booking, column: Column) -> str:
        if column == Column.NUMBER:
            return booking.booking_number or ""
        if column == Column.NAME:
            return booking.client_name
        if column == Column.PLATE:
            return booking.plate
        if column == Column.ARRIVAL:
            return show(booking.arrival)
        if column == Column.DEPARTURE:
            return show(booking.departure)
        if column == Column.STATUS:
            return status_text(str(booking.status))
        return status_text(str(booking.email_status))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return column_title(Column(section))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (Column(column), order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=_SORT_KEYS[self._sort[0]], reverse=self._sort[1])
        self._reindex()
        self.layoutChanged.emit()

    # --- what the screen tells it ------------------------------------------------------
    def bookings(self) -> list[Booking]:
        return list(self._rows)

    def booking_at(self, row: int) -> Booking:
        return self._rows[row]

    def row_of(self, number: str) -> int | None:
        return self._row_of.get(number)

    def set_bookings(self, bookings: list[Booking]) -> None:
        """Show a new query result; the same rows in the same order only repaint what changed."""
        if self._sort is not None:
            bookings = sorted(bookings, key=_SORT_KEYS[self._sort[0]], reverse=self._sort[1])
        same = len(bookings) == len(self._rows) and all(
            a.booking_number == b.booking_number for a, b in zip(bookings, self._rows, strict=True)
        )
        if not same:
            self.beginResetModel()
            self._rows = list(bookings)
            self._reindex()
            self.endResetModel()
            return
        for row, booking in enumerate(bookings):
            if booking != self._rows[row]:
                self._rows[row] = booking
                self._changed(row)

    def _changed(self, row: int) -> None:
        last = self.index(row, len(Column) - 1)
        self.dataChanged.emit(self.index(row, 0), last, [Qt.ItemDataRole.DisplayRole])

    def _reindex(self) -> None:
        self._row_of = {b.booking_number or "": i for i, b in enumerate(self._rows)}

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.STATUS),
                self.index(len(self._rows) - 1, Column.EMAIL),
                [Qt.ItemDataRole.DisplayRole],
            )


def column_title(column: Column) -> str:
    titles = {
        Column.NUMBER: QCoreApplication.translate("BookingsModel", "Number"),
        Column.NAME: QCoreApplication.translate("BookingsModel", "Name"),
        Column.PLATE: QCoreApplication.translate("BookingsModel", "Plate"),
        Column.ARRIVAL: QCoreApplication.translate("BookingsModel", "Arrival"),
        Column.DEPARTURE: QCoreApplication.translate("BookingsModel", "Departure"),
        Column.STATUS: QCoreApplication.translate("BookingsModel", "Status"),
        Column.EMAIL: QCoreApplication.translate("BookingsModel", "E-mail"),
    }
    return titles[column]


def status_text(status: str) -> str:
    """Booking and e-mail states in the UI language."""
    texts = {
        "confirmed": QCoreApplication.translate("BookingsModel", "confirmed"),
        "checked_in": QCoreApplication.translate("BookingsModel", "checked in"),
        "checked_out": QCoreApplication.translate("BookingsModel", "checked out"),
        "cancelled": QCoreApplication.translate("BookingsModel", "cancelled"),
        "pending": QCoreApplication.translate("BookingsModel", "pending"),
        "sent": QCoreApplication.translate("BookingsModel", "sent"),
        "failed": QCoreApplication.translate("BookingsModel", "failed"),
    }
    return texts.get(status, status)
