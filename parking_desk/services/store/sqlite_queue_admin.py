"""The supervisor's side of the SQLite queue: retry, cancel, fix an address, list, count.

Every manual action writes its ``auditLog`` entry in the same transaction as the change, so
the log can never claim an action that did not happen, nor miss one that did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from parking_desk.booking import EmailStatus
from parking_desk.errors import FieldError, MalformedTask, NotFound, ValidationError
from parking_desk.services.store.base import QueueStats, Subscription, TaskChange
from parking_desk.services.store.sqlite_audit import SqliteAudit
from parking_desk.services.store.sqlite_queue import history_entry, with_history
from parking_desk.services.store.sqlite_schema import (
    epoch,
    from_epoch,
    loads,
    task_from_row,
)
from parking_desk.services.store.sqlite_task_rows import filter_sql
from parking_desk.services.store.sqlite_watch import PollingSubscription
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskState
from parking_desk.timeutil import utcnow
from parking_desk.validation import MAX_EMAIL, has_control_chars

RETRYABLE = (TaskState.DEAD, TaskState.CANCELLED, TaskState.PENDING)
CANCELLABLE = (TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD)


def parse_row(row: sqlite3.Row) -> NotificationTask | None:
    """The task in *row*, or None when its document cannot be read."""
    try:
        task = NotificationTask.from_document(row["id"], loads(row["doc"]))
    except (MalformedTask, ValueError):
        return None
    task.version = row["version"]
    return task


def checked_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError([FieldError("clientEmail", "field.required")])
    if len(email) > MAX_EMAIL:
        raise ValidationError([FieldError("clientEmail", "field.too_long", {"max": MAX_EMAIL})])
    if has_control_chars(email):
        raise ValidationError([FieldError("clientEmail", "field.control_chars")])
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(
            [FieldError("clientEmail", "email.invalid", {"reason": str(exc)})]
        ) from None


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
                doc = {"taskIds": [], "details": details}
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

    def _retry_rows(
        self, conn: sqlite3.Connection, rows: list[sqlite3.Row], operator: str, now: datetime
    ) -> list[str]:
        """Due now with a fresh budget, for each retryable row; the ids that changed."""
        done: list[str] = []
        seq = self._next_seq(conn)
        for row in rows:
            if row["status"] not in RETRYABLE:
                continue
            entry = history_entry(
                now,
                operator,
                "manual_retry",
                LastError(row["errorCode"], row["errorMessage"], False),
            )
            task = parse_row(row)
            if task is None:
                self._patch_state(
                    conn,
                    row,
                    seq,
                    now,
                    status=TaskState.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    keep_error=False,
                    entry=entry,
                )
            elif not self._save_task(conn, self._fresh(task, now, entry), seq, now):
                continue
            done.append(row["id"])
        return done

    @staticmethod
    def _fresh(
        task: NotificationTask, now: datetime, entry: dict[str, Any], **changes: Any
    ) -> NotificationTask:
        """Due now with a fresh attempt budget; the last error moves to the history."""
        return task.with_changes(
            status=TaskState.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            completed_at=None,
            updated_at=now,
            history=with_history(task, entry),
            **changes,
        )

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
        done: list[str] = []
        with self._write() as conn:
            rows = self._select(conn, ids, None)
            seq = self._next_seq(conn)
            for row in rows:
                if row["status"] not in CANCELLABLE:
                    continue
                entry = history_entry(now, operator, "cancelled")
                task = parse_row(row)
                if task is None:
                    self._patch_state(conn, row, seq, now, status=TaskState.CANCELLED, entry=entry)
                else:
                    cancelled = task.with_changes(
                        status=TaskState.CANCELLED,
                        lease_owner=None,
                        lease_expires_at=None,
                        updated_at=now,
                        history=with_history(task, entry),
                    )
                    if not self._save_task(conn, cancelled, seq, now):
                        continue
                done.append(row["id"])
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
            old = row["clientEmail"]
            entry = history_entry(now, operator, "recipient_changed")
            seq = self._next_seq(conn)
            task = parse_row(row)
            if task is None:
                doc = loads(row["doc"])
                if isinstance(doc, dict):
                    doc["clientEmail"] = email
                    if isinstance(doc.get("bookingData"), dict):
                        doc["bookingData"]["clientEmail"] = email
                self._patch_state(
                    conn,
                    row,
                    seq,
                    now,
                    status=TaskState.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    keep_error=False,
                    entry=entry,
                    doc=doc,
                )
                conn.execute("UPDATE emailQueue SET clientEmail = ? WHERE id = ?", (email, task_id))
            else:
                data = {**task.booking_data, "clientEmail": email}
                fixed = self._fresh(task, now, entry, client_email=email, booking_data=data)
                self._save_task(conn, fixed, seq, now)
            number = row["bookingNumber"]
            self._patch_booking(
                conn, number, {"clientEmail": email, "emailStatus": str(EmailStatus.PENDING)}, now
            )
            self._insert_audit(
                conn,
                operator,
                "update_recipient",
                [task_id],
                None,
                {"from": old, "to": email, "bookingNumber": number},
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

    def watch_tasks(self, callback: Callable[[list[TaskChange]], None]) -> Subscription:
        return PollingSubscription(self, callback, self.poll_interval)

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
