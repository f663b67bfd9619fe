"""The live queue table: one compact row per task, filtered and sorted by the model itself.

Rows are ``TaskRow`` tuples from the store's row feed, never whole tasks: 100,000 of them fit
in a fraction of the memory and arrive without a JSON parse. Every task's folded search
text is computed once, when its row arrives. The model keeps every id in key
order and the ids the filter lets through in the same order; a refilter is a list
comprehension over the first, a re-sort one ``sort``, and a descending view reads the list
from the end. Keys end with the task id, so a task is found again by bisection rather than
through a position map that each insert would have to renumber.

Changes arrive on the store's watch thread. They only go into a pending buffer; a GUI timer
applies the buffer once per burst, so a thousand changes cost one repaint rather than a
thousand. Each feed the model hands out (``feed``) delivers only until ``stop_following``:
a table that stops listening during a bulk action drops what the old listener still sends.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from parking_desk.services.store.base import TaskRow, TaskRowBatch
from parking_desk.task import TaskFilter
from parking_desk.timeutil import utcnow
from parking_desk.ui.console.queue_columns import (
    DISPLAY,
    ID,
    SORT_KEYS,
    Cells,
    Column,
    header_label,
    live_text,
    render_cells,
    search_text,
)
from parking_desk.ui.console.queue_row_filter import accepts, filtered

AnyIndex = QModelIndex | QPersistentModelIndex
# Above this many rows moving in one burst, one merge beats moving them one by one.
STRUCTURAL_LIMIT = 64
FLUSH_DELAY_MS = 100
# Rows per dataChanged (× 10 columns stays under the view's whole-viewport threshold).
CHANGED_ROWS_AT_ONCE = 16
# Rows whose cells are kept; a screenful is a few dozen.
CELL_CACHE_ROWS = 4096


def role_data(span: QModelRoleDataSpan | QModelRoleData) -> Iterable[QModelRoleData]:
    """The entries a ``multiData`` call asks for. PySide6's span is a sequence at run time
    (``len`` and indexing) though its type stubs do not say so; the stubs also allow a lone
    ``QModelRoleData``, which is one entry."""
    if isinstance(span, QModelRoleData):
        return (span,)
    return cast("Iterable[QModelRoleData]", span)


class QueueModel(QAbstractTableModel):
    flushed = Signal(int)  # changes applied in one burst
    _wake = Signal()  # from the watch thread: "the buffer is no longer empty"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[str, TaskRow] = {}
        self._hay: dict[str, str] = {}
        self._all: list[str] = []  # every id, ascending by key
        self._view: list[str] = []  # the ids the filter lets through, ascending by key
        self._filter = TaskFilter()
        self._sort_column = Column.CREATED
        self._descending = True
        self._masked = False
        self._language = "en"  # of the errors written below the UI (``bounce.shown_error``)
        # Per task id: the row its cells were made from, and the cells.
        self._cells: dict[str, tuple[TaskRow, Cells]] = {}
        # Guards _pending, filled by the store's watch thread and drained by the GUI timer.
        self._pending_lock = threading.Lock()
        self._pending: list[TaskRowBatch] = []
        self._following = 0  # the feed whose batches are taken; older feeds are ignored
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._wake.connect(self._woken, Qt.ConnectionType.QueuedConnection)
        self.clock: Callable[[], datetime] = utcnow

    # --- feeding -----------------------------------------------------------------------------
    def queue_changes(self, batch: TaskRowBatch) -> None:
        """Thread-safe: queue a batch of the row feed for the next flush."""
        self._queue(batch, None)

    def feed(self) -> Callable[[TaskRowBatch], None]:
        """A callback for a store's row feed, taken until ``stop_following`` is called."""
        with self._pending_lock:
            following = self._following
        return lambda batch: self._queue(batch, following)

    def stop_following(self) -> None:
        """Ignore the feeds handed out so far (batches already queued are still applied)."""
        with self._pending_lock:
            self._following += 1

    def _queue(self, batch: TaskRowBatch, following: int | None) -> None:
        with self._pending_lock:
            if following is not None and following != self._following:
                return
            was_empty = not self._pending
            self._pending.append(batch)
        if was_empty:
            self._wake.emit()

    def _woken(self) -> None:
        # The first load is shown at once; later bursts wait a moment to gather.
        if not self._rows:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start()

    def flush(self) -> int:
        with self._pending_lock:
            batches, self._pending = self._pending, []
        if not batches:
            return 0
        count = self.apply(batches)
        self.flushed.emit(count)
        return count

    def apply(self, batches: Iterable[TaskRowBatch]) -> int:
        """Apply batches on the GUI thread: in-place updates as dataChanged on their rows,
        inserts and removals row by row when few, one merge when many. Returns the number
        of changes applied."""
        latest: dict[str, TaskRow | None] = {}
        count = 0
        for batch in batches:
            if batch.complete and not self._rows:
                latest = {}
                self._reset_to(batch.rows)
            elif batch.complete:
                # Every row again over rows already shown (a listing that finished after the
                # rows kept on the desk or its first pages were shown): what differs goes in
                # as changes, so the supervisor's selection and scroll position stay.
                held = set(self._rows) | latest.keys()
                latest = dict.fromkeys(held, None)
                for listed in batch.rows:
                    latest[listed[ID]] = listed
            for changed in batch.rows if not batch.complete else ():
                latest[changed[ID]] = changed
            for task_id in batch.removed:
                latest[task_id] = None
            count += len(batch.rows) + len(batch.removed)
        if not latest:
            return count
        if not self._rows:
            self._reset_to([r for r in latest.values() if r is not None])
            return count
        key_of = SORT_KEYS[self._sort_column]
        updated: list[str] = []
        structural: list[tuple[str, TaskRow | None]] = []
        for task_id, row in latest.items():
            old = self._rows.get(task_id)
            if row == old:
                continue
            if row is None:
                if old is not None:
                    structural.append((task_id, None))
                continue
            if old is None or key_of(row) != key_of(old):
                structural.append((task_id, row))
                continue
            hay = search_text(row)
            shown = self._accepts(old, self._hay[task_id])
            if self._accepts(row, hay) != shown:
                structural.append((task_id, row))
                continue
            self._rows[task_id] = row
            self._hay[task_id] = hay
            if shown:
                updated.append(task_id)
        self._emit_changed_rows(self._rows_of(updated))
        if len(structural) > STRUCTURAL_LIMIT:
            self._merge(structural)
        else:
            for task_id, row in structural:
                self._remove(task_id)
                if row is not None:
                    self._insert(row)
        return count

    def _reset_to(self, rows: list[TaskRow]) -> None:
        """Replace everything at once (the first load); far cheaper than row-by-row inserts."""
        self.beginResetModel()
        key_of = SORT_KEYS[self._sort_column]
        self._rows = {r[ID]: r for r in rows}
        self._hay = {r[ID]: search_text(r) for r in rows}
        self._all = [r[ID] for r in sorted(rows, key=key_of)]
        self._view = self._filtered(self._all)
        self.endResetModel()

    def _merge(self, structural: list[tuple[str, TaskRow | None]]) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent, remembered = self._remember()
        touched = {task_id for task_id, _ in structural}
        fresh: list[str] = []
        for task_id, row in structural:
            if row is None:
                self._forget(task_id)
            else:
                self._rows[task_id] = row
                self._hay[task_id] = search_text(row)
                fresh.append(task_id)
        # Untouched ids keep their order; a few fresh ones go in by bisection, which computes
        # a few dozen keys each, where a full sort would compute one per row.
        self._all = [i for i in self._all if i not in touched]
        keyed = self._keyed()
        if len(fresh) * 20 < len(self._all):
            for task_id in fresh:
                self._all.insert(bisect_left(self._all, keyed(task_id), key=keyed), task_id)
        else:
            self._all += fresh
            self._all.sort(key=keyed)
        self._view = self._filtered(self._all)
        self._restore(persistent, remembered)
        self.layoutChanged.emit()

    def _forget(self, task_id: str) -> None:
        self._rows.pop(task_id, None)
        self._hay.pop(task_id, None)

    def _keyed(self) -> Callable[[str], tuple[Any, ...]]:
        """The sort key of a task id, computed from its row when asked: keys are needed
        for all rows only when sorting, and for a few dozen when bisecting."""
        key_of, rows = SORT_KEYS[self._sort_column], self._rows
        return lambda task_id: key_of(rows[task_id])

    def _find(self, ids: list[str], task_id: str) -> int:
        """Where *task_id* is in *ids* (ascending by key), or -1."""
        if task_id not in self._rows:
            return -1
        keyed = self._keyed()
        pos = bisect_left(ids, keyed(task_id), key=keyed)
        return pos if pos < len(ids) and ids[pos] == task_id else -1

    def _insert(self, row: TaskRow) -> None:
        task_id = row[ID]
        self._rows[task_id] = row
        hay = self._hay[task_id] = search_text(row)
        keyed = self._keyed()
        key = keyed(task_id)
        self._all.insert(bisect_left(self._all, key, key=keyed), task_id)
        if not self._accepts(row, hay):
            return
        pos = bisect_left(self._view, key, key=keyed)
        shown = pos if not self._descending else len(self._view) - pos
        self.beginInsertRows(QModelIndex(), shown, shown)
        self._view.insert(pos, task_id)
        self.endInsertRows()

    def _remove(self, task_id: str) -> None:
        if task_id not in self._rows:
            return
        pos = self._find(self._view, task_id)
        if pos >= 0:
            shown = self._row_of(pos)
            self.beginRemoveRows(QModelIndex(), shown, shown)
            del self._view[pos]
            self.endRemoveRows()
        pos = self._find(self._all, task_id)
        if pos >= 0:
            del self._all[pos]
        self._forget(task_id)

    def _rows_of(self, ids: list[str]) -> list[int]:
        """The shown rows of *ids*: by bisection for a few, through one map of the shown
        list for many (a bulk retry changes thousands of rows in one burst)."""
        if len(ids) * 64 < len(self._view):
            return [self.row_of_task(task_id) for task_id in ids]
        where = {task_id: pos for pos, task_id in enumerate(self._view)}
        return [self._row_of(where[task_id]) for task_id in ids if task_id in where]

    def _emit_changed_rows(self, rows: list[int]) -> None:
        """One dataChanged per run of adjacent rows, cut in pieces: the table repaints only
        the changed rows it shows, except for a range of more than about 200 cells, which
        repaints the whole viewport even when every one of them is scrolled out of sight."""
        rows = sorted(r for r in rows if r >= 0)
        if not rows:
            return
        last = len(Column) - 1
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            for first in range(start, prev + 1, CHANGED_ROWS_AT_ONCE):
                end = min(prev, first + CHANGED_ROWS_AT_ONCE - 1)
                self.dataChanged.emit(self.index(first, 0), self.index(end, last))
            if row is not None:
                start = prev = row

    # --- filtering ---------------------------------------------------------------------------
    def _accepts(self, row: TaskRow, hay: str) -> bool:
        return accepts(self._filter, row, hay)

    def _filtered(self, ids: list[str]) -> list[str]:
        return filtered(self._filter, ids, self._rows, self._hay)

    def set_filter(self, new: TaskFilter) -> None:
        """Show only what *new* matches; selected rows that stay visible stay selected."""
        if new == self._filter:
            return
        self.layoutAboutToBeChanged.emit()
        persistent, remembered = self._remember()
        self._filter = new
        self._view = self._filtered(self._all)
        self._restore(persistent, remembered)
        self.layoutChanged.emit()

    def task_filter(self) -> TaskFilter:
        return self._filter

    # --- reading -----------------------------------------------------------------------------
    def _row_of(self, pos: int) -> int:
        return len(self._view) - 1 - pos if self._descending else pos

    def _id_at(self, row: int) -> str | None:
        view = self._view
        n = len(view)
        if 0 <= row < n:
            return view[n - 1 - row] if self._descending else view[row]
        return None

    def row_at(self, row: int) -> TaskRow | None:
        task_id = self._id_at(row)
        return self._rows[task_id] if task_id is not None else None

    def row(self, task_id: str) -> TaskRow | None:
        return self._rows.get(task_id)

    def row_of_task(self, task_id: str) -> int:
        """The shown row of *task_id*, or -1 when it is unknown or filtered out."""
        pos = self._find(self._view, task_id)
        return -1 if pos < 0 else self._row_of(pos)

    def rows(self) -> list[TaskRow]:
        """Every task's row, shown or not."""
        return list(self._rows.values())

    tasks = rows  # what the benchmarks that count states by row call it

    def total_count(self) -> int:
        return len(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return header_label(Column(section)) if 0 <= section < len(Column) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cells = self._cells_at(index.row()) if index.isValid() else None
        if cells is None:
            return None
        column, role = index.column(), int(role)
        if role == DISPLAY:
            live = live_text(cells[0], column, self.clock())
            if live is not None:
                return live
        return cells[1][column].get(role)

    def fill_cell(self, row: int, column: int, roles: Iterable[QModelRoleData]) -> None:
        """Every role the view's delegate asks of one cell, in one call (``multiData``):
        one entry into Python per painted cell instead of one per role."""
        cells = self._cells_at(row)
        if cells is None:
            for wanted in roles:
                wanted.clearData()
            return
        # The entries arrive holding what the previous cell was given (PySide6's delegate
        # reuses them), so a role this cell has no value for is cleared, never left as is:
        # otherwise a dead row's pink, or a state's colour, runs on into the next rows.
        values = cells[1][column]
        live = live_text(cells[0], column, self.clock()) if column == Column.NEXT_ATTEMPT else None
        for wanted in roles:
            role = wanted.role()
            value = live if live is not None and role == DISPLAY else values.get(role)
            if value is None:
                wanted.clearData()
            else:
                wanted.setData(value)

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        row = index.row() if index.isValid() else -1
        self.fill_cell(row, index.column(), role_data(roleDataSpan))

    def _cells_at(self, row: int) -> tuple[TaskRow, Cells] | None:
        """The shown row's cells, made when first painted after each change of the row."""
        task_id = self._id_at(row)
        if task_id is None:
            return None
        task_row = self._rows[task_id]
        cached = self._cells.get(task_id)
        if cached is None or cached[0] is not task_row:
            if len(self._cells) >= CELL_CACHE_ROWS:
                self._cells.clear()  # scrolled through thousands of rows: start again
            cached = self._cells[task_id] = (
                task_row,
                render_cells(
                    task_row, masked=self._masked, now=self.clock(), language=self._language
                ),
            )
        return cached

    def retranslate(self) -> None:
        """The language changed: every cell's text is made again when next painted."""
        self._cells.clear()
        if self._view:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._view) - 1, len(Column) - 1)
            )

    # --- presentation switches ------------------------------------------------------------------
    def set_masked(self, masked: bool) -> None:
        if masked == self._masked:
            return
        self._masked = masked
        self._cells.clear()
        if self._view:
            col = Column.RECIPIENT
            self.dataChanged.emit(self.index(0, col), self.index(len(self._view) - 1, col))

    def set_language(self, language: str) -> None:
        """The language of error texts that come from below the UI; ``retranslate`` redraws."""
        self._language = language

    @property
    def masked(self) -> bool:
        return self._masked

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        column = Column(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self._sort_column and descending == self._descending:
            return
        self.layoutAboutToBeChanged.emit()
        persistent, remembered = self._remember()
        self._descending = descending
        if column != self._sort_column:
            self._sort_column = column
            self._all.sort(key=self._keyed())
            self._view = self._filtered(self._all)
        self._restore(persistent, remembered)
        self.layoutChanged.emit()

    def sort_state(self) -> tuple[Column, Qt.SortOrder]:
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        return self._sort_column, order

    # --- persistent indexes (the selection, the current row) across a new layout --------------
    def _remember(self) -> tuple[list[QModelIndex], list[tuple[str | None, int]]]:
        persistent = self.persistentIndexList()
        return persistent, [(self._id_at(p.row()), p.column()) for p in persistent]

    def _restore(
        self, persistent: list[QModelIndex], remembered: list[tuple[str | None, int]]
    ) -> None:
        if not persistent:
            return
        moved = []
        for task_id, column in remembered:
            row = -1 if task_id is None else self.row_of_task(task_id)
            moved.append(self.index(row, column) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
