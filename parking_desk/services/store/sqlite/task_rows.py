"""The queue as table rows, straight from the typed columns.

The supervisor's table needs a dozen fields of each of up to 100,000 tasks. Reading them
from the columns the store keeps next to each document skips the JSON parse and the task
object per row, which is most of what listing whole tasks costs.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from parking_desk.services.store.base import TaskRow, TaskRowBatch
from parking_desk.services.store.sqlite.schema import epoch
from parking_desk.services.store.sqlite.watch import PollingSubscription
from parking_desk.task import TaskFilter
from parking_desk.task_filter import compile_filter

# In TaskRow's order. nextAttemptAt 0 is the column's "due now".
ROW_SELECT = (
    "SELECT id, type, bookingNumber, clientEmail, status, attempts, maxAttempts, "
    "NULLIF(nextAttemptAt, 0.0), createdAt, errorCode, errorMessage, provider, leaseOwner, "
    "version FROM emailQueue"
)


def filter_sql(flt: TaskFilter | None) -> tuple[str, list[Any]]:
    """The filter's plan as a WHERE clause, so a 100,000-row queue is narrowed by the index.
    SQLite runs every condition of the plan (the search text through the registered
    ``casefold``, over the same fields in the same order as ``search_text``)."""
    if flt is None:
        return "", []
    plan = compile_filter(flt)
    where: list[str] = []
    args: list[Any] = []
    if plan.states:
        where.append(f"status IN ({', '.join('?' * len(plan.states))})")
        args += plan.states
    if plan.with_attempts:
        where.append("attempts > 0")
    if plan.created_from is not None:
        where.append("createdAt >= ?")
        args.append(epoch(plan.created_from))
    if plan.created_to is not None:
        where.append("createdAt < ?")
        args.append(epoch(plan.created_to))
    if plan.needle:
        where.append(
            "instr(casefold(bookingNumber || char(31) || clientEmail || char(31) || "
            "errorCode || char(31) || errorMessage), ?) > 0"
        )
        args.append(plan.needle)
    return (" WHERE " + " AND ".join(where)) if where else "", args


def fetch_rows(conn: sqlite3.Connection, sql: str, args: Any = ()) -> list[TaskRow]:
    """Plain tuples from the cursor (no ``sqlite3.Row`` per row), typed once at the end."""
    cur = conn.cursor()
    cur.row_factory = None
    make = TaskRow._make
    return [make(t) for t in cur.execute(sql, args)]


class RowPollingSubscription(PollingSubscription):
    """The same poller delivering table rows read from the typed columns (``TaskRowBatch``);
    the first batch holds every task."""

    def _read_all(self, conn: sqlite3.Connection) -> TaskRowBatch:
        rows = fetch_rows(conn, f"{ROW_SELECT} ORDER BY createdAt DESC, rowid DESC")
        return TaskRowBatch(rows, [], complete=True)

    def _read_since(self, conn: sqlite3.Connection, seq: int, removed: list[str]) -> Any:
        rows = fetch_rows(conn, f"{ROW_SELECT} WHERE changeSeq > ? ORDER BY changeSeq", (seq,))
        if not rows and not removed:
            return None
        return TaskRowBatch(rows, removed, complete=False)


class DuePollingSubscription(PollingSubscription):
    """The same poller telling a worker that something may be due: when the change counter
    moved, one indexed ``EXISTS`` over the changed rows, with no row read into Python. The
    engine's wake-up needs nothing more, and the desk's GUI thread shares its GIL.

    It polls at once after each commit of this process (``SqliteConnections.on_commit``),
    so the in-app engine hears of a booking saved here without waiting for the tick."""

    def __init__(self, store: Any, callback: Any, interval: float) -> None:
        super().__init__(store, callback, interval)
        self._stop_telling = store.on_commit(self.kick)

    def unsubscribe(self) -> None:
        self._stop_telling()
        super().unsubscribe()

    def _read_all(self, conn: sqlite3.Connection) -> bool:
        return self._due(conn, "")

    def _read_since(self, conn: sqlite3.Connection, seq: int, removed: list[str]) -> Any:
        return self._due(conn, " AND changeSeq > ?", seq) or None

    @staticmethod
    def _due(conn: sqlite3.Connection, where: str, *args: Any) -> bool:
        sql = (
            "SELECT EXISTS (SELECT 1 FROM emailQueue"
            f" WHERE status = 'pending' AND nextAttemptAt <= ?{where})"
        )
        return bool(conn.execute(sql, (time.time(), *args)).fetchone()[0])
