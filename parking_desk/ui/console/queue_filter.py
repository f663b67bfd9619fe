"""Which rows of the queue the supervisor sees: state, free text, creation time.

The table's model is this proxy; the filtering and sorting themselves run in ``QueueModel``
over keys computed once per row, because a ``QSortFilterProxyModel`` calls back into Python
once per row (``filterAcceptsRow``) or per comparison (``lessThan``) and takes a noticeable
fraction of a second on 100,000 rows. An identity proxy adds no Python per row. The filter
is a domain ``TaskFilter`` so that "retry everything matching the filter" asks the store for
exactly what the table shows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QIdentityProxyModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)

from parking_desk.task import TaskFilter, TaskState
from parking_desk.ui.console.queue_model import QueueModel, role_data


class QueueFilter(QIdentityProxyModel):
    def source(self) -> QueueModel:
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        return model

    # --- setters: the model refilters only when something really changed ---------------------
    def _change(self, new: TaskFilter) -> None:
        self.source().set_filter(new)

    def set_state(self, state: TaskState | None, *, retrying: bool = False) -> None:
        """One state, ``retrying`` (pending with attempts > 0), or ``None`` for all."""
        if retrying:
            states = frozenset({TaskState.PENDING})
        else:
            states = frozenset({state}) if state else frozenset()
        self._change(replace(self.task_filter(), states=states, retrying=retrying))

    def set_text(self, text: str) -> None:
        self._change(replace(self.task_filter(), text=text.strip()))

    def set_created_range(self, start: datetime | None, end: datetime | None) -> None:
        self._change(replace(self.task_filter(), created_from=start, created_to=end))

    def task_filter(self) -> TaskFilter:
        return self.source().task_filter()

    def multiData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        roleDataSpan: QModelRoleDataSpan | QModelRoleData,
    ) -> None:
        # QIdentityProxyModel answers multiData with one data() per role; the rows are the
        # source's rows, so each painted cell is one call into the model.
        row = index.row() if index.isValid() else -1
        self._fill_cell(row, index.column(), role_data(roleDataSpan))

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        assert isinstance(model, QueueModel)
        self._fill_cell = model.fill_cell
        super().setSourceModel(model)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)
