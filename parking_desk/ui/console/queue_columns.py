"""The queue table's columns, roles, colours and sort keys, apart from the model that uses
them, so the detail panel and the filter read the same labels and keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from parking_desk import task_filter
from parking_desk.bounce import shown_error
from parking_desk.services.store.base import TaskRow
from parking_desk.services.supervisor import mask_email
from parking_desk.task import TaskState, TaskType
from parking_desk.ui.console.relative_time import relative_to_now
from parking_desk.ui.local_time import local as site_local


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
    TaskRole = Qt.ItemDataRole.UserRole + 1  # the row's TaskRow
    TaskIdRole = Qt.ItemDataRole.UserRole + 2
    StateRole = Qt.ItemDataRole.UserRole + 3
    SortRole = Qt.ItemDataRole.UserRole + 4


# Keyed by the state's value too: a TaskRow holds the state as a plain string.
STATE_COLOURS: dict[str, QColor] = {
    TaskState.PENDING: QColor("#8a6d00"),
    TaskState.PROCESSING: QColor("#1f5fbf"),
    TaskState.COMPLETED: QColor("#2e7d32"),
    TaskState.DEAD: QColor("#c62828"),
    TaskState.CANCELLED: QColor("#6d6d6d"),
    TaskState.BOUNCED: QColor("#ad1457"),
}
RETRYING_COLOUR = QColor("#d9480f")
DEAD_ROW = QBrush(QColor("#fdecea"))


def state_label(state: str, retrying: bool = False) -> str:
    """The label of a ``TaskState``, or of its value as a ``TaskRow`` holds it."""
    if retrying:
        return QCoreApplication.translate("QueueModel", "retrying")
    labels: dict[str, str] = {
        TaskState.PENDING: QCoreApplication.translate("QueueModel", "pending"),
        TaskState.PROCESSING: QCoreApplication.translate("QueueModel", "processing"),
        TaskState.COMPLETED: QCoreApplication.translate("QueueModel", "completed"),
        TaskState.DEAD: QCoreApplication.translate("QueueModel", "dead"),
        TaskState.CANCELLED: QCoreApplication.translate("QueueModel", "cancelled"),
        TaskState.BOUNCED: QCoreApplication.translate("QueueModel", "bounced"),
    }
    return labels.get(state, str(state))  # a state newer than this table: its own name


def type_label(kind: str) -> str:
    """The label of a ``TaskType``, or of its value as a ``TaskRow`` holds it."""
    labels: dict[str, str] = {
        TaskType.QR: QCoreApplication.translate("QueueModel", "QR code"),
        TaskType.EMAIL: QCoreApplication.translate("QueueModel", "e-mail"),
        TaskType.BOTH: QCoreApplication.translate("QueueModel", "e-mail + QR"),
    }
    return labels[kind]


# Positions in a TaskRow, for the loops that run once per row of a 100,000-row table. Written
# out as literals so that the type checker knows the type of each ``row[POSITION]``.
ID: Final = 0
TYPE: Final = 1
BOOKING: Final = 2
EMAIL: Final = 3
STATE: Final = 4
ATTEMPTS: Final = 5
MAX_ATTEMPTS: Final = 6
NEXT_AT: Final = 7
CREATED_AT: Final = 8
ERROR_CODE: Final = 9
ERROR_MESSAGE: Final = 10
PROVIDER: Final = 11
WORKER: Final = 12
VERSION: Final = 13
_POSITIONS = {
    "id": ID,
    "type": TYPE,
    "booking_number": BOOKING,
    "client_email": EMAIL,
    "status": STATE,
    "attempts": ATTEMPTS,
    "max_attempts": MAX_ATTEMPTS,
    "next_attempt_at": NEXT_AT,
    "created_at": CREATED_AT,
    "error_code": ERROR_CODE,
    "error_message": ERROR_MESSAGE,
    "provider": PROVIDER,
    "lease_owner": WORKER,
    "version": VERSION,
}
if {name: i for i, name in enumerate(TaskRow._fields)} != _POSITIONS:
    raise ImportError("queue_columns: the TaskRow positions no longer match its fields")

# Missing times sort first.
_NEVER = float("-inf")
_RANK = {str(s): i for i, s in enumerate(TaskState)}
PENDING = str(TaskState.PENDING)
DEAD_STATE = str(TaskState.DEAD)
BOUNCED_STATE = str(TaskState.BOUNCED)

# Each key ends with the task id: keys are unique, so a row is found again by bisection.
SORT_KEYS: dict[Column, Callable[[TaskRow], tuple[Any, ...]]] = {
    Column.CREATED: lambda r: (_NEVER if r[CREATED_AT] is None else r[CREATED_AT], r[ID]),
    Column.BOOKING: lambda r: (r[BOOKING], r[ID]),
    Column.RECIPIENT: lambda r: (r[EMAIL].casefold(), r[ID]),
    Column.TYPE: lambda r: (r[TYPE], r[ID]),
    Column.STATE: lambda r: (_RANK[r[STATE]], r[ATTEMPTS], r[ID]),
    Column.ATTEMPTS: lambda r: (r[ATTEMPTS], r[MAX_ATTEMPTS], r[ID]),
    Column.NEXT_ATTEMPT: lambda r: (_NEVER if r[NEXT_AT] is None else r[NEXT_AT], r[ID]),
    Column.LAST_ERROR: lambda r: (r[ERROR_MESSAGE].casefold(), r[ID]),
    Column.PROVIDER: lambda r: (r[PROVIDER] or "", r[ID]),
    Column.WORKER: lambda r: (r[WORKER] or "", r[ID]),
}


def search_text(row: TaskRow) -> str:
    """What the free-text filter looks in, folded once per change instead of once per query."""
    return task_filter.search_text(row[BOOKING], row[EMAIL], row[ERROR_CODE], row[ERROR_MESSAGE])


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


def display_text(
    row: TaskRow, column: int, *, masked: bool, now: datetime, language: str = "en"
) -> str:
    """What a cell shows; *masked* hides most of the recipient from staff; *language* is
    that of the errors the worker writes with a code the catalogue knows."""
    if column == Column.CREATED:
        created = row[CREATED_AT]
        if created is None:
            return ""
        return site_local(datetime.fromtimestamp(created, UTC)).strftime("%Y-%m-%d %H:%M")
    if column == Column.BOOKING:
        return row[BOOKING]
    if column == Column.RECIPIENT:
        return mask_email(row[EMAIL]) if masked else row[EMAIL]
    if column == Column.TYPE:
        return type_label(row[TYPE])
    if column == Column.STATE:
        return state_label(row[STATE], row[STATE] == PENDING and row[ATTEMPTS] > 0)
    if column == Column.ATTEMPTS:
        return f"{row[ATTEMPTS]}/{row[MAX_ATTEMPTS]}"
    if column == Column.NEXT_ATTEMPT:
        if row[STATE] != PENDING:
            return ""
        due = row[NEXT_AT]
        return relative_to_now(None if due is None else datetime.fromtimestamp(due, UTC), now)
    if column == Column.LAST_ERROR:
        return shown_error(row[ERROR_CODE], row[ERROR_MESSAGE], language)
    if column == Column.PROVIDER:
        return row[PROVIDER] or ""
    return row[WORKER] or ""


# Roles as plain ints: the cell maps below are looked up with what ``QModelRoleData.role()``
# returns, once per role per painted cell.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROW_ROLES = {
    int(Roles.TaskRole): lambda r: r,
    int(Roles.TaskIdRole): lambda r: r[ID],
    int(Roles.StateRole): lambda r: TaskState(r[STATE]),
}
_SORT_ROLE = int(Roles.SortRole)

Cells = tuple[dict[int, Any], ...]


def render_cells(row: TaskRow, *, masked: bool, now: datetime, language: str = "en") -> Cells:
    """Every role of every cell of *row*, one map per column, made once per row change.

    A repaint asks each visible cell for seven roles; answering them from these maps keeps
    the GUI thread's Python short while worker threads want the GIL. The next-attempt text
    of a pending row is relative to now, so the model renders that one cell live."""
    dead = row[STATE] in (DEAD_STATE, BOUNCED_STATE)  # both wait for a supervisor
    retrying = row[STATE] == PENDING and row[ATTEMPTS] > 0
    cells = []
    for column in Column:
        cell: dict[int, Any] = {key: value(row) for key, value in _ROW_ROLES.items()}
        cell[_SORT_ROLE] = SORT_KEYS[column](row)[0]
        cell[DISPLAY] = display_text(row, column, masked=masked, now=now, language=language)
        if dead:
            cell[BACKGROUND] = DEAD_ROW
        if column == Column.STATE:
            colour = RETRYING_COLOUR if retrying else STATE_COLOURS.get(row[STATE])
            if colour is not None:
                cell[FOREGROUND] = colour
        if column == Column.LAST_ERROR and (row[ERROR_CODE] or row[ERROR_MESSAGE]):
            shown = shown_error(row[ERROR_CODE], row[ERROR_MESSAGE], language)
            cell[TOOLTIP] = f"{row[ERROR_CODE]}: {shown}"
        cells.append(cell)
    return tuple(cells)


def live_text(row: TaskRow, column: int, now: datetime) -> str | None:
    """The one text that changes with the clock rather than with the row, or ``None``."""
    if column == Column.NEXT_ATTEMPT and row[STATE] == PENDING:
        return display_text(row, column, masked=False, now=now)
    return None
