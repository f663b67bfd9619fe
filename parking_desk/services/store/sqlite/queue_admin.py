"""The supervisor's side of the SQLite queue: retry, cancel, fix an address, list, count.

Every manual action writes its ``auditLog`` entry in the same transaction as the change, so
the log can never claim an action that did not happen, nor miss one that did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from parking_desk import task_rules
from parking_desk.booking_rules import checked_email
from parking_desk.errors import NotFound
from parking_desk.services.store.base import QueueStats
from parking_desk.services.store.sqlite.audit import SqliteAudit
from parking_desk.services.store.sqlite.queue import read_row
from parking_desk.services.store.sqlite.schema import (
    epoch,
    from_epoch,
    loads,
    task_from_row,
)
from parking_desk.services.store.sqlite.task_rows import filter_sql
from parking_desk.task import NotificationTask, TaskFilter, TaskState
from parking_desk.task_rules import TaskWrite
from parking_desk.timeutil import utcnow


class SqliteQueueAdmin(SqliteAudit):
    # --- supervisor actions ---------------------------------------------------------------
    def retry_now(
        self,
        *,
        operator: str,
        ids: Sequence[str] | None = None,
        filter: TaskFilter | None = None,
        now: datetime | None = None,
    ) -> int:
        if ids is None and filter is None:
            raise ValueError("retry_now needs ids or a filter")
        now = now or utcnow()
        with self._write() as conn:
            done = self._retry_rows(conn, self._select(conn, ids, filter), operator, now)
            self._insert_audit(
                conn,
                operator,
                "retry",
                done,
                filter.describe() if filter is not None else None,
                {"requestedIds": list(ids)} if ids is not None else None,
                now,
            )
        return len(done)

    def retry_listed(
        self,
        listed: Sequence[tuple[str, int]],
        *,
        operator: str,
        audit_id: str,
        filter: TaskFilter | None = None,
        requested: int | None = None,
        now: datetime | None = None,
    ) -> int:
        now = now or utcnow()
        versions = dict(listed)
        with self._write() as conn:
            rows = [
                r
                for r in self._select(conn, list(versions), None)
                if r["version"] == versions[r["id"]]
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
            self._insert_audit(
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
        seq = self._next_seq(conn)
        for row in rows:
            task, reason = read_row(row)
            if reason is not None:
                task = task_from_row(row)
            write = rule(task)
            if write is not None and self._apply(
                conn, row, write, seq, now, malformed=reason is not None
            ):
                done.append(row["id"])
        return done

    def _retry_rows(
        self, conn: sqlite3.Connection, rows: list[sqlite3.Row], operator: str, now: datetime
    ) -> list[str]:
        return self._each_row(conn, rows, lambda t: task_rules.retry(t, operator, now), now)

    def _select(
        self, conn: sqlite3.Connection, ids: Sequence[str] | None, flt: TaskFilter | None
    ) -> list[sqlite3.Row]:
        if ids is not None:
            rows: list[sqlite3.Row] = []
            unique = list(dict.fromkeys(ids))
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows += conn.execute(
                    f"SELECT * FROM emailQueue WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            return rows
        where, args = filter_sql(flt)
        return conn.execute(f"SELECT * FROM emailQueue{where}", args).fetchall()

    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int:
        now = now or utcnow()
        with self._write() as conn:
            rows = self._select(conn, ids, None)
            done = self._each_row(conn, rows, lambda t: task_rules.cancel(t, operator, now), now)
            self._insert_audit(conn, operator, "cancel", done, None, None, now)
        return len(done)

    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        email = checked_email(email)
        now = now or utcnow()
        with self._write() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                raise NotFound(code="error.task_not_found", task_id=task_id)
            old = task_from_row(row)
            self._each_row(
                conn, [row], lambda t: task_rules.fix_recipient(t, email, operator, now), now
            )
            self._insert_audit(
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
        with self._read() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
        return task_from_row(row) if row is not None else None

    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        where, args = filter_sql(filter)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT * FROM emailQueue{where} ORDER BY createdAt DESC, rowid DESC LIMIT ?",
                [*args, -1 if limit is None else limit],
            ).fetchall()
        return [task_from_row(row) for row in rows]

    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        now = now or utcnow()
        with self._read() as conn:
            counts = {state: 0 for state in TaskState}
            for row in conn.execute("SELECT status, COUNT(*) FROM emailQueue GROUP BY status"):
                if row[0] in counts:
                    counts[TaskState(row[0])] = row[1]
            retrying = conn.execute(
                "SELECT COUNT(*) FROM emailQueue WHERE status = 'pending' AND attempts > 0"
            ).fetchone()[0]
            oldest = conn.execute(
                "SELECT MIN(dueAt) FROM emailQueue WHERE status = 'pending' AND nextAttemptAt <= ?",
                (epoch(now),),
            ).fetchone()[0]
        due = from_epoch(oldest)
        age = None if due is None else max(timedelta(0), now - due)
        return QueueStats(counts=counts, retrying=retrying, oldest_due_age=age)

    def sent_since(self, since: datetime) -> list[datetime]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT finishedAt FROM emailQueue WHERE status = 'completed' AND finishedAt >= ? "
                "ORDER BY finishedAt",
                (epoch(since),),
            ).fetchall()
        return [at for row in rows if (at := from_epoch(row[0]))]

    def failures_since(self, since: datetime) -> list[datetime]:
        """When each task that went dead since *since* did so (``finishedAt`` of a dead row)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT finishedAt FROM emailQueue WHERE status = 'dead' AND finishedAt >= ? "
                "ORDER BY finishedAt",
                (epoch(since),),
            ).fetchall()
        return [at for row in rows if (at := from_epoch(row[0]))]

    def purge_finished(self, older_than: timedelta, *, now: datetime | None = None) -> int:
        now = now or utcnow()
        cutoff = epoch(now - older_than)
        with self._write() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM emailQueue WHERE status IN ('completed', 'cancelled') "
                    "AND finishedAt < ?",
                    (cutoff,),
                )
            ]
            if not ids:
                return 0
            seq = self._next_seq(conn)
            conn.execute(
                "DELETE FROM emailQueue WHERE status IN ('completed', 'cancelled') "
                "AND finishedAt < ?",
                (cutoff,),
            )
            conn.executemany(
                "INSERT INTO removedTasks (id, changeSeq, at) VALUES (?, ?, ?)",
                [(task_id, seq, epoch(now)) for task_id in ids],
            )
            # A live change feed polls every second or so; a day of tombstones is plenty.
            conn.execute("DELETE FROM removedTasks WHERE at < ?", (epoch(now) - 86400,))
        return len(ids)
