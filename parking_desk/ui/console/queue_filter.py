"""Which rows of the queue the supervisor sees: state, free text, creation time.

The proxy filters only; sorting is passed through to ``QueueModel``, which sorts in Python
far faster than a proxy comparing rows through Python callbacks. The filter is a domain
``TaskFilter`` so that "retry everything matching the filter" asks the store for exactly
what the table shows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from parking_desk.task import TaskFilter, TaskState
from parking_desk.ui.console.queue_model import QueueModel


class QueueFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = TaskFilter()
        self._needle = ""
        self._model: QueueModel | None = None
        self.setDynamicSortFilter(True)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        # Kept typed and at hand: filterAcceptsRow runs once per row on every refilter.
        self._model = model if isinstance(model, QueueModel) else None
        super().setSourceModel(model)

    def source(self) -> QueueModel:
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        return model

    # --- setters: each refilters only when something really changed -------------------------
    def _change(self, new: TaskFilter) -> None:
        if new == self._filter:
            return
        self._filter = new
        self._needle = new.text.casefold()
        # A full remap: the incremental path inserts each gap of rows separately and takes
        # seconds when a narrow filter over 100,000 rows is cleared.
        self.invalidate()

    def set_state(self, state: TaskState | None, *, retrying: bool = False) -> None:
        """One state, ``retrying`` (pending with attempts > 0), or ``None`` for all."""
        if retrying:
            states = frozenset({TaskState.PENDING})
        else:
            states = frozenset({state}) if state else frozenset()
        self._change(replace(self._filter, states=states, retrying=retrying))

    def set_text(self, text: str) -> None:
        self._change(replace(self._filter, text=text.strip()))

    def set_created_range(self, start: datetime | None, end: datetime | None) -> None:
        self._change(replace(self._filter, created_from=start, created_to=end))

    def task_filter(self) -> TaskFilter:
        return self._filter

    # --- QSortFilterProxyModel ----------------------------------------------------------------
    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        f = self._filter
        if not f.states and not f.text and not f.created_from and not f.created_to:
            return True
        model = self._model
        if model is None:
            return False
        task = model.task_at(source_row)
        if task is None:
            return False
        if f.states and task.status not in f.states:
            return False
        if f.retrying and task.attempts == 0:
            return False
        if f.created_from or f.created_to:
            created = task.created_at
            if created is None:
                return False
            if f.created_from and created < f.created_from:
                return False
            if f.created_to and created >= f.created_to:
                return False
        return not self._needle or self._needle in model.haystack_at(source_row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        # Never used for ordering (sortColumn stays -1): rows come in the source's order.
        return left.row() < right.row()
