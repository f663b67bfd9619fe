"""The supervisor's side of the SQLite queue: retry, cancel, fix an address, list, count.

Every manual action writes its ``auditLog`` entry in the same transaction as the change, so
the log can never claim an action that did not happen, nor miss one that did.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from parking_desk import task_rules
from parking_desk.booking_rules import checked_email
from parking_desk.errors import NotFound
from parking_desk.services.store.base import Subscription, TaskRow, TaskRowBatch
from parking_desk.services.store.sqlite.audit import insert_audit
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import (
    loads,
    task_from_row,
)
from parking_desk.services.store.sqlite.task_rows import (
    ROW_SELECT,
    RowPollingSubscription,
    fetch_rows,
    filter_sql,
)
from parking_desk.services.store.sqlite.tasks import apply_write, read_row, select_rows
from parking_desk.task import NotificationTask, TaskFilter
from parking_desk.task_rules import TaskWrite
from parking_desk.timeutil import utcnow


class SqliteQueueAdmin:
    """The supervisor's role: list and watch the queue, retry, cancel, fix a recipient."""

    def __init__(self, db: SqliteConnections, poll_interval: float) -> None:
        self._db = db
        self._poll_interval = poll_interval

    # --- supervisor actions ---------------------------------------------------------------
    def retry_tasks(
        self,
        listed: Sequence[tuple[str, int | None]],
        *,
        operator: str,
        audit_id: str | None = None,
        filter: TaskFilter | None = None,
        requested: int | None = None,
        now: datetime | None = None,
    ) -> int:
        now = now or utcnow()
        audit_id = audit_id or uuid.uuid4().hex[:20]
        versions = dict(listed)
        with self._db.write() as conn:
            rows = [
                r
                for r in select_rows(conn, list(versions), None)
                if versions[r["id"]] in (None, r["version"])
            ]
            done = self._retry_rows(conn, rows, operator, now)
            found = conn.execute("SELECT doc FROM auditLog WHERE id = ?", (audit_id,)).fetchone()
            if found is None:
                details = {"count": 0, "skipped": 0, "requested": requested or len(versions)}
                doc: dict[str, Any] = {"taskIds": [], "details": details}
            else:
                doc = loads(found["doc"])
                conn.execute("DELETE FROM auditLog WHERE id = ?", (audit_id,))
            details = doc["details"]
            details["count"] += len(done)
            details["skipped"] += len(versions) - len(done)
            insert_audit(
                conn,
                operator,
                "retry",
                [*doc["taskIds"], *done],
                filter.describe() if filter is not None else None,
                details,
                now,
                audit_id,
            )
        return len(done)

    def _each_row(
        self,
        conn: sqlite3.Connection,
        rows: list[sqlite3.Row],
        rule: Callable[[NotificationTask], TaskWrite | None],
        now: datetime,
    ) -> list[str]:
        """Apply *rule* to each row's task (salvaged if its document does not parse); the
        ids that changed."""
        done: list[str] = []
        seq = self._db.next_seq(conn)
        for row in rows:
            task, reason = read_row(row)
            if reason is not None:
                task = task_from_row(row)
            write = rule(task)
            if write is not None and apply_write(
                conn, row, write, seq, now, malformed=reason is not None
            ):
                done.append(row["id"])
        return done

    def _retry_rows(
        self, conn: sqlite3.Connection, rows: list[sqlite3.Row], operator: str, now: datetime
    ) -> list[str]:
        return self._each_row(conn, rows, lambda t: task_rules.retry(t, operator, now), now)

    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int:
        now = now or utcnow()
        with self._db.write() as conn:
            rows = select_rows(conn, ids, None)
            done = self._each_row(conn, rows, lambda t: task_rules.cancel(t, operator, now), now)
            insert_audit(conn, operator, "cancel", done, None, None, now)
        return len(done)

    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        email = checked_email(email)
        now = now or utcnow()
        with self._db.write() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                raise NotFound(code="error.task_not_found", task_id=task_id)
            old = task_from_row(row)
            self._each_row(
                conn, [row], lambda t: task_rules.fix_recipient(t, email, operator, now), now
            )
            insert_audit(
                conn,
                operator,
                "update_recipient",
                [task_id],
                None,
                task_rules.recipient_audit(old, email),
                now,
            )
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
            return task_from_row(row)

    # --- reading ----------------------------------------------------------------------------
    def get_task(self, task_id: str) -> NotificationTask | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
        return task_from_row(row) if row is not None else None

    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        where, args = filter_sql(filter)
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM emailQueue{where} ORDER BY createdAt DESC, rowid DESC LIMIT ?",
                [*args, -1 if limit is None else limit],
            ).fetchall()
        return [task_from_row(row) for row in rows]

    def list_task_rows(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[TaskRow]:
        where, args = filter_sql(filter)
        with self._db.read() as conn:
            return fetch_rows(
                conn,
                f"{ROW_SELECT}{where} ORDER BY createdAt DESC, rowid DESC LIMIT ?",
                [*args, -1 if limit is None else limit],
            )

    def watch_task_rows(self, callback: Callable[[TaskRowBatch], None]) -> Subscription:
        return RowPollingSubscription(self._db, callback, self._poll_interval)
