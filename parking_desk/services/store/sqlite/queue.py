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
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from parking_desk import task_rules
from parking_desk.services.store.base import DeliveryOutcome, Subscription
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import epoch, raw_task_row
from parking_desk.services.store.sqlite.task_rows import DuePollingSubscription
from parking_desk.services.store.sqlite.tasks import apply_write, read_row, save_task
from parking_desk.task import LastError, NotificationTask
from parking_desk.task_rules import TaskWrite
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


class SqliteQueueEngine:
    """The worker's role: claims, outcomes, hand-backs and the "work may be due" feed."""

    def __init__(self, db: SqliteConnections, poll_interval: float) -> None:
        self._db = db
        self._poll_interval = poll_interval

    def import_raw_task(self, task_id: str, document: Any, *, now: datetime | None = None) -> None:
        """Store a queue document exactly as another writer (the website) shaped it."""
        now = now or utcnow()
        row = raw_task_row(task_id, document, now) | {"id": task_id}
        with self._db.write() as conn:
            row["changeSeq"] = self._db.next_seq(conn)
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
        with self._db.write() as conn:
            seq = self._db.next_seq(conn)
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
            apply_write(
                conn, row, task_rules.bury_malformed(task, reason, now), seq, now, malformed=True
            )
            log.warning("queue task %s is malformed and was set dead: %s", row["id"], reason)
            return None
        write = task_rules.claim(task, worker_id, lease, now)
        if not save_task(conn, write.task, seq, now):
            return None  # taken by another writer since it was read
        write.task.version = row["version"] + 1
        return write.task

    # --- outcomes -------------------------------------------------------------------------
    def _finish(self, task: NotificationTask, worker_id: str, rule: Any) -> bool:
        """Apply *rule(current task)* only while *worker_id* still holds the lease it was
        given (same owner, still processing, same version)."""
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT * FROM emailQueue WHERE id = ? AND status = 'processing' "
                "AND leaseOwner = ? AND version = ?",
                (task.id, worker_id, task.version),
            ).fetchone()
            if row is None:
                return False
            current, reason = read_row(row)
            write: TaskWrite = rule(current)
            return apply_write(
                conn,
                row,
                write,
                self._db.next_seq(conn),
                write.task.updated_at or utcnow(),
                malformed=reason is not None,
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
            lambda t: task_rules.complete(t, worker_id, outcome, at),
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
        with self._db.write() as conn:
            rows = conn.execute(
                "SELECT * FROM emailQueue WHERE leaseOwner = ? AND status = 'processing'",
                (worker_id,),
            ).fetchall()
            seq = self._db.next_seq(conn)
            for row in rows:
                task, reason = read_row(row)
                write = task_rules.release(task, worker_id, now)
                count += apply_write(conn, row, write, seq, now, malformed=reason is not None)
        return count

    def watch_due(self, wake: Callable[[], None]) -> Subscription:
        """Call *wake* (on the poller's thread) when a pending task may have become due:
        written since the last poll with its next attempt now or past."""

        def on_poll(due: bool) -> None:
            if due:
                wake()

        return DuePollingSubscription(self._db, on_poll, self._poll_interval)
