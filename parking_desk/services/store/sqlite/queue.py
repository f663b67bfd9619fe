"""The worker's side of the SQLite queue: claims as leases, and lease-conditional outcomes.

A claim is ``UPDATE … WHERE id = ? AND version = ?`` inside a ``BEGIN IMMEDIATE``
transaction, so across threads and processes a due task goes to exactly one worker. Every
outcome is conditional on the lease still being the one the worker was given (owner,
``processing`` and the version it claimed); a worker whose lease expired and was taken by
another cannot overwrite the newer attempt. What each change writes is decided by
``parking_desk.task_rules``; this module reads, conditions and writes.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from parking_desk import task_rules
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import (
    TASK_COLUMNS,
    dumps,
    epoch,
    loads,
    raw_task_row,
    task_columns,
    task_row,
)
from parking_desk.task import LastError, NotificationTask
from parking_desk.task_rules import TaskWrite
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


def read_row(row: sqlite3.Row) -> tuple[NotificationTask, str | None]:
    """The row's task and None, or its salvaged view and why its document does not parse."""
    damaged: str | None = None
    try:
        doc = loads(row["doc"])
    except ValueError as exc:  # the JSON itself is damaged
        doc, damaged = None, f"unreadable document: {exc}"
    task, reason = task_rules.read_task(row["id"], doc)
    task.version = row["version"]
    return task, damaged or reason


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
        return self._update_row(conn, task.id, task.version, task_row(task, now), seq)

    @staticmethod
    def _update_row(
        conn: sqlite3.Connection, task_id: str, version: int, row: dict[str, Any], seq: int
    ) -> bool:
        sets = ", ".join(f"{k} = :{k}" for k in TASK_COLUMNS)
        cur = conn.execute(
            f"UPDATE emailQueue SET {sets}, version = version + 1, changeSeq = :seq "
            "WHERE id = :id AND version = :version",
            row | {"seq": seq, "id": task_id, "version": version},
        )
        return cur.rowcount == 1

    def _apply(
        self,
        conn: sqlite3.Connection,
        row: sqlite3.Row,
        write: TaskWrite,
        seq: int,
        now: datetime,
        *,
        malformed: bool,
    ) -> bool:
        """Write what a rule decided for *row*, if the row is still at the version read. A
        document that does not parse keeps what was written, with the rule's fields merged
        in, so it reads the same way if it ever becomes readable (its address fixed)."""
        if not malformed:
            done = self._save_task(conn, write.task, seq, now)
        else:
            try:
                doc = loads(row["doc"])
            except ValueError:
                doc = row["doc"]
            if isinstance(doc, dict):
                doc.update(write.fields)
            fixed, reason = task_rules.read_task(row["id"], doc)
            if reason is None:  # readable now (say, its address was fixed)
                columns = task_row(fixed, now)
            else:
                columns = task_columns(write.task, now) | {"malformed": 1, "doc": dumps(doc)}
            done = self._update_row(conn, row["id"], row["version"], columns, seq)
        if done and write.booking:
            self._patch_booking(conn, write.task.booking_number, write.booking)
        return done

    def import_raw_task(self, task_id: str, document: Any, *, now: datetime | None = None) -> None:
        """Store a queue document exactly as another writer (the website) shaped it."""
        now = now or utcnow()
        row = raw_task_row(task_id, document, now) | {"id": task_id}
        with self._write() as conn:
            row["changeSeq"] = self._next_seq(conn)
            names = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            conn.execute(f"INSERT OR REPLACE INTO emailQueue ({names}) VALUES ({marks})", row)

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
        task, reason = read_row(row)
        if reason is not None:
            self._apply(
                conn, row, task_rules.bury_malformed(task, reason, now), seq, now, malformed=True
            )
            log.warning("queue task %s is malformed and was set dead: %s", row["id"], reason)
            return None
        write = task_rules.claim(task, worker_id, lease, now)
        if not self._save_task(conn, write.task, seq, now):
            return None  # taken by another writer since it was read
        write.task.version = row["version"] + 1
        return write.task

    # --- outcomes -------------------------------------------------------------------------
    def _finish(self, task: NotificationTask, worker_id: str, rule: Any) -> bool:
        """Apply *rule(current task)* only while *worker_id* still holds the lease it was
        given (same owner, still processing, same version)."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT * FROM emailQueue WHERE id = ? AND status = 'processing' "
                "AND leaseOwner = ? AND version = ?",
                (task.id, worker_id, task.version),
            ).fetchone()
            if row is None:
                return False
            current, reason = read_row(row)
            write: TaskWrite = rule(current)
            return self._apply(
                conn,
                row,
                write,
                self._next_seq(conn),
                write.task.updated_at or utcnow(),
                malformed=reason is not None,
            )

    def _patch_booking(
        self, conn: sqlite3.Connection, number: str, changes: dict[str, Any]
    ) -> None:
        """Set monitoring fields on the booking, if this store holds it (the website's
        bookings may live elsewhere)."""
        row = conn.execute("SELECT doc FROM bookings WHERE bookingNumber = ?", (number,)).fetchone()
        if row is None:
            return
        doc = loads(row["doc"])
        doc.update(changes)
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
        at = now or utcnow()
        return self._finish(
            task,
            worker_id,
            lambda t: task_rules.complete(
                t,
                worker_id,
                at,
                provider=outcome.provider,
                message_id=outcome.message_id,
                email_sent=outcome.email_sent,
                qr_generated=outcome.qr_generated,
            ),
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
        at = now or utcnow()
        return self._finish(
            task,
            worker_id,
            lambda t: task_rules.fail_transient(t, worker_id, error, next_attempt_at, at),
        )

    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        at = now or utcnow()
        return self._finish(
            task, worker_id, lambda t: task_rules.fail_permanent(t, worker_id, error, at)
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
                task, reason = read_row(row)
                write = task_rules.release(task, worker_id, now)
                count += self._apply(conn, row, write, seq, now, malformed=reason is not None)
        return count
