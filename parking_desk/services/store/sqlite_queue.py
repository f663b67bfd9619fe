"""The worker's side of the SQLite queue: claims as leases, and lease-conditional outcomes.

A claim is ``UPDATE … WHERE id = ? AND version = ?`` inside a ``BEGIN IMMEDIATE``
transaction, so across threads and processes a due task goes to exactly one worker. Every
outcome is conditional on the lease still being the one the worker was given (owner,
``processing`` and the version it claimed); a worker whose lease expired and was taken by
another cannot overwrite the newer attempt.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from datetime import datetime, timedelta
from typing import Any

from parking_desk.booking import EmailStatus
from parking_desk.errors import MalformedTask
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite_connection import SqliteConnections
from parking_desk.services.store.sqlite_schema import (
    TASK_COLUMNS,
    dumps,
    epoch,
    loads,
    raw_task_row,
    task_row,
)
from parking_desk.task import HISTORY_LIMIT, LastError, NotificationTask, TaskState, TaskType
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

MALFORMED = "malformed"
_UNCHANGED = object()


def new_task_id() -> str:
    return uuid.uuid4().hex[:20]


def history_entry(
    now: datetime,
    worker: str,
    outcome: str,
    error: LastError | None = None,
    provider: str | None = None,
) -> dict[str, Any]:
    return {
        "at": now,
        "worker": worker,
        "outcome": outcome,
        "code": error.code if error else "",
        "message": error.message if error else "",
        "provider": provider,
    }


def with_history(task: NotificationTask, entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [*task.history, entry][-HISTORY_LIMIT:]


class SqliteQueue(SqliteConnections):
    # --- rows ---------------------------------------------------------------------------
    def _insert_task(
        self, conn: sqlite3.Connection, task: NotificationTask, seq: int, now: datetime
    ) -> None:
        row = task_row(task, now) | {"id": task.id, "version": task.version, "changeSeq": seq}
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        conn.execute(f"INSERT INTO emailQueue ({names}) VALUES ({marks})", row)

    def _save_task(
        self, conn: sqlite3.Connection, task: NotificationTask, seq: int, now: datetime
    ) -> bool:
        """Write *task* if the row is still at ``task.version``; True when it was."""
        row = task_row(task, now)
        sets = ", ".join(f"{k} = :{k}" for k in TASK_COLUMNS)
        cur = conn.execute(
            f"UPDATE emailQueue SET {sets}, version = version + 1, changeSeq = :seq "
            "WHERE id = :id AND version = :version",
            row | {"seq": seq, "id": task.id, "version": task.version},
        )
        return cur.rowcount == 1

    def _task_seq(self, conn: sqlite3.Connection) -> int:
        return self._next_seq(conn)

    def new_task(
        self,
        booking_data: dict[str, Any],
        task_type: TaskType,
        now: datetime,
    ) -> NotificationTask:
        return NotificationTask(
            id=new_task_id(),
            type=task_type,
            booking_number=str(booking_data.get("bookingNumber") or ""),
            client_email=str(booking_data.get("clientEmail") or ""),
            booking_data=booking_data,
            created_at=now,
            updated_at=now,
        )

    def import_raw_task(self, task_id: str, document: Any, *, now: datetime | None = None) -> None:
        """Store a queue document exactly as another writer (the website) shaped it."""
        now = now or utcnow()
        row = raw_task_row(task_id, document, now) | {"id": task_id}
        with self._write() as conn:
            row["changeSeq"] = self._next_seq(conn)
            names = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            conn.execute(f"INSERT OR REPLACE INTO emailQueue ({names}) VALUES ({marks})", row)

    def _mark_malformed(
        self, conn: sqlite3.Connection, row: sqlite3.Row, reason: str, seq: int, now: datetime
    ) -> None:
        """Turn a document nobody can read dead with the reason, keeping what was written."""
        error = LastError(MALFORMED, reason, True)
        self._patch_state(
            conn,
            row,
            seq,
            now,
            status=TaskState.DEAD,
            error=error,
            entry=history_entry(now, "", "dead", error),
        )
        log.warning("queue task %s is malformed and was set dead: %s", row["id"], reason)

    def _patch_state(
        self,
        conn: sqlite3.Connection,
        row: sqlite3.Row,
        seq: int,
        now: datetime,
        *,
        status: TaskState,
        attempts: int | None = None,
        next_attempt_at: datetime | None = None,
        error: LastError | None = None,
        keep_error: bool = True,
        entry: dict[str, Any] | None = None,
        doc: Any = _UNCHANGED,
    ) -> None:
        """Change the queue state of a row whose document does not parse. The typed columns
        carry the state; a document that is a map gets the same fields, so it reads the same
        way if it ever becomes readable (say, after its address is fixed)."""
        if doc is _UNCHANGED:
            doc = loads(row["doc"])
        code, message = (error.code, error.message) if error else ("", "")
        if error is None and keep_error:
            code, message = row["errorCode"], row["errorMessage"]
        attempts = row["attempts"] if attempts is None else attempts
        if isinstance(doc, dict):
            doc.update(
                status=str(status),
                attempts=attempts,
                nextAttemptAt=next_attempt_at,
                leaseOwner=None,
                leaseExpiresAt=None,
                updatedAt=now,
                lastError={"code": code, "message": message, "permanent": True} if code else None,
            )
            if entry is not None:
                history = doc.get("history") if isinstance(doc.get("history"), list) else []
                doc["history"] = [*history, entry][-HISTORY_LIMIT:]
        finished = epoch(now) if status in (TaskState.DEAD, TaskState.CANCELLED) else None
        conn.execute(
            "UPDATE emailQueue SET status = ?, attempts = ?, nextAttemptAt = ?, dueAt = ?, "
            "leaseOwner = NULL, leaseExpiresAt = NULL, finishedAt = ?, errorCode = ?, "
            "errorMessage = ?, malformed = 1, doc = ?, version = version + 1, changeSeq = ? "
            "WHERE id = ?",
            (
                str(status),
                attempts,
                epoch(next_attempt_at) or 0.0,
                epoch(next_attempt_at or now),
                finished,
                code,
                message,
                dumps(doc),
                seq,
                row["id"],
            ),
        )

    # --- claims ---------------------------------------------------------------------------
    def claim_due(
        self, worker_id: str, limit: int, lease: timedelta, *, now: datetime | None = None
    ) -> list[NotificationTask]:
        now = now or utcnow()
        at = epoch(now)
        claimed: list[NotificationTask] = []
        if limit <= 0:
            return claimed
        seen: set[str] = set()
        with self._write() as conn:
            seq = self._next_seq(conn)
            while len(claimed) < limit:
                want = limit - len(claimed)
                rows = conn.execute(
                    "SELECT * FROM emailQueue WHERE status = 'pending' AND nextAttemptAt <= ? "
                    "ORDER BY nextAttemptAt LIMIT ?",
                    (at, want),
                ).fetchall()
                if len(rows) < want:
                    rows += conn.execute(
                        "SELECT * FROM emailQueue WHERE status = 'processing' "
                        "AND (leaseExpiresAt IS NULL OR leaseExpiresAt <= ?) "
                        "ORDER BY leaseExpiresAt LIMIT ?",
                        (at, want - len(rows)),
                    ).fetchall()
                # Rows already met once cannot come back unless a write was refused; stop then.
                rows = [r for r in rows if r["id"] not in seen]
                if not rows:
                    break
                seen.update(r["id"] for r in rows)
                for row in rows:
                    task = self._claim_row(conn, row, worker_id, lease, seq, now)
                    if task is not None:
                        claimed.append(task)
        return claimed

    def _claim_row(
        self,
        conn: sqlite3.Connection,
        row: sqlite3.Row,
        worker_id: str,
        lease: timedelta,
        seq: int,
        now: datetime,
    ) -> NotificationTask | None:
        try:
            task = NotificationTask.from_document(row["id"], loads(row["doc"]))
        except MalformedTask as exc:
            self._mark_malformed(conn, row, str(exc.params.get("reason", exc)), seq, now)
            return None
        except ValueError as exc:  # the JSON itself is damaged
            self._mark_malformed(conn, row, f"unreadable document: {exc}", seq, now)
            return None
        task.version = row["version"]
        leased = task.with_changes(
            status=TaskState.PROCESSING,
            lease_owner=worker_id,
            lease_expires_at=now + lease,
            attempts=task.attempts + 1,
            updated_at=now,
        )
        if not self._save_task(conn, leased, seq, now):
            return None  # taken by another writer since it was read
        leased.version = row["version"] + 1
        return leased

    # --- outcomes -------------------------------------------------------------------------
    def _finish(
        self,
        task: NotificationTask,
        worker_id: str,
        now: datetime,
        changes: dict[str, Any],
        entry: dict[str, Any],
        booking_changes: dict[str, Any] | None,
    ) -> bool:
        with self._write() as conn:
            row = conn.execute(
                "SELECT doc, version FROM emailQueue WHERE id = ? AND status = 'processing' "
                "AND leaseOwner = ? AND version = ?",
                (task.id, worker_id, task.version),
            ).fetchone()
            if row is None:
                return False
            current = NotificationTask.from_document(task.id, loads(row["doc"]))
            current.version = row["version"]
            done = current.with_changes(
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now,
                history=with_history(current, entry),
                **changes,
            )
            seq = self._next_seq(conn)
            if not self._save_task(conn, done, seq, now):
                return False
            if booking_changes:
                self._patch_booking(conn, current.booking_number, booking_changes, now)
        return True

    def _patch_booking(
        self, conn: sqlite3.Connection, number: str, changes: dict[str, Any], now: datetime
    ) -> None:
        """Set monitoring fields on the booking, if this store holds it (the website's
        bookings may live elsewhere)."""
        row = conn.execute("SELECT doc FROM bookings WHERE bookingNumber = ?", (number,)).fetchone()
        if row is None:
            return
        doc = loads(row["doc"])
        doc.update(changes, updatedAt=now)
        conn.execute(
            "UPDATE bookings SET doc = ?, clientEmail = ? WHERE bookingNumber = ?",
            (dumps(doc), str(doc.get("clientEmail") or ""), number),
        )

    def complete(
        self,
        task: NotificationTask,
        worker_id: str,
        outcome: DeliveryOutcome,
        *,
        now: datetime | None = None,
    ) -> bool:
        now = now or utcnow()
        booking: dict[str, Any] = {}
        if outcome.qr_generated:
            booking["qrCodeGenerated"] = True
        if outcome.email_sent:
            booking.update(emailStatus=str(EmailStatus.SENT), emailSentAt=now)
        return self._finish(
            task,
            worker_id,
            now,
            {
                "status": TaskState.COMPLETED,
                "completed_at": now,
                "provider": outcome.provider,
                "message_id": outcome.message_id,
            },
            history_entry(now, worker_id, "completed", provider=outcome.provider),
            booking,
        )

    def fail_transient(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        next_attempt_at: datetime,
        *,
        now: datetime | None = None,
    ) -> bool:
        now = now or utcnow()
        return self._finish(
            task,
            worker_id,
            now,
            {"status": TaskState.PENDING, "next_attempt_at": next_attempt_at, "last_error": error},
            history_entry(now, worker_id, "retry", error),
            None,
        )

    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        now = now or utcnow()
        return self._finish(
            task,
            worker_id,
            now,
            {"status": TaskState.DEAD, "last_error": error},
            history_entry(now, worker_id, "dead", error),
            {"emailStatus": str(EmailStatus.FAILED)},
        )

    def release(self, worker_id: str, *, now: datetime | None = None) -> int:
        now = now or utcnow()
        count = 0
        with self._write() as conn:
            rows = conn.execute(
                "SELECT * FROM emailQueue WHERE leaseOwner = ? AND status = 'processing'",
                (worker_id,),
            ).fetchall()
            seq = self._next_seq(conn)
            for row in rows:
                task = NotificationTask.from_document(row["id"], loads(row["doc"]))
                task.version = row["version"]
                back = task.with_changes(
                    status=TaskState.PENDING,
                    lease_owner=None,
                    lease_expires_at=None,
                    next_attempt_at=now,
                    updated_at=now,
                    history=with_history(task, history_entry(now, worker_id, "released")),
                )
                count += self._save_task(conn, back, seq, now)
        return count
