"""The supervisor's side of the SQLite queue: retry, cancel, fix an address, list, count.

Every manual action writes its ``auditLog`` entry in the same transaction as the change, so
the log can never claim an action that did not happen, nor miss one that did.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from parking_desk.booking import EmailStatus
from parking_desk.errors import FieldError, MalformedTask, NotFound, ValidationError
from parking_desk.services.store.base import AuditEntry, QueueStats, Subscription, TaskChange
from parking_desk.services.store.sqlite_queue import SqliteQueue, history_entry, with_history
from parking_desk.services.store.sqlite_schema import (
    dumps,
    epoch,
    from_epoch,
    loads,
    task_from_row,
)
from parking_desk.services.store.sqlite_watch import PollingSubscription
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskState
from parking_desk.timeutil import utcnow
from parking_desk.validation import MAX_EMAIL, has_control_chars

RETRYABLE = (TaskState.DEAD, TaskState.CANCELLED, TaskState.PENDING)
CANCELLABLE = (TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD)


def filter_sql(flt: TaskFilter | None) -> tuple[str, list[Any]]:
    """The filter as a WHERE clause, so a 100,000-row queue is narrowed by the index."""
    where: list[str] = []
    args: list[Any] = []
    if flt is not None:
        if flt.states:
            where.append(f"status IN ({', '.join('?' * len(flt.states))})")
            args += sorted(str(s) for s in flt.states)
        if flt.retrying:
            where.append("status = 'pending' AND attempts > 0")
        if flt.created_from:
            where.append("createdAt >= ?")
            args.append(epoch(flt.created_from))
        if flt.created_to:
            where.append("createdAt < ?")
            args.append(epoch(flt.created_to))
        if flt.text:
            where.append(
                "instr(casefold(bookingNumber || char(31) || clientEmail || char(31) || "
                "errorCode || char(31) || errorMessage), ?) > 0"
            )
            args.append(flt.text.casefold())
    return (" WHERE " + " AND ".join(where)) if where else "", args


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


class SqliteQueueAdmin(SqliteQueue):
    # --- audit ------------------------------------------------------------------------------
    def _insert_audit(
        self,
        conn: sqlite3.Connection,
        operator: str,
        action: str,
        task_ids: Iterable[str],
        filter: dict[str, Any] | None,
        details: dict[str, Any] | None,
        now: datetime,
    ) -> AuditEntry:
        entry = AuditEntry(
            id=uuid.uuid4().hex[:20],
            at=now,
            operator=operator,
            action=action,
            task_ids=list(task_ids),
            filter=filter,
            details=dict(details or {}),
        )
        doc = {
            "at": now,
            "operator": operator,
            "action": action,
            "taskIds": entry.task_ids,
            "filter": filter,
            "details": entry.details,
        }
        conn.execute(
            "INSERT INTO auditLog (id, at, doc) VALUES (?, ?, ?)",
            (entry.id, epoch(now), dumps(doc)),
        )
        return entry

    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        with self._write() as conn:
            return self._insert_audit(
                conn, operator, action, task_ids, filter, details, now or utcnow()
            )

    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, doc FROM auditLog ORDER BY at DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        entries = []
        for row in rows:
            doc = loads(row["doc"])
            entries.append(
                AuditEntry(
                    id=row["id"],
                    at=doc["at"],
                    operator=doc.get("operator", ""),
                    action=doc.get("action", ""),
                    task_ids=list(doc.get("taskIds") or []),
                    filter=doc.get("filter"),
                    details=doc.get("details") or {},
                )
            )
        return entries

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
        done: list[str] = []
        with self._write() as conn:
            rows = self._select(conn, ids, filter)
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
                else:
                    fresh = self._fresh(task, now, entry)
                    if not self._save_task(conn, fresh, seq, now):
                        continue
                done.append(row["id"])
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
        age = None if oldest is None else max(timedelta(0), now - from_epoch(oldest))
        return QueueStats(counts=counts, retrying=retrying, oldest_due_age=age)

    def sent_since(self, since: datetime) -> list[datetime]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT finishedAt FROM emailQueue WHERE status = 'completed' AND finishedAt >= ? "
                "ORDER BY finishedAt",
                (epoch(since),),
            ).fetchall()
        return [from_epoch(row[0]) for row in rows]

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
