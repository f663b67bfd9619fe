"""The queue table's columns, roles, colours and sort keys, apart from the model that uses
them, so the detail panel and the filter read the same labels and keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from parking_desk.task import NotificationTask, TaskState, TaskType


class Column(IntEnum):
    CREATED = 0
    BOOKING = 1
    RECIPIENT = 2
    TYPE = 3
    STATE = 4
    ATTEMPTS = 5
    NEXT_ATTEMPT = 6
    LAST_ERROR = 7
    PROVIDER = 8
    WORKER = 9


class Roles(IntEnum):
    TaskRole = Qt.ItemDataRole.UserRole + 1
    TaskIdRole = Qt.ItemDataRole.UserRole + 2
    StateRole = Qt.ItemDataRole.UserRole + 3
    SortRole = Qt.ItemDataRole.UserRole + 4


STATE_COLOURS = {
    TaskState.PENDING: QColor("#8a6d00"),
    TaskState.PROCESSING: QColor("#1f5fbf"),
    TaskState.COMPLETED: QColor("#2e7d32"),
    TaskState.DEAD: QColor("#c62828"),
    TaskState.CANCELLED: QColor("#6d6d6d"),
}
RETRYING_COLOUR = QColor("#d9480f")
DEAD_ROW = QBrush(QColor("#fdecea"))
STATE_ORDER = {s: i for i, s in enumerate(TaskState)}
# The same rank keyed by identity: hashing an enum member runs Python code, and the state key
# is computed for every row when a 100,000-row table is sorted by state.
_RANK_BY_ID = {id(s): i for i, s in enumerate(TaskState)}


def state_label(state: TaskState, retrying: bool = False) -> str:
    if retrying:
        return QCoreApplication.translate("QueueModel", "retrying")
    return {
        TaskState.PENDING: QCoreApplication.translate("QueueModel", "pending"),
        TaskState.PROCESSING: QCoreApplication.translate("QueueModel", "processing"),
        TaskState.COMPLETED: QCoreApplication.translate("QueueModel", "completed"),
        TaskState.DEAD: QCoreApplication.translate("QueueModel", "dead"),
        TaskState.CANCELLED: QCoreApplication.translate("QueueModel", "cancelled"),
    }[state]


def type_label(kind: TaskType) -> str:
    return {
        TaskType.QR: QCoreApplication.translate("QueueModel", "QR code"),
        TaskType.EMAIL: QCoreApplication.translate("QueueModel", "e-mail"),
        TaskType.BOTH: QCoreApplication.translate("QueueModel", "e-mail + QR"),
    }[kind]


# Missing times sort first; aware datetimes compare in C, far cheaper than .timestamp().
_NEVER = datetime.min.replace(tzinfo=UTC)


def _error_text(task: NotificationTask) -> str:
    return task.last_error.message.casefold() if task.last_error else ""


SORT_KEYS: dict[Column, Callable[[NotificationTask], Any]] = {
    Column.CREATED: lambda t: t.created_at or _NEVER,
    Column.BOOKING: lambda t: t.booking_number,
    Column.RECIPIENT: lambda t: t.client_email.casefold(),
    Column.TYPE: lambda t: str(t.type),
    Column.STATE: lambda t: (_RANK_BY_ID[id(t.status)], t.attempts),
    Column.ATTEMPTS: lambda t: (t.attempts, t.max_attempts),
    Column.NEXT_ATTEMPT: lambda t: t.next_attempt_at or _NEVER,
    Column.LAST_ERROR: _error_text,
    Column.PROVIDER: lambda t: t.provider or "",
    Column.WORKER: lambda t: t.lease_owner or "",
}


def sort_key(task: NotificationTask, column: Column) -> tuple[Any, str]:
    """A key comparable across every task; the id breaks ties so the order is stable."""
    return (SORT_KEYS[column](task), task.id)


def search_text(task: NotificationTask) -> str:
    """What the free-text filter looks in, folded once per change instead of once per query."""
    err = task.last_error
    return "\x1f".join(
        (
            task.booking_number,
            task.client_email,
            err.message if err else "",
            err.code if err else "",
        )
    ).casefold()


def header_label(column: Column) -> str:
    return {
        Column.CREATED: QCoreApplication.translate("QueueModel", "Created"),
        Column.BOOKING: QCoreApplication.translate("QueueModel", "Booking"),
        Column.RECIPIENT: QCoreApplication.translate("QueueModel", "Recipient"),
        Column.TYPE: QCoreApplication.translate("QueueModel", "Type"),
        Column.STATE: QCoreApplication.translate("QueueModel", "State"),
        Column.ATTEMPTS: QCoreApplication.translate("QueueModel", "Attempts"),
        Column.NEXT_ATTEMPT: QCoreApplication.translate("QueueModel", "Next attempt"),
        Column.LAST_ERROR: QCoreApplication.translate("QueueModel", "Last error"),
        Column.PROVIDER: QCoreApplication.translate("QueueModel", "Provider"),
        Column.WORKER: QCoreApplication.translate("QueueModel", "Worker"),
    }[column]
