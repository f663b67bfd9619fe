"""The embedded store: one SQLite file, the default when no cloud project is configured.

Same contract and semantics as Firestore (``tests/contract`` runs on both). The store is
composed of parts that share one ``SqliteConnections`` (the file, a connection per thread,
the transactions): bookings, the worker's queue engine, the supervisor's queue admin, the
audit log, the health figures and housekeeping, quotas, signing keys, staff and alerts.
Each part only reads, conditions and writes; what a change writes is the domain's
(``booking_rules``, ``task_rules``). This class holds the parts and answers for all roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from parking_desk.booking import Booking, BookingStatus
from parking_desk.quota import QuotaUnit
from parking_desk.services.key_ring import SigningKey
from parking_desk.services.store.base import (
    AuditEntry,
    BoardFigures,
    BookingQuery,
    DeliveryOutcome,
    Erasure,
    QueueStats,
    Subscription,
    TaskRow,
    TaskRowBatch,
    WorkerInfo,
)
from parking_desk.services.store.sqlite.alerts import SqliteAlerts
from parking_desk.services.store.sqlite.audit import SqliteAuditLog
from parking_desk.services.store.sqlite.bookings import SqliteBookings
from parking_desk.services.store.sqlite.bounces import SqliteBounces, SqliteSuppressions
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.health import SqliteHealth
from parking_desk.services.store.sqlite.keys import SqliteKeys
from parking_desk.services.store.sqlite.personal_data import SqlitePersonalData
from parking_desk.services.store.sqlite.queue import SqliteQueueEngine
from parking_desk.services.store.sqlite.queue_admin import SqliteQueueAdmin
from parking_desk.services.store.sqlite.quota import SqliteQuota
from parking_desk.services.store.sqlite.shift_activity import SqliteShiftActivity
from parking_desk.services.store.sqlite.staff import SqliteStaff
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskType


class SqliteStore:
    kind = "sqlite"

    def __init__(
        self, path: str | Path, *, poll_interval: float = 0.5, busy_timeout: float = 15.0
    ) -> None:
        self.poll_interval = poll_interval
        self.db = SqliteConnections(path, busy_timeout=busy_timeout)
        self.path = self.db.path
        self._bookings = SqliteBookings(self.db)
        self._engine = SqliteQueueEngine(self.db, poll_interval)
        self._admin = SqliteQueueAdmin(self.db, poll_interval)
        self._audit = SqliteAuditLog(self.db)
        self._health = SqliteHealth(self.db)
        self.quota = SqliteQuota(self.db.write, self.db.read)
        self.ring = SqliteKeys(self.db.write, self.db.read)
        self.staff = SqliteStaff(self.db.write, self.db.read)
        self.alerts = SqliteAlerts(self.db.write, self.db.read)
        self.personal = SqlitePersonalData(self.db)
        self.bounces, self.suppressions = SqliteBounces(self.db), SqliteSuppressions(self.db)
        self.shift = SqliteShiftActivity(self.db)

    @property
    def closed(self) -> bool:
        return self.db.closed

    def ping(self) -> None:
        self.db.ping()

    def close(self) -> None:
        self.db.close()

    # --- bookings ---
    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        return self._bookings.create_booking(booking, task_type=task_type, now=now)

    def get_booking(self, number: str) -> Booking | None:
        return self._bookings.get_booking(number)

    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        return self._bookings.search_bookings(query)

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        return self._bookings.set_booking_status(number, to, operator=operator, now=now, desk=desk)

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        return self._bookings.amend_booking(number, changes, operator=operator, now=now)

    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        return self._bookings.enqueue(booking_number, task_type, operator=operator, now=now)

    # --- engine ---
    def claim_due(
        self, worker_id: str, limit: int, lease: timedelta, *, now: datetime | None = None
    ) -> list[NotificationTask]:
        return self._engine.claim_due(worker_id, limit, lease, now=now)

    def complete(
        self,
        task: NotificationTask,
        worker_id: str,
        outcome: DeliveryOutcome,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self._engine.complete(task, worker_id, outcome, now=now)

    def fail_transient(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        next_attempt_at: datetime,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self._engine.fail_transient(task, worker_id, error, next_attempt_at, now=now)

    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self._engine.fail_permanent(task, worker_id, error, now=now)

    def release(self, worker_id: str, *, now: datetime | None = None) -> int:
        return self._engine.release(worker_id, now=now)

    def watch_due(self, wake: Callable[[], None]) -> Subscription:
        return self._engine.watch_due(wake)

    def import_raw_task(self, task_id: str, document: Any, *, now: datetime | None = None) -> None:
        return self._engine.import_raw_task(task_id, document, now=now)

    # --- admin ---
    def get_task(self, task_id: str) -> NotificationTask | None:
        return self._admin.get_task(task_id)

    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        return self._admin.list_tasks(filter, limit=limit)

    def list_task_rows(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[TaskRow]:
        return self._admin.list_task_rows(filter, limit=limit)

    def watch_task_rows(self, callback: Callable[[TaskRowBatch], None]) -> Subscription:
        return self._admin.watch_task_rows(callback)

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
        return self._admin.retry_tasks(
            listed,
            operator=operator,
            audit_id=audit_id,
            filter=filter,
            requested=requested,
            now=now,
        )

    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int:
        return self._admin.cancel_tasks(ids, operator=operator, now=now)

    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        return self._admin.update_recipient(task_id, email, operator=operator, now=now)

    # --- audit ---
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
        return self._audit.record_audit(
            operator, action, task_ids, filter=filter, details=details, now=now
        )

    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        return self._audit.audit_log(limit=limit)

    # --- health ---
    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        return self._health.queue_stats(now=now)

    def board_figures(self, *, now: datetime, today: datetime, window: datetime) -> BoardFigures:
        return self._health.board_figures(now=now, today=today, window=window)

    def sent_since(self, since: datetime) -> list[datetime]:
        return self._health.sent_since(since)

    def sent_count_since(self, since: datetime) -> int:
        return self._health.sent_count_since(since)

    def failures_since(self, since: datetime) -> list[datetime]:
        return self._health.failures_since(since)

    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        return self._health.workers(seen_since=seen_since)

    def heartbeat(self, info: WorkerInfo) -> None:
        return self._health.heartbeat(info)

    def purge_finished(
        self,
        older_than: timedelta | None,
        *,
        dead_older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> int:
        return self._health.purge_finished(older_than, dead_older_than=dead_older_than, now=now)

    # The sending quota: a rolling 24 hours in hour buckets (``parking_desk.quota``), kept by
    # ``self.quota``; a unit is reserved before a send and given back unless it went out.
    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        return self.quota.reserve(transport, limit, now=now)

    def release_quota(self, unit: QuotaUnit) -> None:
        self.quota.release(unit)

    def quota_counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        return self.quota.counts(transport, now=now)

    def quota_used(self, transport: str, *, now: datetime | None = None) -> int:
        return sum(self.quota_counts(transport, now=now).values())

    # --- the site's signing keys (sqlite_keys) ----------------------------------------------
    def publish_signing_key(self, key: SigningKey) -> SigningKey:
        return self.ring.publish(key)

    def signing_keys(self) -> list[SigningKey]:
        return self.ring.all()

    def revoke_signing_key(
        self, kid: str, *, revoked_by: str, at: datetime
    ) -> tuple[SigningKey | None, bool]:
        return self.ring.revoke(kid, revoked_by=revoked_by, at=at)

    # --- personal data: retention and erasure (personal_data.py) ---------------------------

    def site_retention(self) -> dict[str, Any] | None:
        return self.personal.site_retention()

    def set_site_retention(
        self, figures: dict[str, int], *, operator: str, now: datetime | None = None
    ) -> None:
        self.personal.set_site_retention(figures, operator=operator, now=now)

    def claim_purge(self, last_before: datetime, *, now: datetime | None = None) -> bool:
        return self.personal.claim_purge(last_before, now=now)

    def anonymise_departed(
        self, departed_before: datetime, *, operator: str, now: datetime | None = None
    ) -> list[str]:
        return self.personal.anonymise_departed(departed_before, operator=operator, now=now)

    def erase_client(
        self,
        numbers: Sequence[str],
        emails: Sequence[str],
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Erasure:
        return self.personal.erase_client(numbers, emails, operator=operator, now=now)

    # --- undoing a scan (bookings), the shift report's reads (shift_activity.py) -----------

    def undo_scan(
        self, number: str, *, operator: str, not_before: datetime, now: datetime | None = None
    ) -> Booking:
        return self._bookings.undo_scan(number, operator=operator, not_before=not_before, now=now)

    def bookings_changed_since(self, since: datetime) -> list[Booking]:
        return self.shift.bookings_changed_since(since)

    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        return self.shift.audit_between(start, end)

    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]:
        return self.shift.failed_tasks_between(start, end)
