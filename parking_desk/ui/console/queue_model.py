"""The live queue table: one row per task, kept in step with the store's change feed.

Changes arrive on the store's watch thread. They only go into a pending buffer; a GUI timer
applies the buffer once per burst, so a thousand changes cost one repaint rather than a
thousand. Rows are kept sorted by the model itself (a Python sort of 100,000 keys takes a
fraction of a second, a proxy sort calling back into Python takes many seconds), in a list
ordered by the sort key ascending; a descending view reads that list from the end.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from parking_desk.services.store.base import ChangeKind, TaskChange
from parking_desk.services.supervisor import mask_email
from parking_desk.task import NotificationTask, TaskState
from parking_desk.timeutil import utcnow
from parking_desk.ui.console.queue_columns import (
    DEAD_ROW,
    RETRYING_COLOUR,
    SORT_KEYS,
    STATE_COLOURS,
    Column,
    Roles,
    header_label,
    search_text,
    sort_key,
    state_label,
    type_label,
)
from parking_desk.ui.console.relative_time import relative_to_now

AnyIndex = QModelIndex | QPersistentModelIndex
# Above this many rows moving in one burst, one re-sort beats moving them one by one.
STRUCTURAL_LIMIT = 64
FLUSH_DELAY_MS = 100


class QueueModel(QAbstractTableModel):
    flushed = Signal(int)  # changes applied in one burst
    _wake = Signal()  # from the watch thread: "the buffer is no longer empty"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: list[NotificationTask] = []  # ascending by _keys
        self._keys: list[tuple[Any, str]] = []
        self._pos: dict[str, int] = {}  # task id → index in _tasks
        self._hay: dict[str, str] = {}
        self._sort_column = Column.CREATED
        self._descending = True
        self._masked = False
        # Guards _pending, filled by the store's watch thread and drained by the GUI timer.
        self._pending_lock = threading.Lock()
        self._pending: list[TaskChange] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._wake.connect(self._timer.start, Qt.ConnectionType.QueuedConnection)
        self.clock: Callable[[], datetime] = utcnow

    # --- feeding -----------------------------------------------------------------------------
    def queue_changes(self, changes: Iterable[TaskChange]) -> None:
        """Thread-safe: queue changes for the next flush (the store's watch callback)."""
        with self._pending_lock:
            was_empty = not self._pending
            self._pending.extend(changes)
        if was_empty:
            self._wake.emit()

    def flush(self) -> int:
        with self._pending_lock:
            changes, self._pending = self._pending, []
        if changes:
            self.apply(changes)
            self.flushed.emit(len(changes))
        return len(changes)

    def apply(self, changes: Iterable[TaskChange]) -> None:
        """Apply a burst on the GUI thread: in-place updates as dataChanged on their rows,
        moves, inserts and removals row by row when few, one re-sort when many."""
        latest: dict[str, NotificationTask | None] = {}
        for change in changes:
            gone = change.kind == ChangeKind.REMOVED or change.task is None
            latest[change.task_id] = None if gone else change.task
        if not self._tasks:  # the first load: no rows to keep, one reset
            self.reset(t for t in latest.values() if t is not None)
            return
        updates: list[int] = []
        structural: list[tuple[str, NotificationTask | None]] = []
        for task_id, task in latest.items():
            pos = self._pos.get(task_id)
            if task is None:
                if pos is not None:
                    structural.append((task_id, None))
            elif pos is not None and sort_key(task, self._sort_column) == self._keys[pos]:
                self._tasks[pos] = task
                self._hay[task_id] = search_text(task)
                updates.append(self._row_of(pos))
            else:
                structural.append((task_id, task))
        self._emit_changed_rows(updates)
        if len(structural) > STRUCTURAL_LIMIT:
            self._bulk_apply(structural)
        else:
            for task_id, task in structural:
                self._remove(task_id)
                if task is not None:
                    self._insert(task)

    def _bulk_apply(self, structural: list[tuple[str, NotificationTask | None]]) -> None:
        if not self._tasks:
            self.reset(t for _, t in structural if t is not None)
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        remembered = [(self._task_at_row(p.row()).id, p.column()) for p in persistent]
        touched = {task_id for task_id, _ in structural}
        # Untouched rows keep their keys: they stay in order, so the sort below is a merge of
        # an ordered run with the few changed rows, not a full sort.
        pairs = [
            (k, t) for k, t in zip(self._keys, self._tasks, strict=True) if t.id not in touched
        ]
        primary = SORT_KEYS[self._sort_column]
        for task_id, task in structural:
            if task is None:
                self._hay.pop(task_id, None)
            else:
                self._hay[task_id] = search_text(task)
                pairs.append(((primary(task), task_id), task))
        self._set_pairs(pairs)
        self.changePersistentIndexList(
            persistent,
            [
                self.index(self._row_of(self._pos[tid]), col) if tid in self._pos else QModelIndex()
                for tid, col in remembered
            ],
        )
        self.layoutChanged.emit()

    def _rebuild(self, tasks: Iterable[NotificationTask]) -> None:
        primary = SORT_KEYS[self._sort_column]
        self._set_pairs([((primary(t), t.id), t) for t in tasks])

    def _set_pairs(self, pairs: list[tuple[tuple[Any, str], NotificationTask]]) -> None:
        pairs.sort(key=lambda p: p[0])
        self._keys = [k for k, _ in pairs]
        self._tasks = [t for _, t in pairs]
        self._pos = {t.id: i for i, t in enumerate(self._tasks)}

    def _insert(self, task: NotificationTask) -> None:
        key = sort_key(task, self._sort_column)
        pos = bisect.bisect_left(self._keys, key)
        row = pos if not self._descending else len(self._tasks) - pos
        self.beginInsertRows(QModelIndex(), row, row)
        self._keys.insert(pos, key)
        self._tasks.insert(pos, task)
        self._hay[task.id] = search_text(task)
        for i in range(pos, len(self._tasks)):
            self._pos[self._tasks[i].id] = i
        self.endInsertRows()

    def _remove(self, task_id: str) -> None:
        pos = self._pos.get(task_id)
        if pos is None:
            return
        row = self._row_of(pos)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._keys[pos]
        del self._tasks[pos]
        del self._pos[task_id]
        self._hay.pop(task_id, None)
        for i in range(pos, len(self._tasks)):
            self._pos[self._tasks[i].id] = i
        self.endRemoveRows()

    def _emit_changed_rows(self, rows: list[int]) -> None:
        """One dataChanged per run of adjacent rows, never one for the whole table."""
        if not rows:
            return
        rows.sort()
        last = len(Column) - 1
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, last))
            if row is not None:
                start = prev = row

    # --- reading -----------------------------------------------------------------------------
    def _row_of(self, pos: int) -> int:
        return len(self._tasks) - 1 - pos if self._descending else pos

    _row_to_pos = _row_of  # the mapping is its own inverse

    def _task_at_row(self, row: int) -> NotificationTask:
        return self._tasks[self._row_to_pos(row)]

    def task_at(self, row: int) -> NotificationTask | None:
        """Inlined row mapping: the filter calls this once per row on every refilter."""
        tasks = self._tasks
        n = len(tasks)
        if 0 <= row < n:
            return tasks[n - 1 - row] if self._descending else tasks[row]
        return None

    def task(self, task_id: str) -> NotificationTask | None:
        pos = self._pos.get(task_id)
        return self._tasks[pos] if pos is not None else None

    def row_of_task(self, task_id: str) -> int:
        pos = self._pos.get(task_id)
        return -1 if pos is None else self._row_of(pos)

    def haystack_at(self, row: int) -> str:
        return self._hay.get(self._task_at_row(row).id, "")

    def tasks(self) -> list[NotificationTask]:
        return list(self._tasks)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return header_label(Column(section)) if 0 <= section < len(Column) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._tasks):
            return None
        task = self._task_at_row(index.row())
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(task, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.LAST_ERROR and task.last_error:
            return f"{task.last_error.code}: {task.last_error.message}"
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATE:
            return RETRYING_COLOUR if task.retrying else STATE_COLOURS[task.status]
        if role == Qt.ItemDataRole.BackgroundRole and task.status == TaskState.DEAD:
            return DEAD_ROW
        if role == Roles.TaskRole:
            return task
        if role == Roles.TaskIdRole:
            return task.id
        if role == Roles.StateRole:
            return task.status
        if role == Roles.SortRole:
            return sort_key(task, column)[0]
        return None

    def _display(self, task: NotificationTask, column: Column) -> str:
        if column == Column.CREATED:
            return (
                task.created_at.astimezone().strftime("%Y-%m-%d %H:%M") if task.created_at else ""
            )
        if column == Column.BOOKING:
            return task.booking_number
        if column == Column.RECIPIENT:
            return mask_email(task.client_email) if self._masked else task.client_email
        if column == Column.TYPE:
            return type_label(task.type)
        if column == Column.STATE:
            return state_label(task.status, task.retrying)
        if column == Column.ATTEMPTS:
            return f"{task.attempts}/{task.max_attempts}"
        if column == Column.NEXT_ATTEMPT:
            if task.status != TaskState.PENDING:
                return ""
            return relative_to_now(task.next_attempt_at, self.clock())
        if column == Column.LAST_ERROR:
            return task.last_error.message if task.last_error else ""
        if column == Column.PROVIDER:
            return task.provider or ""
        return task.lease_owner or ""

    # --- presentation switches ------------------------------------------------------------------
    def set_masked(self, masked: bool) -> None:
        if masked == self._masked:
            return
        self._masked = masked
        if self._tasks:
            row = Column.RECIPIENT
            self.dataChanged.emit(self.index(0, row), self.index(len(self._tasks) - 1, row))

    @property
    def masked(self) -> bool:
        return self._masked

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        column = Column(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self._sort_column and descending == self._descending:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        remembered = [(self._task_at_row(p.row()).id, p.column()) for p in persistent]
        self._descending = descending
        if column != self._sort_column:
            self._sort_column = column
            self._rebuild(list(self._tasks))
        self.changePersistentIndexList(
            persistent,
            [self.index(self._row_of(self._pos[tid]), col) for tid, col in remembered],
        )
        self.layoutChanged.emit()

    def sort_state(self) -> tuple[Column, Qt.SortOrder]:
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        return self._sort_column, order

    def reset(self, tasks: Iterable[NotificationTask]) -> None:
        """Replace everything at once (the first load); far cheaper than row-by-row inserts."""
        self.beginResetModel()
        tasks = list(tasks)
        self._hay = {t.id: search_text(t) for t in tasks}
        self._rebuild(tasks)
        self.endResetModel()
